// Book detail: save hand edits and locks, revert an edit, delete to the recycle folder with undo.
(function () {
  var root = document.querySelector(".detail");
  var form = document.getElementById("metadata-form");
  var status = document.getElementById("detail-status");
  var itemId = root.dataset.itemId;
  if (!form || form.dataset.readonly) return;
  var initial = {};
  form.querySelectorAll("[name]").forEach(function (input) {
    if (!input.classList.contains("lock")) initial[input.name] = input.value;
  });
  form.querySelectorAll("input[name], textarea[name]").forEach(function (input) {
    if (input.classList.contains("lock")) return;
    input.addEventListener("input", function () {
      var lock = document.getElementById("lock-" + input.name);
      if (lock && input.value !== initial[input.name]) lock.checked = true;
    });
  });
  function show(message, isError) {
    status.hidden = false;
    status.className = isError ? "error" : "notice";
    status.replaceChildren(document.createTextNode(message));
    return status;
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var changes = {}, lock = [], unlock = [];
    form.querySelectorAll("input[name], textarea[name]").forEach(function (input) {
      if (input.classList.contains("lock")) {
        var field = input.name.slice(5);
        (input.checked ? lock : unlock).push(field);
      } else if (input.value !== initial[input.name]) {
        changes[input.name] = input.dataset.list === "1"
          ? input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean) : input.value;
      }
    });
    unlock = unlock.filter(function (f) { return !(f in changes); });
    try {
      await OmniApi.post("/api/library/items/" + itemId + "/metadata", { changes: changes, lock: lock, unlock: unlock });
      show("Saved.");
      setTimeout(function () { location.reload(); }, 400);
    } catch (e) { show(e.message, true); }
  });
  document.querySelectorAll("button.revert").forEach(function (button) {
    button.addEventListener("click", async function () {
      try { await OmniApi.post("/api/library/edits/" + button.dataset.editId + "/revert"); location.reload(); }
      catch (e) { show(e.message, true); }
    });
  });
  var del = document.getElementById("delete-item");
  if (del) del.addEventListener("click", async function () {
    if (!confirm("Move this book's files to the recycle folder and remove it from the library?")) return;
    try {
      var entry = await OmniApi.del("/api/library/items/" + itemId);
      var box = show("Deleted “" + entry.title + "”: " + entry.moves.length + " file(s) moved to the recycle folder. ");
      var undo = OmniApi.el("button", { type: "button", text: "Undo" });
      undo.addEventListener("click", async function () {
        try { var item = await OmniApi.post("/api/library/recycle/" + entry.id + "/restore"); location.href = item.url; }
        catch (e) { show(e.message, true); }
      });
      box.appendChild(undo);
      form.hidden = true;
      undo.focus();
    } catch (e) { show(e.message, true); }
  });
})();
