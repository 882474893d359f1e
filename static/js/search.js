// Metadata search: all providers in parallel (server side), merged results with covers, add to wanted.
(function () {
  var form = document.getElementById("search-form");
  var results = document.getElementById("results");
  var statusList = document.getElementById("provider-status");
  var errorBox = document.getElementById("search-error");
  var el = OmniApi.el;

  function showError(e) { errorBox.textContent = e.message; errorBox.hidden = false; }
  function query() {
    var data = new FormData(form);
    var params = new URLSearchParams();
    ["q", "title", "author", "isbn", "kind"].forEach(function (k) { if (data.get(k)) params.set(k, data.get(k)); });
    var chosen = data.getAll("providers");
    if (chosen.length) params.set("providers", chosen.join(","));
    return params;
  }
  function showStatus(providers) {
    statusList.replaceChildren.apply(statusList, providers.map(function (p) {
      return el("li", { "data-provider": p.name, class: p.ok ? "" : "warning", text: p.status || (p.label + ": OK") });
    }));
  }
  function card(result) {
    var button = el("button", { type: "button", text: result.in_library ? "Already " + result.in_library.status : "Add to wanted" });
    button.disabled = !!result.in_library;
    button.addEventListener("click", function () { addWanted(result, button); });
    var cover = result.cover_url ? el("img", { src: result.cover_url, alt: "Cover of " + result.title, width: "96", loading: "lazy" }) : null;
    var sources = result.sources.map(function (s) { return s.provider; }).join(", ");
    return el("article", { class: "card result" }, [
      cover, el("h2", { text: result.title }),
      el("p", { text: result.authors.join(", ") + (result.year ? " · " + result.year : "") }),
      el("p", { text: (result.series ? result.series + (result.series_index !== null ? " #" + result.series_index : "") + " · " : "") +
        (result.isbn13 ? "ISBN " + result.isbn13 : "") }),
      el("p", { text: "From " + sources + " · confidence " + result.confidence.toFixed(2) }),
      button,
    ]);
  }
  async function addWanted(result, button) {
    var first = result.sources[0];
    button.disabled = true;
    try {
      var item = await OmniApi.post("/api/media/wanted/", { provider: first.provider, external_id: first.external_id,
        kind: document.getElementById("kind").value, title: result.title, authors: result.authors,
        isbn13: result.isbn13, year: result.year, cover_url: result.cover_url });
      // A reader's addition is a request: nothing is searched until an admin approves it.
      button.textContent = item.status === "requested" ? "Requested (waits for an admin)" : "Wanted";
    } catch (e) { button.disabled = false; showError(e); }
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    results.replaceChildren(el("p", { text: "Searching…" }));
    try {
      var data = await OmniApi.get("/api/metadata/search?" + query().toString());
      showStatus(data.providers);
      results.replaceChildren.apply(results, data.results.length ? data.results.map(card) : [el("p", { text: "Nothing found." })]);
    } catch (e) { results.replaceChildren(); showError(e); }
  });
})();
