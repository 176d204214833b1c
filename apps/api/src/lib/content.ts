import { CONTENT_KINDS, contentKindLabel } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";
import { z } from "zod";

/**
 * What a project site publishes (rule 6): 政策文件 (policy documents: title, issuing body, date,
 * an optional address and files), 本地化更新 (localised content and requirements: text) and
 * 工作动态 (work updates: text, date, photos).
 */

export const ContentKind = z.enum(CONTENT_KINDS);
export type ContentKind = z.infer<typeof ContentKind>;
export { contentKindLabel };

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

export interface ContentRow {
  id: string;
  site: string;
  kind: ContentKind;
  title: string;
  issuer: string;
  doc_date: string | null;
  url: string | null;
  body: string;
  published: boolean;
  published_at: string | Date | null;
  version: number;
  created_by: string;
  updated_by: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export interface FileRow {
  id: string;
  content_id: string | null;
  filename: string;
  media_type: string;
  size: string;
  sha256: string;
}

export const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());
export const publicFileUrl = (id: string) => `/api/v1/public/files/${id}`;

/** The fields of a row as the kind's schema reads them (for re-validation after a patch). */
export const fieldsOf = (r: ContentRow): NewContent =>
  r.kind === "policy"
    ? { kind: "policy", title: r.title, issuer: r.issuer, date: r.doc_date ?? "", ...(r.url ? { url: r.url } : {}), ...(r.body ? { text: r.body } : {}) }
    : r.kind === "localised"
      ? { kind: "localised", ...(r.title ? { title: r.title } : {}), text: r.body }
      : { kind: "update", text: r.body, date: r.doc_date ?? "" };

const fileView = (f: FileRow) => ({ id: f.id, filename: f.filename, mediaType: f.media_type, size: Number(f.size), url: publicFileUrl(f.id) });

/** The console's view: everything, unpublished content and who wrote it included. */
export const consoleContentView = (r: ContentRow, files: FileRow[]) => ({
  id: Number(r.id),
  site: r.site,
  kind: r.kind,
  kindLabel: contentKindLabel[r.kind],
  title: r.title,
  issuer: r.issuer,
  date: r.doc_date,
  url: r.url,
  text: r.body,
  published: r.published,
  publishedAt: iso(r.published_at),
  version: Number(r.version),
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  files: files.map(fileView),
});
export type ConsoleContentView = ReturnType<typeof consoleContentView>;

/** The public view: no author, no internal state. */
export const publicContentView = (r: ContentRow, files: FileRow[]) => ({
  id: Number(r.id),
  kind: r.kind,
  title: r.title,
  issuer: r.issuer,
  date: r.doc_date,
  url: r.url,
  text: r.body,
  publishedAt: iso(r.published_at),
  files: files.map(fileView),
});

/** Content of sites (all of it, or only what is published), with its files, newest first. */
export async function contentOfSites(db: Queryable, codes: string[], onlyPublished: boolean) {
  const { rows } = await db.query<ContentRow>(
    `SELECT * FROM site_content WHERE site = ANY($1::text[]) ${onlyPublished ? "AND published" : ""}
      ORDER BY COALESCE(doc_date, '') DESC, COALESCE(published_at, created_at) DESC, id DESC`,
    [codes],
  );
  const ids = rows.map((r) => r.id);
  const files = ids.length
    ? (await db.query<FileRow>("SELECT id, content_id, filename, media_type, size, sha256 FROM site_files WHERE content_id = ANY($1::bigint[]) ORDER BY uploaded_at, id", [ids])).rows
    : [];
  const byContent = new Map<string, FileRow[]>();
  for (const f of files) (byContent.get(String(f.content_id)) ?? byContent.set(String(f.content_id), []).get(String(f.content_id))!).push(f);
  return rows.map((r) => ({ row: r, files: byContent.get(String(r.id)) ?? [] }));
}

export async function loadContent(db: Queryable, id: number, lock = false): Promise<ContentRow | null> {
  const { rows } = await db.query<ContentRow>(`SELECT * FROM site_content WHERE id = $1 ${lock ? "FOR UPDATE" : ""}`, [id]);
  return rows[0] ?? null;
}

export async function filesOfContent(db: Queryable, id: number): Promise<FileRow[]> {
  const { rows } = await db.query<FileRow>("SELECT id, content_id, filename, media_type, size, sha256 FROM site_files WHERE content_id = $1 ORDER BY uploaded_at, id", [id]);
  return rows;
}
