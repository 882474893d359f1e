// Review queue: one-click accept, keep embedded, or use a record found by a manual search.
(function () {
  var errorBox = document.getElementById("review-error");
  async function act(section, url, body) {
    try {
      await OmniApi.post(url, body);
      section.remove();
    } catch (e) { errorBox.textContent = e.message; errorBox.hidden = false; }
  }
  document.querySelectorAll("[data-review-id]").forEach(function (section) {
    var base = "/api/review/" + section.dataset.reviewId;
    section.querySelectorAll("button.accept").forEach(function (button) {
      button.addEventListener("click", function () { act(section, base + "/accept", { index: Number(button.dataset.index) }); });
    });
    var keep = section.querySelector("button.keep");
    if (keep) keep.addEventListener("click", function () { act(section, base + "/keep"); });
    var pick = section.querySelector("button.pick");
    if (pick) pick.addEventListener("click", function () {
      act(section, base + "/accept", { provider: section.querySelector(".pick-provider").value,
        external_id: section.querySelector(".pick-id").value.trim() });
    });
  });
  document.querySelectorAll("#enrichment-runs [data-run-id] button.undo-run").forEach(function (button) {
    button.addEventListener("click", async function () {
      var row = button.closest("[data-run-id]");
      try {
        var result = await OmniApi.post("/api/review/runs/" + row.dataset.runId + "/revert", {});
        var kept = result.kept.length ? ", " + result.kept.length + " field(s) edited since kept" : "";
        button.replaceWith(document.createTextNode("Undone: " + result.items + " book(s)" + kept));
      } catch (e) { errorBox.textContent = e.message; errorBox.hidden = false; }
    });
  });
})();
