// Applies the saved theme before first paint: the signed-in user's stored choice (rendered by the
// server as data-theme-saved, so every device gets it), else this browser's. The toggle cycles
// auto -> dark -> light, says which theme is active and saves the choice to the user's
// preferences. The phone menu opens from its button and closes with Escape.
(function () {
  var root = document.documentElement;
  var stored = root.dataset.themeSaved;
  if (stored) localStorage.setItem("omni-theme", stored);
  root.dataset.theme = stored || localStorage.getItem("omni-theme") || "auto";
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
        root.dataset.themeSaved = next;
        labelTheme(button);
        if (window.OmniApi) {
          window.OmniApi.put("/api/v1/library/preferences", { theme: next }).catch(function () {
            button.title = "Theme: " + next + " (not saved to your account)";
          });
        }
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
