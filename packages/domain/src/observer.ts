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
  /** 观察员小组, by field (民生保障, 城市建设 …) */
  group: z.string().trim().max(50).optional(),
  /** the first month of duty (appointed mid-year: the months before owe nothing) */
  since: Period.optional(),
});
export type Observer = z.infer<typeof Observer>;

// The fields observers come from and the groups seed 001 names: choices in labels.ts (light, for the console).
export { OBSERVER_BACKGROUNDS, OBSERVER_GROUPS } from "./labels.js";

/** Where a filing stands: waiting to be sorted, or sorted (no action, passed to a unit, a letter). */
export const ObservationState = z.enum(["submitted", "no_action", "forwarded", "letter"]);
export type ObservationState = z.infer<typeof ObservationState>;

/** The task force's decision on a filing (rule 12). */
export const TriageAction = z.enum(["none", "forward", "letter"]);
export type TriageAction = z.infer<typeof TriageAction>;

export const stateAfterTriage: Readonly<Record<TriageAction, ObservationState>> = { none: "no_action", forward: "forwarded", letter: "letter" };

/** At most this many photos (随手拍) on one filing. */
export const MAX_OBSERVATION_PHOTOS = 9;

/** One line of an information card (信息采集卡), as the observer fills it on a visit. */
export const CardLine = z.object({
  item: z.string().trim().min(1).max(200),
  /** true: as required; false: a problem; null: not seen */
  ok: z.boolean().nullable(),
  note: z.string().trim().max(1000).default(""),
});
export type CardLine = z.infer<typeof CardLine>;

/**
 * The checklist of a project's information card (信息采集卡, seed 001: made "one to one" from each
 * project's construction and acceptance standards): one line per indicator, one per line of the
 * acceptance standard, and what every site owes its public (码上通 QR code, notice board).
 */
export function informationCard(project: { indicators: readonly { name: string; unit: string; kind: "quantity" | "milestone" }[]; acceptanceStandard?: readonly string[] }): string[] {
  const lines = project.indicators.map((i) => (i.kind === "milestone" ? `${i.name}：形象进度与上报一致` : `${i.name}（${i.unit}）：完成数量与上报一致`));
  for (const s of project.acceptanceStandard ?? []) if (s.trim()) lines.push(`验收标准：${s.trim()}`);
  lines.push("现场张贴项目二维码（码上通）", "项目公示牌信息完整", "群众知晓并认可");
  return [...new Set(lines)];
}

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
    const owed = o.since === undefined ? months : months.filter((m) => m >= o.since!);
    const mine = observations.filter((x) => x.observer === o.id && x.date.startsWith(year) && x.date.slice(0, 7) <= period);
    const monthsWith = (kind: ObservationKind) => new Set(mine.filter((x) => x.kind === kind).map((x) => x.date.slice(0, 7)));
    const info = monthsWith("information");
    const sugg = monthsWith("suggestion");
    const missingInformation = owed.filter((m) => !info.has(m));
    const missingSuggestion = owed.filter((m) => !sugg.has(m));
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
