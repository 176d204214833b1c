import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { API_BASE, defineOperation, router } from "../lib/operation.js";
import { tags } from "./tags.js";
import { type Asset, docsPage, startScript, swaggerUiAssets } from "./viewer.js";

const OpenApiDocumentShape = z.looseObject({ openapi: z.literal("3.1.0"), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

const meta = { tag: "meta", access: "public" } as const;

const getHealth = defineOperation({
  ...meta, method: "get", path: "/health", operationId: "health",
  summary: ["健康检查", "Health check"],
  success: { status: 200, description: "服务正常 · up, with its version and database kind", schema: z.object({ status: z.literal("ok"), version: z.string(), database: z.string() }) },
});

export const getOpenApi = defineOperation({
  ...meta, method: "get", path: "/openapi.json", operationId: "openapi",
  summary: ["OpenAPI 3.1 文档", "This OpenAPI 3.1 document"],
  success: { status: 200, description: "the document", schema: OpenApiDocumentShape },
});
const getDocsPage = defineOperation({
  ...meta, method: "get", path: "/docs", operationId: "docsPage",
  summary: ["交互式接口文档", "Interactive API docs (Swagger UI, served by this API)"],
  success: { status: 200, description: "HTML page", media: "text/html" },
});
const getDocsScript = defineOperation({
  ...meta, method: "get", path: "/docs/app.js", operationId: "docsScript",
  summary: ["文档页脚本", "Script of the docs page: starts Swagger UI on this document"],
  success: { status: 200, description: "JavaScript", media: "text/javascript" },
});
const getSwaggerUiScript = defineOperation({
  ...meta, method: "get", path: "/docs/swagger-ui-bundle.js", operationId: "swaggerUiScript",
  summary: ["Swagger UI 脚本", "Swagger UI (swagger-ui-dist), as installed with the API"],
  success: { status: 200, description: "JavaScript", media: "text/javascript" },
});
const getSwaggerUiStyle = defineOperation({
  ...meta, method: "get", path: "/docs/swagger-ui.css", operationId: "swaggerUiStyle",
  summary: ["Swagger UI 样式", "Style sheet of Swagger UI (swagger-ui-dist)"],
  success: { status: 200, description: "CSS", media: "text/css" },
});

/** A static file of the docs page: revalidated on every load (ETag), gzip when the browser takes it. */
function serveAsset(c: Context, asset: Asset) {
  const headers: Record<string, string> = { "Content-Type": asset.type, "Cache-Control": "no-cache", ETag: asset.etag, Vary: "Accept-Encoding" };
  if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304, headers);
  if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) return c.body(asset.gzip, 200, { ...headers, "Content-Encoding": "gzip" });
  return c.body(asset.body, 200, headers);
}

/** The OpenAPI 3.1 document of an API app, generated from its operations' declarations. */
export function openApiDocument(app: object, version = "0.1.0"): Record<string, unknown> {
  if (!(app instanceof OpenAPIHono)) throw new Error("not an OpenAPIHono app");
  const generated = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "民生实事 API",
      version,
      description:
        "重点民生实事平台接口 · API of the key livelihood projects platform. Sign in with POST /auth/login (session cookie) or send `Authorization: Bearer <token>`. Every error answers `{ error: { code, message, params, problems } }`: `code` is its own (the error table @minsheng/domain/error-codes gives its status and Chinese text, `params` fill the text's placeholders).\n\n在文档页 /api/v1/docs 调试：对 POST /auth/login 点 “Try it out” 登录（之后的调用自动带上本站的会话 Cookie），或点 “Authorize” 填入 API 令牌 · In the docs page, sign in with “Try it out” on POST /auth/login (later calls carry this site's session cookie), or “Authorize” with an API token.",
    },
    servers: [{ url: API_BASE }],
    tags: Object.entries(tags).map(([name, description]) => ({ name, description })),
    security: [{ session: [] }, { bearer: [] }],
  });
  return {
    ...generated,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    components: {
      ...generated.components,
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "ms_session", description: "set by POST /auth/login (`__Host-ms_session` in production)" },
        bearer: { type: "http", scheme: "bearer", description: "an API token issued by a security administrator (POST /tokens); never for an administrator account" },
      },
    },
  };
}

/** Health, the OpenAPI document (built once per app and version) and the page that browses it. */
export function docsRoutes(api: () => object) {
  let cached: { version: string; doc: z.infer<typeof OpenApiDocumentShape> } | null = null;
  return router()
    .openapi(getHealth, (c) => {
      const { config, db } = c.get("deps");
      return c.json({ status: "ok" as const, version: config.version, database: db.kind }, 200);
    })
    .openapi(getOpenApi, (c) => {
      const { version } = c.get("deps").config;
      if (cached?.version !== version) cached = { version, doc: openApiDocument(api(), version) as z.infer<typeof OpenApiDocumentShape> };
      c.header("Cache-Control", "no-cache");
      return c.json(cached.doc, 200);
    })
    .openapi(getDocsPage, (c) => c.html(docsPage))
    .openapi(getDocsScript, (c) => serveAsset(c, startScript))
    .openapi(getSwaggerUiScript, (c) => serveAsset(c, swaggerUiAssets().script))
    .openapi(getSwaggerUiStyle, (c) => serveAsset(c, swaggerUiAssets().style));
}
