// Loaded as a file, not inline: the page's Content-Security-Policy allows no inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    // Relative to the page (/v1/docs, or /<stage>/v1/docs behind API Gateway).
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Tokens typed into "Authorize" stay in this page's memory, never in storage.
    persistAuthorization: false,
    // No badge from the public validator service: this page talks to its own origin only.
    validatorUrl: null,
  });
});
