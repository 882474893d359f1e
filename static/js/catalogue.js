// Series and author pages: rename (a clash with another series/author is merged only after
// the user confirms), merge an author into another one (always confirmed), a series' cover
// and reverting a series change.
(function () {
  var status = document.getElementById("catalogue-status");
  function show(message, isError) {
    status.hidden = false;
    status.className = isError ? "error" : "notice";
    status.textContent = message;
  }
  var rename = document.querySelector("form.catalogue-rename");
  if (rename) rename.addEventListener("submit", async function (event) {
    event.preventDefault();
    var name = rename.querySelector("[name=name]").value.trim();
    try {
      var result;
      try {
        result = await OmniApi.post(rename.dataset.url, { name: name });
      } catch (e) {
        if (e.status !== 409) throw e;
        if (confirm(e.message + "\n\nMerge them into one " + rename.dataset.kind + "?")) {
          result = await OmniApi.post(rename.dataset.url, { name: name, confirm_merge: true });
        } else if (rename.dataset.kind === "series" &&
                   confirm("Keep them apart: two series of the same name (a reboot, another author's)?")) {
          result = await OmniApi.post(rename.dataset.url, { name: name, keep_apart: true });
        } else return show("Nothing changed.");
      }
      var base = rename.dataset.kind === "series" ? "/series/" : "/authors/";
      location.href = base + result.id + "/";
    } catch (e) { show(e.message, true); }
  });
  var shared = document.querySelector("form.series-shared");
  if (shared) shared.addEventListener("submit", async function (event) {
    event.preventDefault();
    try {
      await OmniApi.post(shared.dataset.url, { shared_universe: shared.querySelector("[name=shared_universe]").checked });
      location.reload();
    } catch (e) { show(e.message, true); }
  });
  // Series cover: one of its books', an uploaded image (checked by the server) or the mosaic.
  var cover = document.getElementById("series-cover-edit");
  async function changeCover(request) {
    show("Changing the cover…");
    try { await request(); location.reload(); } catch (e) { show(e.message, true); }
  }
  var byBook = document.getElementById("series-cover-book-form");
  if (byBook) byBook.addEventListener("submit", function (event) {
    event.preventDefault();
    var id = parseInt(document.getElementById("series-cover-book").value, 10);
    changeCover(function () { return OmniApi.patch(cover.dataset.url, { cover_item_id: id }); });
  });
  var upload = document.getElementById("series-cover-upload-form");
  if (upload) upload.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = document.getElementById("series-cover-file").files[0];
    if (file) changeCover(function () { return OmniApi.upload(cover.dataset.url + "/cover/upload", file); });
  });
  var mosaic = document.getElementById("series-cover-mosaic");
  if (mosaic) mosaic.addEventListener("click", function () {
    changeCover(function () { return OmniApi.patch(cover.dataset.url, { default_cover: true }); });
  });
  document.querySelectorAll("button.series-revert").forEach(function (button) {
    button.addEventListener("click", async function () {
      if (!confirm("Revert this change? No file moves.")) return;
      button.disabled = true;
      try { await OmniApi.post(button.dataset.url); location.reload(); }
      catch (e) { button.disabled = false; show(e.message, true); }
    });
  });
  var merge = document.querySelector("form.catalogue-merge");
  if (merge) merge.addEventListener("submit", async function (event) {
    event.preventDefault();
    var chosen = merge.querySelector("[name=into]"), into = parseInt(chosen.value, 10);
    if (!into) return show("Choose the author to merge into first: type a few letters of the name.", true);
    if (!confirm("Merge into " + chosen.dataset.label + "? Their books and aliases are combined.")) return;
    try {
      var author = await OmniApi.post(merge.dataset.url, { into: into, confirm: true });
      location.href = "/authors/" + author.id + "/";
    } catch (e) { show(e.message, true); }
  });
})();
