(function () {
  var button = document.getElementById("regenerate-key");
  var output = document.getElementById("api-key-new");
  button.addEventListener("click", async function () {
    if (!confirm("Create a new API key? The old one stops working at once.")) return;
    try {
      var data = await OmniApi.post("/api/auth/api-key", {});
      output.hidden = false;
      output.textContent = "Your new key (copy it now, it is not shown again): " + data.key;
      document.getElementById("api-key-status").textContent = "Current key starts with " + data.prefix + ".";
    } catch (e) { output.hidden = false; output.textContent = "Could not create a key: " + e.message; }
  });
})();
