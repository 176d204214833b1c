import type { BulletinModel } from "@minsheng/bulletin";
import type { Queryable } from "@minsheng/db";
import type { DraftContent, DraftView, IssueView } from "./schemas.js";

/**
 * Data access of 通报: every SQL statement of the feature (plans in scope, narrative drafts, issued
 * snapshots), rows typed and mapped where they are read.
 */

/** A draft's key: the region, the month and the plans in the bulletin's order. */
export interface DraftKey {
  region: string;
  period: string;
  plans: readonly string[];
}

const iso = (v: string | Date) => new Date(v).toISOString();

/** The region of each plan asked that exists. */
export async function plansByIds(db: Queryable, ids: readonly string[]): Promise<{ id: string; region: string; year: number }[]> {
  const { rows } = await db.query<{ id: string; region: string; year: number }>("SELECT id, region, year FROM plans WHERE id = ANY($1::text[])", [ids]);
  return rows.map((r) => ({ id: String(r.id), region: String(r.region), year: Number(r.year) }));
}

interface DraftRow {
  content: DraftContent;
  version: number | string;
  issue_id: string | number | null;
  updated_by: string;
  updated_at: string | Date;
}

export async function loadDraft(db: Queryable, key: DraftKey): Promise<DraftView | null> {
  const { rows } = await db.query<DraftRow>("SELECT content, version, issue_id, updated_by, updated_at FROM bulletin_drafts WHERE region = $1 AND period = $2 AND plans = $3", [
    key.region,
    key.period,
    key.plans.join(","),
  ]);
  const d = rows[0];
  return d ? { content: d.content, version: Number(d.version), issueId: d.issue_id === null ? null : Number(d.issue_id), updatedBy: d.updated_by, updatedAt: iso(d.updated_at) } : null;
}

/** The version of a draft, locked until the transaction ends; null when there is none. */
export async function lockDraftVersion(tx: Queryable, key: DraftKey): Promise<number | null> {
  const { rows } = await tx.query<{ version: number | string }>("SELECT version FROM bulletin_drafts WHERE region = $1 AND period = $2 AND plans = $3 FOR UPDATE", [
    key.region,
    key.period,
    key.plans.join(","),
  ]);
  return rows[0] ? Number(rows[0].version) : null;
}

/** Writes a first draft (version 1); false when another one was written at the same time. */
export async function insertDraft(tx: Queryable, key: DraftKey, content: DraftContent, by: string, at: string): Promise<boolean> {
  const ins = await tx.query(
    `INSERT INTO bulletin_drafts (region, period, plans, content, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6)
     ON CONFLICT DO NOTHING`,
    [key.region, key.period, key.plans.join(","), JSON.stringify(content), by, at],
  );
  return ins.rowCount > 0;
}

export async function updateDraft(tx: Queryable, key: DraftKey, content: DraftContent, by: string, at: string): Promise<void> {
  await tx.query("UPDATE bulletin_drafts SET content = $4, version = version + 1, updated_by = $5, updated_at = $6 WHERE region = $1 AND period = $2 AND plans = $3", [
    key.region,
    key.period,
    key.plans.join(","),
    JSON.stringify(content),
    by,
    at,
  ]);
}

/** The narrative as issued, kept with the draft and linked to the issue (a new draft, or the next version of it). */
export async function keepIssuedDraft(tx: Queryable, key: DraftKey, content: DraftContent, issueId: number, by: string, at: string): Promise<void> {
  await tx.query(
    `INSERT INTO bulletin_drafts (region, period, plans, content, version, issue_id, updated_by, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7)
     ON CONFLICT (region, period, plans) DO UPDATE SET content = EXCLUDED.content, issue_id = EXCLUDED.issue_id, version = bulletin_drafts.version + 1,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
    [key.region, key.period, key.plans.join(","), JSON.stringify(content), issueId, by, at],
  );
}

/** The next issue number of the region's series for the year (第 N 期). */
export async function nextIssueNo(db: Queryable, region: string, year: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT COALESCE(max(issue_no), 0)::int + 1 AS n FROM bulletin_issues WHERE region = $1 AND year = $2", [region, year]);
  return Number(rows[0]!.n);
}

export interface NewIssue {
  region: string;
  period: string;
  plans: readonly string[];
  year: number;
  issueNo: number;
  date: string;
  title: string;
  options: unknown;
  model: BulletinModel;
  sha256: string;
  dataVersion: string;
  issuedBy: string;
  issuedAt: string;
}

/** Stores an issued bulletin; null when its number is taken in the region's year. */
export async function insertIssue(tx: Queryable, i: NewIssue): Promise<number | null> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO bulletin_issues (region, period, plans, year, issue_no, issue_date, title, options, model, sha256, data_version, issued_by, issued_at)
     VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (region, year, issue_no) DO NOTHING RETURNING id`,
    [i.region, i.period, i.plans, i.year, i.issueNo, i.date, i.title, JSON.stringify(i.options), JSON.stringify(i.model), i.sha256, i.dataVersion, i.issuedBy, i.issuedAt],
  );
  return rows[0] ? Number(rows[0].id) : null;
}

/** The id of the bulletin that holds a number of the region's year, if any. */
export async function issueIdByNumber(db: Queryable, region: string, year: number, issueNo: number): Promise<number | null> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM bulletin_issues WHERE region = $1 AND year = $2 AND issue_no = $3", [region, year, issueNo]);
  return rows[0] ? Number(rows[0].id) : null;
}

interface IssueRow {
  id: string;
  region: string;
  region_name: string;
  period: string;
  plans: string[];
  year: number;
  issue_no: number;
  issue_date: string;
  title: string;
  sha256: string;
  data_version: string | null;
  issued_by: string;
  issued_at: string | Date;
  summaries: BulletinModel["summaries"] | null;
}

const ISSUE_COLUMNS = `b.id, b.region, rg.name AS region_name, b.period, b.plans, b.year, b.issue_no, b.issue_date, b.title, b.sha256,
       b.data_version::text AS data_version, b.issued_by, b.issued_at, b.model->'summaries' AS summaries`;
const ISSUES = "bulletin_issues b JOIN regions rg ON rg.code = b.region";

const issueView = (r: IssueRow): IssueView => ({
  id: Number(r.id),
  region: { code: r.region, name: r.region_name },
  period: r.period,
  plans: r.plans,
  year: Number(r.year),
  issueNo: Number(r.issue_no),
  date: r.issue_date,
  title: r.title,
  sha256: r.sha256,
  dataVersion: r.data_version === null ? null : Number(r.data_version),
  issuedBy: r.issued_by,
  issuedAt: iso(r.issued_at),
  summaries: (r.summaries ?? []).map((s) => ({ plan: s.plan, planTitle: s.planTitle, total: s.total, completed: s.completed, onSchedule: s.onSchedule, behind: s.behind, text: s.text })),
  href: { docx: `/api/v1/bulletins/issues/${r.id}?format=docx`, xlsx: `/api/v1/bulletins/issues/${r.id}?format=xlsx` },
});

export async function getIssue(db: Queryable, id: number): Promise<IssueView | null> {
  const { rows } = await db.query<IssueRow>(`SELECT ${ISSUE_COLUMNS} FROM ${ISSUES} WHERE b.id = $1`, [id]);
  return rows[0] ? issueView(rows[0]) : null;
}

/** An issued bulletin with its frozen model. */
export async function getIssueWithModel(db: Queryable, id: number): Promise<{ issue: IssueView; model: BulletinModel } | null> {
  const { rows } = await db.query<IssueRow & { model: BulletinModel }>(`SELECT ${ISSUE_COLUMNS}, b.model FROM ${ISSUES} WHERE b.id = $1`, [id]);
  const row = rows[0];
  return row ? { issue: issueView(row), model: row.model } : null;
}

/** Issued bulletins, newest first: of the regions given (null: all) and of a year. */
export async function listIssues(db: Queryable, f: { regions: readonly string[] | null; year?: number; limit: number; offset: number }): Promise<{ total: number; issues: IssueView[] }> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (f.regions) where.push(`b.region = ANY($${params.push(f.regions)}::text[])`);
  if (f.year !== undefined) where.push(`b.year = $${params.push(f.year)}`);
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bulletin_issues b ${filter}`, params);
  const { rows } = await db.query<IssueRow>(`SELECT ${ISSUE_COLUMNS} FROM ${ISSUES} ${filter} ORDER BY b.issued_at DESC, b.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
    ...params,
    f.limit,
    f.offset,
  ]);
  return { total: Number(total.rows[0]!.n), issues: rows.map(issueView) };
}
