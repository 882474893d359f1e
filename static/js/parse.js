// Test-parsing page: GET /api/parse/?title= and show every field.
(function () {
  var form = document.getElementById("parse-form"), input = document.getElementById("release-title");
  var tbody = document.getElementById("parsed"), errorBox = document.getElementById("page-error"), el = OmniApi.el;
  function show(value) { return Array.isArray(value) ? value.join(", ") : value === null ? "—" : String(value); }
  async function parse() {
    if (!input.value.trim()) return;
    try {
      var data = await OmniApi.get("/api/parse/?title=" + encodeURIComponent(input.value));
      errorBox.hidden = true;
      tbody.replaceChildren.apply(tbody, Object.keys(data).map(function (key) {
        return el("tr", {}, [el("th", { scope: "row", text: key }), el("td", { text: show(data[key]) })]);
      }));
    } catch (e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); parse(); });
  parse();
})();
