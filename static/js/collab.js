/* Collab's own script. No inline scripts anywhere (the CSP forbids them): behaviour lives here. */
(function () {
  "use strict";

  // Focus the main landmark after the skip link, and move focus to new content htmx swaps in when asked.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-on-swap")) {
      var focusable = target.querySelector("[autofocus], [data-autofocus]") ||
        target.querySelector("h1, h2, input:not([type=hidden]), textarea, select, button");
      if (focusable) { if (!focusable.hasAttribute("tabindex") && /^H\d$/.test(focusable.tagName)) { focusable.setAttribute("tabindex", "-1"); } focusable.focus(); }
    }
  });

  // Buttons that open a <dialog> (data-open-dialog="id") and close it (data-close-dialog).
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var first = dialog.querySelector("input:not([type=hidden]), textarea, select");
        if (first) { first.focus(); }
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      var d = closer.closest("dialog");
      if (d) { event.preventDefault(); d.close(); }
    }
  });

  // Confirmation prompts without inline handlers: <button data-confirm="Really?">
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); event.stopPropagation(); }
  }, true);

  // Auto-submit filter forms on change when marked (htmx does the request; without JS there is a button).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && window.htmx) { window.htmx.trigger(form, "submit"); }
  });
})();
