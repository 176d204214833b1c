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

  it("names exactly the lagging indicator-regions", () => {
    const key = (l: { indicator: string; region: string; rate: number }) => `${l.indicator}@${l.region}=${l.rate}`;
    expect(result.lagging.map(key).sort()).toEqual(expected.laggingIndicatorRegions.map(key).sort());
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
    expect(county.disclosure).toEqual([{ region: "430523", compliant: 21, total: 21, score: 6, band: "good" }]);
  });

  it("flags the month-on-month falls that seed 003 names (市本级应急广播 60%)", () => {
    const falls = result.falls.filter((f) => f.indicator === "hn2024-p17-a" && f.region === "430501");
    for (const f of falls) expect(f.value).toBeLessThan(f.previous);
    // The fixture's Jan-Aug series is synthetic; when it shows the fall, it must be flagged.
    const aug = evaluateBundle(bundle, { period: "2024-08", region: "430501", plan: "hn2024" });
    const augRate = aug.indicators.find((i) => i.indicator === "hn2024-p17-a")?.rate ?? 0;
    expect(falls.length > 0).toBe(augRate > 60);
  });
});
