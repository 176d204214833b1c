import { appendAudit } from "@minsheng/db";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { CodedError } from "../lib/errors.js";
import { clientAddress } from "../lib/rate-limit.js";
import type { AppEnv } from "../lib/context.js";
import { admitAttempt, deniedRule } from "./failures.js";
import type { Principal } from "./principal.js";
import { can, type Permission } from "./roles.js";
import { principalFromSession, principalFromToken } from "./sessions.js";

export const sessionCookieName = (production: boolean) => (production ? "__Host-ms_session" : "ms_session");

/** Reads a Bearer token or the session cookie; sets `principal` (null when anonymous). */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { db, config, now } = c.get("deps");
  const header = c.req.header("authorization");
  let principal: Principal | null = null;
  if (header !== undefined) {
    const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header);
    principal = m ? await principalFromToken(db, m[1]!, now()) : null;
    if (!principal) throw new CodedError("API_TOKEN_INVALID", {}, "invalid or revoked API token");
  } else {
    const secret = getCookie(c, sessionCookieName(config.production));
    if (secret) principal = await principalFromSession(db, secret, config, now());
  }
  c.set("principal", principal);
  await next();
};

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF: a cookie-authenticated write must come from our own origin (Origin header, or
 * Sec-Fetch-Site: same-origin). Token-authenticated calls carry no ambient credential, nor does a
 * cookie that signs nobody in (expired, ended, made up): such a request is anonymous, and answered
 * as one, without a refusal to record.
 */
export const csrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (UNSAFE.has(c.req.method) && c.get("principal")?.via === "session") {
    const origin = c.req.header("origin");
    const { config } = c.get("deps");
    // our own origin: as the request names it, or as PUBLIC_BASE_URL does (behind a TLS proxy the request says http://)
    const own = [new URL(c.req.url).origin, new URL(config.publicBaseUrl).origin];
    const allowed = origin !== undefined && (own.includes(origin) || config.allowedOrigins.includes(origin));
    const sameSite = c.req.header("sec-fetch-site") === "same-origin";
    if (!allowed && !sameSite) throw new CodedError("CSRF_REJECTED", {}, "cross-site request refused (Origin does not match)");
  }
  await next();
};

/**
 * 等保 2.0 security audit: every refused request (403: a role or region check, or CSRF) is written
 * to the audit log with who, what and why, after the answer is made (the refusal itself changed nothing).
 * Anonymous ones (a forged or stale cookie's write) are written one by one up to deniedRule's limit
 * per client address, then counted and summarised, so nobody can flood the chain.
 */
export const auditDenials: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status !== 403) return;
  const { db, now, config } = c.get("deps");
  const principal = c.get("principal") ?? null;
  let reason = "";
  try {
    const body = (await c.res.clone().json()) as { error?: { code?: string; message?: string } };
    reason = `${body.error?.code ?? ""}: ${body.error?.message ?? ""}`.slice(0, 300);
  } catch {
    // not our JSON error body; the status says enough
  }
  const path = new URL(c.req.url).pathname;
  const at = now();
  try {
    await db.transaction(async (tx) => {
      if (!principal && !(await admitAttempt(tx, deniedRule, clientAddress(c, config.trustProxy), at)).admitted) return;
      await appendAudit(tx, {
        actor: principal?.actor ?? "anonymous",
        action: "authz.denied",
        entity: "request",
        entityId: `${c.req.method} ${path}`.slice(0, 200),
        after: { reason, role: principal?.role ?? null, region: principal?.region ?? null },
        at,
      });
    });
  } catch (e) {
    // The refusal stands even if it could not be recorded; the operator sees why.
    console.error("[audit] could not record a refused request", e);
  }
};

/** The caller, or 401. */
export function requireUser(principal: Principal | null): Principal {
  if (!principal) throw new CodedError("NOT_SIGNED_IN", {}, "sign in first");
  return principal;
}

/** The caller holding `permission`, or 401/403. */
export function requirePermission(principal: Principal | null, permission: Permission): Principal {
  const p = requireUser(principal);
  if (!can(p.role, permission)) throw new CodedError("PERMISSION_DENIED", { permission }, `your role may not ${permission}`);
  return p;
}
