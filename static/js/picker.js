// Pickers with search instead of typed ids: an ARIA 1.2 combobox (input + listbox) backed by
// an existing search API. Markup: <div class="picker" data-picker-source="items|authors"
// [data-picker-multiple] [data-picker-exclude="id"]> with a label, the input[role=combobox],
// ul[role=listbox], ul.picker-chosen and the hidden input[data-picker-value] that the page's
// own script reads (comma-separated ids). Arrow keys move, Enter picks, Escape closes.
(function () {
  var el = OmniApi.el;
  var SOURCES = {
    items: {
      url: function (text) { return "/api/library/search?page_size=8&q=" + encodeURIComponent(text); },
      label: function (row) { return row.title; },
      detail: function (row) { return [row.authors.join(", "), row.year, row.kind].filter(Boolean).join(" · "); },
    },
    authors: {
      url: function (text) { return "/api/authors/?page_size=8&q=" + encodeURIComponent(text); },
      label: function (row) { return row.name; },
      detail: function (row) { return row.aliases.length ? "also " + row.aliases.slice(0, 3).join(", ") : ""; },
    },
  };

  function setUp(root) {
    var source = SOURCES[root.dataset.pickerSource];
    var input = root.querySelector("[role=combobox]"), list = root.querySelector("[role=listbox]");
    var chosen = root.querySelector(".picker-chosen"), value = root.querySelector("[data-picker-value]");
    var status = root.querySelector(".picker-status"), multiple = "pickerMultiple" in root.dataset;
    var rows = [], active = -1, timer = null, asked = 0;

    function ids() { return value.value.split(/[\s,]+/).filter(Boolean); }
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (options[index]) { input.setAttribute("aria-activedescendant", options[index].id); options[index].scrollIntoView({ block: "nearest" }); }
    }
    function render() {
      var taken = ids().concat(root.dataset.pickerExclude ? [root.dataset.pickerExclude] : []);
      var shown = rows.filter(function (r) { return taken.indexOf(String(r.id)) < 0; });
      list.replaceChildren.apply(list, shown.map(function (row, i) {
        var option = el("li", { role: "option", id: input.id + "-option-" + i, "aria-selected": "false", "data-id": String(row.id) }, [
          el("span", { class: "picker-label", text: source.label(row) }),
          el("span", { class: "muted picker-detail", text: source.detail(row) }),
        ]);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(row); });
        return option;
      }));
      rows = shown;
      status.textContent = shown.length ? shown.length + " found; arrow keys to move, Enter to choose." : "Nothing found.";
      list.hidden = !shown.length;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
      if (shown.length) highlight(0);
    }
    function chip(id, label) {
      var remove = el("button", { type: "button", class: "link", "aria-label": "Remove " + label, text: "×" });
      var item = el("li", { "data-id": String(id) }, [el("span", { text: label }), remove]);
      remove.addEventListener("click", function () {
        value.value = ids().filter(function (x) { return x !== String(id); }).join(",");
        item.remove();
        value.dispatchEvent(new Event("change", { bubbles: true }));
        status.textContent = label + " removed.";
        input.focus();
      });
      return item;
    }
    function choose(row) {
      var label = source.label(row);
      if (multiple) { value.value = ids().concat([String(row.id)]).join(","); chosen.appendChild(chip(row.id, label)); }
      else { value.value = String(row.id); value.dataset.label = label; chosen.replaceChildren(chip(row.id, label)); }
      value.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = label + " chosen.";
      input.value = "";
      close();
    }
    async function search() {
      var text = input.value.trim(), mine = ++asked;
      if (!text) { close(); status.textContent = ""; return; }
      try {
        var data = await OmniApi.get(source.url(text));
        if (mine !== asked) return;  // an older answer arriving late
        rows = data.items;
        render();
      } catch (e) { status.textContent = "Search failed: " + e.message; }
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); highlight(Math.min(active + 1, rows.length - 1)); }
      else if (event.key === "ArrowUp" && !list.hidden) { event.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && !list.hidden && rows[active]) { event.preventDefault(); choose(rows[active]); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    chosen.querySelectorAll("li[data-id]").forEach(function (item) {
      item.replaceWith(chip(item.dataset.id, item.querySelector("span").textContent));
    });
  }
  document.querySelectorAll(".picker[data-picker-source]").forEach(setUp);
})();
