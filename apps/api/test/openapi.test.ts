import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginBody } from "../src/routes/auth.js";
import { ProgressQuery } from "../src/plans/routes.js";
import { z } from "zod";
import { entries } from "../src/openapi-entry.js";
import { API_BASE, errorStatuses, operationKey, routeKeys } from "../src/openapi.js";
import { operations } from "./operations.js";
import { apiRoutes } from "../src/app.js";
import { openApiDocument } from "../src/docs/routes.js";
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

describe("the OpenAPI registry", () => {
  it("has an entry for every route of the app and a route for every entry", () => {
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
  it("writes entries in groups: key for method and path, the group's tag, access and scope, a path's 404 implied", () => {
    const Params = z.object({ id: z.string() });
    const [edit, read] = entries({ tag: "plans", access: "plans.edit", scope: "your plans" }, [
      { key: "PATCH /things/{id}", operationId: "t1", summary: ["改", "Change"], params: Params, body: Params, bodyExample: { id: "x" }, success: { status: 200, description: "it", schema: Params }, errors: [409] },
      { key: "GET /things", operationId: "t2", access: "plans.read", scope: "anything", summary: ["看", "Read"], success: { status: 200, description: "them" } },
    ]);
    expect(edit).toMatchObject({ method: "patch", path: "/things/{id}", tag: "plans", access: "plans.edit", scope: "your plans", errors: [404, 409] });
    expect(read).toMatchObject({ method: "get", path: "/things", access: "plans.read", scope: "anything" });
    expect(read).not.toHaveProperty("errors");
    expect(errorStatuses(edit!)).toEqual([400, 401, 403, 404, 409, 413]);
    expect(() => entries({ tag: "meta" }, [{ key: "GET /x", operationId: "x", summary: ["x", "x"], success: { status: 200, description: "x" } }])).toThrow(/no access/);
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
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) k === "$ref" ? refs.push(x as string) : walk(x);
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

  it("serves a self-contained page: no inline script or style, nothing from another origin", async () => {
    const page = await h.call(null, "GET", `${API_BASE}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    // its own policy (lib/security-headers.ts): script and style from this origin only, nothing inline
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'; style-src 'self'/);
    expect(page.headers.get("content-security-policy")).not.toMatch(/unsafe-inline/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(html).not.toMatch(/\sstyle=|<style/i);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual(["docs/app.css", "docs/app.js", "openapi.json", "openapi.json"]);
    for (const [path, type] of [["docs/app.js", /^text\/javascript/], ["docs/app.css", /^text\/css/]] as const) {
      const res = await h.call(null, "GET", `${API_BASE}/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
      expect(await res.text()).not.toMatch(/https?:\/\//);
    }
  });

  it("lists every operation and runs 'try it' against the API (script run on a minimal DOM)", async () => {
    const cookie = await h.login("city");
    const script = await (await h.call(null, "GET", `${API_BASE}/docs/app.js`)).text();
    const dom = fakeDocument(["version", "who", "login", "logout", "token", "filter", "ops"]);
    const browserFetch = (url: string, init: RequestInit = {}) => {
      const absolute = url.startsWith("/") ? `${ORIGIN}${url}` : `${ORIGIN}${API_BASE}/${url}`;
      const headers = new Headers(init.headers);
      headers.set("cookie", cookie);
      headers.set("origin", ORIGIN);
      return Promise.resolve(h.app.request(absolute, { ...init, headers }));
    };
    new Function("document", "fetch", "location", "alert", script)(dom.document, browserFetch, { hash: "" }, () => {});
    await until(() => dom.byId("ops").find((n) => n.className === "op").length === operations.length && dom.byId("who").textContent.includes("city"));
    expect(dom.byId("who").textContent).toContain("邵阳市专班");
    const progress = dom.byId("planProgress");
    const send = progress.find((n) => n.tag === "button")[0]!;
    send.dispatch("click");
    const out = progress.find((n) => n.className === "out")[0]!;
    await until(() => out.textContent.includes("200"));
    expect(out.textContent).toContain('"counts"');
  });
});

async function until(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Just enough DOM for the docs script: elements, text, attributes, events, ids. */
class FakeNode {
  children: FakeNode[] = [];
  attrs: Record<string, string> = {};
  listeners: Record<string, ((e: unknown) => void)[]> = {};
  own = "";
  className = "";
  hidden = false;
  open = false;
  value = "";
  classList = { toggle: (name: string, on: boolean) => (this.className = on ? `${this.className} ${name}` : this.className.replace(name, "")) };
  constructor(readonly tag: string, private readonly ids: Map<string, FakeNode>) {}
  appendChild(c: FakeNode) {
    this.children.push(c);
    return c;
  }
  setAttribute(k: string, v: unknown) {
    this.attrs[k] = String(v);
    if (k === "id") this.ids.set(String(v), this);
  }
  getAttribute(k: string) {
    return this.attrs[k] ?? null;
  }
  addEventListener(ev: string, fn: (e: unknown) => void) {
    (this.listeners[ev] ??= []).push(fn);
  }
  dispatch(ev: string) {
    for (const fn of this.listeners[ev] ?? []) fn({ target: this, preventDefault() {} });
  }
  get textContent(): string {
    return this.own + this.children.map((c) => c.textContent).join("");
  }
  set textContent(v: string) {
    this.own = String(v);
    this.children = [];
  }
  find(match: (n: FakeNode) => boolean): FakeNode[] {
    return this.children.flatMap((c) => [...(match(c) ? [c] : []), ...c.find(match)]);
  }
}

function fakeDocument(staticIds: string[]) {
  const ids = new Map<string, FakeNode>();
  for (const id of staticIds) ids.set(id, new FakeNode("div", ids));
  const document = {
    getElementById: (id: string) => ids.get(id) ?? null,
    createElement: (tag: string) => new FakeNode(tag, ids),
    createTextNode: (text: string) => Object.assign(new FakeNode("#text", ids), { own: text }),
    querySelectorAll: () => [],
  };
  return { document, byId: (id: string) => ids.get(id)! };
}
