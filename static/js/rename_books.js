// Rename books: choose template and selection, live sample, background preview (paged), execute.
(function () {
  var el = OmniApi.el;
  var form = document.getElementById("rename-form");
  var canManage = form.dataset.canManage === "1";
  var choice = document.getElementById("template-choice");
  var text = document.getElementById("template-text");
  var sample = document.getElementById("template-sample");
  var errorBox = document.getElementById("rename-error");
  var section = document.getElementById("preview");
  var tbody = document.getElementById("operations");
  var filter = document.getElementById("preview-filter");
  var executeButton = document.getElementById("execute");
  var confirmLabel = document.getElementById("confirm-label");
  var confirmBox = document.getElementById("confirm-overwrite");
  var batch = null, page = 1, timer = null, sampleTimer = null;

  function showError(err) { errorBox.textContent = err ? err.message : ""; errorBox.hidden = !err; }
  function checkTemplate() {
    clearTimeout(sampleTimer);
    sampleTimer = setTimeout(function () {
      OmniApi.post("/api/rename/templates/check", { template: text.value })
        .then(function (d) { sample.className = ""; sample.textContent = "Sample: " + d.path; })
        .catch(function (e) { sample.className = "error"; sample.textContent = e.message; });
    }, 250);
  }
  choice.addEventListener("change", function () { if (choice.value) { text.value = choice.value; } checkTemplate(); });
  text.addEventListener("input", function () { choice.value = ""; checkTemplate(); });

  // Choosing a book in the picker means "only the chosen books".
  document.getElementById("scope-items").addEventListener("change", function (event) {
    if (event.target.value) document.getElementById("scope-chosen").checked = true;
  });
  function selection() {
    var scope = form.querySelector("input[name=scope]:checked").value;
    if (scope === "kind") return { kind: document.getElementById("scope-kind").value };
    if (scope === "items") {
      return { item_ids: document.getElementById("scope-items").value.split(/[\s,]+/).filter(Boolean).map(Number) };
    }
    return { everything: true };
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError(null);
    OmniApi.post("/api/rename/preview", { template: text.value, selection: selection(),
      policy: document.getElementById("policy").value,
      allow_other_root: document.getElementById("allow-other-root").checked })
      .then(function (b) { batch = b; page = 1; section.hidden = false; poll(); })
      .catch(showError);
  });

  function describeTotals(t) {
    var parts = [(t.planned || 0) + " to move", (t.skipped || 0) + " skipped"];
    Object.keys(t).forEach(function (k) { if (k.indexOf("conflict_") === 0) parts.push(t[k] + " " + k.slice(9).replace(/_/g, " ")); });
    if (t.done) parts.push(t.done + " moved");
    if (t.failed) parts.push(t.failed + " failed");
    return parts.join(" · ");
  }
  // Which libraries the plan touches (their template and target root), and the moves out of them.
  function describeLibraries(b) {
    var list = document.getElementById("preview-libraries");
    list.replaceChildren.apply(list, (b.libraries || []).map(function (lib) {
      var text = (lib.name ? lib.name + " · " : "") + lib.path + ": " + lib.files + " file(s), template " +
        (lib.template || "chosen above") + (lib.target !== lib.path ? ", target root " + lib.target : "");
      return el("li", { text: text });
    }));
    var leaving = document.getElementById("preview-leaving");
    leaving.hidden = !b.leaving;
    leaving.textContent = !b.leaving ? "" : b.leaving + " file(s) move out of their library to another root" +
      (b.allow_other_root ? " (allowed)." : ": not done. Tick “Allow moving books out of their library” and preview again to include them.");
  }
  function poll() {
    clearTimeout(timer);
    OmniApi.get("/api/rename/batches/" + batch.id).then(function (b) {
      batch = b;
      document.getElementById("preview-state").textContent = b.state;
      document.getElementById("preview-totals").textContent = describeTotals(b.totals || {}) + (b.message ? " — " + b.message : "");
      describeLibraries(b);
      var busy = ["planning", "running", "reverting"].indexOf(b.state) >= 0;
      document.getElementById("preview-progress").hidden = !busy;
      confirmLabel.hidden = b.policy !== "overwrite";
      executeButton.disabled = !canManage || b.state !== "planned" || !(b.totals && b.totals.planned);
      if (!busy) loadPage();
      if (busy) timer = setTimeout(poll, 1000);
    }).catch(showError);
  }
  function loadPage() {
    OmniApi.get("/api/rename/preview/" + batch.id + "?page=" + page + "&page_size=100&only=" + filter.value)
      .then(function (data) {
        tbody.replaceChildren.apply(tbody, data.items.map(function (op) {
          var after = el("td", { text: op.destination || "—" });
          if (op.leaves_library) after.appendChild(el("div", { class: "warning", text: "moves out of " + op.leaves_library + " to " + op.to_root }));
          return el("tr", {}, [el("td", { text: op.source }), after,
            el("td", { text: op.state }), el("td", { class: op.conflict ? "warning" : "", text: (op.conflict || "") + (op.message ? " — " + op.message : "") })]);
        }));
        if (!data.items.length) tbody.appendChild(el("tr", {}, [el("td", { colspan: "4", text: "Nothing to show." })]));
        document.getElementById("prev-page").disabled = page <= 1;
        document.getElementById("next-page").disabled = !data.has_next;
        document.getElementById("page-info").textContent = "Page " + page + (data.total !== null ? " of " + Math.max(1, Math.ceil(data.total / 100)) : "");
      }).catch(showError);
  }
  filter.addEventListener("change", function () { page = 1; loadPage(); });
  document.getElementById("prev-page").addEventListener("click", function () { page -= 1; loadPage(); });
  document.getElementById("next-page").addEventListener("click", function () { page += 1; loadPage(); });
  executeButton.addEventListener("click", function () {
    showError(null);
    executeButton.disabled = true;
    OmniApi.post("/api/rename/execute", { batch_id: batch.id, confirm_overwrite: confirmBox.checked })
      .then(function () { setTimeout(poll, 500); })
      .catch(function (e) { showError(e); executeButton.disabled = false; });
  });
  checkTemplate();
})();
