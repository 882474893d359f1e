// Activity page: live list of jobs with progress bars, errors, cancel and retry.
(function () {
  var tbody = document.getElementById("jobs");
  var errorBox = document.getElementById("activity-error");
  var filter = document.getElementById("state-filter");
  var canManage = tbody.dataset.canManage === "1";
  var page = 1;
  var el = OmniApi.el;
  function describe(job) { return job.title + " #" + job.id; }
  var watch = OmniApi.jobWatcher(describe);
  function fresh() { watch = OmniApi.jobWatcher(describe); refresh(); }  // new list, nothing to announce
  var initial = new URLSearchParams(location.search).get("state");
  if (initial) filter.value = initial;

  function query() {
    var q = "?page=" + page + "&page_size=25";
    if (filter.value === "active") q += "&active=true";
    else if (filter.value) q += "&state=" + encodeURIComponent(filter.value);
    return "/api/jobs/" + q;
  }
  function progressCell(job) {
    var cell = el("td");
    if (job.progress_total || job.state === "running") {
      cell.appendChild(OmniApi.progressBar(job));
      cell.appendChild(document.createTextNode(" " + OmniApi.progressText(job)));
    }
    return cell;
  }
  function actionsCell(job) {
    var cell = el("td");
    if (!canManage) return cell;
    if (job.state === "queued" || job.state === "running") {
      var cancel = el("button", { type: "button", class: "cancel", text: job.cancel_requested ? "Cancelling…" : "Cancel" });
      cancel.disabled = job.cancel_requested;
      cancel.addEventListener("click", function () { act("/api/jobs/" + job.id + "/cancel"); });
      cell.appendChild(cancel);
    } else if (job.state === "failed" || job.state === "cancelled") {
      var retry = el("button", { type: "button", text: "Retry" });
      retry.addEventListener("click", function () { act("/api/jobs/" + job.id + "/retry"); });
      cell.appendChild(retry);
    }
    return cell;
  }
  function row(job) {
    var message = el("td", { text: job.message });
    if (job.last_error) message.appendChild(el("div", { class: "error", text: job.last_error }));
    return el("tr", { "data-job-id": String(job.id), "data-key": String(job.id), "data-state": job.state }, [
      el("td", { text: job.title + " #" + job.id + (job.target ? " · " + job.target : "") }),
      el("td", {}, [el("span", { class: "badge " + job.state, text: job.state })]),
      progressCell(job), message,
      el("td", { text: job.started_at ? new Date(job.started_at).toLocaleString() : "—" }),
      actionsCell(job),
    ]);
  }
  async function act(url) {
    try { await OmniApi.post(url); refresh(); } catch (e) { showError(e); }
  }
  function showError(e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  function show(data) {
    OmniApi.replaceRows(tbody, data.items.length ? data.items.map(row)
      : [el("tr", {}, [el("td", { colspan: "6", text: filter.value ? "No jobs match this filter." :
        "No jobs yet: scans, searches and imports show up here while they run." })])]);
    watch(data.items, false);
    document.getElementById("prev-page").disabled = page <= 1;
    document.getElementById("next-page").disabled = !data.has_next;
  }
  async function refresh() {
    try {
      var data = await OmniApi.get(query());
      errorBox.hidden = true;
      show(data);
    } catch (e) { showError(e); }
  }
  filter.addEventListener("change", function () { page = 1; fresh(); });
  document.getElementById("prev-page").addEventListener("click", function () { page -= 1; fresh(); });
  document.getElementById("next-page").addEventListener("click", function () { page += 1; fresh(); });
  var selftest = document.getElementById("start-selftest");
  if (selftest) selftest.addEventListener("click", async function () {
    try { await OmniApi.post("/api/jobs/", { kind: "core.selftest", params: { steps: 30, step_seconds: 0.5 } }); refresh(); }
    catch (e) { showError(e); }
  });
  var first = OmniApi.embedded("jobs-data");  // page 1 of the chosen filter, sent with the page
  if (first) show(first); else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 1500);
})();
