// Setup wizard: "Test connection" buttons post the typed values of one service (the form
// fields named <service>_*, e.g. client_url, client_api_key) to /wizard/test/<service>.
// The download client's kind shows only the fields its adapter declares and names the button.
(function () {
  var result = document.getElementById("test-result");
  var form = document.getElementById("wizard-form");
  if (!result || !form) return;
  var kind = form.elements.client_kind;
  function showKindFields() {
    var fields = JSON.parse(kind.dataset.kindFields || "{}")[kind.value] || [];
    form.querySelectorAll("[data-client-field]").forEach(function (input) {
      input.closest(".form-field").hidden = fields.indexOf(input.dataset.clientField) < 0;
    });
    var button = form.querySelector("button[data-test=client]");
    var label = kind.options[kind.selectedIndex].text;
    if (button) button.textContent = kind.value ? "Test " + label : "Test download client";
  }
  if (kind) { kind.addEventListener("change", showKindFields); showKindFields(); }
  function valuesOf(service) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name && input.name.indexOf(service + "_") === 0 && input.type !== "checkbox" &&
          !(input.closest(".form-field") || {}).hidden) {
        values[input.name.slice(service.length + 1)] = input.value;
      }
    });
    return values;
  }
  document.querySelectorAll("button[data-test]").forEach(function (button) {
    button.addEventListener("click", async function () {
      var service = button.dataset.test;
      result.className = "";
      result.textContent = "Testing " + button.textContent.replace(/^Test /, "") + "…";
      var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      try {
        var response = await fetch("/wizard/test/" + service, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify(valuesOf(service)) });
        var data = await response.json();
        result.className = "field-" + data.level;
        var mark = data.level === "ok" ? "✓ " : data.level === "warning" ? "⚠ " : "✗ ";
        result.textContent = mark + data.text + (data.hint ? " Fix: " + data.hint : "");
      } catch (e) { result.className = "field-error"; result.textContent = "Test failed: " + e.message; }
    });
  });
})();
