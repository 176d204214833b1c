// The dashboard's (and the disclosure page's, the chart's, the issued bulletins') words, months and
// percents are @minsheng/domain's: the full package here is the judge.
import { periodMonth, periodsOfYear, roundHalfUp, Status, statusLabel as domainStatusLabel, statusShortLabel } from "@minsheng/domain";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { statusLabel } from "./api";
import { chinaDay, countStatuses, cumulativeMonthOptions, duePercent, monthOptions, rateFigure, ratePercent, scoreText, statusCountText } from "./figures";

describe("status words", () => {
  it("are the domain's, full (the dashboard's counts) and short (an item's projects, the bulletins' overview)", () => {
    for (const s of Status.options) {
      expect(statusLabel[s]).toBe(domainStatusLabel[s]);
      expect(statusCountText({ [s]: 3 })).toBe(`${statusShortLabel[s]} 3`);
    }
    expect(statusCountText({ completed: 2, on_schedule: 5, behind: 1 })).toBe(`${statusShortLabel.completed} 2 · ${statusShortLabel.on_schedule} 5 · ${statusShortLabel.behind} 1`);
    // as the dashboard has always shown them
    expect(statusCountText(countStatuses(["behind", "completed", "completed", undefined, "on_schedule"]))).toBe("已完成 2 · 按序时 1 · 未达序时 1");
    expect(statusCountText(countStatuses([]))).toBe("");
    expect(statusCountText({ completed: 3, on_schedule: 0, behind: 0 }, { separator: "，", zeros: true })).toBe("已完成 3，按序时 0，未达序时 0");
  });
});

describe("percents and scores", () => {
  it("round a rate half-up to 2 decimals as the domain does, showing both decimals", () => {
    // rates as typed figures give them: n / 10^k, up to 6 decimals (a fixed pseudo-random walk)
    let seed = 12345;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const rate = (seed % 200_000_000) / 10 ** (i % 7);
      expect(ratePercent(rate)).toBe(`${rateFigure(rate)}%`);
      expect(Number(rateFigure(rate))).toBe(roundHalfUp(rate, 2));
      expect(rateFigure(rate)).toMatch(/^\d+\.\d{2}$/);
    }
    expect(ratePercent(94.3)).toBe("94.30%");
    expect(ratePercent(112.5)).toBe("112.50%");
    expect(ratePercent(100)).toBe("100.00%");
    // where toFixed rounds the binary double down, the domain rounds the decimal up
    expect((1.005).toFixed(2)).toBe("1.00");
    expect(ratePercent(1.005)).toBe("1.01%");
  });

  it("print the schedule's due percent and a disclosure score without trailing zeros, rounded as the domain does", () => {
    expect(duePercent(75)).toBe("75%");
    expect(duePercent(66.67)).toBe("66.67%");
    expect(duePercent(roundHalfUp(200 / 3, 2))).toBe("66.67%");
    expect(scoreText(5.4783)).toBe("5.4783");
    expect(scoreText(6)).toBe("6");
    expect(scoreText(0)).toBe("0");
    expect(scoreText(4.8)).toBe("4.8");
    for (let t = 1; t <= 60; t++)
      for (let c = 0; c <= t; c++) {
        const score = (6 * c) / t;
        expect(Number(scoreText(score))).toBe(roundHalfUp(score, 4));
        // the copy it replaces, on a score the domain has rounded already (as the API sends it)
        expect(scoreText(roundHalfUp(score, 4))).toBe(roundHalfUp(score, 4).toFixed(4).replace(/\.?0+$/, ""));
      }
  });
});

describe("months", () => {
  it("are the domain's twelve months of the plan's year", () => {
    expect(cumulativeMonthOptions(2024).map((o) => o.value)).toEqual(periodsOfYear(2024));
    expect(monthOptions(2024).map((o) => o.value)).toEqual(periodsOfYear(2024));
    expect(cumulativeMonthOptions(2024)[8]).toEqual({ value: "2024-09", label: "1-9月" });
    expect(monthOptions(2025)[11]).toEqual({ value: "2025-12", label: "12 月" });
    for (const o of monthOptions(2024)) expect(o.label).toBe(`${periodMonth(o.value)} 月`);
  });
});

describe("days", () => {
  it("date a timestamp in China, as the domain does", () => {
    expect(chinaDay("2024-10-07T18:00:00.000Z")).toBe("2024-10-08");
    expect(chinaDay("2024-10-07T15:59:59.999Z")).toBe("2024-10-07");
    expect(chinaDay("2024-10-08")).toBe("2024-10-08");
  });
});

describe("the pages", () => {
  // The pages word figures only through figures.ts and the domain: no rounding, month list or status word of their own.
  const pages = ["Dashboard", "Disclosure", "CountyChart", "Bulletins", "Reporting"];
  it.each(pages)("%s keeps no copy of a rounding, a month rule or a status word", (page) => {
    const source = readFileSync(new URL(`./pages/${page}.tsx`, import.meta.url), "utf8");
    expect(source).not.toMatch(/toFixed\(|padStart\(|slice\(5|getFullYear\(|\* 100\b|\/ 100\b/);
    expect(source).not.toMatch(/["'`>]\s*(已完成|按序时|未达序时|滞后)/);
  });
});
