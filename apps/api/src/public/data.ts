import type { FeedbackKind, SatisfactionRating } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";

/** Data access of 码上通's public side: every SQL statement it runs, rows typed where they are read. */

export interface AnsweredSuggestion {
  kind: FeedbackKind;
  text: string;
  received_on: string;
  answer: string;
  answered_on: string;
}

/** A site's answered suggestions, latest answer first (at most 100). */
export async function answeredSuggestions(db: Queryable, code: string): Promise<AnsweredSuggestion[]> {
  const { rows } = await db.query<AnsweredSuggestion>(
    "SELECT kind, text, received_on, answer, answered_on FROM feedback WHERE site = $1 AND state = 'answered' ORDER BY answered_at DESC, id DESC LIMIT 100",
    [code],
  );
  return rows;
}

/** Every region that has a site, by code. */
export async function regionsWithSites(db: Queryable): Promise<{ code: string; name: string }[]> {
  return (await db.query<{ code: string; name: string }>("SELECT DISTINCT s.region AS code, r.name FROM project_sites s JOIN regions r ON r.code = s.region ORDER BY s.region")).rows;
}

export interface ItemWithSites {
  id: string;
  no: number;
  title: string;
  plan_title: string;
  plan_year: number;
}

/** Every item that has a site, newest plan first. */
export async function itemsWithSites(db: Queryable): Promise<ItemWithSites[]> {
  const { rows } = await db.query<ItemWithSites>(
    `SELECT DISTINCT i.id, i.no, i.title, pl.id AS plan_id, pl.title AS plan_title, pl.year AS plan_year, pl.level AS plan_level
       FROM project_sites s JOIN projects p ON p.id = s.project JOIN items i ON i.id = p.item JOIN plans pl ON pl.id = i.plan
      ORDER BY pl.year DESC, pl.level, pl.id, i.no, i.id`,
  );
  return rows.map((i) => ({ id: i.id, no: Number(i.no), title: i.title, plan_title: i.plan_title, plan_year: Number(i.plan_year) }));
}

/** Every rating a site received. */
export async function ratingsOf(db: Queryable, code: string): Promise<SatisfactionRating[]> {
  const { rows } = await db.query<{ rating: SatisfactionRating; n: number }>("SELECT rating, count(*)::int AS n FROM satisfaction_ratings WHERE site = $1 GROUP BY rating", [code]);
  return rows.flatMap((r) => Array<SatisfactionRating>(r.n).fill(r.rating));
}

/** Suggestions received (all but those rejected as spam) and answered at a site. */
export async function feedbackCounts(db: Queryable, code: string): Promise<{ received: number; answered: number }> {
  const { rows } = await db.query<{ received: number; answered: number }>(
    "SELECT count(*) FILTER (WHERE state <> 'rejected')::int AS received, count(*) FILTER (WHERE state = 'answered')::int AS answered FROM feedback WHERE site = $1",
    [code],
  );
  return rows[0]!;
}

/** Whether the same text (by digest) was left at the site since `since`. */
export async function sameTextSince(db: Queryable, site: string, textHash: string, since: Date): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM feedback WHERE site = $1 AND text_hash = $2 AND received_at > $3 LIMIT 1", [site, textHash, since.toISOString()]);
  return rows.length > 0;
}

export async function ticketTaken(db: Queryable, ticket: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM feedback WHERE ticket = $1", [ticket])).rows.length > 0;
}

export interface NewFeedback {
  ticket: string;
  site: string;
  kind: FeedbackKind;
  text: string;
  textHash: string;
  phoneSealed: string | null;
  phoneHmac: string | null;
  phoneMasked: string | null;
  clientHash: string;
  state: "open" | "pending";
  at: Date;
  receivedOn: string;
  moderatedBy: string | null;
}

/** Stores a citizen's feedback; its id. */
export async function insertFeedback(db: Queryable, f: NewFeedback): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO feedback (ticket, site, kind, text, text_hash, phone_sealed, phone_hmac, phone_masked, client_hash, state, received_at, received_on, moderated_by, moderated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      f.ticket,
      f.site,
      f.kind,
      f.text,
      f.textHash,
      f.phoneSealed,
      f.phoneHmac,
      f.phoneMasked,
      f.clientHash,
      f.state,
      f.at.toISOString(),
      f.receivedOn,
      f.moderatedBy,
      f.moderatedBy !== null ? f.at.toISOString() : null,
    ],
  );
  return rows[0]!.id;
}

export async function insertFeedbackPhoto(
  db: Queryable,
  p: { id: string; feedbackId: string; filename: string; mediaType: string; size: number; sha256: string; key: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO site_files (id, feedback_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'public', $8)`,
    [p.id, p.feedbackId, p.filename, p.mediaType, p.size, p.sha256, p.key, p.at.toISOString()],
  );
}

/** A rating, unless the client already rated the site that day: false then. */
export async function insertRating(db: Queryable, r: { site: string; rating: SatisfactionRating; client: string; on: string; at: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    "INSERT INTO satisfaction_ratings (site, rating, client_hash, rated_on, rated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site, client_hash, rated_on) DO NOTHING",
    [r.site, r.rating, r.client, r.on, r.at.toISOString()],
  );
  return rowCount > 0;
}

export interface PublishedFile {
  storage_key: string;
  media_type: string;
  sha256: string;
  filename: string;
  size: string;
}

/** A file of published content; null for any other file. */
export async function publishedFile(db: Queryable, id: string): Promise<PublishedFile | null> {
  const { rows } = await db.query<PublishedFile>(
    `SELECT f.storage_key, f.media_type, f.sha256, f.filename, f.size FROM site_files f JOIN site_content sc ON sc.id = f.content_id
      WHERE f.id = $1 AND sc.published`,
    [id],
  );
  return rows[0] ?? null;
}
