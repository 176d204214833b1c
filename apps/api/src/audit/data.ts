import { type AuditRecord, auditRecordOf, type Queryable } from "@minsheng/db";
import { conditions } from "../lib/sql.js";

/** Data access of the audit log's reading side (appending is @minsheng/db's appendAudit): rows typed and mapped where read. */

export interface LogFilter {
  /** an action, or a prefix ending in "." */
  action?: string;
  actor?: string;
  entity?: string;
  /** ISO 8601 instants */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}


/** The log, newest first, filtered; with the count of every matching entry. */
export async function auditLog(db: Queryable, f: LogFilter): Promise<{ total: number; entries: AuditRecord[] }> {
  const { add, params, clause } = conditions();
  if (f.action) {
    if (f.action.endsWith(".")) add((n) => `starts_with(action, ${n})`, f.action);
    else add((n) => `action = ${n}`, f.action);
  }
  if (f.actor) add((n) => `actor = ${n}`, f.actor);
  if (f.entity) add((n) => `entity = ${n}`, f.entity);
  if (f.from) add((n) => `at >= ${n}`, new Date(f.from).toISOString());
  if (f.to) add((n) => `at <= ${n}`, new Date(f.to).toISOString());
  const filter = clause();
  const { rows: total } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${filter}`, params);
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log ${filter} ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return { total: Number(total[0]!.n), entries: rows.map(auditRecordOf) };
}

/**
 * The regions a record belongs to, by entity, for the region check of its history. A record that
 * resolves to nothing (unknown, or of an entity not listed here such as api_token) or to an
 * admin account (no region) is for admins only.
 */
const regionsByEntity: Record<string, (db: Queryable, id: string) => Promise<(string | null)[]>> = {
  // user entries are keyed by id (create, update) or by username (sign-in events)
  user: async (db, id) => (await db.query<{ region: string | null }>("SELECT region FROM users WHERE id::text = $1 OR username = $1", [id])).rows.map((r) => r.region),
  // a bundle import is keyed by the ids of its plans, comma-separated: every one must be in the area
  plan: async (db, id) => {
    const ids = id.split(",");
    const { rows } = await db.query<{ region: string }>("SELECT region FROM plans WHERE id = ANY($1)", [ids]);
    return rows.length === new Set(ids).size ? rows.map((r) => r.region) : [];
  },
  report: async (db, id) => (await db.query<{ region: string }>("SELECT region FROM reports WHERE id::text = $1", [id])).rows.map((r) => r.region),
  evidence: async (db, id) =>
    (await db.query<{ region: string }>("SELECT r.region FROM evidence e JOIN reports r ON r.id = e.report_id WHERE e.id = $1", [id])).rows.map((r) => r.region),
};

/** The regions of a record (null for an account without one); none when unknown or of an entity without regions. */
export const regionsOfRecord = (db: Queryable, entity: string, id: string): Promise<(string | null)[]> =>
  Object.hasOwn(regionsByEntity, entity) ? regionsByEntity[entity]!(db, id) : Promise.resolve([]);
