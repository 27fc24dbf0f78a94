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
