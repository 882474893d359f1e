// Settings > Media management: under every template field, the template rendered on a sample
// book (POST /api/rename/templates/check, the renamer's own preview), or why it is not valid.
(function () {
  var el = OmniApi.el;
  document.querySelectorAll("input[data-preview]").forEach(function (input) {
    var output = el("div", { class: "muted template-preview wrap-anywhere", role: "status", "aria-live": "polite" });
    output.id = input.id + "_preview";
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + output.id).trim());
    input.insertAdjacentElement("afterend", output);
    var timer = null;
    async function preview() {
      if (!input.value.trim()) { output.textContent = ""; return; }
      try {
        var result = await OmniApi.post("/api/rename/templates/check", { template: input.value });
        output.className = "muted template-preview wrap-anywhere";
        output.textContent = "Sample: " + result.path;
      } catch (e) {
        output.className = "field-error template-preview wrap-anywhere";
        output.textContent = "✗ " + e.message;
      }
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(preview, 300); });
    preview();
  });
})();

// "Test conversion" per kind: the kind's converter on a generated sample (saved settings).
(function () {
  document.querySelectorAll("button.test-conversion").forEach(function (button) {
    var output = document.getElementById(button.getAttribute("aria-describedby"));
    button.addEventListener("click", async function () {
      button.disabled = true;
      output.className = "muted wrap-anywhere";
      output.textContent = "Testing…";
      try {
        var url = "/api/v1/processing/settings/kinds/" + encodeURIComponent(button.dataset.kind) + "/test-conversion";
        var result = await OmniApi.post(url);
        output.className = (result.ok ? "muted" : "field-error") + " wrap-anywhere";
        var parts = [(result.ok ? "✓ " : "✗ ") + result.message];
        if (result.version) parts.push("Tool: " + result.version);
        if (result.hint) parts.push(result.hint);
        output.textContent = parts.join(" · ");
      } catch (e) {
        output.className = "field-error wrap-anywhere";
        output.textContent = "✗ " + e.message;
      } finally {
        button.disabled = false;
      }
    });
  });
})();
