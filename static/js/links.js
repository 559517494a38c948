// Creator link page: "Copy link" copies the address from its read-only field (the field works without JS too).
(function () {
  function copied(button) {
    var label = button.textContent;
    button.textContent = "Copied!";
    setTimeout(function () { button.textContent = label; }, 2000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { copied(button); }, function () {
            if (document.execCommand("copy")) copied(button);
          });
        } else if (document.execCommand("copy")) {
          copied(button);
        }
      });
    });
  });
})();
