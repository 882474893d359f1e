// Library multi-select: pick books on this page and put them on one of your shelves (or a new
// one; everyone); admins also edit one field for all of them (with a preview count first),
// refresh their metadata, plan a rename, or delete them to the recycle bin (after a
// confirmation). Every action is an API call the page also documents.
(function () {
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var action = document.getElementById("bulk-action");
  var go = document.getElementById("bulk-go");
  var confirmButton = document.getElementById("bulk-confirm");
  var result = document.getElementById("bulk-result");
  var count = document.getElementById("bulk-count");
  var editFields = form.querySelector(".bulk-edit-fields");
  var shelfFields = form.querySelector(".bulk-shelf-fields");
  var shelfSelect = document.getElementById("bulk-shelf");
  var newShelf = form.querySelector(".bulk-new-shelf");
  var pending = null;  // the confirmed step of the current action

  // Your plain shelves (a smart shelf lists a search: books are not put on it), then "New shelf…".
  async function loadShelves() {
    try {
      var shelves = await OmniApi.get("/api/reading/shelves");
      shelves.filter(function (s) { return !s.smart; }).forEach(function (s) {
        shelfSelect.insertBefore(OmniApi.el("option", { value: String(s.id), text: s.name }),
          shelfSelect.lastElementChild);
      });
      if (shelfSelect.options.length > 1) shelfSelect.selectedIndex = 0;
    } catch (error) { show(error.message, true); }
    refresh();
  }
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll(".select-item")); }
  function selected() { return boxes().filter(function (b) { return b.checked; }).map(function (b) { return Number(b.value); }); }
  function books(n) { return n + (n === 1 ? " book" : " books"); }

  function refresh() {
    var n = selected().length;
    count.textContent = n + " selected";
    go.disabled = n === 0;
    if (editFields) editFields.hidden = action.value !== "edit";
    shelfFields.hidden = action.value !== "shelf";
    newShelf.hidden = shelfSelect.value !== "new";
    go.textContent = { edit: "Preview", refresh: "Refresh " + books(n), rename: "Preview the rename",
                       delete: "Delete " + books(n) + "…", shelf: "Add " + books(n) + " to the shelf" }[action.value];
    document.querySelectorAll(".select-all").forEach(function (all) {
      all.checked = n > 0 && n === boxes().length;
    });
    confirmButton.hidden = true;
    pending = null;
  }

  document.addEventListener("change", function (event) {
    if (event.target.classList.contains("select-all")) {
      boxes().forEach(function (b) { b.checked = event.target.checked; });
    }
    if (event.target.classList.contains("select-item") || event.target.classList.contains("select-all")) refresh();
  });
  action.addEventListener("change", function () { result.textContent = ""; refresh(); });
  shelfSelect.addEventListener("change", refresh);

  function show(text, isError) {
    result.textContent = text;
    result.className = isError ? "error" : "";
  }

  function bulkEdit(ids, dryRun) {
    return OmniApi.post("/api/media/bulk-edit", {
      item_ids: ids, field: document.getElementById("bulk-field").value,
      value: document.getElementById("bulk-value").value, dry_run: dryRun,
    });
  }

  async function chosenShelf() {
    if (shelfSelect.value !== "new") {
      return { id: shelfSelect.value, name: shelfSelect.options[shelfSelect.selectedIndex].text };
    }
    var name = document.getElementById("bulk-shelf-name").value.trim();
    if (!name) throw new Error("Give the new shelf a name.");
    var made = await OmniApi.post("/api/reading/shelves", { name: name });
    var option = OmniApi.el("option", { value: String(made.id), text: made.name });
    shelfSelect.insertBefore(option, shelfSelect.lastElementChild);
    shelfSelect.value = String(made.id);
    document.getElementById("bulk-shelf-name").value = "";
    return { id: String(made.id), name: made.name };
  }

  var steps = {
    shelf: async function (ids) {
      var shelf = await chosenShelf();
      var done = await OmniApi.post("/api/reading/shelves/" + shelf.id + "/items/bulk", { item_ids: ids });
      var text = "Added " + books(done.added) + " to “" + shelf.name + "”";
      if (done.already) text += " (" + books(done.already) + " already there)";
      if (done.not_added) text += "; " + books(done.not_added) + " could not be added";
      show(text + ".");
      refresh();
    },
    edit: async function (ids) {
      var preview = await bulkEdit(ids, true);
      show("Would change " + books(preview.would_change) + " of " + preview.selected + " selected" +
           (preview.unchanged ? " (" + preview.unchanged + " already have this value)." : "."));
      if (!preview.would_change) return;
      askToConfirm("Apply to " + books(preview.would_change), async function () {
        var done = await bulkEdit(ids, false);
        show("Changed " + books(done.changed) + ". The new value is locked against metadata refreshes.");
      });
    },
    refresh: async function (ids) {
      var job = await OmniApi.post("/api/media/refresh", { item_ids: ids, force: true });
      show("Refresh of " + books(ids.length) + " queued as job #" + job.id + " (see Activity).");
    },
    rename: async function (ids) {
      location.href = "/rename-books/?items=" + ids.join(",");
    },
    delete: async function (ids) {
      show("Move " + books(ids.length) + " to the recycle bin? Their files move to the recycle folder; " +
           "each can be restored from Activity.");
      askToConfirm("Delete " + books(ids.length), async function () {
        var done = await OmniApi.post("/api/library/items/delete", { item_ids: ids });
        done.recycled.forEach(function (entry) {
          var box = document.querySelector('.select-item[value="' + entry.item_id_was + '"]');
          if (box) (box.closest("tr") || box.closest("li")).remove();
        });
        show("Moved " + books(done.recycled.length) + " to the recycle bin." +
             (done.failed.length ? " Not deleted: " + done.failed.map(function (f) { return f.error; }).join("; ") : ""),
             done.failed.length > 0);
        refresh();
      });
    },
  };

  function askToConfirm(label, run) {
    confirmButton.textContent = label;
    confirmButton.hidden = false;
    pending = run;
  }

  confirmButton.addEventListener("click", async function () {
    if (!pending) return;
    var run = pending;
    confirmButton.hidden = true;
    pending = null;
    try { await run(); } catch (error) { show(error.message, true); }
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var ids = selected();
    if (!ids.length) return;
    confirmButton.hidden = true;
    try { await steps[action.value](ids); } catch (error) { show(error.message, true); }
  });
  refresh();
  loadShelves();
})();
