// Issue 11, one figure everywhere: the bulletin's data lists every lagging indicator-region (rule 5)
// while its sentence names only those seed 003 names; its disclosure scores are rule 6's one
// computation (content where the platform holds it); `summarizePlan` is the bulletin's sentence.
import { evaluateBundle, judgeDisclosure, parseBundle, PreparedBundle, type SiteContent } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { describe, expect, it } from "vitest";
import { summarizePlan } from "../src/index.js";
import { compose, loadFixture } from "./helpers.js";

describe("lagging indicator-regions in the bulletin's data (rule 5)", () => {
  const model = compose();
  const city = model.summaries.find((s) => s.plan === "sy2024")!;

  it("lists the regions of an indicator behind as a whole; the sentence still names none of them", () => {
    const evaluation = evaluateBundle(loadFixture(), { period: "2024-09", region: "430500", plan: "sy2024" });
    const behind = evaluation.indicators.filter((r) => r.status === "behind").map((r) => r.indicator);
    expect(behind).toContain("sy2024-p07-a");
    const want = evaluation.lagging.filter((l) => behind.includes(l.indicator)).map((l) => `${l.indicator}@${l.region}=${l.rate}`);
    expect(want.length).toBeGreaterThan(0);
    expect(city.lagging!.map((l) => `${l.indicator}@${l.region}=${l.rate}`)).toEqual(evaluation.lagging.map((l) => `${l.indicator}@${l.region}=${l.rate}`));
    for (const w of want) expect(city.lagging!.map((l) => `${l.indicator}@${l.region}=${l.rate}`)).toContain(w);
    expect(city.laggingNamed.some((l) => behind.includes(l.indicator))).toBe(false);
  });
});

describe("disclosure in the bulletin (rule 6)", () => {
  const complete: SiteContent = {
    policyDocuments: 1,
    localisedUpdates: 1,
    workUpdateMonths: Array.from({ length: 9 }, (_, i) => `2024-${String(i + 1).padStart(2, "0")}`),
    suggestions: [],
  };
  const prepared = new PreparedBundle(Either.getOrThrow(parseBundle(loadFixture())));

  it("scores from the content the platform holds, as judgeDisclosure does, and says where the records came from", () => {
    const failing = judgeDisclosure(prepared, "2024-09", "430500", "hn2024").sites.find((s) => !s.compliant)!;
    const content = { asOf: "2024-09-30", sites: [{ project: failing.project, region: failing.region, content: complete }] };
    const model = compose({ disclosureContent: content });
    const want = new Map<string, { compliant: number; total: number }>();
    for (const plan of ["hn2024", "sy2024"])
      for (const s of judgeDisclosure(prepared, "2024-09", "430500", plan, content).scores) {
        const t = want.get(s.region) ?? { compliant: 0, total: 0 };
        want.set(s.region, { compliant: t.compliant + s.compliant, total: t.total + s.total });
      }
    const all = [...model.disclosure!.good, ...model.disclosure!.fair, ...model.disclosure!.poor];
    for (const s of all) expect({ compliant: s.compliant, total: s.total }).toEqual(want.get(s.region));
    const group = all.find((s) => s.region === failing.group)!;
    expect(group.sources!.content).toBeGreaterThan(0);
    expect(model.disclosure!.sources!.content).toBeGreaterThan(0);
    expect(model.disclosure!.text).toContain("按公开内容评价");
    // without content: seed 003's records and words
    const plain = compose();
    expect(plain.disclosure!.sources).toEqual({ content: 0, record: plain.disclosure!.sources!.record });
    expect(plain.disclosure!.text).not.toContain("按公开内容评价");
    const before = [...plain.disclosure!.good, ...plain.disclosure!.fair, ...plain.disclosure!.poor].find((s) => s.region === failing.group)!;
    expect(group.compliant).toBe(before.compliant + 1);
  });
});

describe("summarizePlan: the bulletin's sentence for anyone who shows it", () => {
  const bundle = loadFixture();

  it("is the bulletin's sentence for the province and the city plan", () => {
    const model = compose();
    for (const s of model.summaries) {
      const got = summarizePlan({ bundle, period: "2024-09", region: "430500", plan: s.plan });
      expect(got.text).toBe(s.text);
    }
  });

  it("writes December without 提前 and every month's head from the month", () => {
    for (const period of ["2024-01", "2024-06", "2024-12"]) {
      const month = Number(period.slice(5));
      for (const plan of ["hn2024", "sy2024"]) {
        const s = summarizePlan({ bundle, period, region: "430500", plan });
        expect(s.text.startsWith(`截至 ${month} 月底，`)).toBe(true);
        expect(s.text).toBe(compose({ period, plans: [plan] }).summaries[0]!.text);
        if (month === 12) expect(s.text).not.toContain("提前");
      }
    }
  });
});
