// Library page: "/" focuses the search box, filter changes apply at once, the chosen
// view (covers or table) is remembered, arrow keys move between cover cards.
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
