/* The header search: "/" focuses the box (unless you are typing somewhere), Escape or a click elsewhere closes
   the suggestions (a second Escape clears the box, as browsers do). The suggestions themselves come from htmx (hx-get on the box); without JavaScript the box is a
   plain GET form to the results page. */
(function () {
  "use strict";

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function suggestions() { return document.getElementById("site-search-suggestions"); }

  function close() {
    var box = suggestions();
    if (box) { box.innerHTML = ""; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      var input = document.getElementById("site-search-q");
      if (input) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    } else if (event.key === "Escape" && event.target && event.target.id === "site-search-q") {
      var box = suggestions();
      if (box && box.innerHTML.trim() !== "") {
        event.preventDefault();  // the first Escape closes the suggestions; the next one clears the box
        close();
      }
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest(".site-search")) { close(); }
  });
})();
