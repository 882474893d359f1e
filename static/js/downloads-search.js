// Interactive search: scored results with their breakdown and rejection reasons, and a grab button.
(function () {
  var tbody = document.getElementById("results"), itemId = tbody.dataset.itemId;
  var canManage = tbody.dataset.canManage === "1", el = OmniApi.el;
  var errorBox = document.getElementById("page-error"), summary = document.getElementById("search-summary");
  function fail(e) { errorBox.hidden = false; errorBox.textContent = e.message; }
  function size(bytes) {
    if (!bytes) return "?";
    var units = ["B", "KB", "MB", "GB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return bytes.toFixed(i ? 1 : 0) + " " + units[i];
  }
  function why(result) {
    var details = el("details", {}, [el("summary", { text: result.accepted ? "Accepted" : "Rejected: " + result.rejections.join("; ") })]);
    var list = el("ul");
    result.breakdown.forEach(function (part) {
      list.appendChild(el("li", { text: part.name + ": " + part.points + " / " + part.weight + " — " + part.detail }));
    });
    details.appendChild(list);
    return el("td", { class: result.accepted ? "" : "warning" }, [details]);
  }
  function grabCell(result) {
    var cell = el("td");
    if (!canManage) return cell;
    var button = el("button", { type: "button", text: result.protocol === "torrent" ? "Grab (torrent)" : "Grab" });
    button.addEventListener("click", async function () {
      try {
        var attempt = await OmniApi.post("/api/downloads/initiate/", { media_id: Number(itemId), result_id: result.id });
        // pending: the download client is down; the grab is kept and sent when it is back
        button.textContent = attempt.state === "pending" ? "Waiting for the download client" : "Sent (" + attempt.state + ")";
        button.disabled = true; errorBox.hidden = attempt.state !== "pending";
        if (attempt.state === "pending") errorBox.textContent = attempt.error;
      } catch (e) { fail(e); }
    });
    cell.appendChild(button);
    return cell;
  }
  function row(result) {
    var title = el("td", { text: result.title });
    if (result.parsed && result.parsed.format) title.appendChild(el("div", { class: "badge", text: result.parsed.format }));
    return el("tr", { "data-result-id": String(result.id) }, [title,
      el("td", { text: result.indexer + " (" + result.protocol + ")" }), el("td", { text: size(result.size) }),
      el("td", { text: String(result.score) }), why(result), grabCell(result)]);
  }
  function render(results) {
    tbody.replaceChildren.apply(tbody, results.length ? results.map(row)
      : [el("tr", {}, [el("td", { colspan: "6", text: "No results." })])]);
  }
  async function search() {
    summary.textContent = "Searching…";
    try {
      var data = await OmniApi.post("/api/downloads/search/" + itemId + "/", { mode: "interactive" });
      errorBox.hidden = true;
      summary.textContent = data.found + " found, " + data.duplicates + " duplicates, " + data.blacklisted +
        " blacklisted, " + data.accepted + " acceptable. Queries: " + data.queries.join(" | ") +
        (Object.keys(data.errors).length ? " Errors: " + JSON.stringify(data.errors) : "");
      render(data.results);
    } catch (e) { summary.textContent = ""; fail(e); }
  }
  document.getElementById("run-search").addEventListener("click", search);
  OmniApi.get("/api/downloads/search/" + itemId + "/results/").then(function (results) { if (results.length) render(results); }, fail);
})();
