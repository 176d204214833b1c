import { appendAudit, type Queryable } from "@minsheng/db";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { sessionCookieName } from "../auth/middleware.js";
import { requireUser } from "../auth/middleware.js";
import {
  checkEnrolmentCode,
  checkSecondFactor,
  confirmEnrolment,
  createChallenge,
  loadChallenge,
  loadTwoFactorUser,
  startEnrolment,
  type TwoFactorUser,
} from "../auth/mfa.js";
import { accountRule, addressRule, admitAttempt, attemptFailed, attemptSucceeded, clearFailures } from "../auth/failures.js";
import { dummyHash, hashPassword, needsRehash, Password, verifyPassword } from "../auth/password.js";
import { isAdminRole, roleLabel, type Role, twoFactorRequired } from "../auth/roles.js";
import { createSession, deleteSession, hashSecret } from "../auth/sessions.js";
import { warmRenderersSoon } from "../lib/bulletins.js";
import type { AppEnv } from "../lib/context.js";
import { ApiError, conflict, forbidden, invalid } from "../lib/errors.js";
import { clientAddress } from "../lib/rate-limit.js";
import { secretsOf } from "../sites/service.js";
import { jsonBody } from "../lib/validate.js";

export const LoginBody = z.object({
  username: z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters"),
  password: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
});

const Challenge = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, "must be the challenge POST /auth/login answered");
const TotpCode = z.string().trim().regex(/^\d{6}$/, "must be the 6 digits your authenticator app shows");

export const SecondFactorBody = z
  .object({
    challenge: Challenge,
    code: TotpCode.optional(),
    recoveryCode: z.string().trim().regex(/^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/, "must be a recovery code such as ABCDE-12345").optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), { message: "send either code or recoveryCode", path: ["code"] });

/** 修改密码: a user's own new password, with the current one (a session alone is not enough to change it). */
export const PasswordChangeBody = z
  .object({
    currentPassword: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    newPassword: Password,
  })
  .refine((b) => b.newPassword !== b.currentPassword, { message: "must differ from the current password", path: ["newPassword"] });

const EnrolmentCode = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/, "must be an enrolment code such as ABCDE-12345")
  .optional()
  .describe("administrators only: the one-time enrolment code (绑定码) from a security administrator, or printed when the server created the account");
export const EnrolBody = z.object({ challenge: Challenge.optional().describe("the challenge of a sign-in that must enrol; omit when signed in"), enrolmentCode: EnrolmentCode });
export const ConfirmBody = z.object({ challenge: Challenge.optional().describe("as for enrol"), code: TotpCode, enrolmentCode: EnrolmentCode });

type UserRow = { id: string; password_hash: string; disabled: boolean; role: Role } & Omit<TwoFactorUser, "id" | "username">;

const lockedError = (minutes: number) => new ApiError("AccountLocked", `账户已锁定，请在 ${minutes} 分钟后重试 (account locked after repeated failures)`);

/**
 * The session at the end of a sign-in: a fresh id (an old cookie presented now is dropped, so a
 * planted id never becomes a signed-in one), the success audited with the factors used.
 */
async function openSession(c: Context<AppEnv>, tx: Queryable, user: { id: string; username: string }, factors: string[], at: Date): Promise<string> {
  const { config } = c.get("deps");
  await clearFailures(tx, accountRule(config), user.username);
  await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [user.id]);
  const old = getCookie(c, sessionCookieName(config.production));
  if (old) await deleteSession(tx, old);
  await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.login", entity: "user", entityId: user.username, after: { factors }, at });
  return createSession(tx, Number(user.id), config, at);
}

/** A hash made with weaker scrypt parameters is replaced by one at today's cost (the password is at hand only now). */
async function upgradeHash(tx: Queryable, userId: string, stored: string, upgraded: string | null): Promise<void> {
  if (upgraded) await tx.query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2", [userId, stored, upgraded]);
}

function setSessionCookie(c: Context<AppEnv>, secret: string) {
  const { config } = c.get("deps");
  // docx and exceljs load on first use: have them ready before the first bulletin download.
  warmRenderersSoon();
  // production: __Host- prefix (Secure, Path=/, no Domain: no subdomain can set or read it)
  setCookie(c, sessionCookieName(config.production), secret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: config.production,
    path: "/",
    maxAge: config.sessionAbsoluteHours * 3600,
  });
}

/** The user a enrol/confirm call is about: the signed-in caller, or the owner of an 'enrol' challenge. */
async function enrollingUser(c: Context<AppEnv>, tx: Queryable, challenge: string | undefined, now: Date) {
  if (challenge !== undefined) {
    const ch = await loadChallenge(tx, challenge, now);
    if (ch.purpose !== "enrol") throw forbidden("this challenge is for a code, not for enrolment: send it to POST /auth/login/totp");
    return { user: await loadTwoFactorUser(tx, ch.userId), challenge: ch };
  }
  const p = requireUser(c.get("principal"));
  if (p.via !== "session") throw forbidden("enrol two-factor sign-in from a signed-in session, not with an API token");
  return { user: await loadTwoFactorUser(tx, p.userId), challenge: null };
}

/**
 * An administrator enrols only with a live enrolment code (checked at both steps, used up at the
 * confirmation): null when it may go on. A wrong code counts as an attempt on the sign-in challenge.
 */
async function enrolmentCodeRefusal(
  tx: Queryable,
  user: { id: string; username: string; role: string },
  challenge: { idHash: string } | null,
  code: string | undefined,
  at: Date,
): Promise<ApiError | null> {
  if (!isAdminRole(user.role as Role)) return null;
  if (code === undefined)
    return invalid(
      [{ path: "$.enrolmentCode", message: "is required: an administrator binds an authenticator with a one-time enrolment code from a security administrator" }],
      "administrators need an enrolment code to bind an authenticator",
    );
  if (await checkEnrolmentCode(tx, user.id, code, at, false)) return null;
  if (challenge) await tx.query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1", [challenge.idHash]);
  await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.enrolment_code_failed", entity: "user", entityId: user.username, at });
  return new ApiError("Forbidden", "wrong, used or expired enrolment code: ask a security administrator for a new one", [{ path: "$.enrolmentCode", message: "wrong, used or expired" }]);
}

export const authRoutes = new Hono<AppEnv>()
  /**
   * Step 1: the password. Without two-factor sign-in it opens the session; with it, it answers a
   * challenge for step 2 (`next: "totp"`) or, for a user who must enrol first, for enrolment (`next: "enrol"`).
   */
  .post("/login", jsonBody(LoginBody), async (c) => {
    const { db, config, now } = c.get("deps");
    const { username, password } = c.req.valid("json");
    const at = now();
    const account = accountRule(config);
    const address = addressRule(config);
    const client = clientAddress(c, config.trustProxy);
    // Counted before the password is checked, under the counters' row locks: parallel guesses cannot
    // all pass a check made before any of them failed. Unknown usernames are counted (and lock) alike.
    const refused = await db.transaction(async (tx) => {
      const byAddress = await admitAttempt(tx, address, client, at);
      if (!byAddress.admitted) return { by: "address" as const, ...byAddress };
      const byAccount = await admitAttempt(tx, account, username, at);
      return byAccount.admitted ? null : { by: "account" as const, ...byAccount };
    });
    if (refused?.by === "address") {
      c.header("Retry-After", String(refused.retryAfterSeconds));
      throw new ApiError("TooManyRequests", `登录失败次数过多，请 ${Math.ceil(refused.retryAfterSeconds / 60)} 分钟后再试 (too many failed sign-ins from this address)`, [], {
        retryAfter: refused.retryAfterSeconds,
      });
    }
    if (refused) throw lockedError(config.lockoutMinutes);
    const { rows } = await db.query<UserRow>(
      "SELECT id, password_hash, disabled, role, totp_secret, totp_pending, totp_enabled_at, totp_last_step FROM users WHERE username = $1",
      [username],
    );
    const user = rows[0];
    const ok = user ? await verifyPassword(password, user.password_hash) : (await verifyPassword(password, await dummyHash()), false);
    if (!user || !ok || user.disabled) {
      await db.transaction(async (tx) => {
        // Rows are locked in one order everywhere (user, address, account, then the audit chain): no deadlocks.
        await attemptFailed(tx, address, client, at);
        const locks = await attemptFailed(tx, account, username, at);
        await appendAudit(tx, { actor: `user:${username}`, action: "auth.login_failed", entity: "user", entityId: username, after: { factor: "password", ...(locks ? { locked: true } : {}) }, at });
      });
      // The failure that locks answers like any other (401); the next attempt learns of the lock (423).
      throw new ApiError("Unauthenticated", "用户名或密码错误 (wrong username or password)", [{ path: "$.password", message: "wrong username or password" }]);
    }
    const upgraded = needsRehash(user.password_hash) ? await hashPassword(password) : null;
    const enrolled = user.totp_enabled_at !== null;
    if (enrolled || twoFactorRequired(user.role, config.require2fa)) {
      const step = await db.transaction(async (tx) => {
        // The password was right; failed codes still count towards the lock until the sign-in completes.
        await upgradeHash(tx, user.id, user.password_hash, upgraded);
        await attemptSucceeded(tx, address, client);
        await attemptSucceeded(tx, account, username);
        const next = enrolled ? "totp" : "enrol";
        const ch = await createChallenge(tx, user.id, next, at);
        await appendAudit(tx, { actor: `user:${username}`, action: "auth.password_ok", entity: "user", entityId: username, after: { next }, at });
        return { next, ...ch };
      });
      c.header("Cache-Control", "no-store");
      return c.json({ ok: false as const, next: step.next as "totp" | "enrol", challenge: step.challenge, expiresAt: step.expiresAt });
    }
    const secret = await db.transaction(async (tx) => {
      await upgradeHash(tx, user.id, user.password_hash, upgraded);
      await attemptSucceeded(tx, address, client);
      return openSession(c, tx, { id: user.id, username }, ["password"], at);
    });
    setSessionCookie(c, secret);
    return c.json({ ok: true as const });
  })
  /** Step 2: a code from the authenticator app, or one of the recovery codes. */
  .post("/login/totp", jsonBody(SecondFactorBody), async (c) => {
    const deps = c.get("deps");
    const { config } = deps;
    const body = c.req.valid("json");
    const at = deps.now();
    const secrets = secretsOf(deps);
    type Outcome = { kind: "locked" } | { kind: "wrong" } | { kind: "ok"; secret: string };
    const result = await deps.db.transaction(async (tx): Promise<Outcome> => {
      const ch = await loadChallenge(tx, body.challenge, at);
      if (ch.purpose !== "totp") throw forbidden("enrol first: POST /auth/totp/enrol with this challenge");
      const user = await loadTwoFactorUser(tx, ch.userId);
      if (user.disabled) throw new ApiError("Unauthenticated", "sign in again");
      const account = accountRule(config);
      if (!(await admitAttempt(tx, account, user.username, at)).admitted) return { kind: "locked" };
      const factor = await checkSecondFactor(tx, secrets, user, body, at);
      if (factor === null) {
        await tx.query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1", [ch.idHash]);
        const locks = await attemptFailed(tx, account, user.username, at);
        // a locked account's challenge goes with the lock
        if (locks) await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [user.id]);
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
      return { kind: "ok", secret: await openSession(c, tx, user, ["password", factor], at) };
    });
    if (result.kind === "locked") throw lockedError(config.lockoutMinutes);
    if (result.kind === "wrong")
      throw new ApiError("Unauthenticated", "验证码错误 (wrong or already used code)", [
        { path: body.code !== undefined ? "$.code" : "$.recoveryCode", message: "wrong or already used" },
      ]);
    setSessionCookie(c, result.secret);
    return c.json({ ok: true as const });
  })
  /** Enrolment, step 1: a new secret as text, otpauth:// URI and QR code (SVG), pending until confirmed. */
  .post("/totp/enrol", jsonBody(EnrolBody), async (c) => {
    const deps = c.get("deps");
    const { challenge, enrolmentCode } = c.req.valid("json");
    const at = deps.now();
    const result = await deps.db.transaction(async (tx) => {
      const { user, challenge: ch } = await enrollingUser(c, tx, challenge, at);
      // the refusal is answered after the commit: the attempt it counted stays counted
      const refusal = await enrolmentCodeRefusal(tx, user, ch, enrolmentCode, at);
      return refusal ? { refusal } : { enrolment: await startEnrolment(tx, secretsOf(deps), user) };
    });
    if (result.refusal) throw result.refusal;
    c.header("Cache-Control", "no-store");
    return c.json(result.enrolment!);
  })
  /** Enrolment, step 2: a first code turns it on and returns ten recovery codes (shown once); via a challenge it also signs in. */
  .post("/totp/confirm", jsonBody(ConfirmBody), async (c) => {
    const deps = c.get("deps");
    const body = c.req.valid("json");
    const at = deps.now();
    const result = await deps.db.transaction(async (tx) => {
      const { user, challenge } = await enrollingUser(c, tx, body.challenge, at);
      const refusal = await enrolmentCodeRefusal(tx, user, challenge, body.enrolmentCode, at);
      if (refusal) return { kind: "refused" as const, refusal };
      const codes = await confirmEnrolment(tx, secretsOf(deps), user, body.code, at);
      if (codes === null) {
        if (challenge) await tx.query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1", [challenge.idHash]);
        await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.totp_confirm_failed", entity: "user", entityId: user.username, at });
        return { kind: "wrong" as const };
      }
      // the enrolment code is used up with the enrolment it allowed
      if (body.enrolmentCode !== undefined && isAdminRole(user.role as Role)) await checkEnrolmentCode(tx, user.id, body.enrolmentCode, at, true);
      await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.totp_enabled", entity: "user", entityId: user.username, after: { recoveryCodes: codes.length }, at });
      const secret = challenge ? await openSession(c, tx, user, ["password", "totp"], at) : null;
      return { kind: "ok" as const, codes, secret };
    });
    if (result.kind === "refused") throw result.refusal;
    if (result.kind === "wrong")
      throw new ApiError("Unauthenticated", "验证码错误，请核对手机时间后重试 (wrong code: check the phone's clock)", [{ path: "$.code", message: "wrong code" }]);
    if (result.secret) setSessionCookie(c, result.secret);
    c.header("Cache-Control", "no-store");
    return c.json({ ok: true as const, recoveryCodes: result.codes, signedIn: result.secret !== null });
  })
  /**
   * A signed-in user changes their own password. A wrong current password counts towards the
   * lockout like a failed sign-in (a stolen session cannot guess it freely); the new one must meet
   * the policy. The user's other sessions end; this one goes on.
   */
  .post("/password", jsonBody(PasswordChangeBody), async (c) => {
    const p = requireUser(c.get("principal"));
    if (p.via !== "session") throw forbidden("change your password from a signed-in session, not with an API token");
    const { db, config, now } = c.get("deps");
    const body = c.req.valid("json");
    const at = now();
    const account = accountRule(config);
    if (!(await db.transaction((tx) => admitAttempt(tx, account, p.username, at))).admitted) throw lockedError(config.lockoutMinutes);
    const { rows } = await db.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = $1", [p.userId]);
    const stored = rows[0]?.password_hash;
    if (stored === undefined || !(await verifyPassword(body.currentPassword, stored))) {
      await db.transaction(async (tx) => {
        const locks = await attemptFailed(tx, account, p.username, at);
        await appendAudit(tx, { actor: p.actor, action: "auth.password_change_failed", entity: "user", entityId: String(p.userId), after: locks ? { locked: true } : null, at });
      });
      throw invalid([{ path: "$.currentPassword", message: "is not your current password" }], "the current password is wrong");
    }
    const hash = await hashPassword(body.newPassword);
    const current = getCookie(c, sessionCookieName(config.production)) ?? "";
    await db.transaction(async (tx) => {
      // Only over the hash just checked: a change made meanwhile (here or by the security administrator) wins.
      const changed = await tx.query("UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash = $2", [p.userId, stored, hash]);
      if (changed.rowCount === 0) throw conflict("your password was changed meanwhile: sign in again with the new one");
      const ended = await tx.query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2", [p.userId, hashSecret(current)]);
      await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [p.userId]);
      await clearFailures(tx, account, p.username);
      await appendAudit(tx, { actor: p.actor, action: "user.password_change", entity: "user", entityId: String(p.userId), after: { password: "(changed)", otherSessionsEnded: ended.rowCount }, at });
    });
    return c.json({ ok: true as const });
  })
  /** Ends the caller's session; without one (no cookie, or one that no longer signs in) it does nothing. */
  .post("/logout", async (c) => {
    const { db, config } = c.get("deps");
    const secret = getCookie(c, sessionCookieName(config.production));
    if (secret !== undefined && c.get("principal")?.via === "session") await deleteSession(db, secret);
    // the browser's own cookie, stale or not, goes; nothing else happens without a session
    if (secret !== undefined) deleteCookie(c, sessionCookieName(config.production), { path: "/", secure: config.production });
    return c.json({ ok: true });
  })
  .get("/me", async (c) => {
    const p = requireUser(c.get("principal"));
    const { db, config } = c.get("deps");
    const { rows } = await db.query<{ totp_enabled_at: Date | string | null }>("SELECT totp_enabled_at FROM users WHERE id = $1", [p.userId]);
    return c.json({
      username: p.username,
      displayName: p.displayName,
      role: p.role,
      roleLabel: roleLabel[p.role],
      region: p.region,
      unit: p.unit,
      via: p.via,
      twoFactor: { enabled: (rows[0]?.totp_enabled_at ?? null) !== null, required: twoFactorRequired(p.role, config.require2fa) },
    });
  });
