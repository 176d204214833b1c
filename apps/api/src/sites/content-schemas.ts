import { CONTENT_KINDS } from "@minsheng/domain";
import { z } from "zod";

/**
 * What a project site publishes (rule 6): 政策文件 (policy documents: title, issuing body, date,
 * an optional address and files), 本地化更新 (localised content and requirements: text) and
 * 工作动态 (work updates: text, date, photos). Kept light (zod and the domain only): the
 * disclosure settings read IsoDate from here.
 */

export const ContentKind = z.enum(CONTENT_KINDS);
export type ContentKind = z.infer<typeof ContentKind>;

const isRealDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date written YYYY-MM-DD")
  .refine(isRealDate, "is not a calendar date");
export const HttpUrl = z.string().trim().max(500, "must be at most 500 characters").regex(/^https?:\/\/[^\s<>"]+$/i, "must be an http(s) address");
const required = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const optional = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

export const PolicyContent = z.object({
  kind: z.literal("policy"),
  title: required(200),
  issuer: required(100).describe("发文机关"),
  date: IsoDate.describe("发文日期"),
  url: HttpUrl.optional().describe("where the document is published, if online"),
  text: optional(5000).optional().describe("摘要"),
});
export const LocalisedContent = z.object({
  kind: z.literal("localised"),
  title: optional(200).optional(),
  text: required(5000).describe("建设内容和建设要求（本地化）"),
});
export const UpdateContent = z.object({
  kind: z.literal("update"),
  text: required(5000),
  date: IsoDate.describe("the day the work was done"),
});
export const NewContent = z.discriminatedUnion("kind", [PolicyContent, LocalisedContent, UpdateContent]);
export type NewContent = z.infer<typeof NewContent>;

/** Changes to a piece of content; `version` is the one you read (a stale one is a 409). */
export const ContentPatch = z
  .object({
    version: z.number().int().min(1),
    title: optional(200).optional(),
    issuer: optional(100).optional(),
    date: IsoDate.optional(),
    url: HttpUrl.nullable().optional(),
    text: optional(5000).optional(),
    published: z.boolean().optional().describe("false unpublishes (it leaves the public page), true publishes again"),
  })
  .refine((p) => Object.keys(p).some((k) => k !== "version"), { message: "nothing to change", path: [] });
export type ContentPatch = z.infer<typeof ContentPatch>;

