import { createHash } from "node:crypto";
import type { Database, Queryable } from "./connection.js";

export interface AuditEntry {
  /** who: "user:alice", "token:7", "system" */
  actor: string;
  /** what: "report.submit", "bundle.import", "user.create" … */
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  at?: Date;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every depth: jsonb reorders keys, the hash must not care. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object") {
    const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The text an entry's hash covers after its predecessor's hash (the trigger of migration 15 hashes it as stored). */
const entryBody = (e: { at: string; actor: string; action: string; entity: string; entityId: string; before: unknown; after: unknown }) =>
  canonicalJson({ at: e.at, actor: e.actor, action: e.action, entity: e.entity, entityId: e.entityId, before: e.before ?? null, after: e.after ?? null });

const entryHash = (prevHash: string, e: Parameters<typeof entryBody>[0]) => createHash("sha256").update(prevHash).update("\n").update(entryBody(e)).digest("hex");

/** The advisory lock that serialises linking (the trigger of migration 15 takes it too); it lasts until the transaction ends. */
const CHAIN_LOCK = 7310502;

/**
 * Appends one entry to the chain. Call it inside the transaction that makes the change, so the
 * change and its record commit together or not at all.
 *
 * The row is written at once, unlinked; a deferred trigger (migration 15) links each of the
 * transaction's entries at its commit, in the order they were appended: under the chain lock it
 * numbers the entry after the last linked one and hashes it onto that one. The lock is held only for that,
 * inside PostgreSQL, not from the append to the commit: on deadline day every save, upload and
 * submission appends, and holding it across the rest of each transaction made it the bottleneck
 * (BENCHMARKS.md, "deadline day"). Chain order is commit order, so the chain never forks.
 */
export async function appendAudit(q: Queryable, entry: AuditEntry): Promise<void> {
  const r = auditRow(entry);
  await q.query(
    `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after, body)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`,
    [r.at, r.actor, r.action, r.entity, r.entityId, r.before, r.after, r.body],
  );
}

/** An entry as its row is written: the time as ISO text, before/after as canonical JSON, and the hashed body. */
function auditRow(entry: AuditEntry) {
  const at = (entry.at ?? new Date()).toISOString();
  const before = entry.before ?? null;
  const after = entry.after ?? null;
  return { actor: entry.actor, action: entry.action, entity: entry.entity, entityId: entry.entityId, at, before: canonicalJson(before), after: canonicalJson(after), body: entryBody({ ...entry, at, before, after }) };
}

/** Entries written by one statement of appendAuditMany (each is 8 array elements). */
const AUDIT_BATCH_ROWS = 2000;

/**
 * Appends many entries in order, linked at commit exactly as appendAudit's one by one would be
 * (same hashes, same order), with a few set-based INSERTs instead of a statement per entry.
 */
export async function appendAuditMany(q: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  for (let from = 0; from < entries.length; from += AUDIT_BATCH_ROWS) {
    const part = entries.slice(from, from + AUDIT_BATCH_ROWS).map(auditRow);
    const col = (f: (r: ReturnType<typeof auditRow>) => string) => part.map(f);
    // ORDER BY ord: the provisional numbers (and so the link order) follow the entries' order.
    await q.query(
      `INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after, body)
       SELECT e.at::timestamptz, e.actor, e.action, e.entity, e.entity_id, e.before::jsonb, e.after::jsonb, e.body
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
              WITH ORDINALITY AS e(at, actor, action, entity, entity_id, before, after, body, ord)
        ORDER BY e.ord`,
      [col((r) => r.at), col((r) => r.actor), col((r) => r.action), col((r) => r.entity), col((r) => r.entityId), col((r) => r.before), col((r) => r.after), col((r) => r.body)],
    );
  }
}

/** An audit_log row as a record (the reading side of the API maps its rows with it too). */
export const auditRecordOf = (r: Record<string, unknown>): AuditRecord => ({
  seq: Number(r.seq),
  at: new Date(r.at as string | Date).toISOString(),
  actor: String(r.actor),
  action: String(r.action),
  entity: String(r.entity),
  entityId: String(r.entity_id),
  before: r.before ?? null,
  after: r.after ?? null,
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
});

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** the first entry whose hash or link does not match, when not ok */
  brokenAt?: number;
  reason?: string;
  /** entries up to this seq were removed by retention; the chain verifies from their anchor */
  anchoredAt?: number;
}

interface AnchorRow {
  through_seq: string;
  through_hash: string;
}

/**
 * Recomputes every hash from the first entry on; any edited, deleted or inserted entry breaks it.
 * After retention removed the oldest entries, the chain starts from the latest anchor's hash, and
 * that anchor must be confirmed by the `audit.prune` entry chained after it (a forged anchor is not).
 */
export async function verifyAuditChain(db: Queryable, batch = 5000): Promise<ChainCheck> {
  const anchors = await db.query<AnchorRow>("SELECT through_seq, through_hash FROM audit_anchors ORDER BY through_seq DESC LIMIT 1");
  const anchor = anchors.rows[0];
  let prevHash = anchor ? anchor.through_hash : GENESIS_HASH;
  let after = anchor ? Number(anchor.through_seq) : 0;
  let confirmed = !anchor;
  let count = 0;
  const extra = anchor ? { anchoredAt: after } : {};
  if (anchor) {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE seq <= $1", [after]);
    if (rows[0]!.n > 0) return { ok: false, entries: 0, brokenAt: after, reason: "entries the anchor says were removed are still there", ...extra };
  }
  for (;;) {
    const { rows } = await db.query<Record<string, unknown>>(
      "SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
      [after, batch],
    );
    if (rows.length === 0) {
      if (!confirmed) return { ok: false, entries: count, brokenAt: Number(anchor!.through_seq), reason: "the retention anchor is not confirmed by an audit.prune entry", ...extra };
      return { ok: true, entries: count, ...extra };
    }
    for (const raw of rows) {
      const r = auditRecordOf(raw);
      if (r.prevHash !== prevHash) return { ok: false, entries: count, brokenAt: r.seq, reason: "link to the previous entry does not match", ...extra };
      if (entryHash(prevHash, r) !== r.hash) return { ok: false, entries: count, brokenAt: r.seq, reason: "content does not match its hash", ...extra };
      if (!confirmed && r.action === "audit.prune") {
        const a = r.after as { throughSeq?: unknown; throughHash?: unknown } | null;
        confirmed = a !== null && Number(a.throughSeq) === Number(anchor!.through_seq) && a.throughHash === anchor!.through_hash;
      }
      prevHash = r.hash;
      after = r.seq;
      count++;
    }
  }
}

/** The retention floor (等保 2.0 level 3 asks for at least six months of audit records). */
export const MIN_AUDIT_RETENTION_MONTHS = 6;

/** `at` minus whole calendar months (UTC), clamped to the month's last day (31 Aug − 6 months = 28/29 Feb). */
export function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface PruneResult {
  /** entries removed */
  pruned: number;
  /** the last removed entry, now the anchor of the chain; null when nothing was old enough */
  throughSeq: number | null;
  cutoff: string;
}

/**
 * Retention: removes the entries older than `keepMonths` (at least six) from the start of the
 * chain. Only a prefix goes: it stops before the first entry at or after the cutoff, so no younger
 * entry is ever removed, even one written with an earlier seq. The hash of the last removed entry
 * is kept as an anchor and the removal itself is appended to the chain (`audit.prune`), so
 * verifyAuditChain still checks every remaining entry.
 */
export async function pruneAuditLog(db: Database, options: { now: Date; keepMonths: number; actor?: string }): Promise<PruneResult> {
  if (!Number.isInteger(options.keepMonths) || options.keepMonths < MIN_AUDIT_RETENTION_MONTHS)
    throw new RangeError(`audit records are kept at least ${MIN_AUDIT_RETENTION_MONTHS} months (asked: ${options.keepMonths})`);
  const cutoff = monthsBefore(options.now, options.keepMonths);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
    const { rows } = await tx.query<{ through: string | null }>(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq > 0 AND at >= $1)
                   THEN (SELECT min(seq) FROM audit_log WHERE seq > 0 AND at >= $1) - 1
                   ELSE (SELECT max(seq) FROM audit_log WHERE seq > 0) END AS through`,
      [cutoff.toISOString()],
    );
    const through = rows[0]?.through === null || rows[0]?.through === undefined ? null : Number(rows[0].through);
    const last = through === null ? null : (await tx.query<{ seq: string; hash: string; at: Date | string }>("SELECT seq, hash, at FROM audit_log WHERE seq > 0 AND seq <= $1 ORDER BY seq DESC LIMIT 1", [through])).rows[0];
    if (!last) return { pruned: 0, throughSeq: null, cutoff: cutoff.toISOString() };
    const counted = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE seq > 0 AND seq <= $1", [last.seq]);
    const pruned = counted.rows[0]!.n;
    // The record of the removal, linked at commit after the last entry that remains (or the anchor when none does).
    await appendAudit(tx, {
      actor: options.actor ?? "system",
      action: "audit.prune",
      entity: "audit_log",
      entityId: String(last.seq),
      after: { throughSeq: Number(last.seq), throughHash: last.hash, pruned, cutoff: cutoff.toISOString(), keepMonths: options.keepMonths },
      at: options.now,
    });
    await tx.query("INSERT INTO audit_anchors (through_seq, through_hash, through_at, pruned, created_at) VALUES ($1, $2, $3, $4, $5)", [
      last.seq,
      last.hash,
      new Date(last.at).toISOString(),
      pruned,
      options.now.toISOString(),
    ]);
    await tx.query("DELETE FROM audit_log WHERE seq > 0 AND seq <= $1", [last.seq]);
    return { pruned, throughSeq: Number(last.seq), cutoff: cutoff.toISOString() };
  });
}

/** History of one record, oldest first. */
export async function auditHistory(db: Queryable, entity: string, entityId: string): Promise<AuditRecord[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    "SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq",
    [entity, entityId],
  );
  return rows.map(auditRecordOf);
}
