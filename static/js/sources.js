// Data sources: an admin saves a trust, the page follows the rescoring job it started.
(function () {
  var errorBox = document.getElementById("sources-error");
  function showError(e) { errorBox.textContent = e.message; errorBox.hidden = false; }
  function progressText(job) {
    return job.state + (job.progress_total ? " (" + job.progress_done + "/" + job.progress_total + ")" : "");
  }
  function follow(cell, jobId) {
    var poll = async function () {
      try {
        var job = await OmniApi.get("/api/jobs/" + jobId);
        cell.textContent = progressText(job);
        if (job.state === "queued" || job.state === "running") window.setTimeout(poll, 1000);
        else OmniApi.announce("Rescoring " + job.state);
      } catch (e) { showError(e); }
    };
    poll();
  }
  document.querySelectorAll("tr[data-source] form.trust-form").forEach(function (form) {
    var row = form.closest("tr");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      errorBox.hidden = true;
      try {
        var data = await OmniApi.patch("/api/metadata/sources/" + row.dataset.source,
          { trust: Number(form.elements.trust.value) });
        form.elements.trust.value = data.source.trust.toFixed(2);
        row.querySelector(".contributed").textContent = data.source.contributed;
        row.querySelector(".overridden").textContent = data.source.overridden;
        if (data.rescore_job) follow(row.querySelector(".rescore"), data.rescore_job.id);
        else OmniApi.announce("Trust unchanged");
      } catch (e) { showError(e); }
    });
  });
})();
