// Settings > Download clients: "Test" buttons show the live result of the JSON API's test
// (stored client on the list, typed values on the form), offer to create missing categories
// and to use a suggested path mapping; delete asks first.
(function () {
  var el = OmniApi.el;
  function mark(level) { return level === "ok" ? "✓ " : level === "warning" ? "⚠ " : "✗ "; }
  function show(target, result) {
    target.replaceChildren.apply(target, result.messages.map(function (m) {
      return el("div", { class: "field-" + m.level, text: mark(m.level) + m.text + (m.hint ? " Fix: " + m.hint : "") });
    }));
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) { if (!confirm(form.dataset.confirm)) event.preventDefault(); });
  });
  document.querySelectorAll("button[data-test-client]").forEach(function (button) {
    button.addEventListener("click", async function () {
      var cell = button.closest("tr").querySelector(".test-result");
      cell.textContent = "Testing…";
      try { show(cell, await OmniApi.post("/api/downloads/clients/" + button.dataset.testClient + "/test/", {})); }
      catch (e) { cell.textContent = "✗ " + e.message; }
    });
  });
  var form = document.getElementById("client-form");
  if (!form) return;
  var output = document.getElementById("test-result");
  function values() {
    var body = { kind: form.dataset.kind };
    if (form.dataset.config) body.config_id = Number(form.dataset.config);
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "csrfmiddlewaretoken" || input.name === "kind") return;
      if (input.type === "checkbox") body[input.name] = input.checked;
      else if (input.type === "number") { if (input.value !== "") body[input.name] = Number(input.value); }
      else if (input.value !== "") body[input.name] = input.value;
    });
    return body;
  }
  function offerMapping(folder) {
    if (!folder || !folder.remote) return;
    var button = el("button", { type: "button", text: "Use the mapping " + folder.remote + " → " + folder.local });
    button.addEventListener("click", function () {
      form.elements.download_dir.value = folder.local;
      form.elements.remote_download_dir.value = folder.remote;
      button.replaceWith(el("span", { text: "Mapping filled in: save to keep it." }));
    });
    output.appendChild(button);
  }
  function offerCategories(result) {
    if (!result.missing_categories.length || !form.dataset.config) return;
    var button = el("button", { type: "button", text: "Create " + result.missing_categories.join(", ") + " in the client" });
    button.addEventListener("click", async function () {
      try {
        await OmniApi.post("/api/downloads/clients/" + form.dataset.config + "/categories/", { names: result.missing_categories });
        button.replaceWith(el("span", { class: "field-ok", text: "✓ Created." }));
      } catch (e) { button.replaceWith(el("span", { class: "field-error", text: "✗ " + e.message })); }
    });
    output.appendChild(button);
  }
  document.getElementById("test-client").addEventListener("click", async function () {
    output.textContent = "Testing…";
    try {
      var result = await OmniApi.post("/api/downloads/clients/test/", values());
      show(output, result);
      offerCategories(result);
      offerMapping(result.folder);
    } catch (e) { output.textContent = "✗ " + e.message; }
  });
})();
