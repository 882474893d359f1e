// One way to call the JSON API from page scripts: session auth, CSRF header, envelope.
window.OmniApi = (function () {
  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  async function call(method, url, body) {
    var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    if (method !== "GET") options.headers["X-CSRFToken"] = csrfToken();
    var response = await fetch(url, options);
    var envelope;
    try { envelope = await response.json(); } catch (e) { envelope = null; }
    if (!envelope || !envelope.success) {
      var error = new Error((envelope && envelope.error) || ("HTTP " + response.status));
      error.code = envelope && envelope.error_code;
      error.status = response.status;
      throw error;
    }
    return envelope.data;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function (pair) {
      if (pair[0] === "text") node.textContent = pair[1];
      else node.setAttribute(pair[0], pair[1]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  return {
    get: function (url) { return call("GET", url); },
    post: function (url, body) { return call("POST", url, body); },
    del: function (url) { return call("DELETE", url); },
    el: el,
  };
})();
