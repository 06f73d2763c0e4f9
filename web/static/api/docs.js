// Draws /api/v1/openapi.json with the vendored Swagger UI (no inline script: CSP 'self').
(function () {
  var node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: node.getAttribute("data-spec"), domNode: node, deepLinking: true });
})();
