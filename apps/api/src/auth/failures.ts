import { appendAudit, type Database, type Queryable } from "@minsheng/db";
import type { ApiConfig } from "../lib/context.js";

/**
 * Failures counted per key in the database (table failure_counters), so every API instance sees the
 * same counts: the account lockout (per username, known or not), the sign-in throttle per client
 * address, and the anonymous refusals audited one by one per address. Each check runs under the
 * row's lock inside the caller's transaction, so parallel requests count exactly: the fifth of sixty
 * parallel guesses locks the account and the other fifty-five are refused unverified.
 *
 * An attempt is counted when it is admitted (before the password is checked), and given back when
 * it succeeds; `limit` counted failures block the key for `blockMinutes`. Refusals while blocked are
 * not audited one by one: the first is, and their number is audited when the block ends
 * (`<action>.summary`), so a flood from one source adds two entries to the audit chain, not thousands.
 *
 * Callers lock rows in one order (the user's row, the address's counter, the account's counter, then
 * the audit chain's lock), so two transactions never wait on each other in a circle on PostgreSQL.
 */
export interface FailureRule {
  scope: "account" | "address" | "denied";
  limit: number;
  blockMinutes: number;
  /** only failures within this many minutes of the first count; null: consecutive failures until a success */
  windowMinutes: number | null;
  /** the audit action of the first refusal while blocked (its summary is `<action>.summary`) */
  refusedAction: string;
}

/** 锁定: consecutive failed sign-ins of one username lock it (unknown usernames alike: no name leaks). */
export const accountRule = (config: ApiConfig): FailureRule => ({
  scope: "account",
  limit: config.lockoutThreshold,
  blockMinutes: config.lockoutMinutes,
  windowMinutes: null,
  refusedAction: "auth.login_locked",
});

/** Sign-in attempts that failed from one client address within a window: more are refused (429). */
export const addressRule = (config: ApiConfig): FailureRule => ({
  scope: "address",
  limit: config.signInFailuresPerAddress,
  blockMinutes: config.signInAddressMinutes,
  windowMinutes: config.signInAddressMinutes,
  refusedAction: "auth.login_throttled",
});

/** Anonymous refused requests (a forged cookie's write refused by the CSRF check …) audited one by one per address. */
export const deniedRule: FailureRule = { scope: "denied", limit: 20, blockMinutes: 10, windowMinutes: 10, refusedAction: "authz.denied_throttled" };

/** Retry-After of an attempt refused while the address's limit is taken by attempts still being checked. */
export const IN_FLIGHT_RETRY_SECONDS = 5;

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

interface CounterRow {
  failures: number;
  window_start: Date | string;
  locked_until: Date | string | null;
  refused: number;
}

const ms = (d: Date | string) => new Date(d).getTime();
const iso = (t: number) => new Date(t).toISOString();

/** The row of `key`, locked until the caller's transaction ends (made when missing). */
async function lockRow(tx: Queryable, rule: FailureRule, key: string, at: Date): Promise<CounterRow> {
  await tx.query("INSERT INTO failure_counters (scope, key, window_start) VALUES ($1, $2, $3) ON CONFLICT (scope, key) DO NOTHING", [rule.scope, key, at.toISOString()]);
  const { rows } = await tx.query<CounterRow>("SELECT failures, window_start, locked_until, refused FROM failure_counters WHERE scope = $1 AND key = $2 FOR UPDATE", [rule.scope, key]);
  return rows[0]!;
}

/** Whether the block or window of a row has passed at `at` (its count starts again). */
const lapsed = (rule: FailureRule, row: CounterRow, at: number) =>
  row.locked_until !== null ? ms(row.locked_until) <= at : rule.windowMinutes !== null && ms(row.window_start) + rule.windowMinutes * 60_000 <= at;

/** Audits the refusals of a block that has ended (how many, from when), if there were more than the first. */
async function auditSummary(tx: Queryable, rule: FailureRule, key: string, row: CounterRow, at: Date): Promise<void> {
  if (row.refused <= 1) return;
  await appendAudit(tx, {
    actor: actorOf(rule, key),
    action: `${rule.refusedAction}.summary`,
    entity: rule.scope === "account" ? "user" : "client",
    entityId: key,
    after: { refused: row.refused, since: new Date(row.window_start).toISOString(), until: row.locked_until === null ? null : new Date(row.locked_until).toISOString() },
    at,
  });
}

/**
 * Admits one attempt for `key` (counted as a failure until attemptSucceeded gives it back), or
 * refuses it while the key is blocked. Call it inside a transaction.
 */
export async function admitAttempt(tx: Queryable, rule: FailureRule, key: string, at: Date): Promise<Admission> {
  const actor = actorOf(rule, key);
  const row = await lockRow(tx, rule, key, at);
  const now = at.getTime();
  if (lapsed(rule, row, now)) {
    await auditSummary(tx, rule, key, row, at);
    Object.assign(row, { failures: 0, window_start: at, locked_until: null, refused: 0 });
  }
  if (row.locked_until === null && row.failures < rule.limit) {
    await tx.query("UPDATE failure_counters SET failures = $3, window_start = $4, locked_until = NULL, refused = 0 WHERE scope = $1 AND key = $2", [
      rule.scope,
      key,
      row.failures + 1,
      new Date(row.window_start).toISOString(),
    ]);
    return { admitted: true };
  }
  // The limit taken, but no block: some of the counted attempts are still being checked. Per address
  // that is an office behind one NAT signing in at once (a deadline day, each check slow under load),
  // not failures: this attempt is refused, the address is not blocked, and the attempts in flight
  // give their count back when they succeed or block the address when they fail (attemptFailed).
  // (An account keeps the stricter rule: parallel attempts past its limit lock it.)
  if (row.locked_until === null && rule.scope === "address") {
    await tx.query("UPDATE failure_counters SET refused = refused + 1 WHERE scope = $1 AND key = $2", [rule.scope, key]);
    if (row.refused === 0) await appendAudit(tx, { actor, action: rule.refusedAction, entity: "client", entityId: key, after: { limit: rule.limit, inFlight: true }, at });
    return { admitted: false, retryAfterSeconds: IN_FLIGHT_RETRY_SECONDS };
  }
  // Blocked, or the limit is taken by attempts still being checked: refused, and blocked from now if not yet.
  const until = row.locked_until === null ? now + rule.blockMinutes * 60_000 : ms(row.locked_until);
  await tx.query("UPDATE failure_counters SET failures = $3, window_start = $4, locked_until = $5, refused = refused + 1 WHERE scope = $1 AND key = $2", [
    rule.scope,
    key,
    row.failures,
    new Date(row.window_start).toISOString(),
    iso(until),
  ]);
  if (row.refused === 0) await appendAudit(tx, { actor, action: rule.refusedAction, entity: rule.scope === "account" ? "user" : "client", entityId: key, after: { limit: rule.limit, until: iso(until) }, at });
  return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
}

/** An admitted attempt failed: it stays counted; the one that reaches the limit blocks the key. Returns whether it did. */
export async function attemptFailed(tx: Queryable, rule: FailureRule, key: string, at: Date): Promise<boolean> {
  const { rows } = await tx.query<{ key: string }>(
    "UPDATE failure_counters SET locked_until = $4 WHERE scope = $1 AND key = $2 AND locked_until IS NULL AND failures >= $3 RETURNING key",
    [rule.scope, key, rule.limit, iso(at.getTime() + rule.blockMinutes * 60_000)],
  );
  return rows.length > 0;
}

/** An admitted attempt succeeded: it is no failure, give it back (the others stay counted). */
export async function attemptSucceeded(tx: Queryable, rule: FailureRule, key: string): Promise<void> {
  await tx.query("UPDATE failure_counters SET failures = greatest(failures - 1, 0) WHERE scope = $1 AND key = $2 AND locked_until IS NULL", [rule.scope, key]);
}

/** Forgets the failures of `key` (a completed sign-in, a password set by the security administrator). */
export async function clearFailures(tx: Queryable, rule: Pick<FailureRule, "scope">, key: string): Promise<void> {
  await tx.query("DELETE FROM failure_counters WHERE scope = $1 AND key = $2", [rule.scope, key]);
}

/** Whether `key` is blocked now (without counting anything). */
export async function isBlocked(db: Queryable, rule: Pick<FailureRule, "scope">, key: string, at: Date): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM failure_counters WHERE scope = $1 AND key = $2 AND locked_until > $3", [rule.scope, key, at.toISOString()]);
  return rows.length > 0;
}

/** Consecutive failures of a username (no window) that have not locked it are forgotten after a day. */
const FORGET_UNLOCKED_HOURS = 24;

/**
 * Retention: rows whose block or window has passed are removed (unknown usernames and addresses do
 * not pile up), their refusals audited as a summary first. Run daily with the other retention jobs.
 */
export async function sweepFailureCounters(db: Database, rules: readonly FailureRule[], at: Date): Promise<number> {
  let removed = 0;
  for (const rule of rules) {
    const horizon = iso(at.getTime() - (rule.windowMinutes ?? FORGET_UNLOCKED_HOURS * 60) * 60_000);
    removed += await db.transaction(async (tx) => {
      const { rows } = await tx.query<CounterRow & { key: string }>(
        `DELETE FROM failure_counters WHERE scope = $1 AND (locked_until <= $2 OR (locked_until IS NULL AND window_start <= $3))
         RETURNING key, failures, window_start, locked_until, refused`,
        [rule.scope, at.toISOString(), horizon],
      );
      for (const row of rows) await auditSummary(tx, rule, row.key, row, at);
      return rows.length;
    });
  }
  return removed;
}

/** Who failure entries are about: the user named, or an anonymous client. */
export const actorOf = (rule: Pick<FailureRule, "scope">, key: string) => (rule.scope === "account" ? `user:${key}` : "anonymous");
