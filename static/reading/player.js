// Audiobook player: the book's files on one timeline, chapters (the files' own, or one per
// file), speed, sleep timer, resume. The app's pages open in the frame above the player, so
// listening goes on while the user browses; the address bar follows the frame (?page=).
(function () {
  if (window.top !== window.self) {  // a "Listen" clicked inside the frame: the whole tab becomes that player
    window.top.location.href = location.pathname;
    return;
  }
  var $ = function (id) { return document.getElementById(id); };
  var player = $("player"), audio = $("audio"), frame = $("page-frame");
  var tracks = window.OmniApi.embedded("player-tracks");
  var fileUrl = player.dataset.fileUrl.replace(/\/0\/download$/, "/");
  var progress = window.OmniProgress.saver(player.dataset.itemId, null, $("saved"));
  var state = { index: 0, starts: [], total: 0, chapters: [], sleepAt: null, sleepChapter: null, lastSave: 0 };

  function urlOf(track) { return fileUrl + track.file_id + "/download"; }
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
  }
  function probe(track) {  // a file whose length the scan could not read: ask the browser
    if (track.duration) return Promise.resolve();
    return new Promise(function (resolve) {
      var probeAudio = new Audio();
      probeAudio.preload = "metadata";
      probeAudio.addEventListener("loadedmetadata", function () { track.duration = probeAudio.duration; resolve(); });
      probeAudio.addEventListener("error", function () { track.duration = 0; resolve(); });
      probeAudio.src = urlOf(track);
    });
  }
  function layOut() {
    var start = 0;
    state.chapters = [];
    tracks.forEach(function (track, i) {
      state.starts[i] = start;
      track.chapters.forEach(function (c) { state.chapters.push({ title: c.title, start: start + c.start }); });
      start += track.duration || 0;
    });
    state.total = start;
    $("seek").max = Math.floor(start);
    $("duration").textContent = clock(start);
    $("chapter").replaceChildren.apply($("chapter"), state.chapters.map(function (c, i) {
      var option = document.createElement("option");
      option.value = i;
      option.textContent = c.title + " (" + clock(c.start) + ")";
      return option;
    }));
  }
  function position() { return state.starts[state.index] + (audio.currentTime || 0); }
  function chapterAt(t) {
    var found = 0;
    state.chapters.forEach(function (c, i) { if (c.start <= t + 0.001) found = i; });
    return found;
  }
  function trackAt(t) {
    for (var i = tracks.length - 1; i >= 0; i -= 1) if (state.starts[i] <= t + 0.001) return i;
    return 0;
  }
  function load(index, offset, play) {
    return new Promise(function (resolve) {
      state.index = index;
      player.dataset.track = index;
      var rate = Number($("speed").value);
      audio.addEventListener("loadedmetadata", function ready() {
        audio.removeEventListener("loadedmetadata", ready);
        audio.playbackRate = rate;
        seekWithin(Math.min(offset, Math.max(0, (audio.duration || offset) - 0.05))).then(function () {
          if (play) audio.play().catch(function () {});
          resolve();
        });
      });
      audio.src = urlOf(tracks[index]);
      audio.defaultPlaybackRate = rate;
      audio.load();
    });
  }
  // Without HTTP Range a file can only be sought where it has been downloaded: wait for that.
  function seekable(offset) {
    for (var i = 0; i < audio.seekable.length; i += 1) {
      if (audio.seekable.start(i) <= offset && offset <= audio.seekable.end(i)) return true;
    }
    return offset === 0;
  }
  function seekWithin(offset) {
    return new Promise(function (resolve) {
      function attempt() {
        if (!seekable(offset) && audio.readyState < 4) return;
        audio.removeEventListener("progress", attempt);
        audio.removeEventListener("canplaythrough", attempt);
        audio.currentTime = offset;
        resolve();
      }
      audio.addEventListener("progress", attempt);
      audio.addEventListener("canplaythrough", attempt);
      attempt();
    });
  }
  function seek(t, keepPlaying) {
    t = Math.max(0, Math.min(state.total, t));
    var index = trackAt(t);
    var play = keepPlaying === undefined ? !audio.paused : keepPlaying;
    if (index !== state.index || !audio.src) return load(index, t - state.starts[index], play).then(show).then(saveNow);
    return seekWithin(t - state.starts[index]).then(function () { show(); saveNow(); });
  }
  function show() {
    var t = position();
    $("elapsed").textContent = clock(t);
    if (document.activeElement !== $("seek")) $("seek").value = Math.floor(t);
    var chapter = chapterAt(t);
    $("chapter").value = chapter;
    $("chapter-name").textContent = state.chapters[chapter] ? state.chapters[chapter].title : "";
    player.dataset.position = t.toFixed(2);
    $("play").textContent = audio.paused ? "Play" : "Pause";
  }
  function saveNow() {
    state.lastSave = Date.now();
    var t = position();
    progress.save({ seconds: Math.round(t * 10) / 10 }, state.total ? (t / state.total) * 100 : 0, 0);
  }
  function checkSleep() {
    var t = position();
    var reached = (state.sleepAt && Date.now() >= state.sleepAt) || (state.sleepChapter !== null && t >= state.sleepChapter);
    if (reached) { audio.pause(); setSleep(""); $("sleep").value = ""; }
    else if (state.sleepAt) $("sleep-left").textContent = clock((state.sleepAt - Date.now()) / 1000) + " left";
  }
  function setSleep(value) {
    state.sleepAt = null;
    state.sleepChapter = null;
    $("sleep-left").textContent = value === "chapter" ? "until the chapter ends" : "";
    if (value === "chapter") {
      var next = state.chapters[chapterAt(position()) + 1];
      state.sleepChapter = next ? next.start : state.total;
    } else if (value) state.sleepAt = Date.now() + Number(value) * 60000;
  }

  audio.addEventListener("timeupdate", function () {
    show();
    checkSleep();
    if (!audio.paused && Date.now() - state.lastSave > 5000) saveNow();
  });
  audio.addEventListener("pause", function () { show(); saveNow(); });
  audio.addEventListener("play", show);
  audio.addEventListener("ended", function () {
    if (state.index + 1 < tracks.length) load(state.index + 1, 0, true);
    else { show(); progress.save({ seconds: state.total }, 100, 0); }
  });
  $("play").addEventListener("click", function () { if (audio.paused) audio.play(); else audio.pause(); });
  $("back").addEventListener("click", function () { seek(position() - 30); });
  $("forward").addEventListener("click", function () { seek(position() + 30); });
  $("seek").addEventListener("change", function (e) { seek(Number(e.target.value)); });
  $("chapter").addEventListener("change", function (e) { seek(state.chapters[Number(e.target.value)].start + 0.01); });
  $("speed").addEventListener("change", function (e) {
    audio.playbackRate = audio.defaultPlaybackRate = Number(e.target.value);
    localStorage.setItem("omni-player-speed", e.target.value);
  });
  $("sleep").addEventListener("change", function (e) { setSleep(e.target.value); });
  frame.addEventListener("load", function () {  // the address bar and title follow the page in the frame
    try {
      var inner = frame.contentWindow.location;
      history.replaceState(null, "", player.dataset.shellUrl + "?page=" + encodeURIComponent(inner.pathname + inner.search));
      document.title = frame.contentDocument.title + " · Listening";
    } catch (error) { /* a page of another origin: leave the address as it is */ }
  });

  var speed = localStorage.getItem("omni-player-speed");
  if (speed && $("speed").querySelector('option[value="' + speed + '"]')) $("speed").value = speed;
  Promise.all(tracks.map(probe)).then(function () {
    layOut();
    var saved = window.OmniProgress.initial();
    var start = saved.locator && typeof saved.locator.seconds === "number" ? saved.locator.seconds : 0;
    if (start >= state.total - 0.5) start = 0;  // finished: start again from the beginning
    progress.restored({ seconds: Math.round(start * 10) / 10 });
    var index = trackAt(start);
    return load(index, start - state.starts[index], false);
  }).then(function () {
    show();
    $("play").disabled = false;
    player.dataset.ready = "1";
  });
})();
