/**
 * Issue 11, one figure everywhere: a plan of the current year with content published on its sites
 * and no imported disclosure records reads the same rule 6 score in /disclosure/scores,
 * /disclosure/compliance, the progress figures (the dashboard card), the bulletin (preview and
 * issued) and the library; an issued bulletin keeps its figures; an unmoderated suggestion counts
 * for nothing until approved. Also the lagging regions of an indicator behind as a whole (rule 5).
 */
import { disclosureScores, evaluateBundle, PreparedBundle, parseBundle, type SiteContent } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";
import { body, siteCode, unlimited } from "../../test/sites-helpers.js";

let h: Harness;
const cookies: Record<string, string> = {};
const api = (who: string | null, method: string, path: string, payload?: unknown, headers?: Record<string, string>) =>
  h.call(who === null ? null : cookies[who]!, method, `/api/v1${path}`, payload, headers);

const PLAN = "fig2024";
const PERIOD = "2024-10";
/** A city plan of 2024 (the harness's current year) with no imported disclosure record. */
const planBundle = {
  format: "minsheng.bundle/v1",
  regions: [
    { code: "430000", name: "湖南省", level: "province", parent: null },
    { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
    { code: "430523", name: "邵阳县", level: "county", parent: "430500" },
    { code: "430524", name: "隆回县", level: "county", parent: "430500" },
  ],
  units: [
    { id: "wjw", name: "市卫生健康委员会", region: "430500" },
    { id: "edu", name: "市教育局", region: "430500" },
  ],
  plans: [{ id: PLAN, year: 2024, level: "city", region: "430500", title: "2024年邵阳市口径测试民生实事", schedule: "linear-monthly" }],
  items: [{ id: `${PLAN}-i1`, plan: PLAN, no: 1, title: "测试实事" }],
  projects: [
    { id: `${PLAN}-p1`, item: `${PLAN}-i1`, no: 1, title: "社区托育点建设", leadUnit: "wjw" },
    { id: `${PLAN}-p2`, item: `${PLAN}-i1`, no: 2, title: "校园食堂改造", leadUnit: "edu" },
  ],
  indicators: [
    { id: `${PLAN}-p1-a`, project: `${PLAN}-p1`, name: "新增托位", unit: "个", kind: "quantity", aggregation: "sum" },
    { id: `${PLAN}-p2-a`, project: `${PLAN}-p2`, name: "改造食堂", unit: "所", kind: "quantity", aggregation: "sum" },
  ],
  targets: [
    { indicator: `${PLAN}-p1-a`, region: "430523", value: 100 },
    { indicator: `${PLAN}-p1-a`, region: "430524", value: 100 },
    { indicator: `${PLAN}-p2-a`, region: "430523", value: 10 },
    { indicator: `${PLAN}-p2-a`, region: "430524", value: 10 },
  ],
  progress: [
    // behind as a whole at October (60 of 200 against 83.33%); 隆回县 under the line, 邵阳县 over it
    { indicator: `${PLAN}-p1-a`, region: "430523", period: PERIOD, value: 90 },
    { indicator: `${PLAN}-p1-a`, region: "430524", period: PERIOD, value: 10 },
    { indicator: `${PLAN}-p2-a`, region: "430523", period: PERIOD, value: 10 },
    { indicator: `${PLAN}-p2-a`, region: "430524", period: PERIOD, value: 9 },
  ],
  disclosure: [],
};

const months = (n: number) => Array.from({ length: n }, (_, i) => `2024-${String(i + 1).padStart(2, "0")}`);
/** What the test publishes on 社区托育点建设 in 邵阳县: everything the checklist asks, January to October. */
const published: SiteContent = { policyDocuments: 1, localisedUpdates: 1, workUpdateMonths: months(10), suggestions: [] };

let site = "";
let prepared: PreparedBundle;

beforeAll(async () => {
  h = await makeHarness();
  h.deps.rateLimiter = unlimited;
  for (const u of ["admin", "city", "county"]) cookies[u] = await h.login(u);
  const imported = await api("admin", "POST", "/bundles", planBundle);
  expect(imported.status).toBe(201);
  site = await siteCode(h, cookies.city!, `${PLAN}-p1`, "430523");
  const exported = await body(await api("admin", "GET", `/bundles/${PLAN}`));
  prepared = new PreparedBundle(Either.getOrThrow(parseBundle(exported)));
}, 120_000);
afterAll(() => h?.dispose());

type Score = { region: string; compliant: number; total: number; score: number; band: string; sources: { content: number; record: number } };
const core = (s: Score) => ({ region: s.region, compliant: s.compliant, total: s.total, score: s.score, band: s.band, sources: s.sources });
const byRegion = (list: Score[]) => [...list].map(core).sort((a, b) => a.region.localeCompare(b.region));

/** Every view's rule 6 figures for the plan at October, city-wide. */
async function everyView() {
  const q = `period=${PERIOD}&region=430500&plan=${PLAN}`;
  const compliance = await body(await api("city", "GET", `/disclosure/compliance?${q}`));
  const scores = await body(await api("city", "GET", `/disclosure/scores?${q}`));
  const progress = await body(await api("city", "GET", `/plans/${PLAN}/progress?period=${PERIOD}&region=430500`));
  const preview = await body(await api("city", "GET", `/bulletins?plan=${PLAN}&region=430500&period=${PERIOD}`));
  const bulletin = preview.disclosure ? [...preview.disclosure.good, ...preview.disclosure.fair, ...preview.disclosure.poor] : [];
  return { compliance, scores, progress, preview, bulletin };
}

async function publishEverything() {
  const now = h.clock.now;
  try {
    for (let m = 1; m <= 9; m++) {
      h.clock.now = new Date(`2024-${String(m).padStart(2, "0")}-15T02:00:00Z`);
      expect((await api("county", "POST", `/sites/${site}/content`, { kind: "update", text: `第 ${m} 月工作动态`, date: `2024-${String(m).padStart(2, "0")}-14` })).status).toBe(201);
    }
  } finally {
    h.clock.now = now;
  }
  expect((await api("county", "POST", `/sites/${site}/content`, { kind: "update", text: "十月工作动态", date: "2024-10-08" })).status).toBe(201);
  expect((await api("county", "POST", `/sites/${site}/content`, { kind: "policy", title: "关于社区托育点建设的通知", issuer: "邵阳市卫生健康委员会", date: "2024-03-01" })).status).toBe(201);
  expect((await api("county", "POST", `/sites/${site}/content`, { kind: "localised", title: "邵阳县建设内容和要求", text: "新增托位 100 个，年底前完成。" })).status).toBe(201);
}

describe("rule 6: one figure in every view (issue 11)", () => {
  let issued: Score[] = [];
  let issueId = 0;

  it("gives no score anywhere before the plan's sites hold anything", async () => {
    const v = await everyView();
    expect(v.compliance.scores).toEqual([]);
    expect(v.scores.scores).toEqual([]);
    expect(v.progress.disclosure).toEqual([]);
    expect(v.bulletin).toEqual([]);
  });

  it("reads the same score, judged from the content, in the API, the dashboard's figures, the bulletin and the library", async () => {
    await publishEverything();
    const v = await everyView();
    const library = disclosureScores(prepared, PERIOD, "430500", PLAN, {
      asOf: v.compliance.asOf,
      sites: [{ project: `${PLAN}-p1`, region: "430523", content: published }],
    });
    // 邵阳县: 托育 complies, 食堂 published nothing; 隆回县: nothing at all
    expect(library.map((s) => [s.region, s.compliant, s.total])).toEqual([
      ["430523", 1, 2],
      ["430524", 0, 2],
    ]);
    const want = byRegion(library);
    expect(want.every((s) => s.sources.content === s.total && s.sources.record === 0)).toBe(true);
    expect(byRegion(v.compliance.scores)).toEqual(want);
    expect(byRegion(v.scores.scores)).toEqual(want);
    expect(v.scores.sources).toEqual(v.compliance.sources);
    expect(byRegion(v.progress.disclosure)).toEqual(want);
    expect(byRegion(v.bulletin)).toEqual(want);
    expect(v.preview.disclosure.sources).toEqual({ content: 4, record: 0 });
    expect(v.preview.disclosure.text).toContain("按公开内容评价 4 个项目点位");
    // and the library through evaluateBundle, given the same content
    const exported = await body(await api("admin", "GET", `/bundles/${PLAN}`));
    const evaluated = evaluateBundle(exported, { period: PERIOD, region: "430500", plan: PLAN }, { asOf: v.compliance.asOf, sites: [{ project: `${PLAN}-p1`, region: "430523", content: published }] });
    expect(byRegion(evaluated.disclosure)).toEqual(want);
    issued = want;
  });

  it("keeps an issued bulletin's figures when the content moves on; the preview follows", async () => {
    const res = await api("city", "POST", "/bulletins", { plans: [PLAN], region: "430500", period: PERIOD, issueNo: 41, date: "2024-10-08" });
    expect(res.status).toBe(201);
    issueId = (await body(res)).id;
    const fromIssue = async () => {
      const { model } = await body(await api("city", "GET", `/bulletins/issues/${issueId}`));
      return [...model.disclosure.good, ...model.disclosure.fair, ...model.disclosure.poor] as Score[];
    };
    expect(byRegion(await fromIssue())).toEqual(issued);
    // 隆回县's 托育 site publishes everything too
    const other = await siteCode(h, cookies.city!, `${PLAN}-p1`, "430524");
    const now = h.clock.now;
    try {
      for (let m = 1; m <= 9; m++) {
        h.clock.now = new Date(`2024-${String(m).padStart(2, "0")}-15T02:00:00Z`);
        expect((await api("city", "POST", `/sites/${other}/content`, { kind: "update", text: `第 ${m} 月工作动态`, date: `2024-${String(m).padStart(2, "0")}-14` })).status).toBe(201);
      }
    } finally {
      h.clock.now = now;
    }
    for (const c of [
      { kind: "update", text: "十月工作动态", date: "2024-10-08" },
      { kind: "policy", title: "关于社区托育点建设的通知", issuer: "邵阳市卫生健康委员会", date: "2024-03-01" },
      { kind: "localised", title: "隆回县建设内容和要求", text: "新增托位 100 个，年底前完成。" },
    ])
      expect((await api("city", "POST", `/sites/${other}/content`, c)).status).toBe(201);
    const v = await everyView();
    const library = disclosureScores(prepared, PERIOD, "430500", PLAN, {
      asOf: v.compliance.asOf,
      sites: [
        { project: `${PLAN}-p1`, region: "430523", content: published },
        { project: `${PLAN}-p1`, region: "430524", content: published },
      ],
    });
    expect(byRegion(v.bulletin)).toEqual(byRegion(library));
    expect(byRegion(v.bulletin)).not.toEqual(issued);
    expect(byRegion(await fromIssue())).toEqual(issued);
  });

  it("does not count a citizen's suggestion awaiting moderation; once approved, a late answer counts", async () => {
    const submitted = await h.call(null, "POST", `/api/v1/public/sites/${site}/feedback`, { kind: "suggestion", text: "建议延长托育点开放时间。" }, { "x-forwarded-for": "203.0.113.9, 198.51.100.77" });
    expect(submitted.status).toBe(201);
    const now = h.clock.now;
    h.clock.now = new Date("2024-10-31T02:00:00Z"); // well past the 5 working days
    try {
      for (const u of ["city", "county"]) cookies[u] = await h.login(u); // the sessions idled out meanwhile
      const score = async () => (await body(await api("city", "GET", `/disclosure/scores?period=${PERIOD}&region=430500&plan=${PLAN}`))).scores.find((s: Score) => s.region === "430523") as Score;
      const before = await score();
      expect(before.compliant).toBe(1);
      const inbox = await body(await api("county", "GET", "/feedback?state=pending"));
      const pending = inbox.feedback.find((f: { site: { code: string } }) => f.site.code === site);
      expect(pending).toBeDefined();
      expect((await api("county", "POST", `/feedback/${pending.id}/moderate`, { action: "approve" })).status).toBe(200);
      const after = await score();
      expect(after.compliant).toBe(0);
      expect((await body(await api("city", "GET", `/plans/${PLAN}/progress?period=${PERIOD}&region=430500`))).disclosure.find((s: Score) => s.region === "430523")).toEqual(
        expect.objectContaining({ compliant: 0 }),
      );
    } finally {
      h.clock.now = now;
      for (const u of ["city", "county"]) cookies[u] = await h.login(u);
    }
  });
});

describe("rule 5 and the summary in the progress figures (issue 11)", () => {
  it("lists the lagging regions of an indicator behind as a whole", async () => {
    const progress = await body(await api("city", "GET", `/plans/${PLAN}/progress?period=${PERIOD}&region=430500`));
    const exported = await body(await api("admin", "GET", `/bundles/${PLAN}`));
    const direct = evaluateBundle(exported, { period: PERIOD, region: "430500", plan: PLAN });
    const p1 = progress.indicators.find((i: { indicator: string }) => i.indicator === `${PLAN}-p1-a`);
    expect(p1.status).toBe("behind");
    expect(progress.lagging).toEqual(direct.lagging);
    expect(progress.lagging.map((l: { indicator: string; region: string }) => `${l.indicator}@${l.region}`)).toContain(`${PLAN}-p1-a@430524`);
  });

  it("answers the bulletin's own summary sentence", async () => {
    const progress = await body(await api("city", "GET", `/plans/${PLAN}/progress?period=${PERIOD}&region=430500`));
    const preview = await body(await api("city", "GET", `/bulletins?plan=${PLAN}&region=430500&period=${PERIOD}`));
    expect(progress.summary.text).toBe(preview.summaries[0].text);
    expect(progress.summary.text.startsWith("截至 10 月底，")).toBe(true);
  });
});
