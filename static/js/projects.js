/* The forced ranking: drag and drop with SortableJS. Dragging only reorders the hidden order inputs of the
   #reorder-form (they follow the list items); the executive then gives a reason and saves. The "Move" forms
   in each row are the keyboard and no-JS alternative. */
(function () {
  "use strict";
  function reveal(form, list) {
    form.hidden = false;
    form.classList.add("reorder-form--dirty");
    var status = form.querySelector(".reorder-form__status");
    if (status) { status.textContent = "The order changed but is not saved yet: say why and save it."; }
    var reason = form.querySelector("textarea, input[name=reason]");
    if (reason) { reason.focus(); }
    Array.prototype.forEach.call(list.children, function (li, i) {
      var rank = li.querySelector(".ranking__rank");
      if (rank) { rank.textContent = String(i + 1); }
    });
  }
  function init(root) {
    (root || document).querySelectorAll("[data-hide-until-dragged]").forEach(function (form) {
      if (window.Sortable) { form.hidden = true; }
    });
    (root || document).querySelectorAll("[data-rank-sortable]").forEach(function (list) {
      if (list.dataset.sortableReady || !window.Sortable) { return; }
      list.dataset.sortableReady = "1";
      var form = document.getElementById(list.getAttribute("data-reorder-form"));
      window.Sortable.create(list, {
        animation: 150,
        forceFallback: true,
        filter: "details, input, button, a, summary",
        preventOnFilter: false,
        onEnd: function (event) { if (form && event.oldIndex !== event.newIndex) { reveal(form, list); } }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
