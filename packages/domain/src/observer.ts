import { z } from "zod";
import { Period, periodsOfYearUntil } from "./period.js";
import { Id } from "./plan.js";

/** 民生实事观察员: deputies, teachers, lawyers, villagers appointed to inspect projects. */
export const Observer = z.object({
  id: Id,
  name: z.string().trim().min(1).max(50),
  /** e.g. 人大代表 / 教师 / 律师 / 村民 */
  background: z.string().trim().max(50).default(""),
  region: z.string(),
});
export type Observer = z.infer<typeof Observer>;

/** What an observer files: information (观察信息 / 随手拍), a suggestion, an inspection, a written report. */
export const ObservationKind = z.enum(["information", "suggestion", "inspection", "report"]);
export type ObservationKind = z.infer<typeof ObservationKind>;

export const Observation = z.object({
  observer: Id,
  project: Id.optional(),
  kind: ObservationKind,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
  text: z.string().trim().min(5).max(5000),
});
export type Observation = z.infer<typeof Observation>;

export interface ObserverDuty {
  observer: string;
  /** months of the year so far without an information piece */
  missingInformation: string[];
  /** months of the year so far without a suggestion */
  missingSuggestion: string[];
  /** no inspection yet this year (yearly duty; overdue only at year end) */
  inspectionDue: boolean;
  reportDue: boolean;
  short: boolean;
}

/**
 * Rule 9, "四个一": each month ≥ 1 piece of information and ≥ 1 suggestion; each year ≥ 1
 * inspection and ≥ 1 written report. Lists who is short as of `period`.
 */
export function observerDuties(observers: readonly Observer[], observations: readonly Observation[], period: Period): ObserverDuty[] {
  const months = periodsOfYearUntil(period);
  const year = period.slice(0, 4);
  return observers.map((o) => {
    const mine = observations.filter((x) => x.observer === o.id && x.date.startsWith(year) && x.date.slice(0, 7) <= period);
    const monthsWith = (kind: ObservationKind) => new Set(mine.filter((x) => x.kind === kind).map((x) => x.date.slice(0, 7)));
    const info = monthsWith("information");
    const sugg = monthsWith("suggestion");
    const missingInformation = months.filter((m) => !info.has(m));
    const missingSuggestion = months.filter((m) => !sugg.has(m));
    const inspectionDue = !mine.some((x) => x.kind === "inspection");
    const reportDue = !mine.some((x) => x.kind === "report");
    const yearEnd = period.endsWith("-12");
    return {
      observer: o.id,
      missingInformation,
      missingSuggestion,
      inspectionDue,
      reportDue,
      short: missingInformation.length > 0 || missingSuggestion.length > 0 || (yearEnd && (inspectionDue || reportDue)),
    };
  });
}
