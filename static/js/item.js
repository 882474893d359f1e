// Item provenance: manual edits (always win), locks, revert, refresh in the background.
(function () {
  var table = document.getElementById("fields");
  var errorBox = document.getElementById("item-error");
  var itemId = table.dataset.itemId;
  function fail(e) { errorBox.textContent = e.message; errorBox.hidden = false; }
  async function post(url, body) {
    try { await OmniApi.post(url, body); location.reload(); } catch (e) { fail(e); }
  }
  table.querySelectorAll("tr[data-field]").forEach(function (row) {
    var field = row.dataset.field;
    var edit = row.querySelector("button.edit");
    if (edit) edit.addEventListener("click", function () {
      var current = row.querySelector(".value").textContent;
      var value = window.prompt("New value for " + field + " (JSON for lists, e.g. [\"A\", \"B\"])", current);
      if (value === null) return;
      var parsed = value;
      try { if (/^[\[{]/.test(value.trim())) parsed = JSON.parse(value); } catch (e) { return fail(e); }
      post("/api/media/" + itemId + "/fields/" + field, { value: parsed });
    });
    var lock = row.querySelector("button.lock");
    if (lock) lock.addEventListener("click", function () {
      post("/api/media/" + itemId + "/fields/" + field + "/lock", { locked: lock.dataset.locked !== "1" });
    });
  });
  document.querySelectorAll("button.revert").forEach(function (button) {
    button.addEventListener("click", function () { post("/api/media/changes/" + button.dataset.changeId + "/revert"); });
  });
  var refresh = document.getElementById("refresh");
  if (refresh) refresh.addEventListener("click", async function () {
    try {
      var job = await OmniApi.post("/api/media/" + itemId + "/refresh");
      document.getElementById("refresh-status").textContent = "Refresh queued as job #" + job.id + " (see Activity).";
    } catch (e) { fail(e); }
  });
})();
