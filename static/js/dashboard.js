// Dashboard: running jobs with live progress (polls /api/jobs/?active=true); starts and ends
// are announced through the shared live region, not every progress tick.
(function () {
  var list = document.getElementById("running-jobs");
  var el = OmniApi.el;
  var watch = OmniApi.jobWatcher(function (job) { return job.title + " #" + job.id; });
  function item(job) {
    var text = job.title + " #" + job.id + (job.message ? " · " + job.message : "");
    var bar = el("progress", { "aria-label": job.title + " progress" });
    if (job.progress_total) { bar.max = job.progress_total; bar.value = job.progress_done; }
    return el("li", { "data-job-id": String(job.id), "data-key": String(job.id) }, [el("span", { text: text + " " }), bar,
      el("span", { text: job.percent !== null ? " " + job.percent + "%" : "" })]);
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
  var first = OmniApi.embedded("running-jobs-data");  // sent with the page: no request to draw it
  if (first) show(first); else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 2000);
})();
