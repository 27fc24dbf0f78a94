// Follows a report's build on its page: polls the status every 2 seconds, moves the progress
// bar, shows the pages laid out so far, and reloads the page when the build has finished (to
// show the download or the error).
(function () {
  "use strict";
  const box = document.getElementById("report-progress");
  if (!box || box.dataset.finished === "yes") return;
  const bar = document.getElementById("report-progress-bar");
  const label = document.getElementById("report-status-label");
  const pagesDone = document.getElementById("report-pages-done");
  const pagesCount = document.getElementById("report-pages-count");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        if (bar) { bar.value = state.progress; bar.textContent = state.progress + "%"; }
        if (label) label.textContent = state.label;
        if (pagesDone && pagesCount && state.pages) {
          pagesCount.textContent = state.pages;
          pagesDone.hidden = false;
        }
        if (state.finished) { window.location.reload(); return; }
      }
    } catch (error) {
      // The network hiccupped: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
