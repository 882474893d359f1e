// Import run detail: re-run (optionally accepting a mismatch or a size difference) and undo through the JSON API;
// while the run is queued or running, poll it and reload when it has finished.
(function () {
  var summary = document.getElementById("run-summary");
  if (!summary) return;
  var runId = summary.dataset.runId;
  var message = document.getElementById("run-message");
  var errorBox = document.getElementById("run-error");

  function show(text) { message.hidden = false; message.textContent = text; errorBox.hidden = true; }
  function fail(e) { errorBox.hidden = false; errorBox.textContent = e.message; setBusy(false); }
  function setBusy(busy) {
    document.querySelectorAll("#run-actions button").forEach(function (b) {
      if (busy) { b.dataset.wasDisabled = b.disabled ? "1" : "0"; b.disabled = true; }
      else if (b.dataset.wasDisabled !== undefined) { b.disabled = b.dataset.wasDisabled === "1"; }
    });
  }

  async function rerun(acceptMismatch, acceptSize) {
    setBusy(true);
    try {
      var run = await OmniApi.post(
        "/api/processing/rerun/" + runId + "/", { accept_mismatch: acceptMismatch, accept_size: !!acceptSize }
      );
      show("Re-run queued as import #" + run.id + ".");
      location.assign("/imports/" + run.id + "/");
    } catch (e) { fail(e); }
  }
  async function undo() {
    if (!window.confirm("Put every file of this import back where it was and remove it from the library?")) return;
    setBusy(true);
    try {
      await OmniApi.post("/api/processing/runs/" + runId + "/undo/");
      show("Import undone.");
      location.reload();
    } catch (e) { fail(e); }
  }
  function bind(id, handler) {
    var button = document.getElementById(id);
    if (button) button.addEventListener("click", handler);
  }
  bind("rerun", function () { rerun(false); });
  bind("rerun-accept", function () { rerun(true); });
  bind("rerun-accept-size", function () { rerun(false, true); });
  bind("undo", undo);

  if (summary.dataset.active === "1") {
    var timer = setInterval(async function () {
      if (document.hidden) return;
      try {
        var run = await OmniApi.get("/api/processing/runs/" + runId + "/");
        var status = document.getElementById("run-status");
        status.textContent = run.post_process_status + " · " + run.steps.length + " step(s)";
        if (run.post_process_status !== "pending" && run.post_process_status !== "processing") {
          clearInterval(timer);
          location.reload();
        }
      } catch (e) { fail(e); clearInterval(timer); }
    }, 1500);
  }
})();
