// Rules 6-10 and the services around them: disclosure score and obligations, quality check, unit
// scoring and warnings, the verification workflow, observer duties, votes, feedback, satisfaction,
// letters, periods and the injected clock. Expected figures are worked out by hand in comments.
import { Clock, Effect, TestClock, TestContext } from "effect";
import { currentChinaDate, currentPeriod } from "../src/effect.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  applyReviewAction,
  bottomUnits,
  checkQuality,
  chinaDate,
  countedValue,
  Either,
  DisclosureChecklist,
  disclosureScore,
  FeedbackSubmission,
  InvalidInput,
  isLetterOverdue,
  isWorkingDay,
  Letter,
  maskPhone,
  missedObligations,
  MobilePhone,
  Observation,
  observerDuties,
  Occurrence,
  Period,
  periodAt,
  periodsOfYearUntil,
  previousPeriodInYear,
  processingRate,
  ReviewAction,
  ScoringScheme,
  scoreUnits,
  scoringWarnings,
  summariseSatisfaction,
  tallyVotes,
  decideVote,
  quorate,
  voteSessionProblems,
  countOverPresent,
  satisfactionBallot,
  TransitionNotAllowed,
  type MonthScores,
  type Observer,
  type ReportFigures,
  type ReportState,
  type SiteContent,
  type UnitScore,
  type Vote,
  type WorkCalendar,
} from "../src/index.js";

// ------------------------------------------------------------------------------------------------
describe("disclosureScore (rule 6)", () => {
  it("隆回县 21/23 → 5.4783, fair (较好)", () => {
    // 6 × 21 / 23 = 126 / 23 = 5.478260… → 5.4783; 21/23 = 91.3% ≥ 80%.
    expect(disclosureScore("430524", 21, 23)).toEqual({ region: "430524", compliant: 21, total: 23, score: 5.4783, band: "fair" });
  });

  it("4/20 → 1.2, poor (较差)", () => {
    expect(disclosureScore("x", 4, 20)).toMatchObject({ score: 1.2, band: "poor" });
  });

  it("full marks are good (好); no obligations yet counts as full marks", () => {
    expect(disclosureScore("x", 21, 21)).toMatchObject({ score: 6, band: "good" });
    expect(disclosureScore("x", 0, 0)).toMatchObject({ score: 6, band: "good" });
  });

  it("the fair band starts at exactly 80% of full marks", () => {
    expect(disclosureScore("x", 16, 20)).toMatchObject({ score: 4.8, band: "fair" });
    expect(disclosureScore("x", 15, 19)).toMatchObject({ score: 4.7368, band: "poor" }); // 78.9%; 90/19 = 4.736842…
    expect(disclosureScore("x", 0, 5)).toMatchObject({ score: 0, band: "poor" });
  });

  it("rounds half-up to 4 decimals: 6 × 1/16 = 0.375 exactly, 6 × 1/32 = 0.1875, 6 × 1/64 = 0.09375 → 0.0938", () => {
    expect(disclosureScore("x", 1, 16).score).toBe(0.375);
    expect(disclosureScore("x", 1, 64).score).toBe(0.0938);
    expect(disclosureScore("x", 1, 3, 10).score).toBe(3.3333); // other full marks
  });

  it("rejects impossible counts", () => {
    expect(() => disclosureScore("x", 5, 4)).toThrow(RangeError);
    expect(() => disclosureScore("x", -1, 4)).toThrow(RangeError);
    expect(() => disclosureScore("x", 1.5, 4)).toThrow(RangeError);
  });

  it("property: within [0, 6] and equal to an integer half-up computation", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.nat(), (total, k) => {
        const compliant = k % (total + 1);
        const { score } = disclosureScore("x", compliant, total);
        const num = 6 * compliant * 10_000;
        const want = (Math.floor(num / total) + (2 * (num % total) >= total ? 1 : 0)) / 10_000;
        expect(score).toBe(want);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(6);
      }),
    );
  });
});

// ------------------------------------------------------------------------------------------------
describe("working days and the reply deadline", () => {
  // 2024: 1 September is a Sunday. National Day: 1-7 October off, Sunday 29 September and
  // Saturday 12 October are make-up working days (调休).
  const nationalDay: WorkCalendar = {
    holidays: new Set(["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-05", "2024-10-06", "2024-10-07"]),
    workdays: new Set(["2024-09-29", "2024-10-12"]),
  };

  it("weekends are not working days; holidays and make-up days are honoured", () => {
    expect(isWorkingDay("2024-09-06")).toBe(true); // Friday
    expect(isWorkingDay("2024-09-07")).toBe(false); // Saturday
    expect(isWorkingDay("2024-09-08")).toBe(false); // Sunday
    expect(isWorkingDay("2024-09-29")).toBe(false);
    expect(isWorkingDay("2024-09-29", nationalDay)).toBe(true);
    expect(isWorkingDay("2024-10-02")).toBe(true); // a Wednesday…
    expect(isWorkingDay("2024-10-02", nationalDay)).toBe(false); // …but a holiday
  });

  it("counts working days after the day of receipt", () => {
    expect(addWorkingDays("2024-09-06", 5)).toBe("2024-09-13"); // Fri → next Fri
    expect(addWorkingDays("2024-09-07", 5)).toBe("2024-09-13"); // received on Saturday
    expect(addWorkingDays("2024-09-02", 1)).toBe("2024-09-03");
    expect(addWorkingDays("2024-09-06", 1)).toBe("2024-09-09"); // Fri → Mon
    // 27 Sep (Fri): 29 Sep (make-up), 30 Sep, then 8, 9, 10 Oct.
    expect(addWorkingDays("2024-09-27", 5, nationalDay)).toBe("2024-10-10");
    expect(addWorkingDays("2024-09-27", 5)).toBe("2024-10-04");
    // Across a year end.
    expect(addWorkingDays("2024-12-30", 3)).toBe("2025-01-02");
  });

  it("property: the deadline is a working day, exactly `days` working days later", () => {
    const start = Date.parse("2024-01-01T00:00:00Z");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 730 }), fc.integer({ min: 1, max: 20 }), (offset, days) => {
        const from = new Date(start + offset * 86_400_000).toISOString().slice(0, 10);
        const due = addWorkingDays(from, days, nationalDay);
        expect(isWorkingDay(due, nationalDay)).toBe(true);
        let count = 0;
        for (let ms = Date.parse(`${from}T00:00:00Z`) + 86_400_000; ms <= Date.parse(`${due}T00:00:00Z`); ms += 86_400_000) {
          const day = new Date(ms);
          const date = day.toISOString().slice(0, 10);
          const weekday = day.getUTCDay() !== 0 && day.getUTCDay() !== 6;
          if (nationalDay.workdays!.has(date) || (weekday && !nationalDay.holidays!.has(date))) count++;
        }
        expect(count).toBe(days);
      }),
    );
  });
});

describe("missedObligations (rule 6 checklist)", () => {
  const allMonths = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09"];
  const site = (over: Partial<SiteContent> = {}): SiteContent => ({
    policyDocuments: 1,
    localisedUpdates: 2,
    workUpdateMonths: allMonths,
    suggestions: [],
    ...over,
  });
  const calendar: WorkCalendar = {
    holidays: new Set(["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"]),
    workdays: new Set(["2024-09-29"]),
  };

  it("a complete site misses nothing", () => {
    expect(missedObligations(site(), "2024-09", "2024-09-30")).toEqual([]);
  });

  it("names each missing item", () => {
    expect(missedObligations(site({ policyDocuments: 0 }), "2024-09", "2024-09-30")).toEqual(["policyDocument"]);
    expect(missedObligations(site({ localisedUpdates: 0 }), "2024-09", "2024-09-30")).toEqual(["localisedContent"]);
    const noAugust = new Set(allMonths.filter((m) => m !== "2024-08"));
    expect(missedObligations(site({ workUpdateMonths: noAugust }), "2024-09", "2024-09-30")).toEqual(["monthlyWorkUpdate"]);
    // …but as of July, August is not due yet.
    expect(missedObligations(site({ workUpdateMonths: noAugust }), "2024-07", "2024-07-31")).toEqual([]);
    // Updates of another year do not count.
    expect(missedObligations(site({ workUpdateMonths: allMonths.map((m) => m.replace("2024", "2023")) }), "2024-01", "2024-01-31")).toEqual([
      "monthlyWorkUpdate",
    ]);
  });

  it("answers within 5 working days, weekends skipped", () => {
    // Received Fri 6 Sep: due Fri 13 Sep.
    const answered = (answeredOn: string | null) => site({ suggestions: [{ receivedOn: "2024-09-06", answeredOn }] });
    expect(missedObligations(answered("2024-09-13"), "2024-09", "2024-09-30")).toEqual([]);
    expect(missedObligations(answered("2024-09-16"), "2024-09", "2024-09-30")).toEqual(["answeredInTime"]);
    // Unanswered: not yet due on the 13th, late from the 14th.
    expect(missedObligations(answered(null), "2024-09", "2024-09-13")).toEqual([]);
    expect(missedObligations(answered(null), "2024-09", "2024-09-14")).toEqual(["answeredInTime"]);
  });

  it("honours holidays and make-up working days", () => {
    // Received Fri 27 Sep: 29 Sep (make-up), 30 Sep, 8, 9, 10 Oct (1-7 Oct off; 5-6 Oct a weekend).
    const s = (answeredOn?: string) => site({ suggestions: [{ receivedOn: "2024-09-27", answeredOn }] });
    expect(missedObligations(s("2024-10-10"), "2024-10", "2024-10-31", undefined, calendar)).toEqual(["monthlyWorkUpdate"]);
    expect(missedObligations(s("2024-10-10"), "2024-09", "2024-10-31", undefined, calendar)).toEqual([]);
    expect(missedObligations(s("2024-10-11"), "2024-09", "2024-10-31", undefined, calendar)).toEqual(["answeredInTime"]);
    // Without the calendar the deadline is Fri 4 Oct.
    expect(missedObligations(s("2024-10-08"), "2024-09", "2024-10-31")).toEqual(["answeredInTime"]);
    // Unanswered but not yet due on 10 Oct.
    expect(missedObligations(s(), "2024-09", "2024-10-10", undefined, calendar)).toEqual([]);
    expect(missedObligations(s(), "2024-09", "2024-10-11", undefined, calendar)).toEqual(["answeredInTime"]);
  });

  it("one late suggestion among several is enough", () => {
    const s = site({
      suggestions: [
        { receivedOn: "2024-09-02", answeredOn: "2024-09-03" },
        { receivedOn: "2024-09-02", answeredOn: "2024-09-10" }, // due 9 Sep
        { receivedOn: "2024-09-20" }, // due 27 Sep, still open on the 25th
      ],
    });
    expect(missedObligations(s, "2024-09", "2024-09-25")).toEqual(["answeredInTime"]);
  });

  it("the checklist and the deadline are configuration", () => {
    const bare: SiteContent = { policyDocuments: 0, localisedUpdates: 0, workUpdateMonths: [], suggestions: [{ receivedOn: "2024-09-02" }] };
    expect(missedObligations(bare, "2024-09", "2024-09-30")).toEqual(["policyDocument", "localisedContent", "monthlyWorkUpdate", "answeredInTime"]);
    const lenient = DisclosureChecklist.parse({ monthlyWorkUpdate: false, answeredInTime: false });
    expect(missedObligations(bare, "2024-09", "2024-09-30", lenient)).toEqual(["policyDocument", "localisedContent"]);
    // 3 working days from Mon 2 Sep: Thu 5 Sep.
    const three = DisclosureChecklist.parse({ replyWorkingDays: 3 });
    const s = site({ suggestions: [{ receivedOn: "2024-09-02", answeredOn: "2024-09-06" }] });
    expect(missedObligations(s, "2024-09", "2024-09-30", three)).toEqual(["answeredInTime"]);
    expect(missedObligations(s, "2024-09", "2024-09-30")).toEqual([]);
    expect(DisclosureChecklist.safeParse({ replyWorkingDays: 0 }).success).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------
describe("checkQuality (rule 7)", () => {
  const row = (target: number, reported: number, verified: number | null) => ({ indicator: "i", region: "r", target, reported, verified });

  it("a gap of exactly 10 points is within the limit; above it is flagged", () => {
    const [exact, over] = checkQuality([row(100, 80, 70), row(100, 80, 69.99)]);
    expect(exact).toMatchObject({ reportedRate: 80, verifiedRate: 70, gap: 10, withinLimit: true, reduced: true });
    expect(over).toMatchObject({ gap: 10.01, withinLimit: false, reduced: true });
  });

  it("exactly 10 points even where floats say 10.000000000000009", () => {
    expect((2.1 / 3 - 1.8 / 3) * 100).toBeGreaterThan(10);
    const [r] = checkQuality([row(3, 2.1, 1.8)]);
    expect(r).toMatchObject({ reportedRate: 70, verifiedRate: 60, gap: 10, withinLimit: true });
  });

  it("nothing verified counts as 0; a full verification is no reduction", () => {
    const [none, full, more] = checkQuality([row(50, 4, null), row(50, 40, 40), row(50, 40, 45)]);
    expect(none).toMatchObject({ reportedRate: 8, verifiedRate: 0, gap: 8, withinLimit: true, reduced: true });
    expect(full).toMatchObject({ gap: 0, withinLimit: true, reduced: false });
    expect(more).toMatchObject({ gap: -10, withinLimit: true, reduced: false });
  });

  it("the limit is a parameter and the input is kept", () => {
    const [r] = checkQuality([row(100, 80, 74)], 5);
    expect(r).toMatchObject({ indicator: "i", region: "r", target: 100, reported: 80, verified: 74, gap: 6, withinLimit: false });
  });

  it("property: flagged iff (reported − verified) × 100 > limit × target (integers)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (t, rep, ver) => {
          const [r] = checkQuality([row(t / 100, rep / 100, ver / 100)]);
          expect(r!.withinLimit).toBe((rep - ver) * 100 <= 10 * t);
          expect(r!.reduced).toBe(ver < rep);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ------------------------------------------------------------------------------------------------
describe("scoreUnits (rule 8)", () => {
  const scheme = ScoringScheme.parse({
    floor: 80,
    ceiling: 102,
    rules: [
      { id: "behind", label: "指标未达序时", points: -2, cap: 6 },
      { id: "overdue", label: "提示函逾期未整改", points: -5 },
      { id: "article", label: "经验做法被采用", points: 1.5, cap: 3 },
    ],
  });
  const units = ["a", "b", "c", "d", "e", "f"];
  const occurrences = [
    { unit: "a", rule: "behind", count: 2 }, // −4 → 96
    { unit: "b", rule: "behind", count: 5 }, // −10, capped at −6
    { unit: "b", rule: "article", count: 1 }, // +1.5 → 95.5
    { unit: "c", rule: "overdue", count: 5 }, // −25 → 75, floor 80
    { unit: "d", rule: "article", count: 4 }, // +6, capped at +3 → 103, ceiling 102
    { unit: "f", rule: "behind", count: 1 },
    { unit: "f", rule: "behind", count: 1 }, // two rows add up: −4 → 96
  ];

  it("starts from the base, adds points per occurrence within caps, floor and ceiling", () => {
    const scores = Either.getOrThrow(scoreUnits(scheme, units, occurrences));
    const by = new Map(scores.map((s) => [s.unit, s]));
    expect(by.get("a")!.score).toBe(96);
    expect(by.get("b")!.score).toBe(95.5);
    expect(by.get("c")!.score).toBe(80);
    expect(by.get("d")!.score).toBe(102);
    expect(by.get("e")).toEqual({ unit: "e", score: 100, rank: 2, lines: [] });
    expect(by.get("f")!.score).toBe(96);
    expect(by.get("b")!.lines).toEqual([
      { rule: "behind", count: 5, points: -6 },
      { rule: "article", count: 1, points: 1.5 },
    ]);
    expect(by.get("f")!.lines).toEqual([{ rule: "behind", count: 2, points: -4 }]);
  });

  it("ranks best first; equal scores share a rank and the next rank skips", () => {
    const scores = Either.getOrThrow(scoreUnits(scheme, units, occurrences));
    expect(scores.map((s) => [s.unit, s.score, s.rank])).toEqual([
      ["d", 102, 1],
      ["e", 100, 2],
      ["a", 96, 3],
      ["f", 96, 3],
      ["b", 95.5, 5],
      ["c", 80, 6],
    ]);
    const simple = ScoringScheme.parse({ rules: [{ id: "behind", label: "未达序时", points: -2 }] });
    const ties = Either.getOrThrow(
      scoreUnits(simple, ["w", "x", "y", "z"], [
        { unit: "x", rule: "behind", count: 1 },
        { unit: "y", rule: "behind", count: 1 },
        { unit: "z", rule: "behind", count: 2 },
      ]),
    );
    expect(ties.map((s) => s.rank)).toEqual([1, 2, 2, 4]);
    const allEqual = Either.getOrThrow(scoreUnits(simple, ["p", "q", "r"], []));
    expect(allEqual.map((s) => s.rank)).toEqual([1, 1, 1]);
  });

  it("adds fractional points exactly (0.1 × 3 = 0.3)", () => {
    const tenth = ScoringScheme.parse({ rules: [{ id: "plus", label: "加分", points: 0.1 }] });
    const [s] = Either.getOrThrow(scoreUnits(tenth, ["a"], [{ unit: "a", rule: "plus", count: 3 }]));
    expect(s!.score).toBe(100.3);
  });

  it("an unknown rule or unit is InvalidInput with the path of the occurrence", () => {
    const result = scoreUnits(scheme, units, [
      { unit: "a", rule: "behind", count: 1 },
      { unit: "a", rule: "nope", count: 1 },
      { unit: "ghost", rule: "behind", count: 1 },
    ]);
    expect(Either.isLeft(result)).toBe(true);
    if (Either.isLeft(result)) {
      expect(result.left).toBeInstanceOf(InvalidInput);
      expect(result.left.problems.map((p) => p.path)).toEqual(["$.occurrences[1].rule", "$.occurrences[2].unit"]);
      expect(result.left.problems[0]!.message).toContain("nope");
    }
  });

  it("the scheme is data, checked by its schema", () => {
    const bad = ScoringScheme.safeParse({
      floor: 90,
      ceiling: 80,
      rules: [
        { id: "r", label: "甲", points: 0 },
        { id: "r", label: "乙", points: -1, cap: -2 },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["rules.0.points", "rules.1.id", "rules.1.cap", "floor"]));
    expect(ScoringScheme.safeParse({ rules: [] }).success).toBe(false);
    expect(ScoringScheme.parse({ rules: [{ id: "r", label: "甲", points: 1 }] })).toMatchObject({ base: 100, warning: { bottom: 3, consecutiveMonths: 2 } });
    expect(Occurrence.safeParse({ unit: "a", rule: "r", count: -1 }).success).toBe(false);
    expect(Occurrence.safeParse({ unit: "a", rule: "r", count: 1.5 }).success).toBe(false);
  });

  it("property: without caps, floor or ceiling, score = base + Σ points × count (in tenths)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }).filter((p) => p !== 0), { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ unit: fc.constantFrom("a", "b", "c"), rule: fc.nat(), count: fc.integer({ min: 0, max: 20 }) }), { maxLength: 10 }),
        (pointsTenths, occ) => {
          const s = ScoringScheme.parse({ rules: pointsTenths.map((p, i) => ({ id: `r${i}`, label: `规则${i}`, points: p / 10 })) });
          const os = occ.map((o) => ({ unit: o.unit, rule: `r${o.rule % pointsTenths.length}`, count: o.count }));
          const scores = Either.getOrThrow(scoreUnits(s, ["a", "b", "c"], os));
          for (const u of ["a", "b", "c"]) {
            const tenths = 1000 + os.filter((o) => o.unit === u).reduce((acc, o) => acc + pointsTenths[Number(o.rule.slice(1))]! * o.count, 0);
            expect(scores.find((x) => x.unit === u)!.score).toBe(tenths / 10);
          }
          // Ranks: 1 + number of units strictly better.
          for (const x of scores) expect(x.rank).toBe(1 + scores.filter((y) => y.score > x.score).length);
        },
      ),
    );
  });
});

describe("bottomUnits and scoringWarnings (rule 8: bottom three two months running)", () => {
  const scored = (pairs: [string, number][]): UnitScore[] =>
    pairs.map(([unit, score]) => ({ unit, score, rank: 1 + pairs.filter(([, s]) => s > score).length, lines: [] }));
  const month = (period: string, pairs: [string, number][]): MonthScores => ({ period, scores: scored(pairs) });
  const scheme = ScoringScheme.parse({ rules: [{ id: "behind", label: "未达序时", points: -2 }] });

  it("bottom three, with ties at the line included", () => {
    expect(bottomUnits(scored([["a", 100], ["b", 90], ["c", 80], ["d", 70], ["e", 60]]), 3).sort()).toEqual(["c", "d", "e"]);
    // c and d tie for third from the bottom: both are in.
    expect(bottomUnits(scored([["a", 100], ["b", 90], ["c", 80], ["d", 80], ["e", 70]]), 3).sort()).toEqual(["c", "d", "e"]);
    expect(bottomUnits(scored([["a", 100], ["b", 80], ["c", 80], ["d", 80], ["e", 70]]), 2).sort()).toEqual(["b", "c", "d", "e"]);
    // Everyone equal: nobody is at the bottom.
    expect(bottomUnits(scored([["a", 100], ["b", 100], ["c", 100]]), 3)).toEqual([]);
  });

  it("warns units in the bottom three in both of the last two months", () => {
    const aug = month("2024-08", [["a", 100], ["b", 98], ["c", 90], ["d", 85], ["e", 80], ["f", 70]]); // bottom: d, e, f
    const sep = month("2024-09", [["a", 100], ["b", 60], ["c", 99], ["d", 84], ["e", 95], ["f", 70]]); // bottom: b, d, f
    expect(scoringWarnings(scheme, [aug, sep], "2024-09")).toEqual([
      { unit: "d", periods: ["2024-08", "2024-09"] },
      { unit: "f", periods: ["2024-08", "2024-09"] },
    ]);
    // Order of the months given does not matter; older months are ignored.
    const jul = month("2024-07", [["a", 10], ["b", 100], ["c", 100], ["d", 100], ["e", 100], ["f", 100]]);
    expect(scoringWarnings(scheme, [sep, jul, aug], "2024-09").map((w) => w.unit)).toEqual(["d", "f"]);
  });

  it("a gap month breaks the run", () => {
    const jul = month("2024-07", [["a", 100], ["b", 98], ["c", 90], ["d", 85], ["e", 80], ["f", 70]]);
    const sep = month("2024-09", [["a", 100], ["b", 98], ["c", 90], ["d", 85], ["e", 80], ["f", 70]]);
    expect(scoringWarnings(scheme, [jul, sep], "2024-09")).toEqual([]);
    // Nor is there a run when the asked month itself is missing.
    expect(scoringWarnings(scheme, [jul, sep], "2024-10")).toEqual([]);
  });

  it("runs across the year end (December then January)", () => {
    const dec = month("2023-12", [["a", 100], ["b", 50], ["c", 90], ["d", 80]]);
    const jan = month("2024-01", [["a", 100], ["b", 50], ["c", 95], ["d", 99]]);
    expect(scoringWarnings(ScoringScheme.parse({ rules: scheme.rules, warning: { bottom: 1 } }), [dec, jan], "2024-01")).toEqual([
      { unit: "b", periods: ["2023-12", "2024-01"] },
    ]);
  });

  it("the bottom size and the run length are configuration", () => {
    const three = ScoringScheme.parse({ rules: scheme.rules, warning: { bottom: 1, consecutiveMonths: 3 } });
    const m = (p: string, lowest: string) => month(p, ["a", "b", "c"].map((u): [string, number] => [u, u === lowest ? 50 : 100]));
    expect(scoringWarnings(three, [m("2024-07", "c"), m("2024-08", "c"), m("2024-09", "c")], "2024-09")).toEqual([
      { unit: "c", periods: ["2024-07", "2024-08", "2024-09"] },
    ]);
    expect(scoringWarnings(three, [m("2024-07", "b"), m("2024-08", "c"), m("2024-09", "c")], "2024-09")).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
describe("applyReviewAction (填报 → 核验)", () => {
  const report = (state: ReportState): ReportFigures => ({
    state,
    reportedValue: 80,
    verifiedValue: state === "verified" ? 80 : state === "reduced" ? 60 : null,
    reason: state === "reduced" || state === "returned" ? "佐证不足" : null,
  });
  const actions: Record<string, ReviewAction> = {
    submit: { action: "submit" },
    verify: { action: "verify" },
    reduce: { action: "reduce", verifiedValue: 50, reason: "佐证材料只支持50户" },
    return: { action: "return", reason: "缺少验收资料" },
    reopen: { action: "reopen" },
  };
  const states: ReportState[] = ["draft", "submitted", "verified", "reduced", "returned"];
  /** the whole transition table: state → action → next state (absent = not allowed) */
  const allowed: Record<ReportState, Partial<Record<string, ReportState>>> = {
    draft: { submit: "submitted" },
    submitted: { verify: "verified", reduce: "reduced", return: "returned" },
    verified: { reopen: "submitted" },
    reduced: { reopen: "submitted" },
    returned: { submit: "submitted" },
  };

  for (const state of states)
    for (const [name, act] of Object.entries(actions)) {
      const next = allowed[state][name];
      it(`${name} a ${state} report: ${next ? `→ ${next}` : "not allowed"}`, () => {
        const result = applyReviewAction(report(state), act);
        if (next) {
          expect(Either.isRight(result)).toBe(true);
          expect(Either.getOrThrow(result).state).toBe(next);
        } else {
          expect(Either.isLeft(result)).toBe(true);
          if (Either.isLeft(result)) {
            expect(result.left).toBeInstanceOf(TransitionNotAllowed);
            expect(result.left).toMatchObject({ _tag: "TransitionNotAllowed", from: state, action: name });
          }
        }
      });
    }

  it("sets the verified value and reason of each outcome", () => {
    const submitted = report("submitted");
    expect(Either.getOrThrow(applyReviewAction(submitted, actions.verify!))).toEqual({ state: "verified", reportedValue: 80, verifiedValue: 80, reason: null });
    expect(Either.getOrThrow(applyReviewAction(submitted, actions.reduce!))).toEqual({
      state: "reduced",
      reportedValue: 80,
      verifiedValue: 50,
      reason: "佐证材料只支持50户",
    });
    expect(Either.getOrThrow(applyReviewAction(submitted, actions.return!))).toEqual({
      state: "returned",
      reportedValue: 80,
      verifiedValue: null,
      reason: "缺少验收资料",
    });
    expect(Either.getOrThrow(applyReviewAction(report("reduced"), actions.reopen!))).toMatchObject({ state: "submitted", verifiedValue: null, reason: null });
  });

  it("reducing needs a value below the reported one", () => {
    const submitted = report("submitted");
    const reduceTo = (verifiedValue: number) => applyReviewAction(submitted, { action: "reduce", verifiedValue, reason: "核减" });
    expect(Either.isLeft(reduceTo(80))).toBe(true); // equal: that is a verification
    expect(Either.isLeft(reduceTo(81))).toBe(true);
    expect(Either.isRight(reduceTo(79.99))).toBe(true);
    expect(Either.isRight(reduceTo(0))).toBe(true);
    // 0.1 + 0.2 is not below 0.3 (it prints as 0.30000000000000004)
    const small: ReportFigures = { state: "submitted", reportedValue: 0.3, verifiedValue: null, reason: null };
    expect(Either.isLeft(applyReviewAction(small, { action: "reduce", verifiedValue: 0.1 + 0.2, reason: "核减" }))).toBe(true);
    expect(Either.isRight(applyReviewAction(small, { action: "reduce", verifiedValue: 0.29, reason: "核减" }))).toBe(true);
  });

  it("a whole round trip: draft → submitted → returned → submitted → reduced → submitted → verified", () => {
    let r: ReportFigures = { state: "draft", reportedValue: 120, verifiedValue: null, reason: null };
    const step = (act: ReviewAction) => (r = Either.getOrThrow(applyReviewAction(r, act)));
    step({ action: "submit" });
    step({ action: "return", reason: "缺照片" });
    expect(countedValue(r)).toBeNull();
    step({ action: "submit" });
    expect(r.reason).toBeNull();
    step({ action: "reduce", verifiedValue: 100, reason: "20户未验收" });
    expect(countedValue(r)).toBe(100);
    step({ action: "reopen" });
    expect(countedValue(r)).toBeNull();
    step({ action: "verify" });
    expect(countedValue(r)).toBe(120);
  });

  it("only verified or reduced reports count", () => {
    for (const s of states) expect(countedValue(report(s))).toBe(s === "verified" ? 80 : s === "reduced" ? 60 : null);
  });

  it("actions are checked by their schema", () => {
    expect(ReviewAction.safeParse({ action: "reduce", verifiedValue: 5, reason: " " }).success).toBe(false);
    expect(ReviewAction.safeParse({ action: "reduce", verifiedValue: -1, reason: "理由充分" }).success).toBe(false);
    expect(ReviewAction.safeParse({ action: "return" }).success).toBe(false);
    expect(ReviewAction.safeParse({ action: "approve" }).success).toBe(false);
    expect(ReviewAction.safeParse({ action: "return", reason: "缺照片" }).success).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------------
describe("observerDuties (rule 9, 四个一)", () => {
  const observers: Observer[] = [
    { id: "o1", name: "张老师", background: "教师", region: "430502" },
    { id: "o2", name: "李代表", background: "人大代表", region: "430502" },
    { id: "o3", name: "王律师", background: "律师", region: "430503" },
  ];
  const obs = (observer: string, kind: Observation["kind"], date: string): Observation => ({ observer, kind, date, text: "现场查看情况良好" });
  const monthly = (observer: string, months: string[]) =>
    months.flatMap((m) => [obs(observer, "information", `${m}-10`), obs(observer, "suggestion", `${m}-20`)]);
  const observations: Observation[] = [
    ...monthly("o1", ["2024-01", "2024-02", "2024-03"]),
    obs("o1", "inspection", "2024-02-15"),
    obs("o2", "information", "2024-01-05"),
    obs("o2", "information", "2024-03-05"),
    obs("o2", "information", "2023-02-05"), // another year
    obs("o2", "information", "2024-04-02"), // after the period
    obs("o2", "suggestion", "2024-01-05"),
    obs("o2", "suggestion", "2024-02-05"),
    obs("o2", "suggestion", "2024-03-05"),
    obs("o2", "report", "2024-03-30"),
  ];

  it("lists the months without information or suggestion, and the yearly duties", () => {
    const duties = observerDuties(observers, observations, "2024-03");
    expect(duties).toEqual([
      { observer: "o1", missingInformation: [], missingSuggestion: [], inspectionDue: false, reportDue: true, short: false },
      { observer: "o2", missingInformation: ["2024-02"], missingSuggestion: [], inspectionDue: true, reportDue: false, short: true },
      {
        observer: "o3",
        missingInformation: ["2024-01", "2024-02", "2024-03"],
        missingSuggestion: ["2024-01", "2024-02", "2024-03"],
        inspectionDue: true,
        reportDue: true,
        short: true,
      },
    ]);
  });

  it("yearly duties make an observer short only at year end", () => {
    const year = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"].map((m) => `2024-${m}`);
    const full = [...monthly("o1", year), obs("o1", "inspection", "2024-05-01")];
    const [nov] = observerDuties([observers[0]!], full, "2024-11");
    expect(nov).toMatchObject({ reportDue: true, short: false });
    const [dec] = observerDuties([observers[0]!], full, "2024-12");
    expect(dec).toMatchObject({ missingInformation: [], reportDue: true, short: true });
    const [done] = observerDuties([observers[0]!], [...full, obs("o1", "report", "2024-12-20")], "2024-12");
    expect(done).toMatchObject({ inspectionDue: false, reportDue: false, short: false });
  });

  it("an observation needs a date and some text", () => {
    expect(Observation.safeParse({ observer: "o1", kind: "information", date: "2024-3-1", text: "现场查看情况良好" }).success).toBe(false);
    expect(Observation.safeParse({ observer: "o1", kind: "information", date: "2024-03-01", text: "好" }).success).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------
describe("tallyVotes (票决, rule 13)", () => {
  const v = (candidate: string, deputy: string, choice: Vote["choice"]): Vote => ({ candidate, deputy, choice });

  it("carries a candidate when votes for exceed half of the deputies entitled, not of those voting", () => {
    const votes = [
      v("c1", "d1", "for"),
      v("c1", "d2", "for"),
      v("c1", "d3", "for"),
      v("c1", "d4", "against"),
      v("c1", "d5", "abstain"),
      // c2: 2 for of 4 voting is exactly half, not more.
      v("c2", "d1", "for"),
      v("c2", "d2", "against"),
      v("c2", "d3", "abstain"),
      v("c2", "d4", "for"),
    ];
    // 5 entitled: 3 for is more than half
    expect(tallyVotes(["c1", "c2", "c3"], votes, 5)).toEqual([
      { candidate: "c1", for: 3, against: 1, abstain: 1, carried: true },
      { candidate: "c2", for: 2, against: 1, abstain: 1, carried: false },
      { candidate: "c3", for: 0, against: 0, abstain: 0, carried: false },
    ]);
    // 7 entitled, the same 5 voting: 3 for is more than half of those voting but not of those entitled (the old bar carried it)
    expect(tallyVotes(["c1"], votes, 7)[0]!.carried).toBe(false);
  });

  it("counts a deputy's last ballot once", () => {
    const votes = [v("c1", "d1", "against"), v("c1", "d2", "for"), v("c1", "d1", "for"), v("c1", "d1", "for"), v("c1", "d3", "against")];
    expect(tallyVotes(["c1"], votes, 3)).toEqual([{ candidate: "c1", for: 2, against: 1, abstain: 0, carried: true }]);
    const changed = [v("c1", "d1", "for"), v("c1", "d2", "for"), v("c1", "d1", "against")];
    expect(tallyVotes(["c1"], changed, 2)[0]).toMatchObject({ for: 1, against: 1, carried: false });
  });
});

describe("decideVote (票决, rule 13)", () => {
  const c = (candidate: string, votesFor: number, against = 0, abstain = 0) => ({ candidate, for: votesFor, against, abstain });

  it("is valid with two thirds of those entitled present, exactly two thirds included", () => {
    expect(quorate(20, 30)).toBe(true);
    expect(quorate(19, 30)).toBe(false);
    expect(decideVote({ entitled: 30, present: 19, seats: 1 }, [c("a", 19), c("b", 0)])).toEqual({
      valid: false,
      elected: [],
      runoff: [],
      candidates: [
        { id: "a", for: 19, against: 0, abstain: 0, carried: false },
        { id: "b", for: 0, against: 0, abstain: 0, carried: false },
      ],
    });
  });

  it("carries with votes for over half of those entitled: exactly half does not", () => {
    const r = decideVote({ entitled: 30, present: 30, seats: 2 }, [c("a", 16), c("b", 15), c("x", 3)]);
    expect(r.candidates.map((x) => x.carried)).toEqual([true, false, false]);
    expect(r.elected).toEqual(["a"]);
  });

  it("gives the seats to those with most votes for when more carry than there are seats", () => {
    const r = decideVote({ entitled: 30, present: 28, seats: 2 }, [c("a", 17), c("b", 25), c("x", 20), c("y", 4)]);
    expect(r.elected).toEqual(["b", "x"]);
    expect(r.runoff).toEqual([]);
    expect(r.candidates.filter((x) => x.carried).map((x) => x.id)).toEqual(["a", "b", "x"]);
  });

  it("sends a tie at the last seat to a runoff, electing those above it", () => {
    const r = decideVote({ entitled: 30, present: 30, seats: 2 }, [c("a", 25), c("b", 20), c("x", 20), c("y", 1)]);
    expect(r).toMatchObject({ valid: true, elected: ["a"], runoff: ["b", "x"] });
    // a tie above the last seat decides nothing: both take seats
    expect(decideVote({ entitled: 30, present: 30, seats: 2 }, [c("a", 25), c("b", 25), c("x", 20)])).toMatchObject({ elected: ["a", "b"], runoff: [] });
  });

  it("elects nobody when nobody carries", () => {
    expect(decideVote({ entitled: 30, present: 30, seats: 2 }, [c("a", 15), c("b", 10), c("x", 5)])).toMatchObject({ valid: true, elected: [], runoff: [] });
  });

  it("refuses a session with more present than entitled or no more candidates than seats (差额)", () => {
    expect(voteSessionProblems({ entitled: 30, present: 31, seats: 2 }, 3).map((p) => p.kind)).toEqual(["present_over_entitled"]);
    expect(voteSessionProblems({ entitled: 30, present: 30, seats: 3 }, 3).map((p) => p.kind)).toEqual(["too_few_candidates"]);
    expect(voteSessionProblems({ entitled: 30, present: 30, seats: 2 }, 3)).toEqual([]);
    expect(countOverPresent({ for: 20, against: 5, abstain: 6 }, 30)).toBe(true);
    expect(countOverPresent({ for: 20, against: 5, abstain: 5 }, 30)).toBe(false);
  });
});

describe("satisfactionBallot (rule 14)", () => {
  it("flags 不满意 over half of the valid ballots; exactly half is not flagged", () => {
    expect(satisfactionBallot({ satisfied: 5, basically_satisfied: 0, dissatisfied: 5 })).toEqual({
      satisfied: 5,
      basically_satisfied: 0,
      dissatisfied: 5,
      total: 10,
      satisfactionRate: 50,
      flagged: false,
    });
    expect(satisfactionBallot({ satisfied: 4, basically_satisfied: 0, dissatisfied: 5 }).flagged).toBe(true);
    expect(satisfactionBallot({ satisfied: 0, basically_satisfied: 0, dissatisfied: 0 })).toMatchObject({ total: 0, satisfactionRate: null, flagged: false });
    expect(satisfactionBallot({ satisfied: 20, basically_satisfied: 9, dissatisfied: 1 }).satisfactionRate).toBe(96.67);
  });
});

// ------------------------------------------------------------------------------------------------
describe("feedback (rule 10)", () => {
  it("processing rate = answered ÷ received, 4 decimals half-up; 1 when nothing was received", () => {
    expect(processingRate(0, 0)).toBe(1);
    expect(processingRate(3, 3)).toBe(1);
    expect(processingRate(3, 2)).toBe(0.6667);
    expect(processingRate(8, 1)).toBe(0.125);
    expect(processingRate(20_000, 1)).toBe(0.0001); // 0.00005 → up
    expect(processingRate(30_000, 1)).toBe(0); // 0.0000333 → down
    expect(processingRate(7, 0)).toBe(0);
  });

  it("masks a mobile number as 138****5678", () => {
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone("123")).toBe("***");
    expect(maskPhone("")).toBe("");
  });

  it("property: a masked mobile number keeps only the first 3 and last 4 digits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }), (second, rest) => {
        const phone = `1${second}${rest.join("")}`;
        expect(MobilePhone.safeParse(phone).success).toBe(true);
        const masked = maskPhone(phone);
        expect(masked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
        expect(masked).toHaveLength(11);
      }),
    );
  });

  it("validates a citizen's submission", () => {
    expect(FeedbackSubmission.safeParse({ kind: "suggestion", text: "  建议增加路灯照明  ", phone: "13812345678" }).success).toBe(true);
    expect(FeedbackSubmission.safeParse({ kind: "suggestion", text: "好" }).success).toBe(false);
    expect(FeedbackSubmission.safeParse({ kind: "spam", text: "建议增加路灯照明" }).success).toBe(false);
    for (const phone of ["12812345678", "1381234567", "138123456789", "+8613812345678"])
      expect(MobilePhone.safeParse(phone).success, phone).toBe(false);
  });
});

describe("summariseSatisfaction (满意度测评)", () => {
  it("counts each rating and the (满意 + 基本满意) share in percent", () => {
    expect(summariseSatisfaction([])).toEqual({ satisfied: 0, basically_satisfied: 0, dissatisfied: 0, total: 0, satisfactionRate: null });
    expect(summariseSatisfaction(["satisfied", "basically_satisfied", "dissatisfied"])).toEqual({
      satisfied: 1,
      basically_satisfied: 1,
      dissatisfied: 1,
      total: 3,
      satisfactionRate: 66.67,
    });
    expect(summariseSatisfaction(["satisfied", "dissatisfied", "dissatisfied"]).satisfactionRate).toBe(33.33);
    expect(summariseSatisfaction(["basically_satisfied", "satisfied"]).satisfactionRate).toBe(100);
    // 7 of 8 = 87.5 exactly; 1 of 16 = 6.25; 1 of 32 = 3.125 → 3.13
    expect(summariseSatisfaction([...Array(7).fill("satisfied"), "dissatisfied"]).satisfactionRate).toBe(87.5);
    expect(summariseSatisfaction(["satisfied", ...Array(31).fill("dissatisfied")]).satisfactionRate).toBe(3.13);
  });
});

// ------------------------------------------------------------------------------------------------
describe("letters (提示函)", () => {
  it("are overdue when not rectified by the deadline", () => {
    expect(isLetterOverdue({ dueOn: "2024-09-30", rectifiedOn: null }, "2024-09-30")).toBe(false);
    expect(isLetterOverdue({ dueOn: "2024-09-30", rectifiedOn: null }, "2024-10-01")).toBe(true);
    expect(isLetterOverdue({ dueOn: "2024-09-30", rectifiedOn: "2024-09-30" }, "2024-12-31")).toBe(false);
    expect(isLetterOverdue({ dueOn: "2024-09-30", rectifiedOn: "2024-10-02" }, "2024-10-01")).toBe(true);
  });

  it("must name a unit or region and not be due before it is issued", () => {
    const base = { id: "l1", kind: "reminder", subject: "温馨提示", body: "请按序时推进", issuedOn: "2024-09-01", dueOn: "2024-09-15" };
    expect(Letter.parse({ ...base, toUnit: "edu" }).rectifiedOn).toBeNull();
    const noAddressee = Letter.safeParse(base);
    expect(noAddressee.success).toBe(false);
    expect(noAddressee.error!.issues.map((i) => i.path.join("."))).toContain("toUnit");
    const early = Letter.safeParse({ ...base, toRegion: "430502", dueOn: "2024-08-31" });
    expect(early.success).toBe(false);
    expect(early.error!.issues.map((i) => i.path.join("."))).toContain("dueOn");
  });
});

// ------------------------------------------------------------------------------------------------
describe("periods", () => {
  it("are months written YYYY-MM", () => {
    for (const ok of ["2024-01", "2024-09", "2024-12"]) expect(Period.safeParse(ok).success, ok).toBe(true);
    for (const bad of ["2024-13", "2024-00", "2024-9", "24-09", "2024-09-01", "2024/09"]) expect(Period.safeParse(bad).success, bad).toBe(false);
  });

  it("previous month within the year, and the months so far", () => {
    expect(previousPeriodInYear("2024-10")).toBe("2024-09");
    expect(previousPeriodInYear("2024-01")).toBeUndefined();
    expect(periodsOfYearUntil("2024-03")).toEqual(["2024-01", "2024-02", "2024-03"]);
    expect(periodsOfYearUntil("2024-12")).toHaveLength(12);
  });

  it("dates and months are China time", () => {
    expect(chinaDate(Date.parse("2024-09-30T15:59:59.999Z"))).toBe("2024-09-30");
    expect(chinaDate(Date.parse("2024-09-30T16:00:00Z"))).toBe("2024-10-01");
    expect(periodAt(Date.parse("2024-12-31T16:00:00Z"))).toBe("2025-01");
  });
});

describe("currentPeriod from the injected clock", () => {
  const fixedClock = (ms: number): Clock.Clock => ({
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => ms,
    currentTimeMillis: Effect.succeed(ms),
    unsafeCurrentTimeNanos: () => BigInt(ms) * 1_000_000n,
    currentTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
    sleep: () => Effect.void,
  });
  // TestClock.setTime / adjust yield to the scheduler: run them with runPromise.
  const atTestTime = <A>(iso: string, effect: Effect.Effect<A>): Promise<A> =>
    Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse(iso));
        return yield* effect;
      }).pipe(Effect.provide(TestContext.TestContext)),
    );

  it("2024-09-30T16:30:00Z is already October in China (TestClock)", async () => {
    expect(await atTestTime("2024-09-30T16:30:00Z", currentPeriod)).toBe("2024-10");
    expect(await atTestTime("2024-09-30T16:30:00Z", currentChinaDate)).toBe("2024-10-01");
    expect(await atTestTime("2024-09-30T15:59:59Z", currentPeriod)).toBe("2024-09");
    expect(await atTestTime("2024-12-31T16:00:00Z", currentPeriod)).toBe("2025-01");
  });

  it("follows the clock as it moves (TestClock.adjust)", async () => {
    const months = await Effect.runPromise(
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2024-09-30T15:00:00Z"));
        const before = yield* currentPeriod;
        yield* TestClock.adjust("2 hours");
        const after = yield* currentPeriod;
        return [before, after];
      }).pipe(Effect.provide(TestContext.TestContext)),
    );
    expect(months).toEqual(["2024-09", "2024-10"]);
  });

  it("works with any Clock passed by Effect.withClock", () => {
    expect(Effect.runSync(Effect.withClock(currentPeriod, fixedClock(Date.parse("2024-02-29T16:00:00Z"))))).toBe("2024-03");
    expect(Effect.runSync(Effect.withClock(currentChinaDate, fixedClock(Date.parse("2024-02-29T15:00:00Z"))))).toBe("2024-02-29");
  });

  it("property: agrees with Intl's Asia/Shanghai calendar", () => {
    const shanghai = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" });
    const dates = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true });
    fc.assert(
      fc.property(dates, (date) => {
        const ms = date.getTime();
        const parts = shanghai.formatToParts(date);
        const want = `${parts.find((p) => p.type === "year")!.value}-${parts.find((p) => p.type === "month")!.value}`;
        expect(Effect.runSync(Effect.withClock(currentPeriod, fixedClock(ms)))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });
});
