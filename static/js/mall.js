// Countdowns: any element with data-countdown="<ISO instant>" shows the time left.
(function () {
  function format(ms) {
    if (ms <= 0) return null;
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    if (d > 0) return d + "d " + pad(h) + "h " + pad(m) + "m";
    if (h > 0) return h + "h " + pad(m) + "m " + pad(sec) + "s";
    return pad(m) + ":" + pad(sec);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var target = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(target)) return;
      var left = format(target - now);
      el.textContent = left === null ? (el.getAttribute("data-countdown-done") || "now") : left;
      var bar = el.getAttribute("data-countdown-bar");
      if (bar) {
        var total = parseFloat(el.getAttribute("data-countdown-total") || "0") * 1000;
        var meter = document.getElementById(bar);
        if (meter && total > 0) meter.value = Math.max(0, Math.min(1, (target - now) / total));
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();

// Forms whose button carries data-confirm ask first; a button with data-once cannot be double-clicked.
document.addEventListener("submit", function (event) {
  var button = event.submitter || event.target.querySelector("[data-confirm]");
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  var once = event.target.querySelector("[data-once]");
  if (once) { setTimeout(function () { once.disabled = true; }, 0); }
}, true);
