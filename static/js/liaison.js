/* Keyboard reordering of a meeting's agenda: focus an item and press Alt+ArrowUp / Alt+ArrowDown; this
   presses the item's own "Move up"/"Move down" button (an htmx form that also works without JavaScript). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) { return; }
    var item = e.target.closest && e.target.closest("[data-keyboard-move]");
    if (!item) { return; }
    var button = item.querySelector('[data-move="' + (e.key === "ArrowUp" ? "up" : "down") + '"]');
    if (!button || button.disabled) { return; }
    e.preventDefault();
    var id = item.getAttribute("data-id");
    document.addEventListener("htmx:afterSettle", function refocus() {
      document.removeEventListener("htmx:afterSettle", refocus);
      var moved = document.querySelector('[data-keyboard-move][data-id="' + id + '"]');
      if (moved) { moved.focus(); }
    });
    button.click();
  });
})();
