// Settings > Metadata: each provider's "Test" runs one small search through the JSON API with
// the typed address and key (empty: the stored ones) and shows the answer under its form.
(function () {
  var el = OmniApi.el;
  function mark(level) { return level === "ok" ? "✓ " : level === "warning" ? "⚠ " : "✗ "; }
  document.querySelectorAll("button[data-test-provider]").forEach(function (button) {
    button.addEventListener("click", async function () {
      var form = button.closest("form"), name = button.dataset.testProvider;
      var output = form.querySelector(".test-result"), body = {};
      var url = form.elements[name + "-base_url"], key = form.elements[name + "-api_key"];
      if (url && url.value) body.base_url = url.value;
      if (key && key.value) body.api_key = key.value;
      output.textContent = "Testing…";
      try {
        var m = await OmniApi.post("/api/providers/" + encodeURIComponent(name) + "/test", body);
        output.replaceChildren(el("div", { class: "field-" + m.level, text: mark(m.level) + m.text + (m.hint ? " Fix: " + m.hint : "") }));
      } catch (e) { output.replaceChildren(el("div", { class: "field-error", text: "✗ " + e.message })); }
    });
  });
})();
