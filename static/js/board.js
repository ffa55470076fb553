/* The snag board: cards are dragged between status columns (SortableJS). A drop fills the card's own
   "Move" form — the keyboard and no-JS alternative — and submits it with htmx; the server applies the same
   lifecycle rules and answers with the board re-rendered. A drop the rules do not allow, or a cancelled
   note prompt, puts the card back. */
(function () {
  "use strict";
  function needsNote(board) {
    var out = {};
    (board.getAttribute("data-needs-note") || "").split(",").forEach(function (pair) {
      var kv = pair.split(":");
      if (kv[0]) { out[kv[0]] = kv[1]; }
    });
    return out;
  }
  function putBack(evt) {
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
  }
  function init(root) {
    var board = (root && root.id === "board") ? root : document.getElementById("board");
    if (!board || !window.Sortable) { return; }
    board.querySelectorAll("[data-board-column]").forEach(function (list) {
      if (list.dataset.sortableReady) { return; }
      list.dataset.sortableReady = "1";
      window.Sortable.create(list, {
        group: "snag-board",
        forceFallback: true,  // pointer events: the same on mouse, touch and pen
        animation: 150,
        filter: "details, summary, input, textarea, select, button, .board__empty",
        preventOnFilter: false,
        onEnd: function (evt) {
          if (evt.from === evt.to) { return; }
          var to = evt.to.getAttribute("data-status");
          var form = evt.item.querySelector("form");
          var select = form && form.querySelector("select[name=to]");
          if (!select || !select.querySelector("option[value='" + to + "']")) {
            putBack(evt);
            window.alert("This snag cannot move to that column from where it is.");
            return;
          }
          select.value = to;
          var wanted = needsNote(board)[to];
          if (wanted) {
            var note = window.prompt("Write " + wanted + " for " + evt.item.getAttribute("data-code") + ":");
            if (note === null || !note.trim()) { putBack(evt); return; }
            form.querySelector("[name=note]").value = note;
          }
          window.htmx.trigger(form, "submit");
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
