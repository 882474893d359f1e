// Download queue with live progress (the server's monitor job polls SABnzbd), and history.
(function () {
  var queue = document.getElementById("queue"), history = document.getElementById("history");
  var canManage = queue.dataset.canManage === "1", el = OmniApi.el, errorBox = document.getElementById("page-error");
  // The history's page and sort are the address's (page numbers and sortable headers are links).
  var asked = new URLSearchParams(location.search), historyQuery = new URLSearchParams({ page_size: "50" });
  ["page", "sort", "order"].forEach(function (key) { if (asked.get(key)) historyQuery.set(key, asked.get(key)); });
  function labelsOf(tbody) {
    return Array.prototype.map.call(tbody.closest("table").querySelectorAll("thead th"),
      function (th) { return th.textContent.replace(/[▲▼]/g, "").trim(); });
  }
  var queueLabels = labelsOf(queue), historyLabels = labelsOf(history);
  function labelled(cells, labels) {  // a phone shows each cell's column name beside it
    cells.forEach(function (cell, i) { if (labels[i]) cell.setAttribute("data-label", labels[i]); });
    return cells;
  }
  function fail(e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  async function act(promise) { try { await promise; refresh(); } catch (e) { fail(e); } }
  function actions(a) {
    var cell = el("td");
    if (!canManage) return cell;
    var cancel = el("button", { type: "button", text: "Cancel" });
    cancel.addEventListener("click", function () { act(OmniApi.del("/api/downloads/attempt/" + a.id + "/")); });
    var ban = el("button", { type: "button", text: "Blacklist and retry" });
    ban.addEventListener("click", function () {
      act(OmniApi.post("/api/downloads/blacklist/", { attempt_id: a.id, reason: "manual", retry: true,
        details: "Blacklisted from the queue page" }));
    });
    if (a.state !== "downloaded") cell.appendChild(cancel);
    cell.appendChild(ban);
    return cell;
  }
  // What the download client said last: anything but "ok" is shown with its reason.
  var CLIENT_TROUBLE = { unreachable: "error", auth_failed: "error", error: "error", paused: "warning" };
  function progress(a) {
    var cell = el("td", {}, [el("progress", { max: "100", value: String(a.progress), "aria-label": a.release_title + " progress" }),
      document.createTextNode(" " + Math.round(a.progress) + "%" + (a.time_left ? " · " + a.time_left : "") +
        (a.client_status ? " · " + a.client_status : ""))]);
    var level = CLIENT_TROUBLE[a.client_state];
    if (level && a.error) cell.appendChild(el("div", { class: level + " client-problem", text: a.error }));
    return cell;
  }
  function stateBadge(a) {
    var level = CLIENT_TROUBLE[a.client_state];
    var text = a.state === "pending" && a.next_send_at ? "waiting for the client" : a.state;
    return el("span", { class: "badge" + (level === "error" ? " failed" : ""), text: text });
  }
  function queueRow(a) {
    return el("tr", { "data-attempt-id": String(a.id), "data-key": String(a.id), "data-client-state": a.client_state || "" },
      labelled([el("td", { text: a.item_title }), el("td", { text: a.release_title }), el("td", {}, [stateBadge(a)]), progress(a), actions(a)], queueLabels));
  }
  function historyRow(a) {
    return el("tr", { "data-attempt-id": String(a.id) }, labelled([el("td", { text: a.item_title }), el("td", { text: a.release_title }),
      el("td", {}, [el("span", { class: "badge " + (a.state === "imported" ? "succeeded" : "failed"), text: a.state })]),
      el("td", { text: a.completed_at ? new Date(a.completed_at).toLocaleString() : "—" }),
      el("td", { text: a.error || a.storage_path })], historyLabels));
  }
  function fill(tbody, rows, empty, cols) {
    OmniApi.replaceRows(tbody, rows.length ? rows : [el("tr", {}, [el("td", { colspan: cols, text: empty })])]);
  }
  function show(active, done) {
    fill(queue, active.map(queueRow), "Nothing is downloading.", "5");
    fill(history, done.items.map(historyRow), "No finished downloads yet.", "5");
  }
  async function refresh() {
    try {
      var active = await OmniApi.get("/api/downloads/queue/");
      var done = await OmniApi.get("/api/downloads/history/?" + historyQuery.toString());
      errorBox.hidden = true;
      show(active, done);
    } catch (e) { fail(e); }
  }
  var first = OmniApi.embedded("downloads-queue-data");  // queue and history sent with the page
  if (first) show(first.queue, first.history); else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 3000);
})();
