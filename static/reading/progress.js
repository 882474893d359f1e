// Where the user is in a book, for every reader and the player: read the place the page was
// opened at (embedded by the view), save a new one a moment after it changes (the progress API,
// session + CSRF token) and once more when the page goes away.
window.OmniProgress = (function () {
  var DEVICE = "Web browser";

  function initial() {
    return window.OmniApi.embedded("reader-progress") || { locator: {}, percent: 0 };
  }

  function saver(itemId, fileId, status) {
    var pending = null, timer = null, lastSaved = null;
    var url = "/api/reading/progress/" + itemId;

    function body(place) {
      return { file_id: fileId, locator: place.locator, percent: Math.max(0, Math.min(100, place.percent)),
               device: DEVICE };
    }
    async function flush() {
      clearTimeout(timer);
      if (!pending) return;
      var place = pending;
      pending = null;
      try {
        await window.OmniApi.put(url, body(place));
        lastSaved = JSON.stringify(place.locator);
        if (status) {
          status.textContent = "Saved at " + Math.round(place.percent) + "%";
          status.dataset.saved = lastSaved;
        }
      } catch (error) {
        if (status) status.textContent = "Not saved: " + error.message;
      }
    }
    function save(locator, percent, delay) {
      if (JSON.stringify(locator) === lastSaved) return;
      pending = { locator: locator, percent: percent };
      clearTimeout(timer);
      timer = setTimeout(flush, delay === undefined ? 800 : delay);
    }
    function restored(locator) { lastSaved = JSON.stringify(locator); }
    // Leaving the page: send what is pending without waiting (keepalive outlives the page).
    window.addEventListener("pagehide", function () {
      if (!pending) return;
      var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
      fetch(url, { method: "PUT", keepalive: true, credentials: "same-origin",
                   headers: { "Content-Type": "application/json", "X-CSRFToken": match ? decodeURIComponent(match[1]) : "" },
                   body: JSON.stringify(body(pending)) });
      pending = null;
    });
    return { save: save, flush: flush, restored: restored };
  }

  return { initial: initial, saver: saver };
})();
