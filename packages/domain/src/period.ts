import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { z } from "zod";
import { chinaDate, PERIOD_PATTERN, periodAt } from "./calendar.js";

export * from "./calendar.js";

/** A reporting month, "YYYY-MM" (统计月份). Figures are cumulative from January of that year. */
export const Period = z.string().regex(PERIOD_PATTERN, "must be a month written YYYY-MM, e.g. 2024-09");
export type Period = z.infer<typeof Period>;

/**
 * Today's month from the injected clock (Effect's Clock service), so tests and batch jobs can fix
 * "now" with TestClock or a custom Clock instead of reading the system time.
 */
export const currentPeriod: Effect.Effect<Period> = Effect.map(Clock.currentTimeMillis, periodAt);

/** Today's date in China from the injected clock. */
export const currentChinaDate: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, chinaDate);
