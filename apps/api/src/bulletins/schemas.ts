import { NARRATIVE_SECTIONS } from "@minsheng/bulletin";
import { Period, PlanYearParam } from "@minsheng/domain";
import { z } from "zod";

/**
 * The schemas of 通报: what the operations (routes.ts) validate and answer, and so the types the
 * workflow (service.ts) and the data access (data.ts) work with. Apart from routes.ts so that
 * those two import them without importing the routes.
 */

/** YYYY-MM-DD naming a day of the calendar (not 2024-02-30). */
export const isCalendarDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

// ---------------------------------------------------------------------------------------------
// Input

const PLAN_ID = "[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}";
const PlanId = z.string().regex(new RegExp(`^${PLAN_ID}$`), "must be a plan id");
const PlanIds = z
  .string()
  .regex(new RegExp(`^${PLAN_ID}(,${PLAN_ID}){0,7}$`), "must be plan ids separated by commas, e.g. hn2024,sy2024")
  .describe("plan ids separated by commas, in the order of the bulletin (省定 first)");
const PlanList = z
  .array(PlanId)
  .min(1, "needs at least one plan")
  .max(8, "at most 8 plans")
  .refine((a) => new Set(a).size === a.length, "names a plan twice");
const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date written YYYY-MM-DD, e.g. 2024-10-09", abort: true })
  .refine(isCalendarDate, "is not a calendar date");
const IssueNo = z.number().int("must be a whole number").min(1, "must be at least 1").max(9999);
const Line = z.string().trim().max(200, "must be at most 200 characters");
const Sections = z.partialRecord(z.enum(NARRATIVE_SECTIONS), z.string().max(20_000, "must be at most 20000 characters"));
const Thresholds = z.object({
  fast: z.number().min(0).max(1000).optional().describe("percent: an indicator at or above it progresses fast (default 80)"),
  slow: z.union([z.number().min(0).max(1000), z.literal("schedule")]).optional().describe('percent, or "schedule" for each indicator\'s schedule line (default)'),
});

export const Format = z.enum(["json", "docx", "xlsx"]).default("json").describe("json: the composed bulletin; docx: the document; xlsx: its annex tables");

export const PreviewQuery = z.object({
  plan: PlanIds,
  region: RegionCode,
  period: Period,
  format: Format,
  issueNo: z.coerce.number().int().min(1).max(9999).optional().describe("default: the draft's, else the next number of the region's year"),
  date: IsoDate.optional().describe("default: the draft's, else today (China)"),
});
export type PreviewQuery = z.infer<typeof PreviewQuery>;
export const DraftQuery = z.object({ plan: PlanIds, region: RegionCode, period: Period });

/** What staff type for a bulletin: kept as typed (half-written dates and all) until issued. */
export const DraftContent = z.object({
  issueNo: IssueNo.nullable().optional(),
  date: z.string().max(20).optional(),
  title: z.string().max(200).optional(),
  masthead: z.string().max(200).optional(),
  issuer: z.string().max(200).optional(),
  seal: z.string().max(200).optional(),
  salutation: z.string().max(200).optional(),
  intro: z.string().max(2000).optional(),
  sections: Sections.optional(),
  thresholds: Thresholds.optional(),
});
export type DraftContent = z.infer<typeof DraftContent>;

const Key = z.object({ plans: PlanList, region: RegionCode, period: Period });
export const DraftBody = Key.extend({
  content: DraftContent,
  /** the version last read: a stale one is a 409 (two staff writing the same bulletin) */
  version: z.number().int().positive().optional(),
});
export type DraftBody = z.infer<typeof DraftBody>;

export const IssueBody = Key.extend({
  issueNo: IssueNo,
  date: IsoDate,
  title: Line.optional(),
  masthead: Line.optional(),
  issuer: Line.optional(),
  seal: Line.optional(),
  salutation: Line.optional(),
  intro: z.string().trim().max(2000).optional(),
  sections: Sections.optional(),
  thresholds: Thresholds.optional(),
});
export type IssueBody = z.infer<typeof IssueBody>;

export const IssueListQuery = z.object({
  region: RegionCode.optional(),
  year: PlanYearParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type IssueListQuery = z.infer<typeof IssueListQuery>;
export const IssueParam = z.object({ id: z.coerce.number().int("must be a bulletin id").positive("must be a bulletin id").max(Number.MAX_SAFE_INTEGER) });
export const DownloadQuery = z.object({ format: Format });

// ---------------------------------------------------------------------------------------------
// Answers

const Timestamp = z.string().describe("ISO 8601 date-time");

export const Summary = z.looseObject({
  plan: z.string(),
  planTitle: z.string(),
  total: z.number().int(),
  completed: z.number().int(),
  onSchedule: z.number().int(),
  behind: z.number().int(),
  text: z.string().describe("the summary sentence as seed 003 writes it"),
});

/** A block of a section: a paragraph (with its bold or 楷体 lead) or a table. */
const Block = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("paragraph"), lead: z.string().optional(), leadStyle: z.enum(["kai", "bold"]).optional(), text: z.string() }),
  z.looseObject({ type: z.literal("table"), columns: z.array(z.string()), rows: z.array(z.array(z.union([z.string(), z.number()]))) }),
]);

/** A project line of an annex table, as printed (序号 and 实事名称 span the item's rows). */
const AnnexRow = z.looseObject({
  itemNo: z.number().int(),
  itemTitle: z.string(),
  itemRowSpan: z.number().int().describe("rows the item's cells span: 0 on the item's later rows"),
  projectMark: z.string(),
  projectTitle: z.string(),
  progressText: z.string(),
  statusLabel: z.string(),
});

/** The composed bulletin (`minsheng.bulletin/v1`, see packages/bulletin/src/model.ts), documented by its main parts. */
export const BulletinModel = z.looseObject({
  format: z.literal("minsheng.bulletin/v1"),
  period: z.string(),
  region: z.string(),
  regionName: z.string(),
  plans: z.array(z.string()),
  date: z.string(),
  masthead: z.looseObject({ title: z.string(), issue: z.string(), issueNo: z.number().int(), issuer: z.string(), date: z.string() }),
  title: z.string(),
  salutation: z.string(),
  intro: z.string(),
  sections: z.array(z.looseObject({ key: z.string(), heading: z.string(), blocks: z.array(Block) })),
  summaries: z.array(Summary),
  groups: z.looseObject({ fast: z.number(), fastEntries: z.array(z.unknown()), slowEntries: z.array(z.unknown()), regionEntries: z.array(z.unknown()) }),
  disclosure: z.looseObject({ text: z.string() }).nullable(),
  ranking: z.looseObject({ text: z.string() }).nullable(),
  falls: z.array(z.unknown()),
  annexes: z.array(z.looseObject({ label: z.string(), title: z.string(), plan: z.string(), rows: z.array(AnnexRow) })),
});

export const Preview = BulletinModel.extend({
  dataVersion: z.number().int().describe("the data version composed from"),
  draftVersion: z.number().int().nullable().describe("the narrative draft used, if any"),
});

export const IssueView = z.object({
  id: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  period: z.string(),
  plans: z.array(z.string()),
  year: z.number().int(),
  issueNo: z.number().int().describe("第 N 期, unique per region and year"),
  date: z.string(),
  title: z.string(),
  sha256: z.string().describe("of the canonical JSON of the frozen bulletin"),
  dataVersion: z.number().int().nullable(),
  issuedBy: z.string(),
  issuedAt: Timestamp,
  summaries: z.array(Summary),
  href: z.object({ docx: z.string(), xlsx: z.string() }),
});
export type IssueView = z.infer<typeof IssueView>;

export const DraftView = z.object({ content: DraftContent, version: z.number().int(), issueId: z.number().int().nullable(), updatedBy: z.string(), updatedAt: Timestamp });
export type DraftView = z.infer<typeof DraftView>;
