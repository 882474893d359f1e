// Reading lists: while an import runs, show its progress from the JSON API and reload the page
// (with the report) when it has finished.
(function () {
  var box = document.getElementById("list-progress");
  if (!box) return;
  var state = box.dataset.state;
  if (state !== "queued" && state !== "running") return;
  var url = "/api/v1/reading-lists/" + box.dataset.import;
  async function poll() {
    try {
      var data = (await OmniApi.get(url)).list_import;
      var c = data.counts;
      if (data.state === "done" || data.state === "failed") { window.location.reload(); return; }
      box.textContent = "Importing: " + c.done + " of " + data.rows + " rows (" + c.added + " added, " +
        c.matched + " matched, " + c.review + " for review, " + c.skipped + " skipped)…";
    } catch (e) {
      box.textContent = "Progress unavailable: " + e.message;
    }
    window.setTimeout(poll, 1500);
  }
  window.setTimeout(poll, 1000);
})();
