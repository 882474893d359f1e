// Blacklist: reasons, expiry, un-blacklist with a reason.
(function () {
  var tbody = document.getElementById("blacklist"), showAll = document.getElementById("show-all");
  var canManage = tbody.dataset.canManage === "1", el = OmniApi.el, errorBox = document.getElementById("page-error");
  function fail(e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  function when(v) { return v ? new Date(v).toLocaleString() : "—"; }
  function actions(entry) {
    var cell = el("td");
    if (!entry.is_active) { cell.textContent = "Removed: " + (entry.removed_reason || "expired"); return cell; }
    if (!canManage) return cell;
    var remove = el("button", { type: "button", text: "Remove…" });
    remove.addEventListener("click", async function () {
      var reason = window.prompt("Why take this release off the blacklist?");
      if (!reason) return;
      try { await OmniApi.post("/api/downloads/blacklist/" + entry.id + "/remove/", { reason: reason }); refresh(); }
      catch (e) { fail(e); }
    });
    cell.appendChild(remove);
    return cell;
  }
  function row(entry) {
    return el("tr", { "data-entry-id": String(entry.id) }, [el("td", { text: entry.title + (entry.indexer ? " (" + entry.indexer + ")" : "") }),
      el("td", { text: entry.reason.replace(/_/g, " ") + (entry.details ? ": " + entry.details : "") }),
      el("td", { text: when(entry.created_at) }), el("td", { text: when(entry.expires_at) }), actions(entry)]);
  }
  function show(data) {
    tbody.replaceChildren.apply(tbody, data.items.length ? data.items.map(row)
      : [el("tr", {}, [el("td", { colspan: "5", text: "The blacklist is empty." })])]);
  }
  async function refresh() {
    try {
      var data = await OmniApi.get("/api/downloads/blacklist/?page_size=200&active=" + (!showAll.checked));
      errorBox.hidden = true;
      show(data);
    } catch (e) { fail(e); }
  }
  showAll.addEventListener("change", refresh);
  var first = OmniApi.embedded("downloads-blacklist-data");  // the active entries, sent with the page
  if (first && !showAll.checked) show(first); else refresh();
})();
