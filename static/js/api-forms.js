// Forms and buttons that call the JSON API: <form data-api-method="POST" data-api-url="/api/...">
// sends its fields as JSON ("a.b" names nest, checkboxes are true/false, data-list checkboxes
// collect numbers, data-int fields are numbers, empty data-optional fields are left out), then
// shows `data-show` of the answer in the form's <output> or reloads the page (or goes to data-go).
(function () {
  function send(method, url, payload) {
    var verbs = { GET: OmniApi.get, POST: OmniApi.post, PUT: OmniApi.put, PATCH: OmniApi.patch, DELETE: OmniApi.del };
    return verbs[method.toUpperCase()](url, payload);
  }
  function put(target, name, value) {
    var parts = name.split("."), last = parts.pop();
    parts.forEach(function (part) { target = target[part] = target[part] || {}; });
    target[last] = value;
  }
  function body(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) return;
      if (field.type === "checkbox" && field.hasAttribute("data-list")) {
        var list = field.name.split(".").reduce(function (o, k) { return o && o[k]; }, data) || [];
        if (field.checked) list.push(parseInt(field.value, 10));
        put(data, field.name, list);
      } else if (field.type === "checkbox") {
        put(data, field.name, field.checked);
      } else if (field.type === "radio") {
        if (field.checked) put(data, field.name, field.value === "true" ? true : field.value === "false" ? false : field.value);
      } else if (field.value === "" && field.hasAttribute("data-optional")) {
        return;
      } else {
        put(data, field.name, field.hasAttribute("data-int") ? parseInt(field.value, 10) : field.value);
      }
    });
    return data;
  }
  function done(node, answer) {
    var output = node.querySelector ? node.querySelector("output") : null;
    var show = node.getAttribute("data-show");
    if (show && output) { output.hidden = false; output.textContent = node.getAttribute("data-show-text") + " " + answer[show]; return; }
    if (node.getAttribute("data-go")) { location.href = node.getAttribute("data-go"); return; }
    if (node.getAttribute("data-go-to-id")) { location.href = node.getAttribute("data-go-to-id").replace("0", answer.id); return; }
    location.reload();
  }
  function failed(node, error) {
    var output = (node.querySelector && node.querySelector("output")) || document.getElementById("form-error");
    if (output) { output.hidden = false; output.classList.add("error"); output.textContent = error.message; }
    else alert(error.message);
  }
  document.addEventListener("submit", async function (event) {
    var form = event.target.closest("form[data-api-url]");
    if (!form) return;
    event.preventDefault();
    if (form.getAttribute("data-confirm") && !confirm(form.getAttribute("data-confirm"))) return;
    try { done(form, await send(form.getAttribute("data-api-method"), form.getAttribute("data-api-url"), body(form))); }
    catch (error) { failed(form, error); }
  });
  document.addEventListener("click", async function (event) {
    var button = event.target.closest("button[data-api-url]");
    if (!button || button.form) return;
    if (button.getAttribute("data-confirm") && !confirm(button.getAttribute("data-confirm"))) return;
    var payload = button.getAttribute("data-body");
    try { done(button, await send(button.getAttribute("data-api-method"), button.getAttribute("data-api-url"), payload ? JSON.parse(payload) : undefined)); }
    catch (error) { failed(button, error); }
  });
})();
