import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginBody } from "../src/auth/routes.js";
import { ProgressQuery } from "../src/plans/routes.js";
import { z } from "zod";
import { API_BASE, defineOperation, errorStatuses, operationKey, routeKeys } from "../src/lib/operation.js";
import { operations } from "./operations.js";
import { apiRoutes } from "../src/app.js";
import { openApiDocument } from "../src/docs/routes.js";
import { swaggerUiDir } from "../src/docs/viewer.js";
import { type Harness, makeHarness, ORIGIN } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
}, 120_000);
afterAll(() => h?.dispose());

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; security?: unknown[]; "x-permission": string }>>;
  components: { schemas: Record<string, unknown> };
};

describe("the operations", () => {
  it("declares every route of the app, and every declaration has its route", () => {
    const routes = routeKeys(h.app.routes);
    const entries = operations.map(operationKey).sort();
    expect(new Set(entries).size).toBe(entries.length);
    // Left: routes without an entry; right: entries without a route.
    expect({ withoutEntry: routes.filter((r) => !entries.includes(r)), withoutRoute: entries.filter((e) => !routes.includes(e)) }).toEqual({ withoutEntry: [], withoutRoute: [] });
  });

  it("turns Hono paths into OpenAPI keys and leaves middleware out", () => {
    expect(
      routeKeys([
        { method: "ALL", path: "/api/v1/*" },
        { method: "GET", path: "/api/v1/plans/:planId/progress" },
        { method: "GET", path: "/api/v1/plans/:planId/progress" },
        { method: "DELETE", path: "/api/v1/x/:id{[0-9]+}" },
        { method: "GET", path: "/elsewhere" },
      ]),
    ).toEqual(["DELETE /x/{id}", "GET /elsewhere", "GET /plans/{planId}/progress"]);
  });

  it("uses unique operation ids and summaries in Chinese and English", () => {
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of operations) {
      expect(o.summary[0], o.operationId).toMatch(/[\u4e00-\u9fff]/);
      expect(o.summary[1], o.operationId).toMatch(/[A-Za-z]/);
    }
  });
  it("declares an operation once: the route config carries its schemas, access and errors; a path's 404 implied", () => {
    const Params = z.object({ id: z.string() });
    const spec = { method: "patch", path: "/things/{id}", tag: "plans", operationId: "testOnlyChangeThing", access: "plans.edit", scope: "your plans", summary: ["改", "Change"], params: Params, body: Params, success: { status: 200, description: "it", schema: Params }, errors: [409] } as const;
    const route = defineOperation(spec) as unknown as { method: string; path: string; request: { params: unknown; body: { content: Record<string, { schema: unknown }> } }; responses: Record<string, unknown>; "x-permission": string };
    expect(route).toMatchObject({ method: "patch", path: "/things/{id}", "x-permission": "plans.edit" });
    expect(route.request.body.content["application/json"]!.schema).toBe(Params);
    expect(Object.keys(route.responses).sort()).toEqual(["200", "400", "401", "403", "404", "409", "413"]);
    expect(errorStatuses(spec)).toEqual([400, 401, 403, 404, 409, 413]);
    expect(() => defineOperation({ ...spec, summary: ["又", "Again"] })).toThrow(/declared twice/);
  });
});

describe("the document", () => {
  const doc = openApiDocument(apiRoutes()) as unknown as Doc;

  it("is generated from the routes' own zod schemas, every one representable", () => {
    const login = doc.paths["/auth/login"]!.post!.requestBody!.content["application/json"]!.schema as { properties: Record<string, { maxLength?: number }>; required: string[] };
    expect(login.required.sort()).toEqual(Object.keys(LoginBody.shape).sort());
    expect(login.properties.username!.maxLength).toBe(64);
    const params = doc.paths["/plans/{planId}/progress"]!.get!.parameters!;
    expect(params.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual(["path:planId:true", "query:period:true", "query:region:true"]);
    const period = params.find((p) => p.name === "period")!.schema as { pattern: string };
    expect(new RegExp(period.pattern).test("2024-09")).toBe(true);
    expect(ProgressQuery.safeParse({ period: "2024-13", region: "430500" }).success).toBe(new RegExp(period.pattern).test("2024-13"));
    // the bundle is one component, in its input form (defaults optional) and its output form
    expect(doc.paths["/bundles"]!.post!.requestBody!.content["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/BundleInput" });
    expect(doc.paths["/bundles/{planId}"]!.get!.responses["200"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Bundle" });
    expect((doc.components.schemas.BundleInput as { required: string[] }).required.sort()).toEqual(["format", "plans", "regions"]);
  });

  it("is well formed: path parameters match their templates, refs resolve, errors use the common body", () => {
    expect(doc.openapi).toBe("3.1.0");
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref") refs.push(x as string);
          else walk(x);
        }
    };
    walk(doc);
    for (const ref of refs) expect(doc.components.schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name).sort();
        expect(declared, `${method} ${path}`).toEqual(inTemplate);
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => s.startsWith("2")), `${method} ${path} has a success answer`).toBe(true);
        for (const s of statuses.filter((x) => !x.startsWith("2"))) expect(op.responses[s]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Error" });
        if (op["x-permission"] === "public") expect(op.security).toEqual([]);
        else expect(statuses).toContain("401");
      }
    }
  });

  it("lists the errors each operation can answer with", () => {
    const op = (key: string) => operations.find((o) => operationKey(o) === key)!;
    expect(errorStatuses(op("GET /health"))).toEqual([]);
    expect(errorStatuses(op("GET /auth/me"))).toEqual([401]);
    expect(errorStatuses(op("GET /plans/{planId}/progress"))).toEqual([400, 401, 403, 404]);
    expect(errorStatuses(op("POST /auth/login"))).toEqual([400, 401, 403, 413, 423, 429]);
  });
});

describe("GET /api/v1/openapi.json and /api/v1/docs", () => {
  it("serves the document to anyone, with the running version", async () => {
    const res = await h.call(null, "GET", `${API_BASE}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const served = (await res.json()) as Doc;
    expect(served.info.version).toBe(h.deps.config.version);
    expect(Object.keys(served.paths).sort()).toEqual([...new Set(operations.map((o) => o.path))].sort());
  });

  it("serves Swagger UI: a page without inline script or style that loads only files of this origin, under the docs policy", async () => {
    const page = await h.call(null, "GET", `${API_BASE}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    // its own policy (lib/security-headers.ts): script and style from this origin only, nothing inline, no eval
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.sort()).toEqual(["docs/app.js", "docs/swagger-ui-bundle.js", "docs/swagger-ui.css", "openapi.json"]);
    // relative to /api/v1/docs, so all on this origin, below /api/v1
    for (const ref of refs) expect(new URL(ref, `${ORIGIN}${API_BASE}/docs`).href).toBe(`${ORIGIN}${API_BASE}/${ref}`);
    // the bundle runs before the start script (both deferred, in order)
    expect(html.indexOf("docs/swagger-ui-bundle.js")).toBeLessThan(html.indexOf("docs/app.js"));
  });

  it("serves Swagger UI's own files from the installed swagger-ui-dist, with their types, revalidated and compressed", async () => {
    const dir = swaggerUiDir();
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("swagger-ui-dist");
    for (const [path, file, type] of [
      ["docs/swagger-ui-bundle.js", "swagger-ui-bundle.js", /^text\/javascript/],
      ["docs/swagger-ui.css", "swagger-ui.css", /^text\/css/],
    ] as const) {
      const res = await h.call(null, "GET", `${API_BASE}/${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      const served = await res.text();
      const installed = readFileSync(join(dir, file), "utf8");
      // as installed, less the source-map comment (the maps are not served)
      expect(served).toBe(installed.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "").replace(/\/\*# sourceMappingURL=\S+ ?\*\/\s*$/, ""));
      expect(served).not.toContain("sourceMappingURL");
      const etag = res.headers.get("etag")!;
      expect((await h.call(null, "GET", `${API_BASE}/${path}`, undefined, { "if-none-match": etag })).status).toBe(304);
      const zipped = await h.call(null, "GET", `${API_BASE}/${path}`, undefined, { "accept-encoding": "gzip, br" });
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString("utf8")).toBe(served);
    }
  });

  it("starts Swagger UI on this document, with the session cookie and without any outside service", async () => {
    const res = await h.call(null, "GET", `${API_BASE}/docs/app.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    const script = await res.text();
    expect(script).not.toMatch(/https?:\/\//);
    // run it as the browser would, after the bundle: against a stand-in that records the configuration
    const configs: Record<string, unknown>[] = [];
    const SwaggerUIBundle = Object.assign((config: Record<string, unknown>) => (configs.push(config), { ok: true }), { presets: { apis: "apis-preset" } });
    const window: Record<string, unknown> = { SwaggerUIBundle };
    new Function("window", script)(window);
    expect(configs).toHaveLength(1);
    const config = configs[0]!;
    expect(config).toMatchObject({ dom_id: "#swagger-ui", presets: ["apis-preset"], withCredentials: true, validatorUrl: null, persistAuthorization: false });
    expect(window.ui).toEqual({ ok: true });
    // the document it loads is this API's, relative to the page
    const html = await (await h.call(null, "GET", `${API_BASE}/docs`)).text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    const url = new URL(String(config.url), `${ORIGIN}${API_BASE}/docs`);
    expect(url.href).toBe(`${ORIGIN}${API_BASE}/openapi.json`);
    const doc = (await (await h.call(null, "GET", url.pathname)).json()) as Doc & { servers: { url: string }[]; components: { securitySchemes: Record<string, { type: string; in?: string; scheme?: string }> } };
    // "Try it out" goes to this origin's /api/v1, signed in by the session cookie or the bearer token of Authorize
    expect(new URL(doc.servers[0]!.url, url).href).toBe(`${ORIGIN}${API_BASE}`);
    expect(doc.components.securitySchemes).toMatchObject({ session: { type: "apiKey", in: "cookie" }, bearer: { type: "http", scheme: "bearer" } });
  });
});
