// Library scanning page: folders (add, scan now, cancel, delete), live history, problem files,
// shared sidecars the last scans ignored.
(function () {
  var el = OmniApi.el;
  var folders = document.getElementById("folders");
  var canManage = folders.dataset.canManage === "1";
  var errorBox = document.getElementById("scan-error");
  var problemState = document.getElementById("problem-state");

  function showError(e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  async function act(fn) { try { await fn(); errorBox.hidden = true; refresh(); } catch (e) { showError(e); } }
  function when(value) { return value ? new Date(value).toLocaleString() : "—"; }

  function folderActions(folder) {
    var cell = el("td");
    if (!canManage) return cell;
    if (folder.active_job_id) {
      var cancel = el("button", { type: "button", text: "Cancel scan" });
      cancel.addEventListener("click", function () { act(function () { return OmniApi.post("/api/scanning/folders/" + folder.id + "/cancel"); }); });
      cell.appendChild(cancel);
    } else {
      var scan = el("button", { type: "button", text: "Scan now" });
      scan.addEventListener("click", function () { act(function () { return OmniApi.post("/api/scanning/folders/" + folder.id + "/scan"); }); });
      cell.appendChild(scan);
    }
    var edit = el("button", { type: "button", class: "link", text: "Edit" });
    edit.addEventListener("click", function () { startEditing(folder); });
    cell.appendChild(edit);
    var remove = el("button", { type: "button", class: "link", text: "Remove" });
    remove.addEventListener("click", function () {
      if (confirm("Stop scanning " + folder.path + "? Files and catalogue entries are kept.")) {
        act(function () { return OmniApi.del("/api/scanning/folders/" + folder.id); });
      }
    });
    cell.appendChild(remove);
    return cell;
  }
  function folderRow(folder) {
    return el("tr", { "data-folder-id": String(folder.id), "data-key": String(folder.id) }, [
      el("td", { class: "wrap-anywhere", text: (folder.name ? folder.name + " · " : "") + folder.path +
        (folder.naming_template ? " · template " + folder.naming_template : "") +
        (folder.target_root ? " · renames go to " + folder.target_root : "") }),
      el("td", { text: folder.content_type + " (" + folder.formats.join(", ") + ")" }),
      el("td", { text: folder.scan_interval_hours ? folder.scan_interval_hours + " h" : "manual" }),
      el("td", { text: folder.active_job_id ? "scanning…" : when(folder.last_scan_at) }),
      folderActions(folder),
    ]);
  }
  function runRow(run) {
    var state = el("td", {}, [el("span", { class: "badge " + run.state, text: run.state })]);
    if (run.message) state.appendChild(el("div", { text: run.message }));
    return el("tr", {}, [
      el("td", { class: "wrap-anywhere", text: run.folder_path }), state,
      el("td", { text: String(run.added) }), el("td", { text: String(run.updated) }),
      el("td", { text: String(run.moved) }), el("td", { text: String(run.missing) }),
      el("td", { text: String(run.duplicates) }), el("td", { text: String(run.corrupt) }),
      el("td", { text: String(run.errors) }), el("td", { text: when(run.started_at) }),
      el("td", { text: run.duration_seconds !== null ? run.duration_seconds.toFixed(1) + " s" : "—" }),
    ]);
  }
  function problemRow(file) {
    return el("tr", {}, [el("td", { class: "wrap-anywhere", text: file.path }), el("td", { text: file.format }),
      el("td", { text: file.error || file.state }), el("td", { text: file.item_title || "—" })]);
  }
  function sidecarRow(problem) {
    return el("tr", {}, [el("td", { class: "wrap-anywhere", text: problem.path }), el("td", { text: problem.reason })]);
  }
  function fill(tbody, rows, cols, empty) {
    OmniApi.replaceRows(tbody, rows.length ? rows : [el("tr", {}, [el("td", { colspan: String(cols), text: empty })])]);
  }
  function showFolders(list) {
    fill(folders, list.map(folderRow), 5, canManage ? "No scan folders yet: add the folder that holds your books below, then press Scan now."
      : "No scan folders yet: an admin adds them.");
  }
  function showRuns(runs) { fill(document.getElementById("runs"), runs.items.map(runRow), 11, "No scans yet."); }
  function showProblems(problems) { fill(document.getElementById("problems"), problems.items.map(problemRow), 4, "None."); }
  function showSidecars(problems) { fill(document.getElementById("sidecar-problems"), problems.items.map(sidecarRow), 2, "None."); }
  async function refresh() {
    try {
      showFolders(await OmniApi.get("/api/scanning/folders"));
      showRuns(await OmniApi.get("/api/scanning/runs?page_size=20"));
      showProblems(await OmniApi.get("/api/scanning/files/" + problemState.value + "?page_size=100"));
      showSidecars(await OmniApi.get("/api/scanning/sidecar-problems?page_size=100"));
    } catch (e) { showError(e); }
  }
  var form = document.getElementById("folder-form");
  var editing = null;  // the folder being edited (its formats and enabled flag are kept)
  function setEditing(folder) {
    editing = folder;
    document.getElementById("folder-form-title").textContent = folder ? "Edit " + folder.path : "Add a folder";
    document.getElementById("folder-submit").textContent = folder ? "Save folder" : "Add folder";
    document.getElementById("folder-cancel").hidden = !folder;
  }
  function startEditing(folder) {
    var values = { "folder-path": folder.path, "folder-name": folder.name, "folder-type": folder.content_type,
      "folder-interval": folder.scan_interval_hours, "folder-template": folder.naming_template || "",
      "folder-target": folder.target_root || "" };
    Object.keys(values).forEach(function (id) { document.getElementById(id).value = values[id]; });
    setEditing(folder);
    document.getElementById("folder-path").focus();
  }
  if (form) form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var body = {
      path: data.get("path"), name: data.get("name"), content_type: data.get("content_type"),
      scan_interval_hours: parseInt(data.get("scan_interval_hours") || "0", 10),
      naming_template: data.get("naming_template"), target_root: data.get("target_root"),
    };
    act(async function () {
      if (editing) {
        body.enabled = editing.enabled;
        if (body.content_type === editing.content_type) body.formats = editing.formats;
        await OmniApi.put("/api/scanning/folders/" + editing.id, body);
      } else await OmniApi.post("/api/scanning/folders", body);
      form.reset();
      setEditing(null);
    });
  });
  if (form) document.getElementById("folder-cancel").addEventListener("click", function () { form.reset(); setEditing(null); });
  problemState.addEventListener("change", refresh);
  // Folders, history and corrupt files came with the page; draw them now, poll as before.
  var first = OmniApi.embedded("scanning-data");
  if (first && problemState.value === "corrupt") {
    showFolders(first.folders); showRuns(first.runs); showProblems(first.problems); showSidecars(first.sidecars);
  } else refresh();
  setInterval(function () { if (!document.hidden) refresh(); }, 3000);
})();
