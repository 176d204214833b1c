import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturePath, type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
let admin: string;
const fixture = JSON.parse(readFileSync(fixturePath, "utf8"));

beforeAll(async () => {
  h = await makeHarness();
  admin = await h.login("admin");
});
afterAll(() => h.dispose());

const count = async (table: string) => Number((await h.deps.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);

describe("POST /api/v1/bundles", () => {
  it("rejects an invalid bundle with every problem and its JSON path, writing nothing", async () => {
    const before = await Promise.all(["targets", "reports", "regions", "audit_log"].map(count));
    const broken = {
      ...fixture,
      targets: [...fixture.targets, { indicator: "no-such", region: "430523", value: 5 }, { indicator: "hn2024-p01-a", region: "999999", value: -1 }],
      progress: [...fixture.progress, { indicator: "hn2024-p02-a", region: "430523", period: "2024-13", value: 1 }],
    };
    const res = await h.call(admin, "POST", "/api/v1/bundles", broken);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("BUNDLE_INVALID");
    expect(error.params).toEqual({ count: error.problems.length });
    const paths = error.problems.map((p: { path: string }) => p.path);
    const n = fixture.targets.length;
    expect(paths).toEqual(expect.arrayContaining([`$.targets[${n + 1}].value`, `$.progress[${fixture.progress.length}].period`]));
    expect(paths.length).toBeGreaterThanOrEqual(2);
    expect(await Promise.all(["targets", "reports", "regions", "audit_log"].map(count))).toEqual(before);
  });

  it("reports reference problems after the schema passes (unknown indicator, unknown region)", async () => {
    const broken = { ...fixture, targets: [...fixture.targets, { indicator: "no-such", region: "430523", value: 5 }, { indicator: "hn2024-p01-a", region: "999999", value: 1 }] };
    const res = await h.call(admin, "POST", "/api/v1/bundles", broken);
    expect(res.status).toBe(400);
    const paths = (await res.json()).error.problems.map((p: { path: string }) => p.path);
    const n = fixture.targets.length;
    expect(paths).toEqual([`$.targets[${n}].indicator`, `$.targets[${n + 1}].region`]);
  });

  it("refuses a body that is not JSON, at $", async () => {
    const res = await h.call(admin, "POST", "/api/v1/bundles", "{not json", { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: "BUNDLE_NOT_JSON", message: "body is not valid JSON", problems: [{ path: "$", message: "is not valid JSON" }] });
  });

  it("is for admins only", async () => {
    expect((await h.call(await h.login("city"), "POST", "/api/v1/bundles", fixture)).status).toBe(403);
    expect((await h.call(null, "POST", "/api/v1/bundles", fixture)).status).toBe(401);
  });

  it("upserts a valid bundle in one go and records it in the audit log", async () => {
    const changed = structuredClone(fixture);
    changed.plans[1].title = "2024年邵阳市重点民生实事（修订）";
    const audits = await count("audit_log");
    const res = await h.call(admin, "POST", "/api/v1/bundles", changed);
    expect(res.status).toBe(201);
    expect((await res.json()).imported.progress).toBe(fixture.progress.length);
    expect(await count("audit_log")).toBe(audits + 1);
    const plans = (await (await h.call(admin, "GET", "/api/v1/plans")).json()).plans;
    expect(plans.find((p: { id: string }) => p.id === "sy2024").title).toBe("2024年邵阳市重点民生实事（修订）");
    // and back, so other tests see the original
    expect((await h.call(admin, "POST", "/api/v1/bundles", fixture)).status).toBe(201);
  });
});

describe("GET /api/v1/bundles/:planId", () => {
  it("exports a plan that imports back without loss", async () => {
    const res = await h.call(admin, "GET", "/api/v1/bundles/sy2024");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("sy2024.bundle.json");
    const exported = await res.json();
    expect(exported.format).toBe("minsheng.bundle/v1");
    expect(exported.progress).toHaveLength(fixture.progress.length);
    expect((await h.call(admin, "POST", "/api/v1/bundles", exported)).status).toBe(201);
    const again = await (await h.call(admin, "GET", "/api/v1/bundles/sy2024")).json();
    expect(again).toEqual(exported);
  });

  it("gives a county's staff only its own county's figures of the province plan", async () => {
    const res = await h.call(await h.login("county"), "GET", "/api/v1/bundles/hn2024");
    expect(res.status).toBe(200);
    const b = await res.json();
    expect(new Set(b.targets.map((t: { region: string }) => t.region))).toEqual(new Set(["430523"]));
    expect(b.progress.every((p: { region: string }) => p.region === "430523")).toBe(true);
  });

  it("answers 404 for an unknown plan and 400 for a malformed id", async () => {
    const missing = await h.call(admin, "GET", "/api/v1/bundles/nope");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: "PLAN_NOT_FOUND", params: { id: "nope" } });
    expect((await h.call(admin, "GET", "/api/v1/bundles/%20bad%20")).status).toBe(400);
  });
});

describe("audit", () => {
  it("verifies the chain after seeding, logins and imports", async () => {
    const res = await h.call(await h.login("auditor"), "GET", "/api/v1/audit/verify");
    expect(res.status).toBe(200);
    const check = await res.json();
    expect(check.ok).toBe(true);
    expect(check.entries).toBeGreaterThan(5);
  });
});
