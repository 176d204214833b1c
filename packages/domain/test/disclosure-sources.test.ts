// Rule 6, one figure everywhere: a project-region is judged on the content the platform holds;
// an imported record counts only where it holds none; each score says where its records came from.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { disclosureScore, judgeDisclosure, PreparedBundle, parseBundle, type SiteContent } from "../src/index.js";
import { Either } from "../src/index.js";
import { fixturePath } from "./fixtures.js";

const raw: unknown = JSON.parse(readFileSync(fixturePath("shaoyang-2024.bundle.json"), "utf8"));
const bundle = Either.getOrThrow(parseBundle(raw));
const model = new PreparedBundle(bundle);
const period = "2024-09";
const county = "430524"; // 隆回县: 21 of 23 compliant by the imported records

const complete: SiteContent = {
  policyDocuments: 1,
  localisedUpdates: 1,
  workUpdateMonths: Array.from({ length: 9 }, (_, i) => `2024-${String(i + 1).padStart(2, "0")}`),
  suggestions: [],
};

describe("judgeDisclosure (rule 6)", () => {
  it("uses the imported records alone when the platform holds no content", () => {
    const { sites, scores } = judgeDisclosure(model, period, county);
    expect(sites.every((s) => s.source === "record")).toBe(true);
    const records = sites.filter((s) => s.compliant).length;
    expect(scores).toEqual([{ ...disclosureScore(county, records, sites.length), sources: { content: 0, record: sites.length } }]);
  });

  it("judges a project-region on its content instead of its record, and says so", () => {
    const before = judgeDisclosure(model, period, county);
    const failing = before.sites.find((s) => !s.compliant)!;
    const content = { asOf: "2024-09-30", sites: [{ project: failing.project, region: failing.region, content: complete }] };
    const after = judgeDisclosure(model, period, county, undefined, content);
    const judged = after.sites.find((s) => s.project === failing.project && s.region === failing.region)!;
    expect(judged).toMatchObject({ source: "content", compliant: true, missed: [] });
    const score = after.scores.find((s) => s.region === county)!;
    expect(score.compliant).toBe(before.scores[0]!.compliant + 1);
    expect(score.sources.content).toBeGreaterThanOrEqual(1);
    expect(score.sources.content + score.sources.record).toBe(score.total);
  });

  it("in a plan live on the platform, judges a site with neither content nor record on having published nothing", () => {
    const plan = "hn2024";
    // a target holder of the plan in the county that has no imported record
    const records = new Set(bundle.disclosure.filter((d) => d.region === county).map((d) => `${d.project}@${d.region}`));
    const projectOf = new Map(bundle.indicators.map((i) => [i.id, i.project]));
    const bare = bundle.targets.map((t) => ({ project: projectOf.get(t.indicator)!, region: t.region })).find((t) => t.region === county && !records.has(`${t.project}@${t.region}`) && model.planOfProject.get(t.project) === plan);
    expect(bare, "a target holder of the county without an imported record").toBeDefined();
    if (!bare) return;
    const live = judgeDisclosure(model, period, county, plan, { asOf: "2024-09-30", sites: [], livePlans: [plan] });
    expect(live.sites.find((s) => s.project === bare.project && s.region === county)).toMatchObject({ source: "content", compliant: false });
    const notLive = judgeDisclosure(model, period, county, plan, { asOf: "2024-09-30", sites: [] });
    expect(notLive.sites.find((s) => s.project === bare.project && s.region === county)).toBeUndefined();
  });

  it("does not depend on the area asked: a county's score at the city is its score at home", () => {
    const some = judgeDisclosure(model, period, county).sites.slice(0, 3);
    const content = { asOf: "2024-09-30", sites: some.map((s) => ({ project: s.project, region: s.region, content: complete })) };
    const atCity = judgeDisclosure(model, period, "430500", undefined, content).scores.find((s) => s.region === county);
    const atHome = judgeDisclosure(model, period, county, undefined, content).scores.find((s) => s.region === county);
    expect(atCity).toEqual(atHome);
  });
});
