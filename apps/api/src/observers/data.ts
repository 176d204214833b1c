import type { Queryable } from "@minsheng/db";
import type { ObservationKind } from "@minsheng/domain";

/** Data access of the observers' registry (民生实事观察员): every SQL statement of the feature. */

export interface ObserverRecord {
  id: number;
  name: string;
  background: string;
  region: string;
  regionName: string;
  group: string;
  term: string;
  /** first month of duty */
  since: string;
  userId: number | null;
  username: string | null;
}

const SELECT_OBSERVER = `
  SELECT o.id, o.name, o.background, o.region, r.name AS region_name, o.group_name, o.term, o.since, o.user_id, u.username
    FROM observers o JOIN regions r ON r.code = o.region LEFT JOIN users u ON u.id = o.user_id`;

const mapObserver = (r: Record<string, unknown>): ObserverRecord => ({
  id: Number(r.id),
  name: String(r.name),
  background: String(r.background),
  region: String(r.region),
  regionName: String(r.region_name),
  group: String(r.group_name),
  term: String(r.term),
  since: String(r.since),
  userId: r.user_id == null ? null : Number(r.user_id),
  username: (r.username as string | null) ?? null,
});

/** The registry of an area (region codes), by group then name. */
export async function listObservers(db: Queryable, area: readonly string[] | null): Promise<ObserverRecord[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `${SELECT_OBSERVER} ${area ? "WHERE o.region = ANY($1::text[])" : ""} ORDER BY o.group_name, o.name, o.id`,
    area ? [area] : [],
  );
  return rows.map(mapObserver);
}

/** The registry entry a sign-in account is linked to. */
export async function observerOfUser(db: Queryable, userId: number): Promise<ObserverRecord | null> {
  const { rows } = await db.query<Record<string, unknown>>(`${SELECT_OBSERVER} WHERE o.user_id = $1`, [userId]);
  return rows[0] ? mapObserver(rows[0]) : null;
}

export async function userForLink(db: Queryable, userId: number): Promise<{ role: string; observerId: number | null } | null> {
  const { rows } = await db.query<{ role: string; observer_id: string | null }>(
    "SELECT u.role, o.id AS observer_id FROM users u LEFT JOIN observers o ON o.user_id = u.id WHERE u.id = $1 FOR UPDATE OF u",
    [userId],
  );
  return rows[0] ? { role: rows[0].role, observerId: rows[0].observer_id == null ? null : Number(rows[0].observer_id) } : null;
}

export async function insertObserver(
  db: Queryable,
  o: { name: string; background: string; region: string; group: string; term: string; since: string; userId: number | null; by: string; at: Date },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO observers (name, background, region, group_name, term, since, user_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [o.name, o.background, o.region, o.group, o.term, o.since, o.userId, o.by, o.at.toISOString()],
  );
  return Number(rows[0]!.id);
}

/** What the observers filed in a year up to a date (for "四个一"): who, what kind, on which day. */
export async function filingsOfYear(db: Queryable, observerIds: readonly number[], year: number): Promise<{ observer: string; kind: ObservationKind; date: string }[]> {
  if (observerIds.length === 0) return [];
  const { rows } = await db.query<{ observer_id: string; kind: ObservationKind; filed_on: string }>(
    `SELECT observer_id, kind, to_char(filed_on, 'YYYY-MM-DD') AS filed_on FROM observations
      WHERE observer_id = ANY($1::bigint[]) AND filed_on >= make_date($2, 1, 1) AND filed_on < make_date($2 + 1, 1, 1)`,
    [observerIds, year],
  );
  return rows.map((r) => ({ observer: String(r.observer_id), kind: r.kind, date: r.filed_on }));
}
