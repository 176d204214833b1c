import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The interactive API docs at GET /api/v1/docs: Swagger UI from the `swagger-ui-dist` package,
 * served by the API itself from node_modules (nothing from a CDN, nothing downloaded at run time:
 * the platform runs on government intranets), started by our own small script on this API's
 * document. No inline script or style, so the docs page's Content-Security-Policy
 * (lib/security-headers.ts: script-src and style-src 'self') holds.
 */

/** The page: Swagger UI's style sheet and bundle, then our start script, all from this origin (paths relative to /api/v1/docs). */
export const docsPage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>民生实事 API 文档 · API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<noscript><p>此页需要 JavaScript · This page needs JavaScript; the document itself is at <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p></noscript>
<script src="docs/swagger-ui-bundle.js" defer></script>
<script src="docs/app.js" defer></script>
</body>
</html>
`;

/**
 * Starts Swagger UI (deferred scripts run in order: the bundle first). Sign-in: "Try it out" on
 * POST /auth/login sets this origin's session cookie, which every later call carries
 * (withCredentials); or Authorize with an API token (the bearer scheme). validatorUrl null: no
 * badge fetched from validator.swagger.io.
 */
export const docsScript = `"use strict";
(function () {
  var SwaggerUIBundle = window.SwaggerUIBundle;
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    deepLinking: true,
    docExpansion: "none",
    filter: true,
    displayOperationId: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    withCredentials: true,
    persistAuthorization: false,
    validatorUrl: null
  });
})();
`;

export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
  type: string;
}

/** Where swagger-ui-dist is installed (resolved from this module: src/ in tests, dist/ when built). */
export const swaggerUiDir = () => dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

const asset = (text: string, type: string): Asset => {
  const body = new Uint8Array(Buffer.from(text, "utf8"));
  return { body, gzip: new Uint8Array(gzipSync(body)), etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`, type };
};

// The source maps are not served: drop the comments that would send devtools asking for them.
const withoutSourceMap = (text: string) => text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "").replace(/\/\*# sourceMappingURL=\S+ ?\*\/\s*$/, "");

let swaggerUi: { script: Asset; style: Asset } | undefined;

/** Swagger UI's bundle and style sheet, read (and compressed) once, at the first request that needs them. */
export function swaggerUiAssets(): { script: Asset; style: Asset } {
  swaggerUi ??= (() => {
    const dir = swaggerUiDir();
    return {
      script: asset(withoutSourceMap(readFileSync(join(dir, "swagger-ui-bundle.js"), "utf8")), "text/javascript; charset=UTF-8"),
      style: asset(withoutSourceMap(readFileSync(join(dir, "swagger-ui.css"), "utf8")), "text/css; charset=UTF-8"),
    };
  })();
  return swaggerUi;
}

/** Our start script, as an asset like the others. */
export const startScript = asset(docsScript, "text/javascript; charset=UTF-8");
