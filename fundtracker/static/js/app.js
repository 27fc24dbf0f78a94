// Refuse too large uploads in the browser, before anything is sent: a request over the server's
// limit is answered 413 and what the person typed would be lost.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const perFile = Number(form.dataset.maxFileBytes || 0);
  const total = Number(form.dataset.maxBytes || 0);
  if (!perFile && !total) return;
  let sum = 0;
  for (const input of form.querySelectorAll("input[type=file]")) {
    for (const file of input.files) {
      sum += file.size;
      if (perFile && file.size > perFile) {
        event.preventDefault();
        window.alert(form.dataset.tooLarge.replace("%(name)s", file.name));
        return;
      }
    }
  }
  if (total && sum > total) {
    event.preventDefault();
    window.alert(form.dataset.tooMuch);
  }
}, true);

// After a failed submit the error summary takes the focus, so that a screen reader reads what
// is wrong first and a keyboard user is one Tab from the first field to correct (WCAG 3.3.1).
document.addEventListener("DOMContentLoaded", () => {
  // Else a message that something failed (e.g. a wrong password), which has no field.
  const summary =
    document.getElementById("error-summary") || document.querySelector(".alert-danger[tabindex]");
  if (summary) summary.focus();
  // Links in the summary move the focus to their field, not just the scroll position.
  for (const link of document.querySelectorAll(".error-summary a[href^='#']")) {
    link.addEventListener("click", (event) => {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }
});

// A table wider than the screen scrolls in its own box: the box is then focusable, named after
// its table, so that keyboard users can scroll it too (WCAG 2.1.1); not when it fits.
function markScrollableTables() {
  for (const box of document.querySelectorAll(".table-responsive")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      const table = box.querySelector("table");
      const caption = table && table.querySelector("caption");
      let heading = box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
      const name = (caption || heading || {}).textContent || (table && table.getAttribute("aria-label"));
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (name) box.setAttribute("aria-label", name.trim());
      box.dataset.scrollable = "1";
    } else if (!scrolls && box.dataset.scrollable) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      delete box.dataset.scrollable;
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
window.addEventListener("resize", markScrollableTables);
