// Test-parsing page: GET /api/parse/?kind=&title= and show every field.
(function () {
  var form = document.getElementById("parse-form"), input = document.getElementById("release-title");
  var kind = document.getElementById("parse-kind");
  var tbody = document.getElementById("parsed"), errorBox = document.getElementById("page-error"), el = OmniApi.el;
  var examples = {
    release: "Andy.Weir.-.Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook",
    ebook: "Jane Doe/The Long Road (Roads, #3).epub",
    comic: "Lantern (2022)/Lantern #012 (2022).cbz",
    audiobook: "Jane Doe/Roads/01 - The Long Road/The Long Road.m4b",
    author: "Le Guin, Ursula K.; Doe, Jane, translated by Bo Roe"
  };
  function show(value) {
    if (Array.isArray(value)) return value.map(show).join(value.length && typeof value[0] === "object" ? "; " : ", ");
    if (value !== null && typeof value === "object") return value.display + " [" + value.sort + "]" + (value.role && value.role !== "author" ? " (" + value.role + ")" : "");
    return value === null ? "—" : String(value);
  }
  async function parse() {
    if (!input.value.trim()) return;
    try {
      var query = "?kind=" + encodeURIComponent(kind.value) + "&title=" + encodeURIComponent(input.value);
      var data = await OmniApi.get("/api/parse/" + query);
      errorBox.hidden = true;
      tbody.replaceChildren.apply(tbody, Object.keys(data).map(function (key) {
        return el("tr", {}, [el("th", { scope: "row", text: key }), el("td", { text: show(data[key]) })]);
      }));
    } catch (e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  }
  function placeholder() { input.placeholder = examples[kind.value] || ""; }
  form.addEventListener("submit", function (event) { event.preventDefault(); parse(); });
  kind.addEventListener("change", function () { placeholder(); parse(); });
  placeholder();
  parse();
})();
