// The monthly unit scorecard (rule 8) through the API: it agrees with the domain's functions on
// generated plans, ties share a rank, an issued month stays frozen, warnings follow consecutive
// bottom months, bad input is refused naming the field and writes nothing.
import {
  atRisk,
  type Bundle,
  checkQuality,
  defaultScorecardScheme,
  earlyCompletions,
  evaluateBundle,
  type Occurrence,
  parseBundle,
  PreparedBundle,
  scoreUnits,
  scoringWarnings,
} from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";
import { computeCard } from "./service.js";

let h: Harness;
let admin: string;
let city: string;
beforeAll(async () => {
  h = await makeHarness();
  admin = await h.login("admin");
  city = await h.login("city");
}, 120_000);
afterAll(() => h?.dispose());

const API = "/api/v1";
const ok = <A, E>(e: Either.Either<A, E>): A => Either.getOrThrowWith(e, (x) => new Error(String(x)));

// ------------------------------------------------------------------------------------------------
// Generated plans: a province, a city with units, three counties; projects led by the units, each
// with one or two quantity indicators whose targets sit at counties (sometimes also at the city),
// cumulative figures for some months.

interface GenIndicator {
  targets: (number | null)[];
  cityTarget: number | null;
  /** per county, per month 1-9: increment (hundredths) or null for no figure */
  steps: (number | null)[][];
}
interface GenPlan {
  units: number;
  projects: { lead: number; indicators: GenIndicator[] }[];
  month: number;
}

const genIndicator: fc.Arbitrary<GenIndicator> = fc.record({
  targets: fc.array(fc.option(fc.integer({ min: 1, max: 500 }), { nil: null, freq: 4 }), { minLength: 3, maxLength: 3 }),
  cityTarget: fc.option(fc.integer({ min: 1, max: 1500 }), { nil: null, freq: 4 }),
  steps: fc.array(fc.array(fc.option(fc.integer({ min: 0, max: 9000 }), { nil: null, freq: 5 }), { minLength: 9, maxLength: 9 }), { minLength: 3, maxLength: 3 }),
});
const genPlan: fc.Arbitrary<GenPlan> = fc.integer({ min: 2, max: 6 }).chain((units) =>
  fc.record({
    units: fc.constant(units),
    projects: fc.array(fc.record({ lead: fc.integer({ min: 0, max: units - 1 }), indicators: fc.array(genIndicator, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 4 }),
    month: fc.integer({ min: 1, max: 9 }),
  }),
);

let runs = 0;
/** A bundle of its own regions and ids (each run imports a new plan next to the demo's). */
function toBundle(g: GenPlan): { bundle: Bundle; city: string; plan: string; period: string } {
  const n = ++runs;
  const province = String(700000 + n * 1000);
  const cityCode = String(700000 + n * 1000 + 100);
  const counties = [1, 2, 3].map((k) => String(700000 + n * 1000 + 100 + k));
  const plan = `gen${n}`;
  const units = Array.from({ length: g.units }, (_, i) => ({ id: `g${n}u${i}`, name: `生成单位${n}-${i}`, region: cityCode }));
  const bundle: Bundle = {
    format: "minsheng.bundle/v1",
    regions: [
      { code: province, name: `生成省${n}`, level: "province", parent: null },
      { code: cityCode, name: `生成市${n}`, level: "city", parent: province },
      ...counties.map((c, i) => ({ code: c, name: `生成县${n}-${i}`, level: "county" as const, parent: cityCode })),
    ],
    units,
    plans: [{ id: plan, year: 2024, level: "city", region: cityCode, title: `生成计划${n}`, schedule: "linear-monthly" }],
    items: [{ id: `${plan}-i1`, plan, no: 1, title: "实事" }],
    projects: [],
    indicators: [],
    targets: [],
    progress: [],
    disclosure: [],
  } as unknown as Bundle;
  g.projects.forEach((p, pi) => {
    const project = `${plan}-p${pi}`;
    bundle.projects.push({ id: project, item: `${plan}-i1`, no: pi + 1, title: `项目${pi}`, leadUnit: units[p.lead]!.id });
    p.indicators.forEach((ind, ii) => {
      const id = `${project}-${ii}`;
      bundle.indicators.push({ id, project, name: `指标${pi}-${ii}`, unit: "个", kind: "quantity", aggregation: "sum" } as Bundle["indicators"][number]);
      if (ind.cityTarget !== null) bundle.targets.push({ indicator: id, region: cityCode, value: ind.cityTarget });
      counties.forEach((c, ci) => {
        const t = ind.targets[ci];
        if (t === null || t === undefined) return;
        bundle.targets.push({ indicator: id, region: c, value: t });
        let v = 0;
        ind.steps[ci]!.forEach((step, mi) => {
          if (step === null) return;
          v += step;
          bundle.progress.push({ indicator: id, region: c, period: `2024-0${mi + 1}`, value: v / 100 });
        });
      });
    });
  });
  // A city target alone (no county has one) is the city's own leaf target: give it figures too.
  return { bundle: ok(parseBundle(bundle)), city: cityCode, plan, period: `2024-0${g.month}` };
}

/** What the domain says the card is, from the bundle alone (no letters, sites or feedback in it). */
function expectedCard(bundle: Bundle, region: string, period: string) {
  const units = bundle.units.filter((u) => u.region === region).map((u) => u.id);
  const lead = new Map(bundle.projects.map((p) => [p.id, p.leadUnit]));
  const projectOf = new Map(bundle.indicators.map((i) => [i.id, i.project]));
  const now = evaluateBundle(bundle, { period, region });
  const month = Number(period.slice(5));
  const before = month > 1 ? evaluateBundle(bundle, { period: `2024-0${month - 1}`, region }) : undefined;
  const occ: Occurrence[] = [];
  const count = (unit: string, rule: string) => {
    const o = occ.find((x) => x.unit === unit && x.rule === rule);
    if (o) o.count++;
    else occ.push({ unit, rule, count: 1 });
  };
  for (const l of now.lagging) count(lead.get(l.project)!, "lagging");
  for (const i of earlyCompletions(now, before)) count(lead.get(i.project)!, "early_completion");
  // missing figures: leaf targets (no target below) without a figure for the month, deadline passed
  const parent = new Map(bundle.regions.map((r) => [r.code, r.parent]));
  const below = (code: string, ancestor: string) => {
    for (let c = parent.get(code); c; c = parent.get(c)) if (c === ancestor) return true;
    return false;
  };
  for (const t of bundle.targets) {
    if (bundle.targets.some((o) => o.indicator === t.indicator && below(o.region, t.region))) continue;
    if (bundle.progress.some((p) => p.indicator === t.indicator && p.region === t.region && p.period === period)) continue;
    count(lead.get(projectOf.get(t.indicator)!)!, "late_report");
  }
  return ok(scoreUnits(defaultScorecardScheme, units, occ));
}

type CardBody = { period: string; region: string; issued: boolean; issuedAt: string | null; units: { unit: string; name: string; score: number; rank: number; lines: { rule: string; label: string; count: number; points: number }[] }[]; warnings: { unit: string; months: string[] }[] };

const card = async (cookie: string, region: string, period: string) => {
  const res = await h.call(cookie, "GET", `${API}/scorecards?region=${region}&period=${period}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CardBody;
};

const importBundle = async (bundle: unknown) => {
  const res = await h.call(admin, "POST", `${API}/bundles`, bundle);
  if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
};

describe("scorecards, quality and risks on generated plans agree with the domain", () => {
  it("GET /scorecards = scoreUnits over the occurrences the domain finds; GET /quality = checkQuality; GET /plans/{id}/risks = atRisk", async () => {
    await fc.assert(
      fc.asyncProperty(genPlan, async (g) => {
        const { bundle, city: region, plan, period } = toBundle(g);
        await importBundle(bundle);
        const got = await card(admin, region, period);
        const want = expectedCard(bundle, region, period);
        expect(got.issued).toBe(false);
        expect(got.units.map((u) => ({ unit: u.unit, score: u.score, rank: u.rank, lines: u.lines.map(({ rule, count, points }) => ({ rule, count, points })) }))).toEqual(want);
        for (const u of got.units) for (const l of u.lines) expect(l.label).toBe(defaultScorecardScheme.rules.find((r) => r.id === l.rule)!.label);
        // ties share a rank
        for (const u of got.units) expect(u.rank).toBe(1 + got.units.filter((o) => o.score > u.score).length);

        const quality = (await (await h.call(admin, "GET", `${API}/quality?period=${period}&region=${region}`)).json()) as { rows: { indicator: string; region: string; unit: string; reportedRate: number; verifiedRate: number; gap: number; withinLimit: boolean }[] };
        const targetOf = new Map(bundle.targets.map((t) => [`${t.indicator}|${t.region}`, t.value]));
        const inputs = bundle.progress.filter((p) => p.period === period && targetOf.has(`${p.indicator}|${p.region}`)).map((p) => ({ indicator: p.indicator, region: p.region, target: targetOf.get(`${p.indicator}|${p.region}`)!, reported: p.value, verified: p.value }));
        const key = (r: { indicator: string; region: string }) => `${r.indicator}|${r.region}`;
        expect(quality.rows.map(({ indicator, region: r, reportedRate, verifiedRate, gap, withinLimit }) => ({ indicator, region: r, reportedRate, verifiedRate, gap, withinLimit })).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
          checkQuality(inputs).map(({ indicator, region: r, reportedRate, verifiedRate, gap, withinLimit }) => ({ indicator, region: r, reportedRate, verifiedRate, gap, withinLimit })).sort((a, b) => key(a).localeCompare(key(b))),
        );

        const risks = (await (await h.call(admin, "GET", `${API}/plans/${plan}/risks?period=${period}&region=${region}`)).json()) as { risks: unknown[] };
        expect(risks.risks).toEqual(atRisk(new PreparedBundle(bundle), { period, region, plan }));
      }),
      { numRuns: 8 },
    );
  }, 240_000);
});

// ------------------------------------------------------------------------------------------------
// A fixed region of five units for adjustments, issue and warnings.

const fixed = toBundle({ units: 5, projects: [0, 1, 2, 3, 4].map((lead) => ({ lead, indicators: [{ targets: [100, 100, 100], cityTarget: null, steps: [0, 1, 2].map(() => Array(9).fill(800)) }] })), month: 9 });
const R = fixed.city;
const U = fixed.bundle.units.map((u) => u.id);

describe("adjustments, issue and warnings", () => {
  beforeAll(async () => {
    await importBundle(fixed.bundle);
  });

  const adjust = (body: unknown, cookie = admin) => h.call(cookie, "POST", `${API}/scorecards/adjustments`, body);
  const issueMonth = (period: string, cookie = admin) => h.call(cookie, "POST", `${API}/scorecards/issue`, { region: R, period });

  it("refuses bad input naming the field, and writes nothing", async () => {
    const count = async () => Number((await h.deps.db.query<{ n: string }>("SELECT count(*) AS n FROM scorecard_adjustments")).rows[0]!.n);
    const before = await count();
    const cases: [unknown, string][] = [
      [{ region: R, period: "2024-07", unit: U[0], points: -2 }, "$.reason"],
      [{ region: R, period: "2024-07", unit: U[0], points: -2, reason: " " }, "$.reason"],
      [{ region: R, period: "2024-07", unit: U[0], points: 0, reason: "无" + "理由" }, "$.points"],
      [{ region: R, period: "2024-13", unit: U[0], points: 1, reason: "表彰加分" }, "$.period"],
      [{ region: R, period: "2024-07", unit: "edu", points: 1, reason: "表彰加分" }, "$.unit"],
    ];
    for (const [body, path] of cases) {
      const res = await adjust(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.problems.map((p: { path: string }) => p.path)).toContain(path);
    }
    expect((await adjust({ region: "999999", period: "2024-07", unit: U[0], points: 1, reason: "表彰加分" })).status).toBe(404);
    expect(await count()).toBe(before);
    const q = await h.call(admin, "GET", `${API}/scorecards?region=${R}&period=2024-7`);
    expect(q.status).toBe(400);
    expect((await q.json()).error.problems[0].path).toBe("$.query.period");
    const scheme = await h.call(admin, "PUT", `${API}/scorecards/scheme?region=${R}`, { ...defaultScorecardScheme, rules: [] });
    expect(scheme.status).toBe(400);
    expect((await scheme.json()).error.problems[0].path).toBe("$.rules");
    // the current month has not ended: not issued
    const now = await issueMonth("2024-10");
    expect(now.status).toBe(400);
    expect((await now.json()).error.code).toBe("SCORECARD_FUTURE_PERIOD");
  });

  it("adds audited adjustments with their reason as a line of the card", async () => {
    const months: Record<string, number[]> = { "2024-07": [-10, -8, -6, -4, 1], "2024-08": [-10, -1, -6, -8, 1] };
    for (const [period, points] of Object.entries(months))
      for (const [i, p] of points.entries()) expect((await adjust({ region: R, period, unit: U[i], points: p, reason: `第${i}项人工调整` })).status).toBe(201);
    const jul = await card(admin, R, "2024-07");
    const line = jul.units.find((u) => u.unit === U[0])!.lines.find((l) => l.rule === "adjustment")!;
    expect(line).toEqual({ rule: "adjustment", label: "人工调整", count: 1, points: -10 });
    const { rows } = await h.deps.db.query<{ after: { reason: string } }>("SELECT after FROM audit_log WHERE action = 'scorecard.adjust' ORDER BY seq DESC LIMIT 1");
    expect(rows[0]!.after.reason).toBe("第4项人工调整");
    const explained = (await (await h.call(admin, "GET", `${API}/scorecards/units/${U[0]}?region=${R}&period=2024-07`)).json()) as { unit: { lines: { rule: string; items: { text: string }[] }[] } };
    expect(explained.unit.lines.find((l) => l.rule === "adjustment")!.items[0]!.text).toContain("第0项人工调整");
  });

  it("issues a month once, frozen against later corrections, and warns after consecutive bottom months", async () => {
    const julBefore = await card(admin, R, "2024-07");
    const jul = await issueMonth("2024-07");
    expect(jul.status).toBe(201);
    expect((await jul.json()).warnings).toEqual([]);
    expect((await issueMonth("2024-07")).status).toBe(409);
    expect((await adjust({ region: R, period: "2024-07", unit: U[0], points: 5, reason: "补记加分" })).status).toBe(409);

    // later corrections: a figure re-imported lower and a harsher scheme; the issued month does not move
    const corrected = structuredClone(fixed.bundle);
    for (const p of corrected.progress) if (p.period === "2024-07" && p.indicator.endsWith("p0-0")) p.value = 1;
    await importBundle(corrected);
    const harsh = { ...defaultScorecardScheme, rules: defaultScorecardScheme.rules.map((r) => ({ ...r, points: r.points * 2 })) };
    expect((await h.call(admin, "PUT", `${API}/scorecards/scheme?region=${R}`, harsh)).status).toBe(200);
    expect((await (await h.call(admin, "GET", `${API}/scorecards/scheme?region=${R}`)).json()).rules[0].points).toBe(-4);
    const julAfter = await card(admin, R, "2024-07");
    expect(julAfter.issued).toBe(true);
    expect(julAfter.units).toEqual(julBefore.units);
    // July as it would be computed now differs: the corrections count there, not in the issued card
    const preview = await computeCard(h.deps.db, h.deps, R, "2024-07");
    expect(preview.units.map((u) => u.score)).not.toEqual(julBefore.units.map((u) => u.score));
    const aug = await issueMonth("2024-08");
    expect(aug.status).toBe(201);
    const issued = (await aug.json()) as { warnings: { unit: string; months: string[] }[]; notices: number[] };
    // the domain's warnings over the two issued months
    const months = await Promise.all(["2024-07", "2024-08"].map(async (period) => ({ period, scores: (await card(admin, R, period)).units.map((u) => ({ ...u, lines: [] })) })));
    const want = scoringWarnings({ ...defaultScorecardScheme, rules: harsh.rules }, months, "2024-08").map((w) => ({ unit: w.unit, months: w.periods }));
    expect(issued.warnings).toEqual(want);
    expect(want.map((w) => w.unit)).toEqual([U[0], U[2]]);
    expect(issued.notices).toHaveLength(2);
    expect((await card(admin, R, "2024-08")).warnings).toEqual(want);

    // the notices and their interview records
    const list = (await (await h.call(admin, "GET", `${API}/scorecards/warnings?region=${R}`)).json()) as { notices: { unit: string; state: string; interview: { id: number; version: number } }[] };
    expect(list.notices.map((n) => [n.unit, n.state]).sort()).toEqual([[U[0], "draft"], [U[2], "draft"]]);
    // each notice is a draft letter of kind "warning" to its unit (rule 11), for the task force to issue
    const letters = await h.deps.db.query<{ unit: string; kind: string; state: string; to_unit: string }>(
      "SELECT n.unit, l.kind, l.state, l.to_unit FROM warning_notices n JOIN letters l ON l.id = n.letter_id WHERE n.region = $1 ORDER BY n.unit",
      [R],
    );
    expect(letters.rows.map((r) => [r.unit, r.kind, r.state, r.to_unit])).toEqual([U[0], U[2]].sort().map((u) => [u, "warning", "draft", u]));
    const iv = list.notices[0]!.interview;
    const record = { version: iv.version, heldOn: "2024-09-10", people: "市专班、单位负责人", notes: "排名连续靠后", commitments: "月底前整改", followUp: "下月通报" };
    const saved = await h.call(admin, "PUT", `${API}/scorecards/interviews/${iv.id}`, record);
    expect(saved.status).toBe(200);
    expect((await saved.json()).interview).toMatchObject({ heldOn: "2024-09-10", people: "市专班、单位负责人", version: iv.version + 1 });
    const stale = await h.call(admin, "PUT", `${API}/scorecards/interviews/${iv.id}`, record);
    expect(stale.status).toBe(409);
    expect((await h.call(admin, "PUT", `${API}/scorecards/interviews/999999`, record)).status).toBe(404);
  });

  it("shows a unit's reporter its own card only", async () => {
    const edu = await h.login("reporter-edu");
    const mine = await card(edu, "430500", "2024-09");
    expect(mine.units.map((u) => u.unit)).toEqual(["edu"]);
    const all = await card(city, "430500", "2024-09");
    expect(all.units).toHaveLength(16);
    expect(mine.units[0]).toEqual(all.units.find((u) => u.unit === "edu"));
    expect((await h.call(edu, "GET", `${API}/scorecards/units/mz?region=430500&period=2024-09`)).status).toBe(403);
    const own = await h.call(edu, "GET", `${API}/scorecards/units/edu?region=430500&period=2024-09`);
    expect(own.status).toBe(200);
  });

  it("counts overdue letters and late answers from the supervision letters", async () => {
    const db = h.deps.db;
    const letter = (n: number, dueOn: string, state: string, acceptedAt: string | null) =>
      db.query(
        `INSERT INTO letters (kind, issuer_region, issuer_user, to_unit, subject, body, due_on, state, year, seq, number, issued_at, accepted_at, created_at)
         VALUES ('reminder', $1, 'staff-city', $2, '矩阵', '考评测试', $3, $4, 2024, $5, $6, $7, $8, '2024-09-01T02:00:00Z') RETURNING id`,
        [R, U[3], dueOn, state, state === "draft" ? null : 900 + n, state === "draft" ? null : `测试函〔2024〕${900 + n}号`, state === "draft" ? null : "2024-09-01T02:00:00Z", acceptedAt],
      );
    await letter(1, "2024-09-10", "issued", null);
    await letter(2, "2024-09-12", "accepted", "2024-09-11T02:00:00Z");
    const answered = await letter(3, "2024-09-20", "answered", null);
    await letter(4, "2024-10-20", "issued", null);
    await letter(5, "2024-09-15", "draft", null);
    await db.query("INSERT INTO letter_replies (letter_id, text, created_by, created_at) VALUES ($1, '已整改', 'reporter', '2024-09-25T02:00:00Z')", [(answered.rows[0] as { id: string }).id]);
    const sep = (await card(admin, R, "2024-09")).units.find((u) => u.unit === U[3])!;
    // overdue: 09-10 (not accepted) and 09-20 (answered, not accepted); late answers: 09-10 (none) and 09-20 (replied 09-25)
    expect(sep.lines.find((l) => l.rule === "overdue_letter")).toMatchObject({ count: 2, points: -20 });
    expect(sep.lines.find((l) => l.rule === "late_answer")).toMatchObject({ count: 2, points: -4 });
  });
});
