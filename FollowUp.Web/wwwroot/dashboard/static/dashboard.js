// FollowUp dashboard: live counters over Server-Sent Events, and "select all" on lists.
// No inline scripts anywhere (the CSP forbids them); this file is the only script.
(function () {
  "use strict";

  function connect() {
    var status = document.querySelector("[data-live-status]");
    if (!document.querySelector("[data-counter]") || !window.EventSource) { return; }
    // EventSource reconnects by itself after an error or a server restart.
    var source = new EventSource("/dashboard/live");
    source.addEventListener("counters", function (e) {
      var data = JSON.parse(e.data);
      document.querySelectorAll("[data-counter]").forEach(function (el) {
        var key = el.getAttribute("data-counter");
        if (Object.prototype.hasOwnProperty.call(data.counts, key)) {
          el.textContent = Number(data.counts[key]).toLocaleString("en-US");
        }
      });
      document.querySelectorAll("[data-counted-at]").forEach(function (el) { el.textContent = data.countedAt || "not yet"; });
      if (status) { status.className = "live connected"; status.textContent = "live"; }
    });
    source.onerror = function () {
      if (status) { status.className = "live disconnected"; status.textContent = "reconnecting…"; }
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
