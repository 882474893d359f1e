// Applies the saved theme before first paint; the toggle cycles auto -> dark -> light.
(function () {
  var saved = localStorage.getItem("omni-theme") || "auto";
  document.documentElement.dataset.theme = saved;
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (button) {
      button.addEventListener("click", function () {
        var order = ["auto", "dark", "light"];
        var next = order[(order.indexOf(document.documentElement.dataset.theme) + 1) % order.length];
        document.documentElement.dataset.theme = next;
        localStorage.setItem("omni-theme", next);
        button.setAttribute("aria-label", "Theme: " + next + ". Switch theme");
      });
    }
    var toggle = document.querySelector(".nav-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        document.getElementById("main-nav").classList.toggle("open", open);
      });
    }
  });
})();
