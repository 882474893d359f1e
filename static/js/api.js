// One way to call the JSON API from page scripts: session auth, CSRF header, envelope.
window.OmniApi = (function () {
  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  async function call(method, url, body) {
    var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body instanceof FormData) options.body = body;  // multipart: the browser sets the boundary
    else if (body !== undefined) {
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
  // On a phone a table's rows stack and its header row is hidden (app.css): each cell carries
  // its column's visible name in data-label, shown before the value, so a scan's "5 0 0 0"
  // reads "Added: 5", "Updated: 0"... Empty cells, cells spanning columns and unnamed columns
  // stay bare.
  function columnNames(table) {
    var head = table && table.tHead && table.tHead.rows[0];
    if (!head) return null;
    return Array.prototype.map.call(head.cells, function (th) {
      var copy = th.cloneNode(true);
      copy.querySelectorAll("[aria-hidden=true], .sr-only").forEach(function (n) { n.remove(); });
      return copy.textContent.trim();
    });
  }
  function labelRows(rows, names) {
    if (!names) return;
    Array.prototype.forEach.call(rows, function (tr) {
      Array.prototype.forEach.call(tr.cells || [], function (cell, i) {
        if (cell.tagName !== "TD" || !names[i] || cell.hasAttribute("colspan")) return;
        if (cell.textContent.trim() || cell.children.length) cell.setAttribute("data-label", names[i]);
        else cell.removeAttribute("data-label");  // an empty value is not named
      });
    });
  }
  function labelTables() {
    document.querySelectorAll("table.table").forEach(function (table) {
      var names = columnNames(table);
      Array.prototype.forEach.call(table.tBodies, function (body) { labelRows(body.rows, names); });
    });
  }
  var labelling = false;  // at most once per frame, whatever the page scripts redraw
  new MutationObserver(function () {
    if (labelling) return;
    labelling = true;
    requestAnimationFrame(function () { labelling = false; labelTables(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", labelTables);
  // Live tables redraw every few seconds: skip a redraw that changes nothing, and put keyboard
  // focus back on the same control (same row key, same position in the row) after one that does.
  function replaceRows(container, children) {
    var fresh = document.createElement(container.tagName);
    children.forEach(function (child) { fresh.appendChild(child); });
    if (container.tagName === "TBODY") labelRows(fresh.children, columnNames(container.closest("table.table")));
    if (fresh.innerHTML === container.innerHTML) return;
    var focused = document.activeElement, restore = null;
    if (focused && focused !== container && container.contains(focused)) {
      var row = focused.closest("[data-key]") || focused.parentElement;
      var controls = Array.prototype.slice.call(row.querySelectorAll("button, a, input, select"));
      restore = { key: row.getAttribute("data-key"), index: controls.indexOf(focused) };
    }
    container.replaceChildren.apply(container, children);
    if (restore && restore.key !== null) {
      var again = container.querySelector('[data-key="' + CSS.escape(restore.key) + '"]');
      var target = again && again.querySelectorAll("button, a, input, select")[restore.index];
      if (target && !target.disabled) target.focus();
      else if (again) { again.setAttribute("tabindex", "-1"); again.focus(); }
    }
  }
  // A page's first screen, embedded by its view with json_script: exactly the `data` the API
  // endpoint would answer, so the page draws it without a request and then polls as before.
  function embedded(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  // One polite live region (base.html) for short news: a job started, finished or failed.
  function announce(text) {
    var region = document.getElementById("live-status");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  // Remembers each job's state between polls and announces the changes.
  function jobWatcher(describe) {
    var known = null;
    return function (jobs, stillActive) {
      var now = {};
      jobs.forEach(function (job) { now[job.id] = job; });
      if (known !== null) {
        var news = [];
        jobs.forEach(function (job) {
          var before = known[job.id];
          if (!before || before.state !== job.state) news.push(describe(job) + ": " + job.state);
        });
        if (stillActive) Object.keys(known).forEach(function (id) {
          if (!now[id]) news.push(describe(known[id]) + ": finished");
        });
        announce(news.join(". "));
      }
      known = now;
    };
  }
  // A job's progress in words: "42% · ETA 12 s" against a known total; "1,234 done · 410/s"
  // while the total is not known yet (a percentage or an ETA then would be a guess).
  function progressText(job) {
    if (job.progress_total) {
      var text = job.percent + "%";
      if (job.eta_seconds !== null && job.eta_seconds !== undefined) text += " · ETA " + duration(job.eta_seconds);
      return text;
    }
    if (job.state !== "running" || !job.progress_done) return "";
    var rate = job.rate_per_second ? " · " + job.rate_per_second.toLocaleString() + "/s" : "";
    return job.progress_done.toLocaleString() + " done" + rate + " · counting…";
  }
  function duration(seconds) {
    seconds = Math.ceil(seconds);
    if (seconds < 90) return seconds + " s";
    if (seconds < 5400) return Math.round(seconds / 60) + " min";
    return (seconds / 3600).toFixed(1) + " h";
  }
  // A <progress>: determinate against a known total, else indeterminate (no value).
  function progressBar(job) {
    var bar = el("progress", { "aria-label": job.title + " progress" });
    if (job.progress_total) { bar.max = job.progress_total; bar.value = job.progress_done; }
    return bar;
  }
  return {
    progressText: progressText,
    progressBar: progressBar,
    get: function (url) { return call("GET", url); },
    post: function (url, body) { return call("POST", url, body); },
    put: function (url, body) { return call("PUT", url, body); },
    patch: function (url, body) { return call("PATCH", url, body); },
    del: function (url) { return call("DELETE", url); },
    // POST one file as the multipart field "file" (cover uploads)
    upload: function (url, file) { var data = new FormData(); data.append("file", file); return call("POST", url, data); },
    el: el,
    replaceRows: replaceRows,
    embedded: embedded,
    announce: announce,
    jobWatcher: jobWatcher,
  };
})();
