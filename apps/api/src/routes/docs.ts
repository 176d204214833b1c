import { Hono } from "hono";
import { docsPage, docsScript, docsStyle } from "../docs-page.js";
import type { AppEnv } from "../lib/context.js";
import { openApiDocument } from "../openapi.js";

let cached: { version: string; text: string } | null = null;

/** The OpenAPI document (built once per version) and the self-contained page that browses it. */
export const docsRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    const { version } = c.get("deps").config;
    if (cached?.version !== version) cached = { version, text: JSON.stringify(openApiDocument({ version })) };
    c.header("Content-Type", "application/json; charset=UTF-8");
    c.header("Cache-Control", "no-cache");
    return c.body(cached.text);
  })
  .get("/docs", (c) => c.html(docsPage))
  .get("/docs/app.js", (c) => c.body(docsScript, 200, { "Content-Type": "text/javascript; charset=UTF-8", "Cache-Control": "no-cache" }))
  .get("/docs/app.css", (c) => c.body(docsStyle, 200, { "Content-Type": "text/css; charset=UTF-8", "Cache-Control": "no-cache" }));
