import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { z } from "zod";

/** A reporting month, "YYYY-MM" (统计月份). Figures are cumulative from January of that year. */
export const Period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month written YYYY-MM, e.g. 2024-09");
export type Period = z.infer<typeof Period>;

export const periodYear = (period: Period): number => Number(period.slice(0, 4));
export const periodMonth = (period: Period): number => Number(period.slice(5, 7));

export const makePeriod = (year: number, month: number): Period =>
  `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;

/** The month before, within the same year; January has none (figures restart each year). */
export const previousPeriodInYear = (period: Period): Period | undefined => {
  const month = periodMonth(period);
  return month === 1 ? undefined : makePeriod(periodYear(period), month - 1);
};

/** All months of the year up to and including `period`: 2024-01 … 2024-09. */
export const periodsOfYearUntil = (period: Period): Period[] => {
  const year = periodYear(period);
  return Array.from({ length: periodMonth(period) }, (_, i) => makePeriod(year, i + 1));
};

/** Offset of China Standard Time; the platform's "today" is the date in Hunan, not UTC. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date (YYYY-MM-DD) in China for an instant. */
export const chinaDate = (epochMillis: number): string =>
  new Date(epochMillis + CHINA_OFFSET_MS).toISOString().slice(0, 10);

/** The reporting month an instant falls in, in China. */
export const periodAt = (epochMillis: number): Period => chinaDate(epochMillis).slice(0, 7);

/**
 * Today's month from the injected clock (Effect's Clock service), so tests and batch jobs can fix
 * "now" with TestClock or a custom Clock instead of reading the system time.
 */
export const currentPeriod: Effect.Effect<Period> = Effect.map(Clock.currentTimeMillis, periodAt);

/** Today's date in China from the injected clock. */
export const currentChinaDate: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, chinaDate);
