// The scans' progress at the top of a page (dashboard, scanning; the cover job's on the
// library page: the section's data-kind says which jobs): each queued or running job
// with its bar; a percentage and an ETA only against a known total, files per second while
// the files are still being counted. Polls while the page is visible and tells the page
// (event "omni:scans") so it can redraw what a scan changes.
(function () {
  var box = document.getElementById("scan-progress");
  if (!box) return;
  var list = document.getElementById("scan-jobs");
  var el = OmniApi.el;
  var KIND = box.dataset.kind || "scanning.scan_folder";
  var wasActive = false;
  function row(job) {
    var what = job.message || (job.state === "queued" ? "Waiting to start" : "Starting");
    return el("li", { "data-key": String(job.id), "data-job-id": String(job.id) }, [
      el("span", { class: "scan-what", text: what + " " }), OmniApi.progressBar(job),
      el("span", { class: "progress-text", text: " " + OmniApi.progressText(job) }),
    ]);
  }
  function show(jobs) {
    jobs = jobs.filter(function (job) { return job.kind === KIND; });
    var active = jobs.length > 0;
    box.hidden = !active;
    OmniApi.replaceRows(list, jobs.map(row));
    document.dispatchEvent(new CustomEvent("omni:scans", { detail: { active: active, ended: wasActive && !active } }));
    wasActive = active;
  }
  async function refresh() {
    try { show((await OmniApi.get("/api/jobs/?active=true&kind=" + KIND + "&page_size=5")).items); }
    catch (e) { /* the page's own job list reports errors */ }
  }
  var first = OmniApi.embedded("scan-jobs-data");
  if (first) show(first.items); else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 2000);
})();
