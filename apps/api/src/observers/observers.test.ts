import { observerDuties } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

/** The observers' registry and "四个一" (rules 9, 12) through the API, on an injected clock. */

const API = "/api/v1";
let h: Harness;
const cookie: Record<string, string> = {};
let observerUser = 0;

async function setClock(at: string) {
  h.clock.now = new Date(at);
  for (const a of Object.keys(cookie)) cookie[a] = await h.login(a);
}

beforeAll(async () => {
  h = await makeHarness();
  for (const a of ["city", "county", "observer", "reporter"]) cookie[a] = await h.login(a);
  observerUser = Number((await h.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = 'observer'")).rows[0]!.id);
}, 120_000);
afterAll(() => h?.dispose());

describe("the registry", () => {
  it("links an entry to an observer account once, inside the task force's area", async () => {
    const count = async () => Number((await h.deps.db.query<{ n: string }>("SELECT count(*) AS n FROM observers")).rows[0]!.n);
    const reporterId = Number((await h.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = 'reporter'")).rows[0]!.id);
    const base = { name: "李代表", background: "人大代表", region: "430523", group: "城市建设组" };
    for (const [who, body, status, code] of [
      ["county", { ...base, region: "430524" }, 403, "REGION_OUTSIDE_AREA"],
      ["county", { ...base, region: "999999" }, 400, "OBSERVER_UNKNOWN_REGION"],
      ["county", { ...base, userId: reporterId }, 400, "OBSERVER_USER_NOT_OBSERVER"],
      ["county", { ...base, userId: 999_999 }, 400, "OBSERVER_USER_UNKNOWN"],
      ["county", { ...base, name: "" }, 400, "VALIDATION_FAILED"],
      ["observer", base, 403, "PERMISSION_DENIED"],
    ] as const) {
      const res = await h.call(cookie[who]!, "POST", `${API}/observers`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    }
    expect(await count()).toBe(0);
    const me = await (await h.call(cookie.observer!, "GET", `${API}/observers/me`)).json();
    expect(me).toEqual({ observer: null, duties: null });
    const res = await h.call(cookie.county!, "POST", `${API}/observers`, { ...base, userId: observerUser, term: "2024年—2025年", since: "2024-01" });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const again = await h.call(cookie.county!, "POST", `${API}/observers`, { ...base, name: "王律师", userId: observerUser });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({ code: "OBSERVER_USER_TAKEN", params: { userId: observerUser, observerId: id } });
    const list = await (await h.call(cookie.city!, "GET", `${API}/observers`)).json();
    expect(list.observers).toEqual([expect.objectContaining({ id, name: "李代表", group: "城市建设组", region: "430523", regionName: "邵阳县", username: "observer", term: "2024年—2025年" })]);
    const audit = await h.deps.db.query("SELECT 1 FROM audit_log WHERE action = 'observer.create' AND entity_id = $1", [String(id)]);
    expect(audit.rows).toHaveLength(1);
  });
});

describe("四个一 (rule 9)", () => {
  it("lists who is short this month and this year, as the domain rule says", async () => {
    const second = await h.call(cookie.city!, "POST", `${API}/observers`, { name: "赵记者", background: "新闻媒体从业者", region: "430524", group: "民生保障组", since: "2024-01" });
    expect(second.status).toBe(201);
    const file = async (kind: string, text: string) => expect((await h.call(cookie.observer!, "POST", `${API}/observations`, { kind, text })).status).toBe(201);
    await setClock("2024-01-10T02:00:00Z");
    await file("information", "一月观察信息：道路施工有序。");
    await file("suggestion", "一月建议：增加施工围挡提示。");
    await setClock("2024-02-10T02:00:00Z");
    await file("information", "二月观察信息：进度正常。");
    await file("inspection", "二月专项检查：现场查看了公示牌。");
    await setClock("2024-03-05T02:00:00Z");
    const res = await h.call(cookie.city!, "GET", `${API}/observers/duties?period=2024-03&region=430500`);
    expect(res.status).toBe(200);
    const { period, observers } = await res.json();
    expect(period).toBe("2024-03");
    const byName = Object.fromEntries(observers.map((o: { name: string }) => [o.name, o]));
    expect(byName["李代表"]).toMatchObject({ group: "城市建设组", missingInformation: ["2024-03"], missingSuggestion: ["2024-02", "2024-03"], inspectionDue: false, reportDue: true, short: true });
    expect(byName["赵记者"]).toMatchObject({ missingInformation: ["2024-01", "2024-02", "2024-03"], inspectionDue: true, short: true });
    // the same as the domain rule on the same filings
    const rule = observerDuties(
      [{ id: "x", name: "李代表", background: "", region: "430523" }],
      [
        { observer: "x", kind: "information", date: "2024-01-10", text: "....." },
        { observer: "x", kind: "suggestion", date: "2024-01-10", text: "....." },
        { observer: "x", kind: "information", date: "2024-02-10", text: "....." },
        { observer: "x", kind: "inspection", date: "2024-02-10", text: "....." },
      ],
      "2024-03",
    )[0]!;
    expect(byName["李代表"]).toMatchObject({ missingInformation: rule.missingInformation, missingSuggestion: rule.missingSuggestion, reportDue: rule.reportDue });
    // appointed in March (聘任): nothing is owed for January and February
    const third = await h.call(cookie.city!, "POST", `${API}/observers`, { name: "钱村干部", background: "村（社区）干部", region: "430524", group: "乡村振兴组", since: "2024-03" });
    expect(third.status).toBe(201);
    const later = (await (await h.call(cookie.city!, "GET", `${API}/observers/duties?period=2024-03`)).json()).observers.find((o: { name: string }) => o.name === "钱村干部");
    expect(later).toMatchObject({ missingInformation: ["2024-03"], missingSuggestion: ["2024-03"] });
    // a county sees its own observers only, and may not ask about another county
    const county = await (await h.call(cookie.county!, "GET", `${API}/observers/duties?period=2024-03`)).json();
    expect(county.observers.map((o: { name: string }) => o.name)).toEqual(["李代表"]);
    expect((await h.call(cookie.county!, "GET", `${API}/observers/duties?period=2024-03&region=430524`)).status).toBe(403);
    expect((await h.call(cookie.city!, "GET", `${API}/observers/duties?period=2024-13`)).status).toBe(400);
    const me = await (await h.call(cookie.observer!, "GET", `${API}/observers/me`)).json();
    expect(me.duties).toMatchObject({ missingInformation: ["2024-03"], short: true });
  });
});
