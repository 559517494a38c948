// Drop-page estimate: "Use my location" fills the area form with the browser's position.
// Without geolocation (or when the shopper says no) the postcode field still works.
(function () {
  function setup(form) {
    var button = form.querySelector("[data-use-location]");
    var status = form.querySelector("[data-location-status]");
    if (!button || !("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Finding you…";
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.elements.postcode.value = "";
        status.textContent = "";
        form.requestSubmit();
      }, function () {
        status.textContent = "We could not get your location. Enter your postcode instead.";
        form.elements.postcode.focus();
      }, { maximumAge: 600000, timeout: 10000 });
    });
    // Typing a postcode means the postcode wins over an earlier location.
    form.elements.postcode.addEventListener("input", function () {
      form.elements.lat.value = "";
      form.elements.lon.value = "";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-area-form]").forEach(setup);
  });
})();
