// Wanted page: an admin approves (the item becomes wanted and is searched) or denies a reader's request.
(function () {
  var errorBox = document.getElementById("requests-error");
  async function decide(row, action) {
    errorBox.hidden = true;
    row.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    try {
      await OmniApi.post("/api/media/wanted/" + row.dataset.itemId + "/" + action);
      var title = row.cells[0].textContent;
      row.remove();
      OmniApi.announce((action === "approve" ? "Approved: " : "Denied: ") + title);
      if (action === "approve") window.location.reload();
    } catch (e) {
      row.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
      errorBox.textContent = e.message;
      errorBox.hidden = false;
    }
  }
  document.querySelectorAll("#requests tr[data-item-id]").forEach(function (row) {
    row.querySelector("button.approve").addEventListener("click", function () { decide(row, "approve"); });
    row.querySelector("button.deny").addEventListener("click", function () { decide(row, "deny"); });
  });
})();
