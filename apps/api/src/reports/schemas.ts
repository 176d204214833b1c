import { Id, Period, ReportDraft, ReportState, ReviewAction } from "@minsheng/domain";
import { z } from "zod";

/**
 * The zod schemas of monthly reports: what the operations take and answer. Apart from the routes
 * so that the evidence and import features, which answer with reports and files, share them
 * without importing the reports' routes.
 */

const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
export const ReportIdParam = z.object({ id: z.coerce.number().int("must be a report id").positive("must be a report id").max(Number.MAX_SAFE_INTEGER) });

export const SaveBody = ReportDraft.extend({
  /** the version last seen, when updating: a stale one is a 409 */
  version: z.number().int().positive().optional(),
});
export const SubmitBody = z.object({
  version: z.number().int().positive().optional(),
  fallReason: z.string().trim().max(2000, "must be at most 2000 characters").optional(),
});
export const ReviewBody = z.object({ version: z.number({ error: "must be the version of the report you reviewed" }).int().positive() }).and(ReviewAction);
export const ListQuery = z.object({
  period: Period.optional(),
  region: RegionCode.optional(),
  state: ReportState.optional(),
  indicator: Id.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});
export const PeriodQuery = z.object({ period: Period.optional() });

// ---------------------------------------------------------------------------------------------
// Answers

const Timestamp = z.string().describe("ISO 8601 date-time");
const Named = { id: z.string(), name: z.string() };
const Region = z.object({ code: z.string(), name: z.string() });

export const EvidenceView = z.object({
  id: z.string(),
  reportId: z.number().int(),
  filename: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  uploadedBy: z.string().nullable(),
  uploadedAt: Timestamp,
  href: z.string().describe("GET it to download"),
});

export const ReportView = z.object({
  id: z.number().int(),
  indicator: z.object({ ...Named, unit: z.string(), kind: z.string() }),
  project: z.object({ id: z.string(), title: z.string(), leadUnit: z.string() }),
  region: Region,
  period: z.string(),
  state: ReportState,
  stateLabel: z.string(),
  reportedValue: z.number(),
  verifiedValue: z.number().nullable(),
  countedValue: z.number().nullable().describe("what counts in published numbers (verified or reduced only)"),
  narrative: z.string(),
  fallReason: z.string().nullable(),
  reviewReason: z.string().nullable(),
  source: z.enum(["report", "import"]),
  version: z.number().int().describe("send it back when saving or reviewing: a stale one is a 409"),
  fall: z.object({ previous: z.number(), previousPeriod: z.string(), value: z.number() }).nullable().describe("环比下降: below the previous month's counted value"),
  previous: z.object({ period: z.string(), value: z.number() }).nullable(),
  evidenceCount: z.number().int(),
  createdBy: z.string().nullable(),
  updatedBy: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  createdAt: Timestamp.nullable(),
  updatedAt: Timestamp.nullable(),
  submittedAt: Timestamp.nullable(),
  reviewedAt: Timestamp.nullable(),
});

export const ReportList = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), reports: z.array(ReportView) });

export const Tasks = z.object({
  period: z.string(),
  deadline: z.string().describe("last day to report the month, YYYY-MM-DD (China time)"),
  tasks: z.array(
    z.object({
      indicator: z.object({ ...Named, unit: z.string(), kind: z.string() }),
      project: z.object({ id: z.string(), title: z.string() }),
      unit: z.object(Named),
      region: Region,
      target: z.number(),
      report: z.object({ id: z.number().int(), state: ReportState, version: z.number().int() }).nullable(),
      previous: z.object({ period: z.string(), value: z.number() }).nullable(),
    }),
  ),
});

export const Missing = z.object({
  period: z.string(),
  deadline: z.string(),
  pastDeadline: z.boolean(),
  total: z.number().int(),
  missing: z.array(
    z.object({
      unit: z.object(Named),
      region: Region,
      indicators: z.array(z.object({ ...Named, project: z.string(), state: ReportState.nullable(), reportId: z.number().int().nullable() })),
    }),
  ),
});
