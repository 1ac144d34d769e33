// ChiHuy shell behaviour. Loaded as a file so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  // Submit the centre switcher and language selector as soon as they change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
  // Mobile navigation toggle.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-nav-toggle]");
    if (button) {
      var nav = document.getElementById(button.getAttribute("aria-controls"));
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      if (nav) nav.classList.toggle("open", !open);
    }
  });
  // HTMX sends the CSRF token on every request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  });
})();
