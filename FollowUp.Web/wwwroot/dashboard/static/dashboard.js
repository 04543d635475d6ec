// FollowUp dashboard: live counters over Server-Sent Events, lists refreshed in place when the counts
// move, and "select all" on lists. No inline scripts anywhere (the CSP forbids them); this is the only script.
(function () {
  "use strict";

  var lastCounts = null;

  // Re-reads this page and swaps each [data-live-list] region for its fresh copy — unless the person
  // is using it (a ticked row, or focus inside), so a refresh never loses a selection or a half-typed value.
  function refreshLists() {
    var regions = document.querySelectorAll("[data-live-list]");
    if (regions.length === 0) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var name = region.getAttribute("data-live-list");
          var replacement = fresh.querySelector("[data-live-list='" + name + "']");
          var busy = region.querySelector("input:checked") || region.contains(document.activeElement);
          if (replacement && !busy) { region.innerHTML = replacement.innerHTML; }
        });
      })
      .catch(function () { /* the next change tries again */ });
  }

  function connect() {
    // Looked up each time: a live region may have replaced it.
    function setStatus(cls, text) {
      var status = document.querySelector("[data-live-status]");
      if (status) { status.className = "live " + cls; status.textContent = text; }
    }
    if (!(document.querySelector("[data-counter]") || document.querySelector("[data-live-list]")) || !window.EventSource) { return; }
    // EventSource reconnects by itself after an error or a server restart.
    var source = new EventSource("/dashboard/live");
    source.addEventListener("counters", function (e) {
      var data = JSON.parse(e.data);
      var counts = JSON.stringify(data.counts);
      if (lastCounts !== null && counts !== lastCounts) { refreshLists(); }
      lastCounts = counts;
      document.querySelectorAll("[data-counter]").forEach(function (el) {
        var key = el.getAttribute("data-counter");
        if (Object.prototype.hasOwnProperty.call(data.counts, key)) {
          el.textContent = Number(data.counts[key]).toLocaleString("en-US");
        }
      });
      document.querySelectorAll("[data-counted-at]").forEach(function (el) { el.textContent = data.countedAt || "not yet"; });
      setStatus("connected", "live");
    });
    source.onerror = function () {
      setStatus("disconnected", "reconnecting…");
    };
  }

  function selectAll() {
    document.querySelectorAll("input[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var form = box.closest("form") || document;
        form.querySelectorAll("input[name='ids']").forEach(function (row) { row.checked = box.checked; });
      });
    });
  }

  function confirmations() {
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (e) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { e.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { connect(); selectAll(); confirmations(); });
}());
