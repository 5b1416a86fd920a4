// Swagger UI start-up for /docs. A file, not an inline script, so the page's CSP can forbid inline code.
window.addEventListener("load", function () {
  SwaggerUIBundle({
    url: new URL("openapi.json", window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
  });
});
