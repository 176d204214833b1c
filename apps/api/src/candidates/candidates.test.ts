/** 征集 and 初选 (rule 13): citizens' proposals on 码上通 (moderation, ticket, limits), console proposals by role, screening, merging. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
const cookies: Record<string, string> = {};
const api = (who: string | null, method: string, path: string, body?: unknown) => h.call(who === null ? null : cookies[who]!, method, `/api/v1${path}`, body);
const count = async () => Number((await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM candidates")).rows[0]!.n);

beforeAll(async () => {
  h = await makeHarness();
  for (const who of ["city", "county", "observer", "reporter-edu"]) cookies[who] = await h.login(who);
}, 120_000);
afterAll(() => h?.dispose());

const propose = (body: object) => api(null, "POST", "/public/proposals", { region: "430523", title: "河伯乡集镇自来水延伸", description: "集镇以东三个村组尚未通自来水，希望延伸管网", ...body });

describe("a citizen's proposal on 码上通", () => {
  it("waits in moderation with a ticket, for next year by default; the same words twice in a day are refused", async () => {
    const res = await propose({});
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ state: "pending", stateLabel: "待审核", year: 2025, lookup: `/api/v1/public/proposals/tickets/${body.ticket}` });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const before = await count();
    const again = await propose({});
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("CANDIDATE_DUPLICATE_TEXT");
    expect(await count()).toBe(before);
  });

  it("refuses text too short (the suggestions' limits) and an unknown region, naming the field", async () => {
    const short = await propose({ title: "水", description: "短" });
    expect(short.status).toBe(400);
    expect((await short.json()).error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["$.description", "$.title"]);
    const region = await propose({ region: "999999", description: "另一个地方的自来水延伸建议" });
    expect(region.status).toBe(400);
    expect((await region.json()).error.problems[0].path).toBe("$.region");
  });

  it("shares the suggestions' rate limit", async () => {
    let refused = 0;
    for (let i = 0; i < 8; i++) if ((await propose({ description: `第 ${i} 条不同的建议内容，关于自来水` })).status === 429) refused++;
    expect(refused).toBeGreaterThan(0);
    h.deps.rateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };
  });

  it("lets the proposer read a decline and its reason through the ticket", async () => {
    h.deps.rateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };
    const { ticket } = await (await propose({ title: "修建高尔夫球场", description: "希望在县城修建一座高尔夫球场" })).json();
    const [c] = (await (await api("county", "GET", "/candidates?region=430523&state=pending")).json()).candidates.filter((x: { ticket: string }) => x.ticket === ticket);
    expect((await api("county", "POST", `/candidates/${c.id}/screen`, { decision: "adopt" })).status).toBe(409); // moderated first
    expect((await api("county", "POST", `/candidates/${c.id}/moderate`, { decision: "approve" })).status).toBe(200);
    const noReason = await api("county", "POST", `/candidates/${c.id}/screen`, { decision: "decline" });
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).error.problems[0].path).toBe("$.reason");
    expect((await api("county", "POST", `/candidates/${c.id}/screen`, { decision: "decline", reason: "不属于基本民生保障范围" })).status).toBe(200);
    const seen = await (await api(null, "GET", `/public/proposals/tickets/${ticket}`)).json();
    expect(seen).toMatchObject({ state: "declined", stateLabel: "不予采纳", reason: "不属于基本民生保障范围", region: "邵阳县" });
    expect((await api(null, "GET", "/public/proposals/tickets/0000000000AB")).status).toBe(404);
  });
});

describe("proposals in the console", () => {
  it("takes each role's own source: a unit as department, a deputy (observer) as deputy", async () => {
    const body = { year: 2025, region: "430500", title: "社区食堂", description: "" };
    expect((await api("reporter-edu", "POST", "/candidates", { ...body, source: "deputy" })).status).toBe(403);
    expect((await api("observer", "POST", "/candidates", { ...body, source: "department" })).status).toBe(403);
    expect((await api("observer", "POST", "/candidates", { ...body, source: "deputy" })).status).toBe(201);
    expect((await api("county", "POST", "/candidates", { ...body, source: "department" })).status).toBe(403); // the city is outside a county's area
    // a citizen's proposal collected offline gets a ticket too
    const offline = await api("city", "POST", "/candidates", { ...body, title: "老旧小区加装电梯", source: "public" });
    const { id } = await offline.json();
    const [c] = (await (await api("city", "GET", "/candidates?region=430500&year=2025")).json()).candidates.filter((x: { id: number }) => x.id === id);
    expect(c).toMatchObject({ state: "proposed", source: "public", sourceLabel: "群众征集" });
    expect(c.ticket).toMatch(/^[0-9A-Z]{12}$/);
  });

  it("merges a duplicate into another of the same year and region, audited", async () => {
    const make = async (title: string, year = 2025) => (await (await api("city", "POST", "/candidates", { year, region: "430500", title, description: "", source: "department" })).json()).id as number;
    const a = await make("城区停车位建设");
    const b = await make("新增城区停车位");
    const other = await make("停车位", 2026);
    expect((await api("city", "POST", `/candidates/${b}/merge`, { into: other })).status).toBe(400);
    const merged = await api("city", "POST", `/candidates/${b}/merge`, { into: a });
    expect(merged.status).toBe(200);
    expect(await merged.json()).toMatchObject({ state: "merged", mergedInto: a });
    expect((await api("city", "POST", `/candidates/${b}/screen`, { decision: "adopt" })).status).toBe(409);
    expect((await h.deps.db.query("SELECT 1 FROM audit_log WHERE action = 'candidate.merge' AND entity_id = $1", [String(b)])).rows).toHaveLength(1);
  });

  it("refuses a lead unit outside the proposal's area", async () => {
    const { id } = await (await api("county", "POST", "/candidates", { year: 2025, region: "430523", title: "乡镇卫生院改造", description: "", source: "department" })).json();
    const res = await api("county", "POST", `/candidates/${id}/screen`, { decision: "adopt", leadUnit: "no-such-unit" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems[0].path).toBe("$.leadUnit");
  });
});
