// Rename history: batches newest first, their moves, revert of a batch or one item.
(function () {
  var el = OmniApi.el;
  var tbody = document.getElementById("batches");
  var canManage = tbody.dataset.canManage === "1";
  var errorBox = document.getElementById("history-error");
  var page = 1, detailPage = 1, current = null;

  function showError(err) { errorBox.textContent = err ? err.message : ""; errorBox.hidden = !err; }
  function revert(batchId, itemId) {
    var what = itemId ? "this item's files" : "every file of batch #" + batchId;
    if (!confirm("Move " + what + " back where they were?")) return;
    OmniApi.post("/api/rename/revert", { batch_id: batchId, item_id: itemId || null })
      .then(function () { setTimeout(load, 800); }).catch(showError);
  }
  function load() {
    OmniApi.get("/api/rename/batches?page=" + page + "&page_size=25").then(drawBatches).catch(showError);
  }
  function drawBatches(data) {
    tbody.replaceChildren.apply(tbody, data.items.map(function (b) {
      var actions = el("td");
      var show = el("button", { type: "button", text: "Details" });
      show.addEventListener("click", function () { current = b; detailPage = 1; loadDetail(); });
      actions.appendChild(show);
      if (canManage && b.totals && b.totals.done && ["running", "reverting", "planning"].indexOf(b.state) < 0) {
        var undo = el("button", { type: "button", text: "Revert" });
        undo.addEventListener("click", function () { revert(b.id); });
        actions.appendChild(undo);
      }
      var t = b.totals || {};
      return el("tr", {}, [el("td", { text: "#" + b.id + " " + b.origin }), el("td", { text: b.template_name || b.template }),
        el("td", {}, [el("span", { class: "badge", text: b.state })]),
        el("td", { text: (t.done || 0) + " moved, " + (t.reverted || 0) + " reverted, " + (t.failed || 0) + " failed" + (b.message ? " — " + b.message : "") }),
        el("td", { text: new Date(b.created_at).toLocaleString() }), actions]);
    }));
    if (!data.items.length) tbody.appendChild(el("tr", {}, [el("td", { colspan: "6", text: "No rename batches yet." })]));
    document.getElementById("prev-page").disabled = page <= 1;
    document.getElementById("next-page").disabled = !data.has_next;
  }
  function loadDetail() {
    document.getElementById("batch-detail").hidden = false;
    document.getElementById("detail-title").textContent = "Batch #" + current.id;
    OmniApi.get("/api/rename/preview/" + current.id + "?page=" + detailPage + "&page_size=100").then(function (data) {
      var rows = document.getElementById("detail-ops");
      rows.replaceChildren.apply(rows, data.items.map(function (op) {
        var actions = el("td");
        if (canManage && op.state === "done" && op.item_id) {
          var undo = el("button", { type: "button", text: "Revert item" });
          undo.addEventListener("click", function () { revert(current.id, op.item_id); });
          actions.appendChild(undo);
        }
        return el("tr", {}, [el("td", { text: op.source }), el("td", { text: op.destination }), el("td", { text: op.state }),
          el("td", { text: [op.conflict, op.message].filter(Boolean).join(" — ") }), actions]);
      }));
      document.getElementById("detail-prev").disabled = detailPage <= 1;
      document.getElementById("detail-next").disabled = !data.has_next;
    }).catch(showError);
  }
  document.getElementById("prev-page").addEventListener("click", function () { page -= 1; load(); });
  document.getElementById("next-page").addEventListener("click", function () { page += 1; load(); });
  document.getElementById("detail-prev").addEventListener("click", function () { detailPage -= 1; loadDetail(); });
  document.getElementById("detail-next").addEventListener("click", function () { detailPage += 1; loadDetail(); });
  var first = OmniApi.embedded("rename-batches-data");  // page 1, sent with the page
  if (first) drawBatches(first); else load();
  setInterval(load, 5000);
})();
