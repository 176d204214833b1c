import { z } from "zod";
import { PERIOD_PATTERN, PLAN_YEAR_MAX, PLAN_YEAR_MIN } from "./calendar.js";

export * from "./calendar.js";

/** A reporting month, "YYYY-MM" (统计月份). Figures are cumulative from January of that year. */
export const Period = z.string().regex(PERIOD_PATTERN, `must be a month written YYYY-MM between ${PLAN_YEAR_MIN}-01 and ${PLAN_YEAR_MAX}-12, e.g. 2024-09`);
export type Period = z.infer<typeof Period>;

/** A plan's year (计划年度) in a body. */
export const PlanYear = z.number().int().min(PLAN_YEAR_MIN).max(PLAN_YEAR_MAX);
/** A plan's year in a query string (`?year=2024`). */
export const PlanYearParam = z.coerce.number().int().min(PLAN_YEAR_MIN).max(PLAN_YEAR_MAX);
