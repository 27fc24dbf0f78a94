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
  const summary = document.getElementById("error-summary");
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
