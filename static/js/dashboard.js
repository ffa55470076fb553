/* Charts on the dashboard: a <canvas data-chart='{...}'> gets a Chart.js chart; the same numbers are in a
   table next to it for screen readers and without JavaScript. Re-drawn after htmx refreshes a panel. */
(function () {
  "use strict";
  function draw(root) {
    if (!window.Chart) { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      new window.Chart(canvas, spec);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
})();
