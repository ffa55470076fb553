/* Starts the Swagger UI of /api/docs (swagger-ui-bundle.js from django-ninja's static files).
   The settings come from a data attribute: no inline script, so the page runs under our CSP. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  var config = JSON.parse(root.dataset.settings || "{}");
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = SwaggerUIBundle(config);
})();
