// Book page: the files this user may download, one zip of them all, and "Download as" conversions
// (a background job; its progress is shown until the converted book downloads by itself), and
// "Send to <device>" for the user's e-readers (a job that converts if needed and mails the book).
(function () {
  var box = document.getElementById("reading-files");
  if (!box || !window.OmniApi) return;
  var el = OmniApi.el;
  var status = document.getElementById("reading-files-status");

  function say(text) { status.textContent = text; }

  function sizeText(bytes) {
    var units = ["B", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i += 1; }
    return bytes.toFixed(i ? 1 : 0) + " " + units[i];
  }

  async function waitForJob(jobId, label, url) {
    for (;;) {
      var job = await OmniApi.get("/api/jobs/" + jobId);
      if (job.state === "succeeded") { say(label + ": ready, downloading."); window.location.href = url; return; }
      if (job.state === "failed" || job.state === "cancelled") {
        say(label + ": " + job.state + (job.last_error ? " (" + job.last_error + ")" : ""));
        return;
      }
      say(label + ": " + (job.percent !== null ? Math.round(job.percent) + "%" : job.state) +
          (job.message ? " · " + job.message : ""));
      await new Promise(function (resolve) { setTimeout(resolve, 1000); });
    }
  }

  async function convert(file, target, button) {
    var label = file.file_name + " as " + target.toUpperCase();
    button.disabled = true;
    try {
      var started = await OmniApi.post("/api/reading/files/" + file.id + "/conversions/" + target);
      if (started.ready) { window.location.href = started.url; return; }
      say(label + ": converting…");
      await waitForJob(started.job_id, label, started.url);
    } catch (error) {
      say(label + ": " + error.message);
    } finally {
      button.disabled = false;
    }
  }

  async function send(file, device, button) {
    var label = file.file_name + " to " + device.name;
    button.disabled = true;
    try {
      var started = await OmniApi.post("/api/reading/files/" + file.id + "/send", { device_id: device.id });
      say(label + ": queued…");
      for (;;) {
        var job = await OmniApi.get("/api/jobs/" + started.job_id);
        if (job.state === "succeeded") { say(label + ": " + (job.message || "sent") + "."); return; }
        if (job.state === "failed" || job.state === "cancelled") {
          say(label + ": not sent" + (job.last_error ? " (" + job.last_error + ")" : "")); return;
        }
        say(label + ": " + (job.message || job.state) + (job.last_error ? " · last try: " + job.last_error : ""));
        await new Promise(function (resolve) { setTimeout(resolve, 1500); });
      }
    } catch (error) {
      say(label + ": " + error.message);
    } finally {
      button.disabled = false;
    }
  }

  function sendButtons(file, devices) {
    return devices.map(function (device) {
      var button = el("button", { type: "button", text: "Send to " + device.name });
      button.addEventListener("click", function () { send(file, device, button); });
      return button;
    });
  }

  function fileRow(file, devices) {
    var buttons = file.conversions.map(function (c) {
      var button = el("button", { type: "button", text: c.ready ? c.target.toUpperCase() + " (ready)" : c.target.toUpperCase() });
      button.addEventListener("click", function () { convert(file, c.target, button); });
      return button;
    });
    return el("tr", {}, [
      el("td", { text: file.format.toUpperCase() }),
      el("td", {}, [el("a", { href: file.download_url, download: file.file_name, text: "Download" }),
                    el("span", { class: "muted", text: " " + file.file_name + " · " + sizeText(file.size) })]),
      el("td", {}, buttons.length ? [el("span", { class: "muted phone-only", text: "Download as " })].concat(buttons) : []),
    ].concat(devices.length ? [el("td", {}, sendButtons(file, devices))] : []));
  }

  var devicesLoaded = OmniApi.get("/api/reading/devices").catch(function () { return []; });
  OmniApi.get("/api/reading/items/" + box.dataset.itemId + "/files").then(async function (data) {
    if (!data.files.length) { say("No file of this book can be downloaded."); return; }
    var devices = await devicesLoaded;
    var rows = el("tbody", {}, data.files.map(function (file) { return fileRow(file, devices); }));
    var heads = [el("th", { scope: "col", text: "Format" }), el("th", { scope: "col", text: "File" }),
                 el("th", { scope: "col", text: "Download as" })];
    if (devices.length) heads.push(el("th", { scope: "col", text: "Send to e-reader" }));
    var table = el("table", { class: "table" }, [el("thead", {}, [el("tr", {}, heads)]), rows]);
    var zip = data.files.length > 1 ? el("p", {}, [el("a", { href: data.zip_url, text: "Download all files as one zip" })]) : null;
    box.replaceChildren.apply(box, [table, zip].filter(Boolean));
  }).catch(function (error) { say("Downloads unavailable: " + error.message); });
})();
