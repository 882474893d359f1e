// Book page: the Edit toggle (the provenance form, cover panel, files on disk and delete live
// in #edit-panel; ?edit=1 opens it), manual values and locks through the metadata API (a manual
// value always wins, a locked field survives every refresh), revert a change, refresh
// metadata, the item's download attempts (shown when there are some), delete to the recycle
// folder with undo.
(function () {
  var root = document.getElementById("book");
  var form = document.getElementById("metadata-form");
  var status = document.getElementById("detail-status");
  var itemId = root.dataset.itemId;
  var api = "/api/media/" + itemId;

  function show(message, isError) {
    status.hidden = false;
    status.className = isError ? "error" : "notice";
    status.replaceChildren(document.createTextNode(message));
    return status;
  }

  var toggle = document.getElementById("edit-toggle");
  var view = document.getElementById("book-view");
  var panel = document.getElementById("edit-panel");
  function setEditing(editing) {
    panel.hidden = !editing;
    view.hidden = editing;
    document.querySelectorAll(".view-only").forEach(function (node) { node.hidden = editing; });
    toggle.setAttribute("aria-expanded", editing ? "true" : "false");
    toggle.textContent = editing ? "Done editing" : "Edit";
    var url = new URL(location.href);
    if (editing) url.searchParams.set("edit", "1"); else url.searchParams.delete("edit");
    history.replaceState(null, "", url);
    if (editing) document.getElementById("meta-h").focus();
  }
  if (toggle) toggle.addEventListener("click", function () { setEditing(panel.hidden); });

  // A provenance note closes with Escape, giving focus back to its "i".
  document.addEventListener("keydown", function (event) {
    var open = event.key === "Escape" && event.target.closest && event.target.closest("details.prov[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });

  // A long description is folded to a few lines until "Show all".
  var text = document.getElementById("description-text");
  var more = document.getElementById("description-more");
  if (text && more) {
    text.classList.add("folded");
    if (text.scrollHeight > text.clientHeight + 2) more.hidden = false;
    else text.classList.remove("folded");
    more.addEventListener("click", function () {
      var folded = text.classList.toggle("folded");
      more.setAttribute("aria-expanded", folded ? "false" : "true");
      more.textContent = folded ? "Show all" : "Show less";
    });
  }

  function loadAttempts() {
    var section = document.getElementById("downloads");
    var empty = document.getElementById("downloads-empty");
    var table = document.getElementById("downloads-table");
    OmniApi.get("/api/downloads/attempts/" + itemId + "/").then(function (attempts) {
      if (!attempts.length) return;  // the section stays hidden: nothing to show
      section.hidden = false;
      var body = table.querySelector("tbody");
      attempts.forEach(function (a) {
        var progress = Math.round(a.progress || 0) + "%";
        body.appendChild(OmniApi.el("tr", {}, [
          OmniApi.el("td", { text: (a.created_at || "").slice(0, 16).replace("T", " ") }),
          OmniApi.el("td", { text: a.release_title }),
          OmniApi.el("td", { text: a.indexer }),
          OmniApi.el("td", {}, [OmniApi.el("span", { class: "badge", text: a.state })]),
          OmniApi.el("td", { text: progress + (a.error ? " · " + a.error : "") }),
        ]));
      });
      empty.hidden = true;
      table.hidden = false;
    }).catch(function (e) {
      if (e.status === 403) return;  // not this user's to see
      section.hidden = false;
      empty.textContent = "Download attempts unavailable: " + e.message;
    });
  }
  loadAttempts();

  if (!form || form.dataset.readonly) return;

  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name], textarea[name]"));
  var locks = Array.prototype.slice.call(form.querySelectorAll("input.lock"));
  var initial = {};
  inputs.forEach(function (input) { initial[input.name] = input.value; });
  var initialLocks = {};
  locks.forEach(function (box) { initialLocks[box.dataset.field] = box.checked; });

  function rowOf(input) { return input.closest("tr[data-field]"); }
  inputs.forEach(function (input) {
    input.addEventListener("input", function () {
      var box = rowOf(input).querySelector("input.lock");
      if (box && input.value !== initial[input.name]) box.checked = true;  // editing locks
    });
  });

  function valueOf(row) {
    var field = row.dataset.field;
    if (field === "series") {
      var index = document.getElementById("field-series-index").value.trim();
      var chrono = document.getElementById("field-series-chrono").value.trim();
      return { name: document.getElementById("field-series").value.trim(), index: index === "" ? null : index,
               chrono: chrono === "" ? null : chrono };
    }
    var input = row.querySelector("[name]");
    if (row.dataset.list) {
      return input.value.split(row.dataset.list).map(function (s) { return s.trim(); }).filter(Boolean);
    }
    return input.value;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var edited = {};
    inputs.forEach(function (input) {
      if (input.value !== initial[input.name]) edited[rowOf(input).dataset.field] = rowOf(input);
    });
    try {
      for (var field in edited) {
        var box = edited[field].querySelector("input.lock");
        await OmniApi.post(api + "/fields/" + field, { value: valueOf(edited[field]), lock: !!(box && box.checked) });
      }
      for (var i = 0; i < locks.length; i++) {
        var lock = locks[i], name = lock.dataset.field;
        if (lock.checked !== initialLocks[name] && !(name in edited && lock.checked)) {
          await OmniApi.post(api + "/fields/" + name + "/lock", { locked: lock.checked });
        }
      }
      show("Saved.");
      setTimeout(function () { location.replace(location.pathname); }, 400);  // back to the book, showing the change
    } catch (e) { show(e.message, true); }
  });

  document.querySelectorAll("button.revert").forEach(function (button) {
    button.addEventListener("click", async function () {
      try { await OmniApi.post("/api/media/changes/" + button.dataset.changeId + "/revert"); location.reload(); }
      catch (e) { show(e.message, true); }
    });
  });

  var refresh = document.getElementById("refresh");
  if (refresh) refresh.addEventListener("click", async function () {
    try {
      var job = await OmniApi.post(api + "/refresh");
      var out = document.getElementById("refresh-status");
      out.replaceChildren(document.createTextNode("Refresh queued as job #" + job.id + " "),
        OmniApi.el("a", { href: "/activity/", text: "(see Activity)" }));
    } catch (e) { show(e.message, true); }
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
      view.hidden = true;
      if (panel) panel.hidden = true;
      undo.focus();
    } catch (e) { show(e.message, true); }
  });
})();

// Cover panel: the item's cover candidates (current, earlier covers, provider images);
// an admin can use one, fetch one from a URL or upload one (validated by the server).
(function () {
  var panel = document.getElementById("covers");
  if (!panel) return;
  var itemId = document.getElementById("book").dataset.itemId;
  var api = "/api/media/" + itemId;
  var list = document.getElementById("cover-candidates");
  var status = document.getElementById("covers-status");
  var canEdit = panel.dataset.canEdit === "1";

  function say(message, isError) {
    status.className = isError ? "error" : "muted";
    status.textContent = message;
  }

  function showCurrent() {
    var img = document.getElementById("current-cover");
    if (img) img.src = "/covers/" + itemId + "?v=" + Date.now();
    else location.reload();
  }

  function render(data) {
    list.replaceChildren();
    data.candidates.forEach(function (c) {
      var label = c.current ? "Current cover" : (c.kind === "provider" ? c.source : "Earlier cover (" + c.source + ")");
      var img = OmniApi.el("img", { src: c.url, alt: label, width: "96", loading: "lazy", referrerpolicy: "no-referrer" });
      var button = null;
      if (canEdit && !c.current) {
        button = OmniApi.el("button", { type: "button", class: "use-cover", "data-candidate-id": c.id, text: "Use this" });
        button.addEventListener("click", function () { choose({ candidate_id: c.id }, button); });
      }
      list.appendChild(OmniApi.el("li", { class: c.current ? "current" : "" }, [
        img, OmniApi.el("span", { text: label }), button]));
    });
    say(data.candidates.length ? (data.locked ? "The cover is locked: refreshes keep it." : "")
      : "No cover candidates yet.");
  }

  function load() {
    return OmniApi.get(api + "/covers").then(render).catch(function (e) { say("Covers unavailable: " + e.message, true); });
  }

  async function choose(body, button) {
    if (button) button.disabled = true;
    say("Setting the cover…");
    try { render(await OmniApi.post(api + "/cover", body)); showCurrent(); say("Cover changed."); }
    catch (e) { say(e.message, true); }
    finally { if (button) button.disabled = false; }
  }

  var urlForm = document.getElementById("cover-url-form");
  if (urlForm) urlForm.addEventListener("submit", function (event) {
    event.preventDefault();
    choose({ url: document.getElementById("cover-url").value.trim() });
  });
  var uploadForm = document.getElementById("cover-upload-form");
  if (uploadForm) uploadForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    var file = document.getElementById("cover-file").files[0];
    if (!file) return;
    say("Uploading…");
    try { render(await OmniApi.upload(api + "/cover/upload", file)); showCurrent(); say("Cover changed."); uploadForm.reset(); }
    catch (e) { say(e.message, true); }
  });
  load();
})();
