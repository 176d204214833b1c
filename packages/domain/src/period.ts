import { z } from "zod";
import { PERIOD_PATTERN } from "./calendar.js";

export * from "./calendar.js";

/** A reporting month, "YYYY-MM" (统计月份). Figures are cumulative from January of that year. */
export const Period = z.string().regex(PERIOD_PATTERN, "must be a month written YYYY-MM, e.g. 2024-09");
export type Period = z.infer<typeof Period>;
