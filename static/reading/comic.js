// Comic reader: pages fetched one by one from the server (never the whole archive), the next
// ones prefetched; one or two pages; right to left for manga (from ComicInfo, or the toggle,
// remembered per series or book); fit width or height; keyboard and swipe; the page is saved.
(function () {
  var root = document.getElementById("reader");
  var stage = document.getElementById("stage");
  var $ = function (id) { return document.getElementById(id); };
  var total = Number(root.dataset.pages);
  var fileId = Number(root.dataset.fileId);
  var pageBase = root.dataset.pageUrl.replace(/\/0$/, "/");
  var progress = window.OmniProgress.saver(root.dataset.itemId, fileId, $("saved"));
  var directionKey = "omni-comic-rtl:" + (root.dataset.series ? "series-" + root.dataset.series : "item-" + root.dataset.itemId);
  var prefs = JSON.parse(localStorage.getItem("omni-comic") || "{}");
  var remembered = localStorage.getItem(directionKey);
  var state = {
    page: 1,
    spread: prefs.spread === "double" ? "double" : "single",
    fit: prefs.fit === "width" ? "width" : "height",
    rtl: remembered === null ? root.dataset.rightToLeft === "1" : remembered === "1",
  };
  var cache = {};

  function url(n) { return pageBase + n; }
  function prefetch(n) {
    if (n < 1 || n > total || cache[n]) return;
    cache[n] = new Image();
    cache[n].src = url(n);
  }
  function shown() {
    if (state.spread === "single" || state.page === 1) return [state.page];
    return state.page + 1 <= total ? [state.page, state.page + 1] : [state.page];
  }
  function step() { return shown().length; }

  function draw() {
    var pages = shown();
    var images = pages.map(function (n) {
      var img = document.createElement("img");
      img.src = url(n);
      img.alt = "Page " + n;
      img.dataset.page = n;
      return img;
    });
    if (state.rtl) images.reverse();  // right to left: the first page of a spread is on the right
    stage.replaceChildren.apply(stage, images);
    stage.dataset.fit = state.fit;
    stage.dataset.spread = pages.length === 2 ? "double" : "single";
    stage.dataset.direction = state.rtl ? "rtl" : "ltr";
    $("page-number").value = state.page;
    $("location").textContent = "Page " + pages.join("–") + " of " + total;
    $("spread").value = state.spread;
    $("fit").value = state.fit;
    $("rtl").checked = state.rtl;
    var last = pages[pages.length - 1];
    for (var n = last + 1; n <= last + 3; n += 1) prefetch(n);
    progress.save({ page: state.page }, total > 1 ? ((last - 1) / (total - 1)) * 100 : 100);
  }
  function go(page) {
    state.page = Math.max(1, Math.min(total, page));
    draw();
  }
  function forward() { if (state.page + step() <= total) go(state.page + step()); }
  function back() { go(state.page - (state.spread === "double" && state.page > 2 ? 2 : 1)); }
  // In right-to-left reading, the left arrow (and a swipe to the right) turns to the next page.
  function left() { if (state.rtl) forward(); else back(); }
  function right() { if (state.rtl) back(); else forward(); }

  function savePrefs() { localStorage.setItem("omni-comic", JSON.stringify({ spread: state.spread, fit: state.fit })); }
  $("next").addEventListener("click", forward);
  $("prev").addEventListener("click", back);
  $("page-number").addEventListener("change", function (e) { go(Number(e.target.value) || 1); });
  $("spread").addEventListener("change", function (e) { state.spread = e.target.value; savePrefs(); draw(); });
  $("fit").addEventListener("change", function (e) { state.fit = e.target.value; savePrefs(); draw(); });
  $("rtl").addEventListener("change", function (e) {
    state.rtl = e.target.checked;
    localStorage.setItem(directionKey, state.rtl ? "1" : "0");
    draw();
  });
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, select, textarea")) return;
    var keys = { ArrowLeft: left, ArrowRight: right, PageDown: forward, " ": forward, PageUp: back, Home: function () { go(1); }, End: function () { go(total); } };
    if (keys[event.key]) { keys[event.key](); event.preventDefault(); }
  });
  var touchX = null;
  stage.addEventListener("touchstart", function (e) { touchX = e.changedTouches[0].clientX; }, { passive: true });
  stage.addEventListener("touchend", function (e) {
    if (touchX === null) return;
    var dx = e.changedTouches[0].clientX - touchX;
    touchX = null;
    if (Math.abs(dx) > 50) { if (dx < 0) right(); else left(); }  // swipe left shows what is on the right
  });

  var saved = window.OmniProgress.initial();
  var start = saved.file_id === fileId && saved.locator && saved.locator.page ? saved.locator.page : 1;
  if (start > 1) progress.restored({ page: start });
  else progress.restored({ page: 1 });
  go(start);
  root.dataset.ready = "1";
})();
