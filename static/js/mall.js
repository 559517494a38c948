// Countdowns: any element with data-countdown="<ISO instant>" shows the time left, written as mall/timefmt.py
// writes it ("1 d 23 h", "1 h 22 min", "3 min 16 s"). At zero it shows data-countdown-done, disables the element
// named by data-countdown-disables and reveals the one named by data-countdown-reveals. One marked
// data-countdown-refresh then fires "countdown-reached", on which the region around it asks the server again
// (the drop page turns live, the cart bar drops an expired hold): the server says what is true, JS only counts.
var durationText = (function () {
  function two(big, bigUnit, small, smallUnit) {
    return big + " " + bigUnit + (small ? " " + small + " " + smallUnit : "");
  }
  return function (seconds) {
    var s = Math.max(Math.floor(seconds), 0);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return two(d, "d", h, "h");
    if (h > 0) return two(h, "h", m, "min");
    if (m > 0) return two(m, "min", sec, "s");
    return sec + " s";
  };
})();
(function () {
  function reached(el) {
    if (el.hasAttribute("data-countdown-reached")) return;
    el.setAttribute("data-countdown-reached", "");
    var off = document.getElementById(el.getAttribute("data-countdown-disables") || "");
    if (off) off.disabled = true;
    var on = document.getElementById(el.getAttribute("data-countdown-reveals") || "");
    if (on) on.hidden = false;
    if (el.hasAttribute("data-countdown-refresh")) {
      el.dispatchEvent(new CustomEvent("countdown-reached", { bubbles: true }));
    }
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var target = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(target)) return;
      var left = Math.floor((target - now) / 1000);
      if (left > 0) {
        el.textContent = durationText(left);
      } else {
        el.textContent = el.getAttribute("data-countdown-done") || "now";
        reached(el);
      }
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
  var once = event.submitter && event.submitter.hasAttribute("data-once") ? event.submitter
    : event.target.querySelector("[data-once]");
  if (once) { setTimeout(function () { once.disabled = true; }, 0); }
}, true);

// A page marked data-fresh-on-back (checkout) is asked for again when the back button restores it from memory:
// after an order it must show the order's link, not the form that was just sent.
window.addEventListener("pageshow", function (event) {
  if (event.persisted && document.querySelector("[data-fresh-on-back]")) window.location.reload();
});

// On a phone the dashboard's sidebar is one row that scrolls sideways: start it at the page the person is on.
document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector(".dash-nav");
  var here = nav && nav.querySelector('[aria-current="page"]');
  if (here && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = here.offsetLeft - nav.clientWidth / 2;
});
