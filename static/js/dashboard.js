// Dashboard: running jobs with live progress (polls /api/jobs/?active=true); starts and ends
// are announced through the shared live region, not every progress tick.
(function () {
  var list = document.getElementById("running-jobs");
  var el = OmniApi.el;
  var watch = OmniApi.jobWatcher(function (job) { return job.title + " #" + job.id; });
  function item(job) {
    var text = job.title + " #" + job.id + (job.message ? " · " + job.message : "");
    return el("li", { "data-job-id": String(job.id), "data-key": String(job.id) }, [el("span", { text: text + " " }),
      OmniApi.progressBar(job), el("span", { class: "progress-text", text: " " + OmniApi.progressText(job) })]);
  }
  function show(data) {
    OmniApi.replaceRows(list, data.items.length ? data.items.map(item)
      : [el("li", { class: "muted", text: "No jobs running." })]);
    watch(data.items, true);
  }
  async function refresh() {
    try {
      show(await OmniApi.get("/api/jobs/?active=true&page_size=10"));
    } catch (e) {
      list.replaceChildren(el("li", { class: "error", text: "Could not load jobs: " + e.message }));
    }
  }
  // Counts and recent books follow a running scan (and its end), so a first import fills them in.
  var live = document.getElementById("dashboard-live");
  async function redrawCounts() {
    try {
      var response = await fetch("/dashboard/live", { credentials: "same-origin" });
      if (!response.ok) return;
      var doc = new DOMParser().parseFromString(await response.text(), "text/html");
      var fresh = document.createElement("div");
      fresh.replaceChildren.apply(fresh, Array.prototype.slice.call(doc.body.childNodes));
      if (fresh.innerHTML !== live.innerHTML) live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes));
    } catch (e) { /* kept as drawn; the next poll tries again */ }
  }
  document.addEventListener("omni:scans", function (event) {
    if (event.detail.active || event.detail.ended) redrawCounts();
  });
  var first = OmniApi.embedded("running-jobs-data");  // sent with the page: no request to draw it
  if (first) show(first); else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 2000);
})();
