import { appendAudit, type Queryable } from "@minsheng/db";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { sessionCookieName } from "../auth/middleware.js";
import { requireUser } from "../auth/middleware.js";
import {
  checkSecondFactor,
  confirmEnrolment,
  createChallenge,
  loadChallenge,
  loadTwoFactorUser,
  startEnrolment,
  type TwoFactorUser,
} from "../auth/mfa.js";
import { dummyHash, verifyPassword } from "../auth/password.js";
import { roleLabel, type Role, twoFactorRequired } from "../auth/roles.js";
import { createSession, deleteSession } from "../auth/sessions.js";
import { warmRenderersSoon } from "../lib/bulletins.js";
import type { AppEnv } from "../lib/context.js";
import { ApiError, forbidden } from "../lib/errors.js";
import { secretsOf } from "../lib/sites.js";
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

export const EnrolBody = z.object({ challenge: Challenge.optional().describe("the challenge of a sign-in that must enrol; omit when signed in") });
export const ConfirmBody = z.object({ challenge: Challenge.optional().describe("as for enrol"), code: TotpCode });

type UserRow = { id: string; password_hash: string; disabled: boolean; failed_logins: number; locked_until: Date | string | null; role: Role } & Omit<TwoFactorUser, "id" | "username">;

const lockedError = (minutes: number) => new ApiError("AccountLocked", `账户已锁定，请在 ${minutes} 分钟后重试 (account locked after repeated failures)`);

/** Counts a failed factor (password or code); the fifth in a row locks the account. */
async function countFailure(tx: Queryable, user: { id: string; failed_logins: number }, threshold: number, lockMinutes: number, at: Date): Promise<boolean> {
  const failures = user.failed_logins + 1;
  const lock = failures >= threshold ? new Date(at.getTime() + lockMinutes * 60_000).toISOString() : null;
  await tx.query("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1", [user.id, lock ? 0 : failures, lock]);
  if (lock) await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [user.id]);
  return lock !== null;
}

/**
 * The session at the end of a sign-in: a fresh id (an old cookie presented now is dropped, so a
 * planted id never becomes a signed-in one), the success audited with the factors used.
 */
async function openSession(c: Context<AppEnv>, tx: Queryable, user: { id: string; username: string }, factors: string[], at: Date): Promise<string> {
  const { config } = c.get("deps");
  await tx.query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", [user.id]);
  await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [user.id]);
  const old = getCookie(c, sessionCookieName(config.production));
  if (old) await deleteSession(tx, old);
  await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.login", entity: "user", entityId: user.username, after: { factors }, at });
  return createSession(tx, Number(user.id), config, at);
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

export const authRoutes = new Hono<AppEnv>()
  /**
   * Step 1: the password. Without two-factor sign-in it opens the session; with it, it answers a
   * challenge for step 2 (`next: "totp"`) or, for a user who must enrol first, for enrolment (`next: "enrol"`).
   */
  .post("/login", jsonBody(LoginBody), async (c) => {
    const { db, config, now } = c.get("deps");
    const { username, password } = c.req.valid("json");
    const at = now();
    const { rows } = await db.query<UserRow>(
      "SELECT id, password_hash, disabled, failed_logins, locked_until, role, totp_secret, totp_pending, totp_enabled_at, totp_last_step FROM users WHERE username = $1",
      [username],
    );
    const user = rows[0];
    if (user?.locked_until && new Date(user.locked_until).getTime() > at.getTime()) {
      await db.transaction((tx) => appendAudit(tx, { actor: `user:${username}`, action: "auth.login_locked", entity: "user", entityId: username, at }));
      throw lockedError(config.lockoutMinutes);
    }
    const ok = user ? await verifyPassword(password, user.password_hash) : (await verifyPassword(password, await dummyHash()), false);
    if (!user || !ok || user.disabled) {
      await db.transaction(async (tx) => {
        const locks = user ? await countFailure(tx, user, config.lockoutThreshold, config.lockoutMinutes, at) : false;
        await appendAudit(tx, { actor: `user:${username}`, action: "auth.login_failed", entity: "user", entityId: username, after: { factor: "password", ...(locks ? { locked: true } : {}) }, at });
      });
      // The failure that locks answers like any other (401); the next attempt learns of the lock (423).
      throw new ApiError("Unauthenticated", "用户名或密码错误 (wrong username or password)", [{ path: "$.password", message: "wrong username or password" }]);
    }
    const enrolled = user.totp_enabled_at !== null;
    if (enrolled || twoFactorRequired(user.role, config.require2fa)) {
      const step = await db.transaction(async (tx) => {
        const next = enrolled ? "totp" : "enrol";
        const ch = await createChallenge(tx, user.id, next, at);
        await appendAudit(tx, { actor: `user:${username}`, action: "auth.password_ok", entity: "user", entityId: username, after: { next }, at });
        return { next, ...ch };
      });
      c.header("Cache-Control", "no-store");
      return c.json({ ok: false as const, next: step.next as "totp" | "enrol", challenge: step.challenge, expiresAt: step.expiresAt });
    }
    const secret = await db.transaction((tx) => openSession(c, tx, { id: user.id, username }, ["password"], at));
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
      if (user.locked_until && new Date(user.locked_until).getTime() > at.getTime()) return { kind: "locked" };
      const factor = await checkSecondFactor(tx, secrets, user, body, at);
      if (factor === null) {
        await tx.query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1", [ch.idHash]);
        const locks = await countFailure(tx, user, config.lockoutThreshold, config.lockoutMinutes, at);
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
    const { challenge } = c.req.valid("json");
    const at = deps.now();
    const enrolment = await deps.db.transaction(async (tx) => {
      const { user } = await enrollingUser(c, tx, challenge, at);
      return startEnrolment(tx, secretsOf(deps), user);
    });
    c.header("Cache-Control", "no-store");
    return c.json(enrolment);
  })
  /** Enrolment, step 2: a first code turns it on and returns ten recovery codes (shown once); via a challenge it also signs in. */
  .post("/totp/confirm", jsonBody(ConfirmBody), async (c) => {
    const deps = c.get("deps");
    const body = c.req.valid("json");
    const at = deps.now();
    const result = await deps.db.transaction(async (tx) => {
      const { user, challenge } = await enrollingUser(c, tx, body.challenge, at);
      const codes = await confirmEnrolment(tx, secretsOf(deps), user, body.code, at);
      if (codes === null) {
        if (challenge) await tx.query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1", [challenge.idHash]);
        await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.totp_confirm_failed", entity: "user", entityId: user.username, at });
        return { kind: "wrong" as const };
      }
      await appendAudit(tx, { actor: `user:${user.username}`, action: "auth.totp_enabled", entity: "user", entityId: user.username, after: { recoveryCodes: codes.length }, at });
      const secret = challenge ? await openSession(c, tx, user, ["password", "totp"], at) : null;
      return { kind: "ok" as const, codes, secret };
    });
    if (result.kind === "wrong")
      throw new ApiError("Unauthenticated", "验证码错误，请核对手机时间后重试 (wrong code: check the phone's clock)", [{ path: "$.code", message: "wrong code" }]);
    if (result.secret) setSessionCookie(c, result.secret);
    c.header("Cache-Control", "no-store");
    return c.json({ ok: true as const, recoveryCodes: result.codes, signedIn: result.secret !== null });
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
