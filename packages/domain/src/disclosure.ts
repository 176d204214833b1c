import { z } from "zod";
import { periodsOfYearUntil } from "./calendar.js";
import { Rational } from "./rational.js";

/** Full marks of the disclosure indicator (信息公开指标) in the province's scheme. */
export const DISCLOSURE_FULL_MARKS = 6;

/** 好 = full marks, 较好 ≥ 80% of full marks, 较差 below (as seed 003 prints them). */
export const DisclosureBand = z.enum(["good", "fair", "poor"]);
export type DisclosureBand = z.infer<typeof DisclosureBand>;
// The bands' Chinese names are labels.ts's (one definition); re-exported here where they always were.
export { disclosureBandLabel } from "./labels.js";

export interface DisclosureScore {
  region: string;
  compliant: number;
  total: number;
  /** 6 × compliant ÷ total, half-up to 4 decimals (隆回县 21/23 → 5.4783) */
  score: number;
  band: DisclosureBand;
}

/** Disclosure score of a region from its count of compliant obligations (rule 6). */
export function disclosureScore(region: string, compliant: number, total: number, fullMarks = DISCLOSURE_FULL_MARKS): DisclosureScore {
  if (!Number.isInteger(compliant) || !Number.isInteger(total) || compliant < 0 || total < 0 || compliant > total)
    throw new RangeError(`compliant (${compliant}) must be a whole number between 0 and total (${total})`);
  // No obligations yet: nothing was missed, so full marks.
  const ratio = total === 0 ? Rational.one : Rational.of(compliant, total);
  const score = Rational.round(Rational.mul(ratio, Rational.fromNumber(fullMarks)), 4);
  const band: DisclosureBand =
    compliant === total ? "good" : Rational.gte(ratio, Rational.of(4, 5)) ? "fair" : "poor";
  return { region, compliant, total, score, band };
}

/** Orders scores best first; ties by more obligations met, then by region code. */
export const compareDisclosureScores = (a: DisclosureScore, b: DisclosureScore): number =>
  b.score - a.score || b.compliant - a.compliant || a.region.localeCompare(b.region);

// ---------------------------------------------------------------------------------------------
// Compliance of one project site from its published content (the default checklist of rule 6).

/** Which obligations the checklist requires; all on by default. Configuration, not code. */
export const DisclosureChecklist = z.object({
  /** 政策文件: at least one policy document published */
  policyDocument: z.boolean().default(true),
  /** 本地化更新: localised content and requirements published */
  localisedContent: z.boolean().default(true),
  /** 工作动态: at least one work update in every month of the year so far */
  monthlyWorkUpdate: z.boolean().default(true),
  /** 意见建议: every citizen suggestion answered within the reply deadline */
  answeredInTime: z.boolean().default(true),
  /** Reply deadline in working days (default 5). */
  replyWorkingDays: z.number().int().min(1).max(60).default(5),
});
export type DisclosureChecklist = z.infer<typeof DisclosureChecklist>;
export const defaultDisclosureChecklist: DisclosureChecklist = DisclosureChecklist.parse({});

export type DisclosureObligation = "policyDocument" | "localisedContent" | "monthlyWorkUpdate" | "answeredInTime";
export const disclosureObligationLabel: Record<DisclosureObligation, string> = {
  policyDocument: "政策文件未公开",
  localisedContent: "建设内容和建设要求未本地化更新",
  monthlyWorkUpdate: "工作动态未按月发布",
  answeredInTime: "群众意见建议未按时答复",
};

/** What a project site has published, as of the end of the period assessed. */
export interface SiteContent {
  policyDocuments: number;
  localisedUpdates: number;
  /** Months ("YYYY-MM") with at least one published work update. */
  workUpdateMonths: ReadonlySet<string> | readonly string[];
  /** Suggestions received (dates YYYY-MM-DD, China time) and when answered, if answered. */
  suggestions: ReadonlyArray<{ receivedOn: string; answeredOn?: string | null | undefined }>;
}

/** Working days (Mon-Fri, less listed holidays, plus listed make-up working days 调休). */
export interface WorkCalendar {
  holidays?: ReadonlySet<string>;
  workdays?: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;
const dateToUtc = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const utcToDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function isWorkingDay(date: string, calendar: WorkCalendar = {}): boolean {
  if (calendar.workdays?.has(date)) return true;
  if (calendar.holidays?.has(date)) return false;
  const day = new Date(dateToUtc(date)).getUTCDay();
  return day !== 0 && day !== 6;
}

/** The date `days` working days after `date` (the reply deadline of a suggestion received then). */
export function addWorkingDays(date: string, days: number, calendar: WorkCalendar = {}): string {
  let ms = dateToUtc(date);
  let left = days;
  while (left > 0) {
    ms += DAY_MS;
    if (isWorkingDay(utcToDate(ms), calendar)) left--;
  }
  return utcToDate(ms);
}

/**
 * Which obligations a project site misses as of `asOf` (YYYY-MM-DD) for the year's months up to
 * `period`. A suggestion still unanswered but not yet due does not count against the site.
 */
export function missedObligations(
  content: SiteContent,
  period: string,
  asOf: string,
  checklist: DisclosureChecklist = defaultDisclosureChecklist,
  calendar: WorkCalendar = {},
): DisclosureObligation[] {
  const missed: DisclosureObligation[] = [];
  if (checklist.policyDocument && content.policyDocuments < 1) missed.push("policyDocument");
  if (checklist.localisedContent && content.localisedUpdates < 1) missed.push("localisedContent");
  if (checklist.monthlyWorkUpdate) {
    const months = new Set(content.workUpdateMonths);
    if (periodsOfYearUntil(period).some((m) => !months.has(m))) missed.push("monthlyWorkUpdate");
  }
  if (checklist.answeredInTime) {
    const late = content.suggestions.some((s) => {
      const due = addWorkingDays(s.receivedOn, checklist.replyWorkingDays, calendar);
      if (s.answeredOn) return s.answeredOn > due;
      return asOf > due;
    });
    if (late) missed.push("answeredInTime");
  }
  return missed;
}

// ---------------------------------------------------------------------------------------------
// One figure everywhere (rule 6): content where the platform holds it, imported records elsewhere.

/** Where a project-region's disclosure judgement came from. */
export const DisclosureSource = z.enum(["content", "record"]);
export type DisclosureSource = z.infer<typeof DisclosureSource>;
export const disclosureSourceLabel: Record<DisclosureSource, string> = { content: "按公开内容评价", record: "导入考核记录" };

/** How many of a score's obligations were judged from content and from imported records. */
export interface DisclosureSources {
  content: number;
  record: number;
}

/** A region's score and where its records came from. */
export interface SourcedDisclosureScore extends DisclosureScore {
  sources: DisclosureSources;
}

/**
 * What the platform holds for the project sites at a period: the input that makes the library,
 * the API, the console and the bulletin give one figure. Without it only imported records count.
 */
export interface DisclosureContent {
  /** the day judged, YYYY-MM-DD: the period's last day, or today while the month runs */
  asOf: string;
  checklist?: DisclosureChecklist;
  calendar?: WorkCalendar;
  /**
   * Each project-region whose site holds something by the period's end (published content, or an
   * approved suggestion: one still awaiting moderation counts for nothing until approved).
   */
  sites: ReadonlyArray<{ project: string; region: string; content: SiteContent }>;
  /**
   * Plans whose sites hold anything by the period's end, wherever they are (by default the plans of
   * `sites`). In such a plan a site with no content and no record has published nothing: it is judged
   * on that. Pass the whole plan's answer so that a region's score does not depend on the area asked.
   */
  livePlans?: Iterable<string>;
}

/** One disclosure obligation (a project in a region) as judged at a period. */
export interface SiteDisclosure {
  project: string;
  region: string;
  /** the child region of the one asked about (or itself) whose score it counts in */
  group: string;
  source: DisclosureSource;
  compliant: boolean;
  /** what it misses (content only; an imported record says only whether it complied) */
  missed: DisclosureObligation[] | null;
}

/** Scores per group from judged obligations, best first (rule 6). */
export function scoreDisclosures(judged: readonly Pick<SiteDisclosure, "group" | "source" | "compliant">[]): SourcedDisclosureScore[] {
  const tally = new Map<string, { compliant: number; total: number; sources: DisclosureSources }>();
  for (const j of judged) {
    let t = tally.get(j.group);
    if (!t) tally.set(j.group, (t = { compliant: 0, total: 0, sources: { content: 0, record: 0 } }));
    t.total++;
    if (j.compliant) t.compliant++;
    t.sources[j.source]++;
  }
  return [...tally.entries()]
    .map(([code, t]) => ({ ...disclosureScore(code, t.compliant, t.total), sources: t.sources }))
    .sort(compareDisclosureScores);
}
