// Seed 003 (邵阳市 1-9 月通报) reproduced to the printed digit from the repository's copy of the
// fixture. Expected figures come from shaoyang-2024.expected.json, never from this file.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluateBundle, type Evaluation } from "../src/index.js";
import { fixturePath } from "./fixtures.js";

interface Expected {
  period: string;
  region: string;
  expectedScheduleFraction: number;
  indicators: { indicator: string; region: string; period: string; rate?: number; status: string }[];
  projects: { project: string; status: string }[];
  provincePlanCounts: { completed: number; on_schedule: number; behind: number };
  laggingIndicatorRegions: { indicator: string; region: string; rate: number }[];
  disclosureScores: { region: string; name: string; score: string; compliant: number; total: number }[];
}

const bundle: unknown = JSON.parse(readFileSync(fixturePath("shaoyang-2024.bundle.json"), "utf8"));
const expected: Expected = JSON.parse(readFileSync(fixturePath("shaoyang-2024.expected.json"), "utf8"));
const result: Evaluation = evaluateBundle(bundle, { period: expected.period, region: expected.region });

describe(`seed 003: ${expected.region} at ${expected.period}`, () => {
  it("evaluates exactly the indicators the bulletin reports", () => {
    expect(result.indicators.map((i) => i.indicator).sort()).toEqual(expected.indicators.map((i) => i.indicator).sort());
  });

  it.each(expected.indicators)("$indicator: rate and status as printed", (want) => {
    const got = result.indicators.find((i) => i.indicator === want.indicator && i.region === want.region);
    expect(got, want.indicator).toBeDefined();
    if (want.rate !== undefined) expect(got!.rate).toBe(want.rate);
    expect(got!.status).toBe(want.status);
    expect(got!.period).toBe(want.period);
  });

  it("uses the linear schedule line of September", () => {
    for (const i of result.indicators) expect(i.due / 100).toBe(expected.expectedScheduleFraction);
  });

  it.each(expected.projects)("$project: status as printed", (want) => {
    expect(result.projects.find((p) => p.project === want.project)?.status).toBe(want.status);
  });

  it("counts 11 completed and 13 on-schedule province projects", () => {
    expect(result.counts["hn2024"]).toEqual(expected.provincePlanCounts);
  });

  it("names exactly the lagging indicator-regions of the indicators on schedule (seed 003's four)", () => {
    const key = (l: { indicator: string; region: string; rate: number }) => `${l.indicator}@${l.region}=${l.rate}`;
    const statusOf = new Map(result.indicators.map((i) => [i.indicator, i.status]));
    const onSchedule = result.lagging.filter((l) => statusOf.get(l.indicator) !== "behind");
    expect(onSchedule.map(key).sort()).toEqual(expected.laggingIndicatorRegions.map(key).sort());
  });

  it("lists every region under the line of an indicator behind as a whole too (rule 5: 化解超期安置)", () => {
    const behind = result.indicators.filter((i) => i.status === "behind" && !i.linked);
    expect(behind.map((i) => i.indicator)).toContain("sy2024-p07-a");
    for (const ind of behind) {
      // every target holder below the city, evaluated on its own, that is under the schedule line
      const holders = new Set((bundle as { targets: { indicator: string; region: string }[] }).targets.filter((t) => t.indicator === ind.indicator).map((t) => t.region));
      const want = [...holders]
        .filter((code) => code !== expected.region)
        .map((code) => evaluateBundle(bundle, { period: expected.period, region: code }).indicators.find((i) => i.indicator === ind.indicator)!)
        .filter((own) => own.rate < own.due)
        .map((own) => `${own.region}=${own.rate}`)
        .sort();
      const got = result.lagging.filter((l) => l.indicator === ind.indicator).map((l) => `${l.region}=${l.rate}`).sort();
      expect(want.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    }
  });

  it("scores disclosure for every county as printed", () => {
    const got = new Map(result.disclosure.map((d) => [d.region, d]));
    expect(result.disclosure).toHaveLength(expected.disclosureScores.length);
    for (const want of expected.disclosureScores) {
      const d = got.get(want.region);
      expect(d, want.name).toBeDefined();
      expect(String(d!.score)).toBe(want.score);
      expect([d!.compliant, d!.total]).toEqual([want.compliant, want.total]);
    }
  });

  it("bands disclosure scores as the bulletin groups them (好 / 较好 / 较差)", () => {
    const band = (code: string) => result.disclosure.find((d) => d.region === code)?.band;
    // 洞口县、邵阳县 好; 隆回县 … 新邵县 较好; 北塔区 … 城步 较差 (seed 003, 四(二)).
    expect(["430525", "430523"].map(band)).toEqual(["good", "good"]);
    expect(["430524", "430527", "430528", "430522"].map(band)).toEqual(["fair", "fair", "fair", "fair"]);
    expect(["430511", "430502", "430503", "430581", "430582", "430529"].map(band)).toEqual(Array(6).fill("poor"));
  });

  it("orders disclosure scores best first", () => {
    const scores = result.disclosure.map((d) => d.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("keeps the linked indicator's own target (适老化 2605 ÷ 2200)", () => {
    const linked = result.indicators.find((i) => i.indicator === "sy2024-p03-a")!;
    expect(linked).toMatchObject({ actual: 2605, target: 2200, linked: true });
  });
});

describe("seed 003: the same plan seen from elsewhere", () => {
  it("restricts to one plan when asked", () => {
    const cityPlan = evaluateBundle(bundle, { period: expected.period, region: expected.region, plan: "sy2024" });
    expect(cityPlan.indicators.every((i) => i.plan === "sy2024")).toBe(true);
    expect(Object.keys(cityPlan.counts)).toEqual(["sy2024"]);
    // 市定: one indicator behind (化解超期安置).
    expect(cityPlan.indicators.filter((i) => i.status === "behind").map((i) => i.indicator)).toEqual(["sy2024-p07-a"]);
  });

  it("evaluates a county on its own figures", () => {
    const county = evaluateBundle(bundle, { period: expected.period, region: "430523", plan: "hn2024" });
    expect(county.indicators.find((i) => i.indicator === "hn2024-p04-a")).toMatchObject({ rate: 45.56, status: "behind" });
    expect(county.lagging).toEqual([]);
    expect(county.disclosure).toEqual([{ region: "430523", compliant: 21, total: 21, score: 6, band: "good", sources: { content: 0, record: 21 } }]);
  });

  it("flags a month-on-month fall after a reduction (核减) in one region", () => {
    // The fixture itself has no fall: derive one by reducing 双清区's September figure of 托育.
    const seed = bundle as { progress: { indicator: string; region: string; period: string; value: number }[] };
    const indicator = "hn2024-p04-a";
    const county = "430502";
    expect(result.falls).toEqual([]);
    const august = evaluateBundle(bundle, { period: "2024-08", region: county, plan: "hn2024" }).indicators.find((i) => i.indicator === indicator)!;
    const reduced = Math.floor(august.actual / 2);
    const withReduction = {
      ...seed,
      progress: seed.progress.map((p) => (p.indicator === indicator && p.region === county && p.period === expected.period ? { ...p, value: reduced } : p)),
    };
    const cityAugust = evaluateBundle(withReduction, { period: "2024-08", region: expected.region }).indicators.find((i) => i.indicator === indicator)!;
    const e = evaluateBundle(withReduction, { period: expected.period, region: expected.region });
    const cityNow = e.indicators.find((i) => i.indicator === indicator)!;
    const falls = e.falls.filter((f) => f.indicator === indicator);
    expect(falls).toContainEqual({ indicator, region: county, period: expected.period, previousPeriod: "2024-08", previous: august.actual, value: reduced });
    // the city's own total falls with it exactly when the reduction outweighs the other counties' gains
    expect(falls.some((f) => f.region === expected.region)).toBe(cityNow.actual < cityAugust.actual);
    expect(e.falls.every((f) => f.indicator === indicator)).toBe(true);
  });
});
