// Library page: "/" focuses the search box, filter changes apply at once, the chosen
// view (covers or table) is remembered, arrow keys move between cover cards, and the filter
// counts are fetched when the filter panel opens (the page itself never counts them).
(function () {
  var form = document.getElementById("library-form");
  var search = document.getElementById("q");
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); search.focus(); search.select(); }
  });
  form.querySelectorAll(".filters select, .filters input[type=checkbox]").forEach(function (input) {
    input.addEventListener("change", function () { form.requestSubmit(); });
  });
  var panel = form.querySelector("details.filters");
  var showCounts = document.getElementById("show-counts");
  function countText(option) {  // as the page prints them: " (12)", " (about 1,200)"
    return " (" + (option.estimated ? "about " : "") + option.count.toLocaleString("en") + ")";
  }
  function fillCounts(facets) {
    document.querySelectorAll("[data-facet]").forEach(function (node) {
      if (!facets[node.dataset.facet]) return;
      var option = facets[node.dataset.facet].find(function (o) { return o.value === node.dataset.value; });
      var text = countText(option || { count: 0 });
      node.textContent = node.tagName === "OPTION" ? node.dataset.label + text : text;
    });
    var languages = document.getElementById("language-options");
    if (languages && facets.language) {
      languages.replaceChildren.apply(languages, facets.language.map(function (option) {
        return OmniApi.el("option", { value: option.value, text: option.value + countText(option) });
      }));
    }
  }
  function loadCounts() {
    if (!showCounts || showCounts.dataset.loading) return;
    showCounts.dataset.loading = "true";
    OmniApi.get(showCounts.dataset.url).then(function (data) {
      fillCounts(data.facets);
      showCounts.hidden = true;
    }, function () { delete showCounts.dataset.loading; });
  }
  if (panel && showCounts) {
    panel.addEventListener("toggle", function () { if (panel.open) loadCounts(); });
    showCounts.addEventListener("click", function (event) { event.preventDefault(); loadCounts(); });
    if (panel.open) loadCounts();
  }
  var toggle = document.querySelector(".view-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    localStorage.setItem("omni-library-view", toggle.dataset.view === "grid" ? "table" : "grid");
  });
  var params = new URLSearchParams(location.search);
  var saved = localStorage.getItem("omni-library-view");
  if (!params.has("view") && saved === "table" && toggle && toggle.dataset.view === "grid") {
    params.set("view", "table");
    location.replace("?" + params.toString());
    return;
  }
  var grid = document.querySelector(".cover-grid");
  if (grid) grid.addEventListener("keydown", function (event) {
    var cards = Array.prototype.slice.call(grid.querySelectorAll(".book-card"));
    var index = cards.indexOf(document.activeElement);
    if (index < 0) return;
    var perRow = Math.max(1, Math.round(grid.clientWidth / cards[0].parentElement.clientWidth));
    var step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: perRow, ArrowUp: -perRow }[event.key];
    if (step && cards[index + step]) { event.preventDefault(); cards[index + step].focus(); }
  });
})();
