import type { Queryable } from "@minsheng/db";
import type { CardLine, LetterState, ObservationKind, ObservationState, TriageAction } from "@minsheng/domain";

/** Data access of observers' filings (观察信息) and their photos: every SQL statement of the feature. */

export interface ObservationRecord {
  id: number;
  observerId: number;
  observerName: string;
  kind: ObservationKind;
  text: string;
  site: string | null;
  project: string | null;
  projectTitle: string | null;
  region: string;
  regionName: string;
  card: CardLine[] | null;
  filedOn: string;
  state: ObservationState;
  triageReason: string | null;
  forwardUnit: string | null;
  forwardRegion: string | null;
  forwardName: string | null;
  triagedBy: string | null;
  triagedAt: string | null;
  createdAt: string;
  /** the letter made from it (by triage, or a letter naming it as a source) */
  letter: { id: number; state: LetterState; number: string | null } | null;
  photos: number;
}

const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

const SELECT_OBSERVATION = `
  SELECT o.id, o.observer_id, ob.name AS observer_name, o.kind, o.text, o.site, o.project, p.title AS project_title,
         o.region, r.name AS region_name, o.card, to_char(o.filed_on, 'YYYY-MM-DD') AS filed_on, o.state, o.triage_reason,
         o.forward_unit, o.forward_region, COALESCE(fu.name, fr.name) AS forward_name, o.triaged_by, o.triaged_at, o.created_at,
         l.id AS letter_id, l.state AS letter_state, l.number AS letter_number,
         (SELECT count(*) FROM observation_photos ph WHERE ph.observation_id = o.id)::int AS photos
    FROM observations o
    JOIN observers ob ON ob.id = o.observer_id
    JOIN regions r ON r.code = o.region
    LEFT JOIN projects p ON p.id = o.project
    LEFT JOIN units fu ON fu.id = o.forward_unit
    LEFT JOIN regions fr ON fr.code = o.forward_region
    LEFT JOIN LATERAL (
      SELECT l.id, l.state, l.number FROM letters l
       WHERE l.id = o.letter_id OR l.id IN (SELECT s.letter_id FROM letter_sources s WHERE s.observation_id = o.id)
       ORDER BY (l.id = o.letter_id) DESC, l.id DESC LIMIT 1
    ) l ON true`;

function mapObservation(r: Record<string, unknown>): ObservationRecord {
  return {
    id: Number(r.id),
    observerId: Number(r.observer_id),
    observerName: String(r.observer_name),
    kind: r.kind as ObservationKind,
    text: String(r.text),
    site: (r.site as string | null) ?? null,
    project: (r.project as string | null) ?? null,
    projectTitle: (r.project_title as string | null) ?? null,
    region: String(r.region),
    regionName: String(r.region_name),
    card: (r.card as CardLine[] | null) ?? null,
    filedOn: String(r.filed_on),
    state: r.state as ObservationState,
    triageReason: (r.triage_reason as string | null) ?? null,
    forwardUnit: (r.forward_unit as string | null) ?? null,
    forwardRegion: (r.forward_region as string | null) ?? null,
    forwardName: (r.forward_name as string | null) ?? null,
    triagedBy: (r.triaged_by as string | null) ?? null,
    triagedAt: iso(r.triaged_at),
    createdAt: iso(r.created_at)!,
    letter: r.letter_id == null ? null : { id: Number(r.letter_id), state: r.letter_state as LetterState, number: (r.letter_number as string | null) ?? null },
    photos: Number(r.photos),
  };
}

export async function findObservation(db: Queryable, id: number, lock = false): Promise<ObservationRecord | null> {
  if (lock) await db.query("SELECT id FROM observations WHERE id = $1 FOR UPDATE", [id]);
  const { rows } = await db.query<Record<string, unknown>>(`${SELECT_OBSERVATION} WHERE o.id = $1`, [id]);
  return rows[0] ? mapObservation(rows[0]) : null;
}

/** Filings of one observer, or of an area (region codes); newest first. */
export async function listObservations(db: Queryable, q: { observerId?: number; area?: readonly string[] | null; states?: readonly ObservationState[]; limit: number }): Promise<ObservationRecord[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => `$${args.push(v)}`;
  if (q.observerId !== undefined) where.push(`o.observer_id = ${arg(q.observerId)}`);
  if (q.area) where.push(`o.region = ANY(${arg(q.area)}::text[])`);
  if (q.states) where.push(`o.state = ANY(${arg(q.states)}::text[])`);
  const { rows } = await db.query<Record<string, unknown>>(
    `${SELECT_OBSERVATION} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY o.created_at DESC, o.id DESC LIMIT ${arg(q.limit)}`,
    args,
  );
  return rows.map(mapObservation);
}

/** The project and region of a site (码上通 code), or null when there is none. */
export async function siteOf(db: Queryable, code: string): Promise<{ project: string; region: string } | null> {
  const { rows } = await db.query<{ project: string; region: string }>("SELECT project, region FROM project_sites WHERE code = $1", [code]);
  return rows[0] ?? null;
}

export async function insertObservation(
  db: Queryable,
  o: { observerId: number; kind: ObservationKind; text: string; site: string | null; project: string | null; region: string; card: CardLine[] | null; filedOn: string; at: Date },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO observations (observer_id, kind, text, site, project, region, card, filed_on, state, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9) RETURNING id`,
    [o.observerId, o.kind, o.text, o.site, o.project, o.region, o.card === null ? null : JSON.stringify(o.card), o.filedOn, o.at.toISOString()],
  );
  return Number(rows[0]!.id);
}

export async function recordTriage(
  db: Queryable,
  id: number,
  t: { action: TriageAction; state: ObservationState; reason: string | null; forwardUnit: string | null; forwardRegion: string | null; letterId: number | null; by: string; at: Date },
): Promise<void> {
  await db.query(
    `UPDATE observations SET state = $2, triage_reason = $3, forward_unit = $4, forward_region = $5, letter_id = $6, triaged_by = $7, triaged_at = $8 WHERE id = $1`,
    [id, t.state, t.reason, t.forwardUnit, t.forwardRegion, t.letterId, t.by, t.at.toISOString()],
  );
}

export interface PhotoRecord {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  storageKey: string;
}

export async function photosOf(db: Queryable, observationId: number): Promise<PhotoRecord[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    "SELECT id, filename, media_type, size, sha256, storage_key FROM observation_photos WHERE observation_id = $1 ORDER BY uploaded_at, id",
    [observationId],
  );
  return rows.map((r) => ({ id: String(r.id), filename: String(r.filename), mediaType: String(r.media_type), size: Number(r.size), sha256: String(r.sha256), storageKey: String(r.storage_key) }));
}

export async function insertPhoto(db: Queryable, observationId: number, p: PhotoRecord & { at: Date }): Promise<void> {
  await db.query(
    "INSERT INTO observation_photos (id, observation_id, filename, media_type, size, sha256, storage_key, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    [p.id, observationId, p.filename, p.mediaType, p.size, p.sha256, p.storageKey, p.at.toISOString()],
  );
}

/** The information card's source: a project's indicators (信息采集卡, rule 12). */
export async function indicatorsOfProject(db: Queryable, project: string): Promise<{ title: string; indicators: { name: string; unit: string; kind: "quantity" | "milestone" }[] } | null> {
  const p = await db.query<{ title: string }>("SELECT title FROM projects WHERE id = $1", [project]);
  if (!p.rows[0]) return null;
  const { rows } = await db.query<{ name: string; unit: string; kind: "quantity" | "milestone" }>("SELECT name, unit, kind FROM indicators WHERE project = $1 ORDER BY position, id", [project]);
  return { title: p.rows[0].title, indicators: rows };
}
