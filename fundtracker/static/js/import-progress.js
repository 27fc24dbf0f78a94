// The import page while a large import runs: ask how far it has got every two seconds, show
// it, and reload the page once it has finished (done or failed).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var bar = document.getElementById("import-bar");
  function look() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.status !== "queued" && state.status !== "running") {
          window.location.reload();
          return;
        }
        bar.max = state.total || 1;
        bar.value = state.done;
        setTimeout(look, 2000);
      })
      .catch(function () { setTimeout(look, 5000); });
  }
  setTimeout(look, 2000);
})();
