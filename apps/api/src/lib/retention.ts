import { appendAudit, type Database, MIN_AUDIT_RETENTION_MONTHS, pruneAuditLog, type PruneResult } from "@minsheng/db";
import { accountRule, addressRule, deniedRule, sweepFailureCounters } from "../auth/failures.js";
import type { TwoFactorPolicy } from "../auth/roles.js";
import type { ApiConfig, Deps } from "./context.js";
import { claimScheduledRun } from "./schedule.js";

/**
 * Retention schedules, run by the server once at start and then daily:
 *  - citizens' phone numbers (PIPL: kept no longer than needed) are purged PHONE_RETENTION_DAYS
 *    after their feedback was closed (answered, or rejected in moderation): the sealed number, its
 *    keyed hash and its masked form all go; the feedback itself stays;
 *  - audit entries older than AUDIT_RETENTION_MONTHS (at least 6) are pruned from the start of the
 *    chain, anchored so the rest still verifies (packages/db audit.ts);
 *  - counters of failed sign-ins and refusals whose block or window has passed are removed, their
 *    refusals summarised in the audit log (auth/failures.ts).
 */

export async function purgeFeedbackPhones(db: Database, now: Date, days: number): Promise<number> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`PHONE_RETENTION_DAYS must be a whole number of days ≥ 1 (got ${days})`);
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE feedback SET phone_sealed = NULL, phone_hmac = NULL, phone_masked = NULL, phone_purged_at = $2
        WHERE phone_sealed IS NOT NULL
          AND ((state = 'answered' AND answered_at < $1) OR (state = 'rejected' AND moderated_at < $1))
        RETURNING id`,
      [cutoff, now.toISOString()],
    );
    if (rows.length > 0)
      await appendAudit(tx, {
        actor: "system",
        action: "feedback.phone.purge",
        entity: "feedback",
        entityId: rows.length === 1 ? rows[0]!.id : `${rows.length} entries`,
        after: { purged: rows.length, closedBefore: cutoff, ids: rows.map((r) => Number(r.id)).slice(0, 1000) },
        at: now,
      });
    return rows.length;
  });
}

export interface RetentionRun {
  phonesPurged: number;
  audit: PruneResult;
  /** failure counters whose block or window had passed (auth/failures.ts) */
  failureCountersRemoved: number;
}

export async function runRetention(deps: Pick<Deps, "db" | "config" | "now">): Promise<RetentionRun> {
  const now = deps.now();
  const phonesPurged = await purgeFeedbackPhones(deps.db, now, deps.config.phoneRetentionDays);
  const failureCountersRemoved = await sweepFailureCounters(deps.db, [accountRule(deps.config), addressRule(deps.config), deniedRule], now);
  const audit = await pruneAuditLog(deps.db, { now, keepMonths: deps.config.auditRetentionMonths });
  return { phonesPurged, audit, failureCountersRemoved };
}

/**
 * The security settings from the environment, checked (a bad value stops the start with its name):
 * REQUIRE_2FA off|admins|staff|all (default: staff when NODE_ENV=production, else off, so the demo
 * accounts sign in with the password alone), AUDIT_RETENTION_MONTHS (≥ 6, default 12),
 * PHONE_RETENTION_DAYS (≥ 1, default 180).
 */
export function securityConfigFromEnv(env: Record<string, string | undefined>): Pick<ApiConfig, "require2fa" | "auditRetentionMonths" | "phoneRetentionDays"> {
  const policy = (env.REQUIRE_2FA ?? "").trim() || (env.NODE_ENV === "production" ? "staff" : "off");
  if (!["off", "admins", "staff", "all"].includes(policy)) throw new Error(`REQUIRE_2FA must be off, admins, staff or all (got "${policy}")`);
  const whole = (name: string, fallback: number, min: number) => {
    const raw = (env[name] ?? "").trim();
    if (raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
    return n;
  };
  return {
    require2fa: policy as TwoFactorPolicy,
    auditRetentionMonths: whole("AUDIT_RETENTION_MONTHS", 12, MIN_AUDIT_RETENTION_MONTHS),
    phoneRetentionDays: whole("PHONE_RETENTION_DAYS", 180, 1),
  };
}

const DAY_MS = 24 * 3_600_000;

/**
 * Runs the retention jobs now and then every day; errors are logged, never fatal. Instances sharing
 * a server database run them once a day between them (lib/schedule.ts).
 */
export function scheduleRetention(deps: Pick<Deps, "db" | "config" | "now">, log: (line: string) => void = console.log): () => void {
  const run = () =>
    claimScheduledRun(deps.db, "retention", 0.9 * DAY_MS, deps.now())
      .then(async (mine) => {
        if (!mine) return log("retention: skipped, another instance ran it within the day");
        const r = await runRetention(deps);
        log(`retention: ${r.phonesPurged} phone numbers purged, ${r.audit.pruned} audit entries pruned (before ${r.audit.cutoff})`);
      })
      .catch((e: unknown) => console.error("[retention]", e));
  void run();
  const timer = setInterval(run, DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
