// Wanted page: add a book by hand (no metadata provider needed) through POST /api/media/wanted/manual.
(function () {
  var form = document.getElementById("add-wanted-form");
  if (!form) return;
  var result = document.getElementById("add-wanted-result");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var authors = String(data.get("authors") || "").split(/;| & /).map(function (a) { return a.trim(); })
      .filter(Boolean);
    var body = { title: String(data.get("title") || "").trim(), authors: authors,
      isbn13: String(data.get("isbn13") || "").trim(), kind: data.get("kind") };
    result.className = "";
    if (!body.title) { result.className = "error"; result.textContent = "Enter the title."; form.title.focus(); return; }
    try {
      var item = await OmniApi.post("/api/media/wanted/manual", body);
      result.textContent = (item.status === "requested" ? "Requested: " : "Wanted: ") + item.title;
      OmniApi.announce(result.textContent);
      form.reset();
      window.setTimeout(function () { window.location.reload(); }, 600);
    } catch (e) {
      result.className = "error";
      result.textContent = e.message;
    }
  });
})();
