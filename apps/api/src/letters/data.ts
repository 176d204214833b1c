import type { Queryable } from "@minsheng/db";
import type { LetterKind, LetterSource, LetterState } from "@minsheng/domain";

/** Data access of letters (督办函件): every SQL statement of the feature, rows typed where they are read. */

export interface LetterRecord {
  id: number;
  kind: LetterKind;
  issuerRegion: string;
  issuerName: string;
  issuerLevel: string;
  issuerUser: string;
  toUnit: string | null;
  toUnitName: string | null;
  toRegion: string | null;
  /** the region the addressee is in: to_region, or the unit's region */
  addresseeRegion: string;
  addresseeName: string;
  project: string | null;
  projectTitle: string | null;
  subject: string;
  body: string;
  dueOn: string;
  state: LetterState;
  year: number | null;
  seq: number | null;
  number: string | null;
  issuedAt: string | null;
  acknowledgedAt: string | null;
  acceptedAt: string | null;
  returnReason: string | null;
  public: boolean;
  createdAt: string;
}

const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

const SELECT_LETTER = `
  SELECT l.id, l.kind, l.issuer_region, ir.name AS issuer_name, ir.level AS issuer_level, l.issuer_user,
         l.to_unit, u.name AS unit_name, l.to_region, COALESCE(l.to_region, u.region) AS addressee_region,
         COALESCE(u.name, tr.name) AS addressee_name, l.project, p.title AS project_title,
         l.subject, l.body, to_char(l.due_on, 'YYYY-MM-DD') AS due_on, l.state, l.year, l.seq, l.number,
         l.issued_at, l.acknowledged_at, l.accepted_at, l.return_reason, l.public, l.created_at
    FROM letters l
    JOIN regions ir ON ir.code = l.issuer_region
    LEFT JOIN units u ON u.id = l.to_unit
    LEFT JOIN regions tr ON tr.code = l.to_region
    LEFT JOIN projects p ON p.id = l.project`;

function mapLetter(r: Record<string, unknown>): LetterRecord {
  return {
    id: Number(r.id),
    kind: r.kind as LetterKind,
    issuerRegion: String(r.issuer_region),
    issuerName: String(r.issuer_name),
    issuerLevel: String(r.issuer_level),
    issuerUser: String(r.issuer_user),
    toUnit: (r.to_unit as string | null) ?? null,
    toUnitName: (r.unit_name as string | null) ?? null,
    toRegion: (r.to_region as string | null) ?? null,
    addresseeRegion: String(r.addressee_region),
    addresseeName: String(r.addressee_name ?? ""),
    project: (r.project as string | null) ?? null,
    projectTitle: (r.project_title as string | null) ?? null,
    subject: String(r.subject),
    body: String(r.body),
    dueOn: String(r.due_on),
    state: r.state as LetterState,
    year: r.year == null ? null : Number(r.year),
    seq: r.seq == null ? null : Number(r.seq),
    number: (r.number as string | null) ?? null,
    issuedAt: iso(r.issued_at),
    acknowledgedAt: iso(r.acknowledged_at),
    acceptedAt: iso(r.accepted_at),
    returnReason: (r.return_reason as string | null) ?? null,
    public: Boolean(r.public),
    createdAt: iso(r.created_at)!,
  };
}

/** One letter; `lock` takes its row for the rest of the transaction (a step of its life). */
export async function findLetter(db: Queryable, id: number, lock = false): Promise<LetterRecord | null> {
  if (lock) await db.query("SELECT id FROM letters WHERE id = $1 FOR UPDATE", [id]);
  const { rows } = await db.query<Record<string, unknown>>(`${SELECT_LETTER} WHERE l.id = $1`, [id]);
  return rows[0] ? mapLetter(rows[0]) : null;
}

/**
 * Letters seen from an area: issued by a task force in it, or addressed to a unit or region in it
 * (drafts only by their issuers'). `unit`: only those addressed to that unit.
 */
export async function listLetters(db: Queryable, q: { area: readonly string[] | null; addressedIn?: readonly string[]; unit?: string | null; states?: readonly LetterState[] }): Promise<LetterRecord[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => `$${args.push(v)}`;
  if (q.area) {
    const a = arg(q.area);
    where.push(`(l.issuer_region = ANY(${a}::text[]) OR (l.state <> 'draft' AND COALESCE(l.to_region, u.region) = ANY(${a}::text[])))`);
  }
  if (q.addressedIn) where.push(`COALESCE(l.to_region, u.region) = ANY(${arg(q.addressedIn)}::text[])`);
  if (q.unit) where.push(`l.to_unit = ${arg(q.unit)} AND l.state <> 'draft'`);
  if (q.states) where.push(`l.state = ANY(${arg(q.states)}::text[])`);
  const { rows } = await db.query<Record<string, unknown>>(`${SELECT_LETTER} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY l.due_on, l.id`, args);
  return rows.map(mapLetter);
}

export async function unitRegion(db: Queryable, unit: string): Promise<string | null> {
  const { rows } = await db.query<{ region: string }>("SELECT region FROM units WHERE id = $1", [unit]);
  return rows[0]?.region ?? null;
}

export async function projectExists(db: Queryable, project: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM projects WHERE id = $1", [project])).rows.length > 0;
}

export async function insertLetter(
  db: Queryable,
  l: { kind: LetterKind; issuerRegion: string; issuerUser: string; toUnit: string | null; toRegion: string | null; project: string | null; subject: string; body: string; dueOn: string; at: Date },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO letters (kind, issuer_region, issuer_user, to_unit, to_region, project, subject, body, due_on, state, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10) RETURNING id`,
    [l.kind, l.issuerRegion, l.issuerUser, l.toUnit, l.toRegion, l.project, l.subject, l.body, l.dueOn, l.at.toISOString()],
  );
  return Number(rows[0]!.id);
}

/** A draft's fields (only while it is a draft: the statement says so too). */
export async function updateDraft(db: Queryable, id: number, l: { kind: LetterKind; toUnit: string | null; toRegion: string | null; project: string | null; subject: string; body: string; dueOn: string }): Promise<void> {
  await db.query("UPDATE letters SET kind = $2, to_unit = $3, to_region = $4, project = $5, subject = $6, body = $7, due_on = $8 WHERE id = $1 AND state = 'draft'", [
    id,
    l.kind,
    l.toUnit,
    l.toRegion,
    l.project,
    l.subject,
    l.body,
    l.dueOn,
  ]);
}

export async function insertSources(db: Queryable, letterId: number, sources: readonly LetterSource[]): Promise<void> {
  let position = 0;
  for (const s of sources) {
    position++;
    await db.query(
      `INSERT INTO letter_sources (letter_id, position, kind, observation_id, feedback_id, indicator, region, period) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        letterId,
        position,
        s.kind,
        s.kind === "observation" ? s.id : null,
        s.kind === "feedback" ? s.id : null,
        "indicator" in s ? s.indicator : null,
        "region" in s ? s.region : null,
        "period" in s ? s.period : null,
      ],
    );
  }
}

export async function sourcesOf(db: Queryable, letterId: number): Promise<LetterSource[]> {
  const { rows } = await db.query<{ kind: LetterSource["kind"]; observation_id: string | null; feedback_id: string | null; indicator: string | null; region: string | null; period: string | null }>(
    "SELECT kind, observation_id, feedback_id, indicator, region, period FROM letter_sources WHERE letter_id = $1 ORDER BY position",
    [letterId],
  );
  return rows.map((r): LetterSource =>
    r.kind === "observation"
      ? { kind: "observation", id: Number(r.observation_id) }
      : r.kind === "feedback"
        ? { kind: "feedback", id: Number(r.feedback_id) }
        : { kind: r.kind, indicator: r.indicator!, region: r.region!, period: r.period! },
  );
}

/** The region of a source record, to check it lies in the issuer's area; null when there is no such record. */
export async function sourceRegion(db: Queryable, s: LetterSource): Promise<string | null> {
  if (s.kind === "observation") return (await db.query<{ region: string }>("SELECT region FROM observations WHERE id = $1", [s.id])).rows[0]?.region ?? null;
  if (s.kind === "feedback") return (await db.query<{ region: string }>("SELECT ps.region FROM feedback f JOIN project_sites ps ON ps.code = f.site WHERE f.id = $1", [s.id])).rows[0]?.region ?? null;
  const { rows } = await db.query("SELECT 1 FROM indicators i, regions r WHERE i.id = $1 AND r.code = $2", [s.indicator, s.region]);
  return rows.length > 0 ? s.region : null;
}

/** The next number of an issuer's year, under a lock per issuer and year (two issues at once never share one). */
export async function nextSeq(db: Queryable, issuerRegion: string, year: number): Promise<number> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`letters:${issuerRegion}:${year}`]);
  const { rows } = await db.query<{ n: number }>("SELECT COALESCE(MAX(seq), 0)::int + 1 AS n FROM letters WHERE issuer_region = $1 AND year = $2", [issuerRegion, year]);
  return Number(rows[0]!.n);
}

export async function markIssued(db: Queryable, id: number, v: { year: number; seq: number; number: string; at: Date }): Promise<void> {
  await db.query("UPDATE letters SET state = 'issued', year = $2, seq = $3, number = $4, issued_at = $5 WHERE id = $1", [id, v.year, v.seq, v.number, v.at.toISOString()]);
}

export async function setState(db: Queryable, id: number, state: LetterState, extra: { acknowledgedAt?: Date; acceptedAt?: Date; returnReason?: string | null; public?: boolean } = {}): Promise<void> {
  await db.query(
    `UPDATE letters SET state = $2,
       acknowledged_at = COALESCE($3, acknowledged_at), accepted_at = COALESCE($4, accepted_at),
       return_reason = CASE WHEN $5::boolean THEN $6 ELSE return_reason END, public = COALESCE($7, public)
     WHERE id = $1`,
    [id, state, extra.acknowledgedAt?.toISOString() ?? null, extra.acceptedAt?.toISOString() ?? null, extra.returnReason !== undefined, extra.returnReason ?? null, extra.public ?? null],
  );
}

export interface ReplyRecord {
  id: number;
  text: string;
  createdBy: string;
  createdAt: string;
  files: { id: string; filename: string; mediaType: string; size: number; href: string }[];
}

export async function insertReply(db: Queryable, r: { letterId: number; text: string; by: string; at: Date }): Promise<number> {
  const { rows } = await db.query<{ id: string }>("INSERT INTO letter_replies (letter_id, text, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id", [
    r.letterId,
    r.text,
    r.by,
    r.at.toISOString(),
  ]);
  return Number(rows[0]!.id);
}

export async function repliesOf(db: Queryable, letterId: number): Promise<ReplyRecord[]> {
  const { rows } = await db.query<Record<string, unknown>>("SELECT id, text, created_by, created_at FROM letter_replies WHERE letter_id = $1 ORDER BY created_at, id", [letterId]);
  const files = await db.query<Record<string, unknown>>(
    `SELECT f.id, f.reply_id, f.filename, f.media_type, f.size FROM letter_reply_files f JOIN letter_replies r ON r.id = f.reply_id
      WHERE r.letter_id = $1 ORDER BY f.uploaded_at, f.id`,
    [letterId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    text: String(r.text),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at)!,
    files: files.rows
      .filter((f) => Number(f.reply_id) === Number(r.id))
      .map((f) => ({ id: String(f.id), filename: String(f.filename), mediaType: String(f.media_type), size: Number(f.size), href: `/api/v1/letters/${letterId}/files/${String(f.id)}` })),
  }));
}

/** The latest reply of a letter (the one files are added to). */
export async function latestReply(db: Queryable, letterId: number): Promise<number | null> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM letter_replies WHERE letter_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1", [letterId]);
  return rows[0] ? Number(rows[0].id) : null;
}

export async function replyOfLetter(db: Queryable, letterId: number, replyId: number): Promise<boolean> {
  return (await db.query("SELECT 1 FROM letter_replies WHERE id = $1 AND letter_id = $2", [replyId, letterId])).rows.length > 0;
}

export async function insertReplyFile(
  db: Queryable,
  f: { id: string; replyId: number; filename: string; mediaType: string; size: number; sha256: string; storageKey: string; by: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO letter_reply_files (id, reply_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [f.id, f.replyId, f.filename, f.mediaType, f.size, f.sha256, f.storageKey, f.by, f.at.toISOString()],
  );
}

export async function findReplyFile(db: Queryable, letterId: number, fileId: string): Promise<{ filename: string; mediaType: string; sha256: string; storageKey: string } | null> {
  const { rows } = await db.query<{ filename: string; media_type: string; sha256: string; storage_key: string }>(
    `SELECT f.filename, f.media_type, f.sha256, f.storage_key FROM letter_reply_files f JOIN letter_replies r ON r.id = f.reply_id WHERE f.id = $1 AND r.letter_id = $2`,
    [fileId, letterId],
  );
  const r = rows[0];
  return r ? { filename: r.filename, mediaType: r.media_type, sha256: r.sha256, storageKey: r.storage_key } : null;
}

/** Public closed rectifications of a project in a region's subtree (码上通). */
export async function publicRectifications(db: Queryable, project: string, regions: readonly string[]): Promise<{ number: string; kind: LetterKind; subject: string; acceptedAt: string; reply: string }[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT l.number, l.kind, l.subject, l.accepted_at,
            (SELECT r.text FROM letter_replies r WHERE r.letter_id = l.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS reply
       FROM letters l LEFT JOIN units u ON u.id = l.to_unit
      WHERE l.public AND l.state = 'accepted' AND l.project = $1 AND COALESCE(l.to_region, u.region) = ANY($2::text[])
      ORDER BY l.accepted_at DESC`,
    [project, regions],
  );
  return rows.map((r) => ({ number: String(r.number), kind: r.kind as LetterKind, subject: String(r.subject), acceptedAt: iso(r.accepted_at)!, reply: String(r.reply ?? "") }));
}

/**
 * 督办情况 of a month for the bulletin of a region (rules 11-12): observers' filings in the area,
 * letters its task forces issued and answered that month, and those past their deadline and not
 * accepted as of `asOf` (the month's last day, or today while the month runs).
 */
export async function supervisionCounts(db: Queryable, area: readonly string[], period: string, asOf: string): Promise<{ filings: number; lettersIssued: number; lettersAnswered: number; lettersOverdue: number }> {
  const { rows } = await db.query<{ filings: number; issued: number; answered: number; overdue: number }>(
    `SELECT
       (SELECT count(*) FROM observations WHERE region = ANY($1::text[]) AND to_char(filed_on, 'YYYY-MM') = $2)::int AS filings,
       (SELECT count(*) FROM letters WHERE issuer_region = ANY($1::text[]) AND to_char(issued_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = $2)::int AS issued,
       (SELECT count(DISTINCT l.id) FROM letters l JOIN letter_replies r ON r.letter_id = l.id
         WHERE l.issuer_region = ANY($1::text[]) AND to_char(r.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = $2)::int AS answered,
       (SELECT count(*) FROM letters WHERE issuer_region = ANY($1::text[]) AND issued_at IS NOT NULL
          AND (issued_at AT TIME ZONE 'Asia/Shanghai')::date <= $3::date AND due_on < $3::date
          AND (accepted_at IS NULL OR (accepted_at AT TIME ZONE 'Asia/Shanghai')::date > $3::date))::int AS overdue`,
    [area, period, asOf],
  );
  const r = rows[0]!;
  return { filings: Number(r.filings), lettersIssued: Number(r.issued), lettersAnswered: Number(r.answered), lettersOverdue: Number(r.overdue) };
}
