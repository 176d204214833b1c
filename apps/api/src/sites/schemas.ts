import { PlanLevel } from "@minsheng/domain";
import { z } from "zod";
import { RegionCode } from "../lib/region-code.js";
import { ContentKind } from "./content-schemas.js";

export { ContentKind, ContentPatch, HttpUrl, IsoDate, NewContent } from "./content-schemas.js";

/**
 * The schemas of 码上通's console side: what a request may carry (validated by the operations) and
 * what the answers hold (typed client, OpenAPI document). The content a site publishes is in
 * content-schemas.ts.
 */

/** A site's short code (点位码): 8 characters of 0-9 and A-Z without I, L, O, U; a regular-expression fragment. */
export const SITE_CODE = "[0-9A-HJKMNP-TV-Z]{8}";

export const SiteCode = z.string().regex(new RegExp(`^${SITE_CODE}$`), "must be a site code: 8 characters of 0-9 and A-Z without I, L, O, U");
export const SiteParam = z.object({ code: SiteCode });
export const ProjectParam = z.object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a project id") });
export const SiteRegionQuery = z.object({ region: RegionCode });
export const ContentIdParam = z.object({ id: z.coerce.number().int("must be a content id").min(1, "must be a content id") });
const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Offset = z.coerce.number().int().min(0).max(1_000_000).default(0);
export const SiteListQuery = z.object({
  region: RegionCode.optional().describe("the region whose sites (its own and below) to list; your area by default"),
  project: z.string().min(1).max(64).optional(),
  plan: z.string().min(1).max(64).optional(),
  q: z.string().trim().min(1).max(50).optional().describe("part of the project, item or region name, or a code"),
  limit: Limit,
  offset: Offset,
});
export const StatsQuery = z.object({
  region: RegionCode.optional().describe("your area by default"),
  unit: z.string().min(1).max(64).optional().describe("only the projects this unit leads (a unit's own account always counts its unit)"),
});
export const ContentListQuery = z.object({ kind: ContentKind.optional() });
export const SitePatch = z
  .object({
    version: z.number().int().min(1).optional().describe("the version you read; a stale one is a 409"),
    contact: z.string().trim().max(200, "must be at most 200 characters").optional().describe("联系方式 printed on the sign, e.g. 县教育局 0739-1234567"),
    location: z.string().trim().max(200, "must be at most 200 characters").optional().describe("具体地点, e.g. 邵阳县第一中学"),
  })
  .refine((p) => p.contact !== undefined || p.location !== undefined, { message: "nothing to change: send contact or location", path: [] });

// ---------------------------------------------------------------------------------------------
// Answers.

export const Timestamp = z.string().describe("ISO 8601 date-time");
export const Day = z.string().describe("YYYY-MM-DD (China time)");

export const SiteSummary = z.object({
  code: z.string().describe("8 characters of Crockford base32, stable"),
  url: z.string().describe("the public page the QR code opens"),
  project: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  item: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  plan: z.object({ id: z.string(), title: z.string(), year: z.number().int(), level: PlanLevel }),
  region: z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) }),
  unit: z.object({ id: z.string(), name: z.string() }),
  contact: z.string(),
  location: z.string(),
  version: z.number().int(),
});
export const SiteCounts = z.object({
  policies: z.number().int(),
  localised: z.number().int(),
  updates: z.number().int(),
  pending: z.number().int(),
  open: z.number().int(),
  answered: z.number().int(),
});
export const SiteList = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), sites: z.array(SiteSummary.extend({ counts: SiteCounts })) });
export const SiteStats = z.object({
  region: z.string().nullable(),
  unit: z.string().nullable(),
  policyDocuments: z.number().int().describe("公开政策文件"),
  localisedUpdates: z.number().int().describe("本地化更新"),
  workUpdates: z.number().int().describe("发布工作动态"),
  suggestionsReceived: z.number().int().describe("吸纳群众意见建议 (all but those rejected as spam)"),
  suggestionsAnswered: z.number().int(),
  awaitingModeration: z.number().int(),
  rejected: z.number().int(),
  processingRate: z.number().describe("处理率 = answered ÷ received, 4 decimals (1 with none)"),
  processingRatePercent: z.number(),
});
export const FileView = z.object({ id: z.string(), filename: z.string(), mediaType: z.string(), size: z.number().int(), url: z.string().describe("public while the content is published") });
export const ContentView = z.object({
  id: z.number().int(),
  site: z.string(),
  kind: ContentKind,
  kindLabel: z.string(),
  title: z.string(),
  issuer: z.string(),
  date: z.string().nullable(),
  url: z.string().nullable(),
  text: z.string(),
  published: z.boolean(),
  publishedAt: Timestamp.nullable(),
  version: z.number().int().describe("send it back when editing: a stale one is a 409"),
  createdBy: z.string(),
  updatedBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  files: z.array(FileView),
});
