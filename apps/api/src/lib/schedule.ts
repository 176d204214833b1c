import { randomUUID } from "node:crypto";
import type { Database } from "@minsheng/db";

/** This process, as named in scheduled_runs.holder. */
export const instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * Whether this instance should run a scheduled job now: true for exactly one of the instances
 * sharing a database in each `minGapMs` (the first to ask; the claim is one atomic statement), so
 * backups and retention run once however many instances there are. The embedded database has one
 * process by construction (its folder is locked): every run is its own.
 */
export async function claimScheduledRun(db: Database, job: string, minGapMs: number, now: Date = new Date()): Promise<boolean> {
  if (db.kind === "pglite") return true;
  const { rows } = await db.query(
    `INSERT INTO scheduled_runs AS r (job, started_at, holder) VALUES ($1, $2, $3)
     ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at, holder = EXCLUDED.holder
      WHERE r.started_at <= $2::timestamptz - $4 * interval '1 millisecond'
     RETURNING job`,
    [job, now.toISOString(), instanceId, minGapMs],
  );
  return rows.length > 0;
}

/**
 * Runs `fn` while holding a lock named `name` across every instance on a server database (held by
 * a transaction of its own that `fn` need not use), so that, e.g., two instances starting on an
 * empty database do not both load the demo data. On the embedded database: just runs it.
 */
export async function exclusively<T>(db: Database, name: string, fn: () => Promise<T>): Promise<T> {
  if (db.kind === "pglite") return fn();
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`minsheng:${name}`]);
    return fn();
  });
}
