// The API's interactive documentation: Swagger UI reading /api/v1/openapi.json.
// Served from the installed flask-swagger-ui package (tracker.api.views.docs_asset).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: false
  });
}());
