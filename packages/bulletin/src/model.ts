/**
 * The bulletin (通报 / 工作专报) as plain data: what `composeBulletin` builds and the renderers
 * (`renderDocx`, `renderXlsx`) print. No class instances, so it serialises to JSON as it is.
 */
import type { DisclosureBand, DisclosureSources, Status } from "@minsheng/domain";

export const BULLETIN_FORMAT = "minsheng.bulletin/v1" as const;

/** The narrative sections staff write by hand (editable text; paragraphs separated by new lines). */
export const NARRATIVE_SECTIONS = ["重要新闻", "部门动态", "区县动态", "工作简讯", "经验交流", "存在问题", "工作打算"] as const;
export type NarrativeSection = (typeof NARRATIVE_SECTIONS)[number];
export type NarrativeSections = Partial<Record<NarrativeSection, string | readonly string[]>>;

/** A paragraph of body text, optionally led by a run in another style: "（一）省定重点民生实事。" in 楷体, "一是…" in bold. */
export interface ParagraphBlock {
  type: "paragraph";
  lead?: string;
  leadStyle?: "kai" | "bold";
  text: string;
}

/** A small table inside the body (e.g. the unit ranking). */
export interface TableBlock {
  type: "table";
  columns: string[];
  rows: Array<Array<string | number>>;
}

export type Block = ParagraphBlock | TableBlock;

/** A numbered section of the body: "一、工作推进情况". */
export interface BulletinSection {
  key: string;
  heading: string;
  blocks: Block[];
}

/** The red title block (版头). */
export interface Masthead {
  /** the red title: 邵阳市实施民生可感行动工作专报 */
  title: string;
  /** 第 7 期 */
  issue: string;
  issueNo: number;
  /** the issuing office printed on the left of the red line */
  issuer: string;
  /** 2024年10月9日, printed on the right of the red line */
  date: string;
}

/** The one-sentence summary of a plan as seed 003 writes it, with the counts behind it. */
export interface PlanSummary {
  plan: string;
  planTitle: string;
  /** 省定 / 市定 / 县定 */
  levelLabel: string;
  /** what the sentence counts: projects (省定, as seed 003) or indicators (市定) */
  countBy: "project" | "indicator";
  total: number;
  completed: number;
  onSchedule: number;
  behind: number;
  /** names of what is behind as a whole (projects or indicators) */
  behindNames: string[];
  /** lagging indicator-regions named in the sentence (seed 003: only those of indicators on schedule) */
  laggingNamed: LaggingMention[];
  /**
   * every lagging indicator-region below (rule 5), those of indicators behind as a whole included
   * (absent from bulletins issued before it was added)
   */
  lagging?: LaggingMention[];
  /** which annex holds the plan's table (1-based) */
  annexNo: number;
  text: string;
}

export interface LaggingMention {
  project: string;
  projectTitle: string;
  indicator: string;
  indicatorName: string;
  region: string;
  regionName: string;
  rate: number;
  due: number;
}

/** A child region's own figure for an indicator. */
export interface RegionRate {
  region: string;
  name: string;
  rate: number;
  due: number;
  status: Status;
}

/** One indicator in a Yueyang-style group (seed 002: 进展较快 / 进展较为滞后). */
export interface GroupEntry {
  plan: string;
  project: string;
  indicator: string;
  /** the project title, with the indicator name when the project has several */
  label: string;
  rate: number;
  due: number;
  status: Status;
  /** child regions at or above the fast threshold */
  above: RegionRate[];
  /** child regions under the slow line (the schedule by default) */
  below: RegionRate[];
  text: string;
}

export interface ProgressGroups {
  /** percent: an indicator (not yet completed) at or above it progresses fast */
  fast: number;
  /** percent, or "schedule" for each indicator's own schedule line (序时进度) */
  slow: number | "schedule";
  fastEntries: GroupEntry[];
  /** indicators under the slow line where asked */
  slowEntries: GroupEntry[];
  /** indicators between the lines where asked whose children include some under the slow line */
  regionEntries: GroupEntry[];
}

export interface ScoredRegion {
  region: string;
  name: string;
  score: number;
  compliant: number;
  total: number;
  band: DisclosureBand;
  /** how many obligations were judged from content and from imported records (absent in older issues) */
  sources?: DisclosureSources;
}

/** Disclosure scores (信息公开指标) in the bands seed 003 prints: 好 / 较好 / 较差. */
export interface DisclosureGroups {
  fullMarks: number;
  good: ScoredRegion[];
  fair: ScoredRegion[];
  poor: ScoredRegion[];
  /** where the records behind the scores came from, all regions together (absent in older issues) */
  sources?: DisclosureSources;
  text: string;
}

export interface RankedUnit {
  rank: number;
  unit: string;
  name: string;
  score: number;
  /** "落后序时指标 2 个 −4；…" */
  detail: string;
}

export interface UnitRanking {
  rows: RankedUnit[];
  /** units in the bottom group this month */
  bottom: string[];
  /** units in the bottom group for the scheme's run of months: warning notice and interview */
  warnings: string[];
  text: string;
}

/** 项目质效 短板 (rule 7, seed 003): the units whose evidence does not match their reported progress. */
export interface QualityShortfalls {
  /** the largest gap allowed, percentage points */
  maxGap: number;
  units: { unit: string; name: string; indicators: string[] }[];
  text: string;
}

/** An indicator-region at risk of falling behind (rule 16). */
export interface RiskMention {
  plan: string;
  indicator: string;
  indicatorName: string;
  projectTitle: string;
  region: string;
  regionName: string;
  needed: number;
  recent: number;
  /** 需月均完成 X，近三月月均 Y */
  text: string;
}

/** A month-on-month fall (环比下降), usually after a reduction (核减). */
export interface FallMention {
  indicator: string;
  indicatorName: string;
  projectTitle: string;
  region: string;
  regionName: string;
  previousPeriod: string;
  previous: number;
  value: number;
  rate: number | null;
}

/** A row of an annex table: one project. */
export interface AnnexRow {
  itemNo: number;
  itemTitle: string;
  /** rows the item's 序号 and 实事名称 cells span on the first row of the item; 0 on the others */
  itemRowSpan: number;
  project: string;
  projectNo: number;
  /** ① … */
  projectMark: string;
  projectTitle: string;
  /** the 进展情况 text built from the figures */
  progressText: string;
  /** project progress, percent (mean of capped indicator rates; 100 when completed) */
  progress: number;
  /** schedule line, percent */
  due: number;
  status: Status;
  statusLabel: string;
}

/** An indicator line of an annex (the xlsx detail sheet). */
export interface AnnexIndicatorRow {
  itemNo: number;
  projectMark: string;
  projectTitle: string;
  indicator: string;
  name: string;
  unit: string;
  target: number;
  actual: number;
  /** percent */
  rate: number;
  /** percent */
  due: number;
  status: Status;
  statusLabel: string;
  linked: boolean;
  /** child regions under the schedule line: "邵阳县 45.56%" */
  behindRegions: string;
}

export type AnnexColumn = "no" | "item" | "project" | "progress";

export const annexColumnLabel: Record<AnnexColumn, string> = {
  no: "序号",
  item: "实事名称",
  project: "项目名称",
  progress: "进展情况",
};

export interface AnnexTable {
  no: number;
  /** 附件 1 */
  label: string;
  /** 全市1-9月实施民生可感行动工作进度表（省定重点民生实事） */
  title: string;
  plan: string;
  /** the 项目名称 column is left out when every item is one project of the same title (seed 003's 附件2) */
  columns: AnnexColumn[];
  rows: AnnexRow[];
  indicators: AnnexIndicatorRow[];
}

export interface BulletinModel {
  format: typeof BULLETIN_FORMAT;
  period: string;
  region: string;
  regionName: string;
  plans: string[];
  /** ISO date of issue */
  date: string;
  masthead: Masthead;
  title: string;
  salutation: string;
  intro: string;
  sections: BulletinSection[];
  /** 附件 list after the body */
  attachments: string[];
  signature: { issuer: string; seal?: string; date: string };
  summaries: PlanSummary[];
  groups: ProgressGroups;
  disclosure: DisclosureGroups | null;
  ranking: UnitRanking | null;
  /** 项目质效 短板, when the platform's quality check is given (absent in older issues) */
  quality?: QualityShortfalls | null;
  /** the at-risk list (rule 16), when asked for (absent in older issues) */
  risks?: RiskMention[];
  falls: FallMention[];
  annexes: AnnexTable[];
}
