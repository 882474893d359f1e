// Naming templates: list, save with validation (error position shown), live sample rendering.
(function () {
  var el = OmniApi.el;
  var form = document.getElementById("template-form");
  var canManage = form.dataset.canManage === "1";
  var ids = { id: "template-id", name: "template-name", kind: "template-kind", text: "template-text", item: "sample-item" };
  Object.keys(ids).forEach(function (k) { ids[k] = document.getElementById(ids[k]); });
  var sample = document.getElementById("template-sample");
  var errorBox = document.getElementById("templates-error");
  var timer = null;

  function put(url, body) {  // OmniApi has no PUT helper: same envelope handling here
    var token = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
    return fetch(url, { method: "PUT", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": decodeURIComponent(token) } })
      .then(function (r) { return r.json(); })
      .then(function (env) { if (!env.success) throw new Error(env.error); return env.data; });
  }
  function showError(err) { errorBox.textContent = err ? err.message : ""; errorBox.hidden = !err; }
  function check() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!ids.text.value) { sample.textContent = ""; return; }
      var body = { template: ids.text.value };
      if (ids.item.value) body.item_id = Number(ids.item.value);
      OmniApi.post("/api/rename/templates/check", body)
        .then(function (d) { sample.className = ""; sample.textContent = d.source + " → " + d.path; })
        .catch(function (e) { sample.className = "error"; sample.textContent = e.message; });
    }, 250);
  }
  ids.text.addEventListener("input", check);
  ids.item.addEventListener("input", check);
  function edit(t) {
    ids.id.value = t.builtin ? "" : t.id; ids.name.value = t.builtin ? t.name + " (copy)" : t.name;
    ids.kind.value = t.kind; ids.text.value = t.template; check(); ids.name.focus();
  }
  function load() {
    OmniApi.get("/api/rename/templates").then(function (list) {
      var tbody = document.getElementById("template-list");
      tbody.replaceChildren.apply(tbody, list.map(function (t) {
        var actions = el("td");
        var use = el("button", { type: "button", text: t.builtin ? "Copy" : "Edit" });
        use.addEventListener("click", function () { edit(t); });
        actions.appendChild(use);
        if (canManage && !t.builtin) {
          var del = el("button", { type: "button", text: "Delete" });
          del.addEventListener("click", function () {
            if (confirm("Delete template " + t.name + "?")) OmniApi.del("/api/rename/templates/" + t.id).then(load).catch(showError);
          });
          actions.appendChild(del);
        }
        return el("tr", {}, [el("td", { text: t.name + (t.builtin ? " (built in)" : "") }), el("td", { text: t.template }),
          el("td", { text: t.kind || "any" }), actions]);
      }));
    }).catch(showError);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError(null);
    var body = { name: ids.name.value, template: ids.text.value, kind: ids.kind.value };
    var url = "/api/rename/templates" + (ids.id.value ? "/" + ids.id.value : "");
    var request = ids.id.value ? put(url, body) : OmniApi.post(url, body);
    request.then(function (saved) { ids.id.value = saved.id; load(); }).catch(showError);
  });
  form.addEventListener("reset", function () { ids.id.value = ""; sample.textContent = ""; });
  OmniApi.get("/api/rename/tokens").then(function (tokens) {
    var list = document.getElementById("token-list");
    tokens.forEach(function (t) { list.appendChild(el("li", {}, [el("code", { text: t.token }), document.createTextNode(" — " + t.description)])); });
  });
  load();
})();
