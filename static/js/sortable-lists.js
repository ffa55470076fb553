/* Drag-and-drop reordering for lists marked data-sortable (SortableJS). The new order is POSTed with htmx
   to data-reorder-url as order=<id>&order=<id>…; the server answers with the list re-rendered. The move
   up/down buttons in each row are the keyboard and no-JS alternative. */
(function () {
  "use strict";
  function init(root) {
    (root || document).querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.dataset.sortableReady || !window.Sortable) { return; }
      list.dataset.sortableReady = "1";
      window.Sortable.create(list, {
        animation: 150,
        onEnd: function () {
          var ids = Array.prototype.map.call(list.children, function (li) { return li.getAttribute("data-id"); });
          var body = ids.map(function (id) { return "order=" + encodeURIComponent(id); }).join("&");
          var target = list.closest("[id]") && list.parentElement.closest("[id]");
          window.htmx.ajax("POST", list.getAttribute("data-reorder-url"), {
            target: target || list, swap: "outerHTML", values: { order: ids }
          });
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
