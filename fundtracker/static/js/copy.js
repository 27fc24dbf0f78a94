// "Copy" buttons for a value shown once (a new API token): the button copies its target's text
// to the clipboard. Without JavaScript (or clipboard access) the field is still selectable.
"use strict";
(function () {
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
  if (!navigator.clipboard) {
    return;
  }
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const target = document.getElementById(button.dataset.copyTarget);
    if (!target) {
      continue;
    }
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(target.value).then(() => {
        button.textContent = button.dataset.copiedText;
        setTimeout(() => { button.textContent = label; }, 2000);
      }, () => target.select());
    });
  }
})();
