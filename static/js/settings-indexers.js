// Settings > Indexers: "Test" shows the live result of the JSON API's test (the stored
// connection on the list, the typed values on the form); delete asks first.
(function () {
  var el = OmniApi.el;
  function show(target, result) {
    if (!result.ok) {
      var mark = result.level === "warning" ? "⚠ " : "✗ ";
      target.replaceChildren(el("div", { class: "field-" + result.level, text: mark + result.message + (result.hint ? " Fix: " + result.hint : "") }));
      return;
    }
    var lines = [el("div", { class: "field-ok", text: "✓ " + result.message })];
    result.indexers.slice(0, 12).forEach(function (i) {
      lines.push(el("div", { class: "muted", text: "#" + i.id + " " + i.name + " (" + i.protocol + (i.enabled ? "" : ", disabled") +
        (i.categories.length ? "; categories " + i.categories.slice(0, 8).join(", ") : "") + ")" }));
    });
    target.replaceChildren.apply(target, lines);
  }
  function fail(target, error) { target.replaceChildren(el("div", { class: "field-error", text: "✗ " + error.message })); }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) { if (!confirm(form.dataset.confirm)) event.preventDefault(); });
  });
  document.querySelectorAll("button[data-test-indexer]").forEach(function (button) {
    button.addEventListener("click", async function () {
      var cell = button.closest("tr").querySelector(".test-result");
      cell.textContent = "Testing…";
      try { show(cell, await OmniApi.post("/api/indexers/" + button.dataset.testIndexer + "/test/", {})); }
      catch (e) { fail(cell, e); }
    });
  });
  var form = document.getElementById("indexer-form");
  if (!form) return;
  var output = document.getElementById("test-result");
  function values() {
    var body = {};
    if (form.dataset.config) body.config_id = Number(form.dataset.config);
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "csrfmiddlewaretoken") return;
      if (input.type === "checkbox") body[input.name] = input.checked;
      else if (input.type === "number") { if (input.value !== "") body[input.name] = Number(input.value); }
      else if (input.value !== "") body[input.name] = input.value;
    });
    return body;
  }
  // Prowlarr's indexers are ticked, not typed: each one the test found gets a checkbox that
  // writes the "Only these Prowlarr indexers" field (ticked: only those; none: every indexer).
  var only = form.elements.indexer_ids;
  var pickBox = el("div", { id: "indexer-pick" });
  output.after(pickBox);
  function chosenIds() { return only.value.split(",").map(function (p) { return p.trim(); }).filter(Boolean); }
  function pickIndexers(result) {
    if (!only || !result.ok || !result.indexers.length) return;
    var chosen = chosenIds(), boxes = [];
    var fieldset = el("fieldset", {}, [el("legend", { text: "Search only with (none ticked: every indexer)" })]);
    result.indexers.forEach(function (i) {
      var box = el("input", { type: "checkbox", class: "auto-width", value: String(i.id) });
      box.checked = chosen.indexOf(String(i.id)) !== -1;
      box.addEventListener("change", function () {
        only.value = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }).join(", ");
      });
      boxes.push(box);
      var about = " " + i.name + " (" + i.protocol + (i.enabled ? "" : ", disabled in Prowlarr") + ")";
      fieldset.appendChild(el("label", { class: "inline" }, [box, el("span", { text: about })]));
    });
    output.querySelectorAll("div.muted").forEach(function (line) { line.remove(); });  // listed as checkboxes
    pickBox.replaceChildren(fieldset);
  }
  document.getElementById("test-indexer").addEventListener("click", async function () {
    output.textContent = "Testing…";
    pickBox.replaceChildren();
    try { var result = await OmniApi.post("/api/indexers/test/", values()); show(output, result); pickIndexers(result); }
    catch (e) { fail(output, e); }
  });
})();
