// Live SLA timers: counts down the server-computed seconds left on each badge.
(function () {
  "use strict";
  function format(seconds) {
    var s = Math.abs(seconds), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-sla-seconds]").forEach(function (badge) {
      if (!badge.dataset.slaStart) { badge.dataset.slaStart = String(now); }
      var left = Number(badge.dataset.slaSeconds) - Math.floor((now - Number(badge.dataset.slaStart)) / 1000);
      var text = badge.querySelector("[data-sla-text]");
      if (!text) { return; }
      text.textContent = (left < 0 ? "−" : "") + format(left);
      if (left < 0 && badge.dataset.slaState !== "breached") {
        badge.dataset.slaState = "breached";
        badge.classList.remove("bg-azure-lt", "bg-orange-lt");
        badge.classList.add("bg-red-lt");
      }
    });
  }
  tick();
  setInterval(tick, 30000);
  document.addEventListener("htmx:afterSwap", tick);
})();
