// Wanted list: status, last/next search, best score; actions: interactive search, automatic search.
// The page and sort are the address's (the page numbers and sortable headers are links drawn by
// the server); the list is redrawn every 10 s with the same ones.
(function () {
  var tbody = document.getElementById("wanted"), errorBox = document.getElementById("page-error");
  var canManage = tbody.dataset.canManage === "1", el = OmniApi.el;
  var asked = new URLSearchParams(location.search), query = new URLSearchParams({ page_size: "50" });
  ["page", "sort", "order"].forEach(function (key) { if (asked.get(key)) query.set(key, asked.get(key)); });
  var labels = Array.prototype.map.call(tbody.closest("table").querySelectorAll("thead th"),
    function (th) { return th.textContent.replace(/[▲▼]/g, "").trim(); });
  var result = document.getElementById("action-result");
  function when(value) { return value ? new Date(value).toLocaleString() : "—"; }
  function fail(e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  function actions(item) {
    // The indexer search page is for admins (core/permissions.py): readers get no link to it.
    var cell = el("td", {}, canManage ? [el("a", { href: "/downloads/search/" + item.id + "/", text: "Search…" })] : []);
    if (canManage && item.status === "wanted") {
      var auto = el("button", { type: "button", text: "Search and grab" });
      auto.addEventListener("click", async function () {
        try { var job = await OmniApi.post("/api/downloads/search/" + item.id + "/", { mode: "automatic" });
          auto.textContent = "Queued (job " + job.job_id + ")"; auto.disabled = true; } catch (e) { fail(e); }
      });
      cell.appendChild(document.createTextNode(" ")); cell.appendChild(auto);
    }
    return cell;
  }
  function row(item) {
    var status = el("td", {}, [el("span", { class: "badge", text: item.status.replace(/_/g, " ") })]);
    if (item.last_error) status.appendChild(el("div", { class: "error", text: item.last_error }));
    var cells = [
      el("td", { text: item.title + (item.authors ? " — " + item.authors : "") }), status,
      el("td", { text: when(item.last_search_at) }), el("td", { text: when(item.next_search_at) }),
      el("td", { text: item.last_best_score === null ? "—" : String(item.last_best_score) }), actions(item)];
    cells.forEach(function (cell, i) { if (labels[i] && i < 5) cell.setAttribute("data-label", labels[i]); });
    return el("tr", { "data-item-id": String(item.id) }, cells);
  }
  function show(data) {
    tbody.replaceChildren.apply(tbody, data.items.length ? data.items.map(row)
      : [el("tr", {}, [el("td", { colspan: "6", text: "Nothing is wanted." })])]);
  }
  async function refresh() {
    try {
      var data = await OmniApi.get("/api/downloads/wanted/?" + query.toString());
      errorBox.hidden = true;
      show(data);
    } catch (e) { fail(e); }
  }
  function button(id, url, label) {
    var node = document.getElementById(id);
    if (node) node.addEventListener("click", async function () {
      try { var data = await OmniApi.post(url); result.textContent = label + ": " + JSON.stringify(data); refresh(); }
      catch (e) { fail(e); }
    });
  }
  button("search-all", "/api/downloads/wanted/search/", "Search queued");
  button("monitor-now", "/api/downloads/monitor/", "Checked");
  var first = OmniApi.embedded("downloads-wanted-data");  // page 1, sent with the page
  if (first) show(first); else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 10000);
})();
