// Points Swagger UI at this service's description (relative, so it works behind a path prefix too). No validator
// badge: it would send the description to a third party.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("../v3/api-docs", window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
});
