import { appendAudit, type Queryable } from "@minsheng/db";
import type { ApiConfig, Deps } from "../lib/context.js";
import { type CodedError, fail } from "../lib/errors.js";
import { secretsOf } from "../sites/service.js";
import { countChallengeAttempt, deleteChallengesOf, endOtherSessions, passwordHashOf, replacePasswordHash, signInUser, upgradePasswordHash } from "./data.js";
import { accountRule, addressRule, admitAttempt, attemptFailed, attemptSucceeded, clearFailures } from "./failures.js";
import { type Challenge, checkEnrolmentCode, checkSecondFactor, confirmEnrolment, createChallenge, loadChallenge, loadTwoFactorUser, startEnrolment } from "./mfa.js";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "./password.js";
import type { Principal } from "./principal.js";
import { isAdminRole, type Role, twoFactorRequired } from "./roles.js";
import { createSession, deleteSession, hashSecret } from "./sessions.js";

/**
 * The sign-in workflow (password, second factor, enrolment) and a user's own password change:
 * transactions, failure counters and audit. Cookies stay with the routes: a session comes back as
 * its secret, and the cookie a caller presented comes in as `oldSession`.
 */

const locked = (config: ApiConfig) => fail("AUTH_ACCOUNT_LOCKED", { minutes: config.lockoutMinutes });

/**
 * The session at the end of a sign-in: a fresh id (an old cookie presented now is dropped, so a
 * planted id never becomes a signed-in one), the success audited with the factors used.
 */
async function openSession(
  config: ApiConfig,
  tx: Queryable,
  user: { id: string; username: string },
  factors: string[],
  at: Date,
  oldSession: string | undefined,
): Promise<string> {
  await clearFailures(tx, accountRule(config), user.username);
  await deleteChallengesOf(tx, user.id);
  if (oldSession) await deleteSession(tx, oldSession);
  await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.login", entity: "user", entityId: user.username, after: { factors }, at });
  return createSession(tx, Number(user.id), config, at);
}

export type PasswordStep =
  /** too many failures from the caller's address: refused before the password is looked at */
  | { kind: "throttled"; retryAfterSeconds: number }
  | { kind: "signed-in"; session: string }
  | { kind: "second-step"; next: "totp" | "enrol"; challenge: string; expiresAt: string };

/**
 * Step 1: the password. Without two-factor sign-in it opens the session; with it, it answers a
 * challenge for step 2 (`totp`) or, for a user who must enrol first, for enrolment (`enrol`).
 */
export async function signInWithPassword(
  deps: Deps,
  input: { username: string; password: string; client: string; oldSession: string | undefined },
): Promise<PasswordStep> {
  const { db, config, now } = deps;
  const { username, password, client } = input;
  const at = now();
  const account = accountRule(config);
  const address = addressRule(config);
  // Counted before the password is checked, under the counters' row locks: parallel guesses cannot
  // all pass a check made before any of them failed. Unknown usernames are counted (and lock) alike.
  const refused = await db.transaction(async (tx) => {
    const byAddress = await admitAttempt(tx, address, client, at);
    if (!byAddress.admitted) return { by: "address" as const, ...byAddress };
    const byAccount = await admitAttempt(tx, account, username, at);
    return byAccount.admitted ? null : { by: "account" as const, ...byAccount };
  });
  if (refused?.by === "address") return { kind: "throttled", retryAfterSeconds: refused.retryAfterSeconds };
  if (refused) throw locked(config);
  const user = await signInUser(db, username);
  const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await dummyHash()), false);
  if (!user || !ok || user.disabled) {
    await db.transaction(async (tx) => {
      // Rows are locked in one order everywhere (user, address, account, then the audit chain): no deadlocks.
      await attemptFailed(tx, address, client, at);
      const locks = await attemptFailed(tx, account, username, at);
      await appendAudit(tx, { actor: `user:${username}`, action: "auth.login_failed", entity: "user", entityId: username, after: { factor: "password", ...(locks ? { locked: true } : {}) }, at });
    });
    // The failure that locks answers like any other (401); the next attempt learns of the lock (423).
    throw fail("AUTH_WRONG_PASSWORD").at("$.password");
  }
  // A hash made with weaker scrypt parameters is replaced by one at today's cost (the password is at hand only now).
  const upgraded = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
  const enrolled = user.totp_enabled_at !== null;
  if (enrolled || twoFactorRequired(user.role, config.require2fa)) {
    return db.transaction(async (tx) => {
      // The password was right; failed codes still count towards the lock until the sign-in completes.
      if (upgraded) await upgradePasswordHash(tx, user.id, user.passwordHash, upgraded);
      await attemptSucceeded(tx, address, client);
      await attemptSucceeded(tx, account, username);
      const next = enrolled ? ("totp" as const) : ("enrol" as const);
      const ch = await createChallenge(tx, user.id, next, at);
      await appendAudit(tx, { actor: `user:${username}`, action: "auth.password_ok", entity: "user", entityId: username, after: { next }, at });
      return { kind: "second-step" as const, next, ...ch };
    });
  }
  const session = await db.transaction(async (tx) => {
    if (upgraded) await upgradePasswordHash(tx, user.id, user.passwordHash, upgraded);
    await attemptSucceeded(tx, address, client);
    return openSession(config, tx, { id: user.id, username }, ["password"], at, input.oldSession);
  });
  return { kind: "signed-in", session };
}

/** Step 2: a code from the authenticator app, or one of the recovery codes; the new session's secret. */
export async function signInWithSecondFactor(
  deps: Deps,
  body: { challenge: string; code?: string | undefined; recoveryCode?: string | undefined },
  oldSession: string | undefined,
): Promise<string> {
  const { config } = deps;
  const at = deps.now();
  const secrets = secretsOf(deps);
  type Outcome = { kind: "locked" } | { kind: "wrong" } | { kind: "ok"; session: string };
  const result = await deps.db.transaction(async (tx): Promise<Outcome> => {
    const ch = await loadChallenge(tx, body.challenge, at);
    if (ch.purpose !== "totp") throw fail("AUTH_CHALLENGE_NEEDS_ENROLMENT").at("$.challenge");
    const user = await loadTwoFactorUser(tx, ch.userId);
    if (user.disabled) throw fail("AUTH_SIGN_IN_AGAIN");
    const account = accountRule(config);
    if (!(await admitAttempt(tx, account, user.username, at)).admitted) return { kind: "locked" };
    const factor = await checkSecondFactor(tx, secrets, user, body, at);
    if (factor === null) {
      await countChallengeAttempt(tx, ch.idHash);
      const locks = await attemptFailed(tx, account, user.username, at);
      // a locked account's challenge goes with the lock
      if (locks) await deleteChallengesOf(tx, user.id);
      await appendAudit(tx, {
        actor: `user:${user.username}`,
        action: "auth.login_failed",
        entity: "user",
        entityId: user.username,
        after: { factor: body.code !== undefined ? "totp" : "recovery", ...(locks ? { locked: true } : {}) },
        at,
      });
      return { kind: "wrong" };
    }
    return { kind: "ok", session: await openSession(config, tx, user, ["password", factor], at, oldSession) };
  });
  // thrown after the commit: the failed attempt stays counted
  if (result.kind === "locked") throw locked(config);
  if (result.kind === "wrong") throw fail("AUTH_SECOND_FACTOR_WRONG").at(body.code !== undefined ? "$.code" : "$.recoveryCode");
  return result.session;
}

/** Who enrols: the owner of an 'enrol' challenge of a sign-in, or a user signed in with a session. */
export type Enroller = { challenge: string } | { userId: number };

async function enrollingUser(tx: Queryable, who: Enroller, now: Date) {
  if ("challenge" in who) {
    const ch = await loadChallenge(tx, who.challenge, now);
    if (ch.purpose !== "enrol") throw fail("AUTH_CHALLENGE_NOT_FOR_ENROLMENT").at("$.challenge");
    return { user: await loadTwoFactorUser(tx, ch.userId), challenge: ch };
  }
  return { user: await loadTwoFactorUser(tx, who.userId), challenge: null };
}

/**
 * An administrator enrols only with a live enrolment code (checked at both steps, used up at the
 * confirmation): null when it may go on. A wrong code counts as an attempt on the sign-in challenge.
 */
async function enrolmentCodeRefusal(
  tx: Queryable,
  user: { id: string; username: string; role: string },
  challenge: Challenge | null,
  code: string | undefined,
  at: Date,
): Promise<CodedError | null> {
  if (!isAdminRole(user.role as Role)) return null;
  if (code === undefined) return fail("AUTH_ENROLMENT_CODE_REQUIRED").at("$.enrolmentCode");
  if (await checkEnrolmentCode(tx, user.id, code, at, false)) return null;
  if (challenge) await countChallengeAttempt(tx, challenge.idHash);
  await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.enrolment_code_failed", entity: "user", entityId: user.username, at });
  return fail("AUTH_ENROLMENT_CODE_INVALID").at("$.enrolmentCode");
}

/** Enrolment, step 1: a new secret as text, otpauth:// URI and QR code (SVG), pending until confirmed. */
export async function beginEnrolment(deps: Deps, who: Enroller, enrolmentCode: string | undefined) {
  const at = deps.now();
  const result = await deps.db.transaction(async (tx) => {
    const { user, challenge } = await enrollingUser(tx, who, at);
    // the refusal is answered after the commit: the attempt it counted stays counted
    const refusal = await enrolmentCodeRefusal(tx, user, challenge, enrolmentCode, at);
    return refusal ? { refusal } : { enrolment: await startEnrolment(tx, secretsOf(deps), user) };
  });
  if (result.refusal) throw result.refusal;
  return result.enrolment!;
}

/**
 * Enrolment, step 2: a first code turns it on and gives ten recovery codes (shown once); via a
 * challenge it also signs in (`session`: the new session's secret).
 */
export async function finishEnrolment(
  deps: Deps,
  who: Enroller,
  body: { code: string; enrolmentCode?: string | undefined },
  oldSession: string | undefined,
): Promise<{ recoveryCodes: string[]; session: string | null }> {
  const at = deps.now();
  const result = await deps.db.transaction(async (tx) => {
    const { user, challenge } = await enrollingUser(tx, who, at);
    const refusal = await enrolmentCodeRefusal(tx, user, challenge, body.enrolmentCode, at);
    if (refusal) return { kind: "refused" as const, refusal };
    const codes = await confirmEnrolment(tx, secretsOf(deps), user, body.code, at);
    if (codes === null) {
      if (challenge) await countChallengeAttempt(tx, challenge.idHash);
      await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.totp_confirm_failed", entity: "user", entityId: user.username, at });
      return { kind: "wrong" as const };
    }
    // the enrolment code is used up with the enrolment it allowed
    if (body.enrolmentCode !== undefined && isAdminRole(user.role as Role)) await checkEnrolmentCode(tx, user.id, body.enrolmentCode, at, true);
    await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.totp_enabled", entity: "user", entityId: user.username, after: { recoveryCodes: codes.length }, at });
    const session = challenge ? await openSession(deps.config, tx, user, ["password", "totp"], at, oldSession) : null;
    return { kind: "ok" as const, codes, session };
  });
  if (result.kind === "refused") throw result.refusal;
  if (result.kind === "wrong") throw fail("AUTH_TOTP_CONFIRM_WRONG").at("$.code");
  return { recoveryCodes: result.codes, session: result.session };
}

/**
 * A signed-in user changes their own password. A wrong current password counts towards the
 * lockout like a failed sign-in (a stolen session cannot guess it freely). The user's other
 * sessions end; `currentSession` goes on.
 */
export async function changeOwnPassword(deps: Deps, p: Principal, body: { currentPassword: string; newPassword: string }, currentSession: string): Promise<void> {
  const { db, config, now } = deps;
  const at = now();
  const account = accountRule(config);
  if (!(await db.transaction((tx) => admitAttempt(tx, account, p.username, at))).admitted) throw locked(config);
  const stored = await passwordHashOf(db, p.userId);
  if (stored === null || !(await verifyPassword(body.currentPassword, stored))) {
    await db.transaction(async (tx) => {
      const locks = await attemptFailed(tx, account, p.username, at);
      await appendAudit(tx, { actor: p.actor, action: "auth.password_change_failed", entity: "user", entityId: String(p.userId), after: locks ? { locked: true } : null, at });
    });
    throw fail("AUTH_CURRENT_PASSWORD_WRONG").at("$.currentPassword");
  }
  const hash = await hashPassword(body.newPassword);
  await db.transaction(async (tx) => {
    // Only over the hash just checked: a change made meanwhile (here or by the security administrator) wins.
    if (!(await replacePasswordHash(tx, p.userId, stored, hash))) throw fail("AUTH_PASSWORD_CHANGED_MEANWHILE");
    const ended = await endOtherSessions(tx, p.userId, hashSecret(currentSession));
    await deleteChallengesOf(tx, p.userId);
    await clearFailures(tx, account, p.username);
    await appendAudit(tx, { actor: p.actor, action: "user.password_change", entity: "user", entityId: String(p.userId), after: { password: "(changed)", otherSessionsEnded: ended }, at });
  });
}
