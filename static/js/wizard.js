// Setup wizard: "Test connection" buttons call /wizard/test/<service> with the typed values.
(function () {
  var result = document.getElementById("test-result");
  document.querySelectorAll("button[data-test]").forEach(function (button) {
    button.addEventListener("click", async function () {
      var service = button.dataset.test;
      var value = function (name) { var input = document.getElementById("id_" + service + "_" + name); return input ? input.value : ""; };
      result.textContent = "Testing " + service + "…";
      var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
      try {
        var response = await fetch("/wizard/test/" + service, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ url: value("url"), api_key: value("api_key") }) });
        var data = await response.json();
        result.className = "field-" + data.level;
        result.textContent = data.text + (data.hint ? " " + data.hint : "");
      } catch (e) { result.className = "field-error"; result.textContent = "Test failed: " + e.message; }
    });
  });
})();
