import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { warmRenderersSoon } from "../bulletins/service.js";
import type { AppEnv } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { clientAddress } from "../lib/rate-limit.js";
import { twoFactorEnabled } from "./data.js";
import { requireUser, sessionCookieName } from "./middleware.js";
import { Password } from "./password.js";
import { Role, roleLabel, twoFactorRequired } from "./roles.js";
import { beginEnrolment, changeOwnPassword, type Enroller, finishEnrolment, signInWithPassword, signInWithSecondFactor } from "./service.js";
import { deleteSession } from "./sessions.js";

/** 登录与会话: sign-in (password, then a TOTP code for those who use one), enrolment, sign-out, who I am, one's own password. */

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

// Answers.
const Timestamp = z.string().describe("ISO 8601 date-time");
const Ok = z.object({ ok: z.literal(true) });

const SecondStep = z.object({
  ok: z.literal(false),
  next: z.enum(["totp", "enrol"]).describe("totp: send a code to POST /auth/login/totp; enrol: set up an authenticator first (POST /auth/totp/enrol)"),
  challenge: z.string().describe("valid 5 minutes, 5 attempts"),
  expiresAt: Timestamp,
});

const Me = z.object({
  username: z.string(),
  displayName: z.string(),
  role: Role,
  roleLabel: z.string(),
  region: z.string().nullable().describe("the region whose subtree the user may see; null for an admin"),
  unit: z.string().nullable(),
  via: z.enum(["session", "token"]),
  twoFactor: z.object({ enabled: z.boolean(), required: z.boolean().describe("whether REQUIRE_2FA makes it compulsory for this role") }),
});

// signing in and out, second factors, passwords: nothing a public page shows
const publicAuth = { tag: "auth", access: "public", keepsPublicPages: true } as const;

export const loginOp = defineOperation({
  ...publicAuth, method: "post", path: "/login", operationId: "login",
  summary: ["登录", "Sign in (sets the HttpOnly session cookie)"],
  description:
    "Five failures in a row lock the account for 15 minutes (423), unknown usernames alike; attempts are counted before the password is checked, so parallel guesses lock it too. Twenty failures from one address within 15 minutes refuse it until then (429, Retry-After). A fresh session id at every sign-in. With two-factor sign-in (on for the user, or required for the role by REQUIRE_2FA) the answer is `{ ok: false, next, challenge }` instead: send a code to POST /auth/login/totp, or enrol first.",
  body: LoginBody, bodyExample: { username: "city", password: "" },
  success: { status: 200, description: "signed in (the session cookie is set), or the challenge of the second step", schema: z.union([Ok, SecondStep]) },
  errors: [401, 423, 429],
});

export const loginSecondFactorOp = defineOperation({
  ...publicAuth, method: "post", path: "/login/totp", operationId: "loginSecondFactor",
  summary: ["登录第二步：动态验证码", "Sign-in step 2: the authenticator code (or a recovery code)"],
  description: "Codes are RFC 6238 TOTP (SHA-1, 30 s, 6 digits, ±30 s); a code is accepted once. Wrong codes count towards the lockout.",
  body: SecondFactorBody, bodyExample: { challenge: "", code: "123456" },
  success: { status: 200, description: "signed in; the session cookie is set", schema: Ok },
  errors: [401, 423],
});

export const enrolTotpOp = defineOperation({
  ...publicAuth, method: "post", path: "/totp/enrol", operationId: "enrolTotp",
  summary: ["绑定身份验证器", "Enrol an authenticator app: a new secret, its otpauth:// URI and QR code"],
  description:
    "With the challenge of a sign-in that must enrol, or from a signed-in session. The secret stays pending (sealed) until POST /auth/totp/confirm. An administrator (系统/安全/审计管理员) also sends `enrolmentCode`, the one-time code from a security administrator (POST /users/{id}/totp/enrolment-code) or printed when the server created the account: without it 400, a wrong, used or expired one 403.",
  body: EnrolBody, bodyExample: {},
  success: { status: 200, description: "the secret (base32), URI and QR code (SVG); never cached", schema: z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() }) },
  errors: [401, 403, 409],
});

export const confirmTotpOp = defineOperation({
  ...publicAuth, method: "post", path: "/totp/confirm", operationId: "confirmTotp",
  summary: ["确认绑定并获取恢复码", "Confirm enrolment with a first code; get ten recovery codes (shown once)"],
  description: "An administrator sends the enrolment code again; it is used up here.",
  body: ConfirmBody, bodyExample: { code: "123456" },
  success: { status: 200, description: "on; with a challenge, also signed in", schema: z.object({ ok: z.literal(true), recoveryCodes: z.array(z.string()), signedIn: z.boolean() }) },
  errors: [401, 403, 409],
});

export const logoutOp = defineOperation({
  ...publicAuth, method: "post", path: "/logout", operationId: "logout",
  summary: ["退出登录", "Sign out (ends the session)"],
  description: "Ends the session of the cookie sent. Without a session (no cookie, or one that no longer signs in) it does nothing and answers the same: no error, no audit entry.",
  success: { status: 200, description: "signed out", schema: Ok },
});

export const meOp = defineOperation({
  tag: "auth", method: "get", path: "/me", operationId: "me", access: "signed-in",
  summary: ["当前用户", "Who I am"],
  success: { status: 200, description: "the caller", schema: Me },
});

export const changePasswordOp = defineOperation({
  tag: "auth", method: "post", path: "/password", operationId: "changePassword", keepsPublicPages: true, access: "signed-in",
  summary: ["修改密码", "Change my own password (with the current one)"],
  description:
    "From a signed-in session (not a token). The new password follows the policy (at least 10 characters, letters and digits) and differs from the current one. A wrong current password counts towards the lockout (400 at $.currentPassword; 423 once locked). The user's other sessions end.",
  body: PasswordChangeBody, bodyExample: { currentPassword: "old-password-1", newPassword: "new-password-2" },
  success: { status: 200, description: "changed", schema: Ok },
  errors: [409, 423],
});

/** The session cookie the caller presented, if any. */
const presentedSession = (c: Context<AppEnv>) => getCookie(c, sessionCookieName(c.get("deps").config.production));

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

/** Who an enrol/confirm call is about: the owner of the challenge sent, else the caller signed in with a session. */
function enrollerOf(c: Context<AppEnv>, challenge: string | undefined): Enroller {
  if (challenge !== undefined) return { challenge };
  const p = requireUser(c.get("principal"));
  if (p.via !== "session") throw fail("AUTH_ENROL_NEEDS_SESSION");
  return { userId: p.userId };
}

export const authRoutes = router()
  .openapi(loginOp, async (c) => {
    const deps = c.get("deps");
    const { username, password } = c.req.valid("json");
    const step = await signInWithPassword(deps, { username, password, client: clientAddress(c, deps.config.trustProxy), oldSession: presentedSession(c) });
    if (step.kind === "throttled") {
      c.header("Retry-After", String(step.retryAfterSeconds));
      throw new CodedError("SIGN_IN_THROTTLED", { minutes: Math.ceil(step.retryAfterSeconds / 60) }, "too many failed sign-ins from this address", [], {
        retryAfter: step.retryAfterSeconds,
      });
    }
    if (step.kind === "second-step") {
      c.header("Cache-Control", "no-store");
      return c.json({ ok: false as const, next: step.next, challenge: step.challenge, expiresAt: step.expiresAt }, 200);
    }
    setSessionCookie(c, step.session);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(loginSecondFactorOp, async (c) => {
    const session = await signInWithSecondFactor(c.get("deps"), c.req.valid("json"), presentedSession(c));
    setSessionCookie(c, session);
    return c.json({ ok: true as const }, 200);
  })
  .openapi(enrolTotpOp, async (c) => {
    const { challenge, enrolmentCode } = c.req.valid("json");
    const enrolment = await beginEnrolment(c.get("deps"), enrollerOf(c, challenge), enrolmentCode);
    c.header("Cache-Control", "no-store");
    return c.json(enrolment, 200);
  })
  .openapi(confirmTotpOp, async (c) => {
    const body = c.req.valid("json");
    const done = await finishEnrolment(c.get("deps"), enrollerOf(c, body.challenge), body, presentedSession(c));
    if (done.session) setSessionCookie(c, done.session);
    c.header("Cache-Control", "no-store");
    return c.json({ ok: true as const, recoveryCodes: done.recoveryCodes, signedIn: done.session !== null }, 200);
  })
  .openapi(changePasswordOp, async (c) => {
    const p = requireUser(c.get("principal"));
    if (p.via !== "session") throw fail("AUTH_PASSWORD_CHANGE_NEEDS_SESSION");
    await changeOwnPassword(c.get("deps"), p, c.req.valid("json"), presentedSession(c) ?? "");
    return c.json({ ok: true as const }, 200);
  })
  /** Ends the caller's session; without one (no cookie, or one that no longer signs in) it does nothing. */
  .openapi(logoutOp, async (c) => {
    const { db, config } = c.get("deps");
    const secret = presentedSession(c);
    if (secret !== undefined && c.get("principal")?.via === "session") await deleteSession(db, secret);
    // the browser's own cookie, stale or not, goes; nothing else happens without a session
    if (secret !== undefined) deleteCookie(c, sessionCookieName(config.production), { path: "/", secure: config.production });
    return c.json({ ok: true as const }, 200);
  })
  .openapi(meOp, async (c) => {
    const p = requireUser(c.get("principal"));
    const { db, config } = c.get("deps");
    return c.json(
      {
        username: p.username,
        displayName: p.displayName,
        role: p.role,
        roleLabel: roleLabel[p.role],
        region: p.region,
        unit: p.unit,
        via: p.via,
        twoFactor: { enabled: await twoFactorEnabled(db, p.userId), required: twoFactorRequired(p.role, config.require2fa) },
      },
      200,
    );
  });
