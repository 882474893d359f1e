// Applies the saved theme before first paint; the toggle cycles auto -> dark -> light and says
// which theme is active. The phone menu opens from its button and closes with Escape.
(function () {
  var saved = localStorage.getItem("omni-theme") || "auto";
  document.documentElement.dataset.theme = saved;
  function labelTheme(button) {
    var theme = document.documentElement.dataset.theme;
    button.setAttribute("aria-label", "Theme: " + theme + ". Switch theme");
    button.title = "Theme: " + theme;
  }
  function setMenu(toggle, open) {
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById("main-nav").classList.toggle("open", open);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (button) {
      labelTheme(button);
      button.addEventListener("click", function () {
        var order = ["auto", "dark", "light"];
        var next = order[(order.indexOf(document.documentElement.dataset.theme) + 1) % order.length];
        document.documentElement.dataset.theme = next;
        localStorage.setItem("omni-theme", next);
        labelTheme(button);
      });
    }
    var toggle = document.querySelector(".nav-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        setMenu(toggle, toggle.getAttribute("aria-expanded") !== "true");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
        var nav = document.getElementById("main-nav");
        var inside = nav.contains(document.activeElement);
        setMenu(toggle, false);
        if (inside || document.activeElement === document.body) toggle.focus();
      });
    }
  });
})();
