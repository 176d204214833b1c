// The light modules the web apps import (labels, calendar, round, feedback-rules, schedule-rules) give the same
// answers as the zod/Rational rules the API runs: one rule, checked against its heavy form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chineseDate, nextPeriod, openingPeriod, periodAt, periodsOfYear, previousPeriod, reportingDeadline } from "../src/calendar.js";
import { disclosureBandLabel as bandLabelOfDisclosure, DisclosureBand } from "../src/disclosure.js";
import * as main from "../src/index.js";
import { FeedbackSubmission } from "../src/feedback.js";
import { FEEDBACK_KINDS, feedbackTextProblem, isMobilePhone } from "../src/feedback-rules.js";
import * as labels from "../src/labels.js";
import { Schedule } from "../src/plan.js";
import { Rational } from "../src/rational.js";
import { fractionPercent, percentFraction, roundHalfUp } from "../src/round.js";
import { milestoneProblems } from "../src/schedule-rules.js";
import { Status } from "../src/status.js";

describe("labels", () => {
  it("has one band name table: disclosure.ts and the main entry give labels.ts's own object", () => {
    expect(bandLabelOfDisclosure).toBe(labels.disclosureBandLabel);
    expect(main.disclosureBandLabel).toBe(labels.disclosureBandLabel);
    expect(Object.keys(labels.disclosureBandLabel).sort()).toEqual([...DisclosureBand.options].sort());
  });

  it("names every status in full and in short, the short word beginning the full one", () => {
    expect(Object.keys(labels.statusLabel).sort()).toEqual([...Status.options].sort());
    expect(Object.keys(labels.statusShortLabel).sort()).toEqual([...Status.options].sort());
    for (const s of Status.options) expect(labels.statusLabel[s].startsWith(labels.statusShortLabel[s])).toBe(true);
    expect(labels.statusShortLabel).toEqual({ completed: "已完成", on_schedule: "按序时", behind: "未达序时" });
    expect(main.statusShortLabel).toBe(labels.statusShortLabel);
  });
});

describe("roundHalfUp and fractionPercent", () => {
  // Figures as users type them: up to 6 decimals, up to 10^12, and doubles of every kind.
  const typed = fc.tuple(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 6 })).map(([n, k]) => n / 10 ** k);
  const figure = fc.oneof(typed, fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e-3, max: 1e-3 }));

  it("rounds the decimal a number prints as, half away from zero, like Rational.round", () => {
    fc.assert(
      fc.property(figure, fc.integer({ min: 0, max: 8 }), (x, digits) => {
        expect(roundHalfUp(x, digits)).toBe(Rational.round(Rational.fromNumber(x), digits) + 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives a fraction's percent like Rational.percent, without ×100 in floats", () => {
    fc.assert(
      fc.property(figure, fc.integer({ min: 0, max: 6 }), (x, digits) => {
        expect(fractionPercent(x, digits)).toBe(Rational.percent(Rational.fromNumber(x), digits) + 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("turns a typed percent into its fraction exactly, and back", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 6 }), (n, k) => {
        const percent = n / 10 ** k;
        // the decimal n × 10^-(k+2), read as a number (the nearest double: what Number("0.0028") gives)
        expect(percentFraction(percent)).toBe(Number(`${n}e-${k + 2}`));
        expect(fractionPercent(percentFraction(percent), 6)).toBe(roundHalfUp(percent, 6));
      }),
      { numRuns: 3000 },
    );
    expect(percentFraction(0.28)).toBe(0.0028);
    expect(percentFraction(14.5)).toBe(0.145);
    expect(percentFraction(100)).toBe(1);
    expect(percentFraction(1e-7)).toBe(1e-9);
    expect(() => percentFraction(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("gets the cases floats get wrong right", () => {
    expect(roundHalfUp(1.005, 2)).toBe(1.01); // Math.round(1.005 * 100) / 100 is 1
    expect(roundHalfUp(45.555, 2)).toBe(45.56);
    expect(roundHalfUp(-2.345, 2)).toBe(-2.35);
    expect(roundHalfUp(1e-7, 2)).toBe(0);
    expect(roundHalfUp(9.995, 2)).toBe(10);
    expect(roundHalfUp(0.5, 0)).toBe(1);
    expect(fractionPercent(0.74505)).toBe(74.51);
    expect(fractionPercent(0.145)).toBe(14.5);
    expect(fractionPercent(0.5)).toBe(50);
    expect(() => roundHalfUp(Number.NaN, 2)).toThrow(RangeError);
  });
});

describe("feedback rules", () => {
  const text = fc.oneof(fc.string({ maxLength: 2010 }), fc.string({ minLength: 1990, maxLength: 2010 }), fc.constantFrom("", "     ", " 1234 ", " 12345 ", "\u3000短短短短\u3000", "长".repeat(2000), ` ${"长".repeat(2000)} `, "长".repeat(2001)));
  const phone = fc.oneof(fc.stringMatching(/^1[0-9]\d{8,10}$/), fc.string({ maxLength: 12 }), fc.constantFrom("13812345678", "12812345678", "1381234567", "138123456789", "1381234567a"));

  it("accept and refuse exactly what the server's zod schema does", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FEEDBACK_KINDS), text, fc.option(phone, { nil: undefined }), (kind, t, p) => {
        const zod = FeedbackSubmission.safeParse({ kind, text: t, ...(p === undefined ? {} : { phone: p }) });
        const zodFields = new Set(zod.success ? [] : zod.error.issues.map((i) => String(i.path[0])));
        const light = new Set([...(feedbackTextProblem(t) ? ["text"] : []), ...(p !== undefined && !isMobilePhone(p) ? ["phone"] : [])]);
        expect(light).toEqual(zodFields);
      }),
      { numRuns: 2000 },
    );
    expect(feedbackTextProblem(" 1234 ")).toBe("too_short");
    expect(feedbackTextProblem("长".repeat(2001))).toBe("too_long");
    expect(FeedbackSubmission.shape.kind.options).toEqual([...FEEDBACK_KINDS]);
  });
});

describe("calendar", () => {
  it("writes months and days the Chinese way and lists a year's months", () => {
    expect(chineseDate("2024-09")).toBe("2024年9月");
    expect(chineseDate("2024-10-08")).toBe("2024年10月8日");
    expect(chineseDate("2024-10-08T02:00:00Z")).toBe("2024年10月8日");
    // an instant is dated in China: 18:00 UTC is 02:00 the next day in Hunan
    expect(chineseDate("2024-10-07T18:00:00.000Z")).toBe("2024年10月8日");
    expect(chineseDate("2024-10-07T15:59:59Z")).toBe("2024年10月7日");
    expect(chineseDate("2024-12-31T16:00:00.000Z")).toBe("2025年1月1日");
    expect(chineseDate("2024-10-08T01:00:00+08:00")).toBe("2024年10月8日");
    expect(chineseDate("2024-10-07 18:00")).toBe("2024年10月7日");
    expect(chineseDate("下月")).toBe("下月");
    expect(periodsOfYear(2024)).toHaveLength(12);
    expect(periodsOfYear(2024)[8]).toBe("2024-09");
    // 2024-09-30 16:00 UTC is already October in Hunan
    expect(periodAt(Date.UTC(2024, 8, 30, 16))).toBe("2024-10");
  });
});

describe("milestone rules", () => {
  const point = fc.record({
    month: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constantFrom(1.5, -1)),
    fraction: fc.oneof(fc.double({ min: -0.1, max: 1.1, noNaN: true }), fc.constantFrom(0, 0.25, 0.5, 1)),
  });

  it("find a problem exactly when the zod schema refuses the schedule, at the same fields", () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 5 }), (points) => {
        const zod = Schedule.safeParse({ type: "milestones", points });
        const light = milestoneProblems(points);
        expect(light.length === 0).toBe(zod.success);
        // where the ranges hold, the order problems are reported at the same paths
        if (!light.some((p) => p.problem === "out_of_range" || p.problem === "empty") && !zod.success)
          expect(light.map((p) => ("index" in p ? `points.${p.index}.${p.field}` : "")).sort()).toEqual(zod.error.issues.map((i) => i.path.join(".")).sort());
      }),
      { numRuns: 2000 },
    );
  });
});

describe("months across the new year and the reporting deadline", () => {
  it("steps months over December and clamps the deadline day to the month", () => {
    expect(previousPeriod("2025-01")).toBe("2024-12");
    expect(previousPeriod("2024-10")).toBe("2024-09");
    expect(nextPeriod("2024-12")).toBe("2025-01");
    expect(nextPeriod("2024-09")).toBe("2024-10");
    expect(reportingDeadline("2024-09", 5)).toBe("2024-10-05");
    expect(reportingDeadline("2024-12", 10)).toBe("2025-01-10");
    expect(reportingDeadline("2024-01", 31)).toBe("2024-02-29");
    expect(reportingDeadline("2025-01", 31)).toBe("2025-02-28");
    expect(reportingDeadline("2024-09", 0)).toBe("2024-10-01");
  });
});

describe("the month a view of a plan opens on", () => {
  it("is the current month in the plan's own year, else its last reported month, else December", () => {
    expect(openingPeriod(2026, "2026-12", "2026-11")).toBe("2026-12");
    expect(openingPeriod(2026, "2026-03", "")).toBe("2026-03");
    expect(openingPeriod(2024, "2026-12", "2024-09")).toBe("2024-09");
    // a figure of another year is not the plan's
    expect(openingPeriod(2024, "2026-12", "2025-02")).toBe("2024-12");
    expect(openingPeriod(2024, "2026-12", "")).toBe("2024-12");
  });
});
