/**
 * Reporting months (统计月份, "YYYY-MM") and days in China, as plain functions: no zod, no Effect,
 * so the console and the 码上通 site import them (`@minsheng/domain/calendar`) without either.
 * period.ts adds the zod schema `Period` and the clock-driven `currentPeriod`.
 */

/**
 * The years a plan may have (计划年度). Months outside them are refused at the door: year 0000
 * does not exist in PostgreSQL and 9999-12's end of month is not a JavaScript date.
 */
export const PLAN_YEAR_MIN = 2000;
export const PLAN_YEAR_MAX = 2100;

/** "YYYY-MM" with a year PLAN_YEAR_MIN-PLAN_YEAR_MAX and a month 01-12; the zod schema `Period` and the bundle fast path use it. */
export const PERIOD_PATTERN = /^(20\d{2}|2100)-(0[1-9]|1[0-2])$/;

export const periodYear = (period: string): number => Number(period.slice(0, 4));
export const periodMonth = (period: string): number => Number(period.slice(5, 7));

export const makePeriod = (year: number, month: number): string =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;

/** The month before, within the same year; January has none (figures restart each year). */
export const previousPeriodInYear = (period: string): string | undefined => {
  const month = periodMonth(period);
  return month === 1 ? undefined : makePeriod(periodYear(period), month - 1);
};

/** The month before, across the new year: 2025-01 → 2024-12. */
export const previousPeriod = (period: string): string => {
  const month = periodMonth(period);
  return month === 1 ? makePeriod(periodYear(period) - 1, 12) : makePeriod(periodYear(period), month - 1);
};

/** The month after, across the new year: 2024-12 → 2025-01. */
export const nextPeriod = (period: string): string => {
  const month = periodMonth(period);
  return month === 12 ? makePeriod(periodYear(period) + 1, 1) : makePeriod(periodYear(period), month + 1);
};

/**
 * The last day to report a month (填报截止日, YYYY-MM-DD): the configured day of the following
 * month, or that month's last day when it is shorter (day 31 in February → 02-28 or 02-29).
 */
export function reportingDeadline(period: string, day: number): string {
  const next = nextPeriod(period);
  const lastDay = new Date(Date.UTC(periodYear(next), periodMonth(next), 0)).getUTCDate();
  const d = Math.min(Math.max(1, Math.trunc(day)), lastDay);
  return `${next}-${String(d).padStart(2, "0")}`;
}

/** All months of the year up to and including `period`: 2024-01 … 2024-09. */
export const periodsOfYearUntil = (period: string): string[] => {
  const year = periodYear(period);
  return Array.from({ length: periodMonth(period) }, (_, i) => makePeriod(year, i + 1));
};

/** The twelve months of a year: 2024-01 … 2024-12. */
export const periodsOfYear = (year: number): string[] => periodsOfYearUntil(makePeriod(year, 12));

/** Offset of China Standard Time; the platform's "today" is the date in Hunan, not UTC. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date (YYYY-MM-DD) in China for an instant. */
export const chinaDate = (epochMillis: number): string =>
  new Date(epochMillis + CHINA_OFFSET_MS).toISOString().slice(0, 10);

/** The reporting month an instant falls in, in China. */
export const periodAt = (epochMillis: number): string => chinaDate(epochMillis).slice(0, 7);

/**
 * The month a view of a plan opens on (dashboard, bulletin): the current month when the plan is of
 * this year; for another year its last reported month, else December. `latestReported` is the
 * latest period with a figure ("" when none).
 */
export function openingPeriod(year: number, now: string, latestReported: string): string {
  if (periodYear(now) === year) return now;
  if (latestReported !== "" && periodYear(latestReported) === year) return latestReported;
  return makePeriod(year, 12);
}

/** An instant written with its zone: "2024-10-07T18:00:00.000Z", "2024-10-08T02:00+08:00". */
const ZONED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A month or a day written the Chinese way: "2024-09" → "2024年9月", "2024-09-30" → "2024年9月30日";
 * a timestamp with its zone gives the day it was in China ("2024-10-07T18:00:00Z" → "2024年10月8日"),
 * one without a zone its date part; anything else is returned as it is.
 */
export function chineseDate(text: string): string {
  if (ZONED_TIMESTAMP.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) text = chinaDate(ms);
  }
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(text);
  if (!m) return text;
  return `${m[1]}年${Number(m[2])}月${m[3] ? `${Number(m[3])}日` : ""}`;
}
