// 项目质效 (rule 7) through the API on the demo plan: October reports against what was verified,
// the 质效短板 by unit, the reduction counted on the unit's scorecard, bad input.
import { checkQuality } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

let h: Harness;
let admin: string;
const API = "/api/v1";
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new TextEncoder().encode("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

/** An October report of 爱晚 (led by 市教育局) submitted with evidence; reviewed when `review` is given. */
async function report(region: string, value: number, review?: { action: "verify" } | { action: "reduce"; verifiedValue: number; reason: string }) {
  const saved = await h.call(admin, "PUT", `${API}/reports`, { indicator: "hn2024-p14-a", region, period: "2024-10", value, narrative: "质效测试" });
  expect(saved.status).toBe(201);
  const { id } = await saved.json();
  const form = new FormData();
  form.append("file", new Blob([png], { type: "image/png" }), "现场.png");
  expect((await h.call(admin, "POST", `${API}/reports/${id}/evidence`, form)).status).toBe(201);
  const submitted = await h.call(admin, "POST", `${API}/reports/${id}/submit`, {});
  expect(submitted.status).toBe(200);
  if (review) {
    const { version } = await submitted.json();
    const res = await h.call(admin, "POST", `${API}/reports/${id}/review`, { version, ...review });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}

beforeAll(async () => {
  h = await makeHarness();
  h.clock.now = new Date("2024-11-08T02:00:00Z");
  admin = await h.login("admin");
  await report("430523", 95, { action: "reduce", verifiedValue: 80, reason: "佐证材料与进度不符" });
  await report("430502", 85, { action: "verify" });
  await report("430503", 90);
}, 120_000);
afterAll(() => h?.dispose());

type Quality = { maxGap: number; rows: { indicator: string; region: string; unit: string; reportedRate: number; verifiedRate: number; gap: number; withinLimit: boolean; reduced: boolean }[]; shortfalls: { unit: string; count: number; indicators: string[] }[] };
const quality = async (cookie: string, query: string) => {
  const res = await h.call(cookie, "GET", `${API}/quality?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Quality;
};

describe("GET /quality", () => {
  it("compares each October report with the latest verified figure, as checkQuality does", async () => {
    const q = await quality(admin, "period=2024-10&region=430500");
    const row = (region: string) => q.rows.find((r) => r.indicator === "hn2024-p14-a" && r.region === region)!;
    const want = checkQuality([
      { indicator: "hn2024-p14-a", region: "430523", target: 100, reported: 95, verified: 80 },
      { indicator: "hn2024-p14-a", region: "430502", target: 100, reported: 85, verified: 85 },
      // submitted, not yet reviewed: September's verified (imported) 80 stands
      { indicator: "hn2024-p14-a", region: "430503", target: 100, reported: 90, verified: 80 },
    ]);
    for (const w of want) expect(row(w.region)).toMatchObject({ unit: "edu", reportedRate: w.reportedRate, verifiedRate: w.verifiedRate, gap: w.gap, withinLimit: w.withinLimit, reduced: w.reduced });
    expect(row("430523")).toMatchObject({ gap: 15, withinLimit: false });
    expect(row("430503")).toMatchObject({ gap: 10, withinLimit: true }); // 10 points exactly is within
    expect(q.shortfalls).toEqual([{ unit: "edu", name: "市教育局", count: 1, indicators: [expect.stringContaining("爱晚")] }]);
    // configurable limit
    expect((await quality(admin, "period=2024-10&region=430500&maxGap=5")).shortfalls[0]!.count).toBe(2);
  });

  it("shows a unit's reporter its own unit's rows; refuses bad input and other areas", async () => {
    const county = await h.login("county");
    expect((await quality(county, "period=2024-10&region=430523")).rows.map((r) => r.region)).toEqual(["430523"]);
    expect((await h.call(county, "GET", `${API}/quality?period=2024-10&region=430502`)).status).toBe(403);
    const bad = await h.call(admin, "GET", `${API}/quality?period=2024-13&region=430500`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.problems[0].path).toBe("$.query.period");
    expect((await h.call(admin, "GET", `${API}/quality?period=2024-10&region=999999`)).status).toBe(404);
  });

  it("counts the reduction on the unit's October scorecard, with the report behind it", async () => {
    const res = await h.call(admin, "GET", `${API}/scorecards/units/edu?region=430500&period=2024-10`);
    expect(res.status).toBe(200);
    const { unit } = await res.json();
    const line = unit.lines.find((l: { rule: string }) => l.rule === "reduction");
    expect(line).toMatchObject({ count: 1, points: -2 });
    expect(line.items[0].text).toContain("核减为 80");
    expect(line.items[0].link).toBe("/review?tab=reduced&period=2024-10");
    // the three October reports went in on 8 November (China time), after the 5th: late; the rest of 市教育局's are missing
    const late = unit.lines.find((l: { rule: string }) => l.rule === "late_report");
    const texts = late.items.map((i: { text: string }) => i.text);
    expect(texts.filter((t: string) => t.includes("于 2024-11-08 报送，晚于截止日 2024-11-05"))).toHaveLength(3);
    expect(texts.filter((t: string) => t.includes("未报送")).length).toBe(late.count - 3);
  });

  it("goes into the bulletin with the ranking and the at-risk list", async () => {
    const res = await h.call(admin, "GET", `${API}/bulletins?plan=hn2024&region=430500&period=2024-10&format=json`);
    expect(res.status).toBe(200);
    const m = await res.json();
    expect(m.quality.units.map((u: { name: string }) => u.name)).toEqual(["市教育局"]);
    expect(m.ranking.rows).toHaveLength(16);
    const card = await (await h.call(admin, "GET", `${API}/scorecards?region=430500&period=2024-10`)).json();
    expect(m.ranking.rows.map((r: { unit: string; score: number; rank: number }) => [r.unit, r.score, r.rank])).toEqual(card.units.map((u: { unit: string; score: number; rank: number }) => [u.unit, u.score, u.rank]));
    const risks = await (await h.call(admin, "GET", `${API}/plans/hn2024/risks?period=2024-10&region=430500`)).json();
    expect(m.risks.map((r: { text: string }) => r.text)).toEqual(risks.risks.map((r: { text: string }) => r.text));
  });
});
