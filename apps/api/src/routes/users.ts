import { appendAudit, type Queryable } from "@minsheng/db";
import { Hono } from "hono";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { clearFailures } from "../auth/failures.js";
import { issueEnrolmentCode, resetTwoFactor } from "../auth/mfa.js";
import { hashPassword, Password, passwordProblems } from "../auth/password.js";
import { isAdminRole, Role } from "../auth/roles.js";
import type { AppEnv } from "../lib/context.js";
import { conflict, forbidden, invalid, notFound } from "../lib/errors.js";
import { jsonBody, paramsOf } from "../lib/validate.js";

export const NewUser = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,64}$/, "must be 3-64 letters, digits, '_', '.', '-'"),
  displayName: z.string().trim().min(1, "must not be empty").max(50),
  password: Password,
  role: Role,
  region: z.string().regex(/^\d{6,12}$/, "must be a region code").nullable().default(null),
  unit: z.string().min(1).max(64).nullable().default(null),
});
export type NewUser = z.infer<typeof NewUser>;

export const UserPatch = z
  .object({
    displayName: z.string().trim().min(1).max(50),
    password: Password,
    role: Role,
    region: z.string().regex(/^\d{6,12}$/, "must be a region code").nullable(),
    unit: z.string().min(1).max(64).nullable(),
    disabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "must change at least one field");

export const IdParam = z.object({ id: z.coerce.number().int().positive("must be a user id") });

const publicUser = (r: Record<string, unknown>) => ({
  id: Number(r.id),
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  region: r.region,
  unit: r.unit,
  disabled: r.disabled,
  locked: r.locked_until !== null && new Date(r.locked_until as string).getTime() > Date.now(),
  twoFactor: r.totp_enabled_at !== null && r.totp_enabled_at !== undefined,
});

/** Checks the references of a user (region and unit exist; non-admins need a region). */
async function userReferenceProblems(db: Queryable, u: { role?: string; region?: string | null; unit?: string | null }) {
  const problems: { path: string; message: string }[] = [];
  if (u.role !== undefined && !isAdminRole(u.role as Role) && !u.region) problems.push({ path: "$.region", message: "is required for this role" });
  if (u.region) {
    const { rows } = await db.query("SELECT 1 FROM regions WHERE code = $1", [u.region]);
    if (rows.length === 0) problems.push({ path: "$.region", message: `unknown region "${u.region}"` });
  }
  if (u.unit) {
    const { rows } = await db.query("SELECT 1 FROM units WHERE id = $1", [u.unit]);
    if (rows.length === 0) problems.push({ path: "$.unit", message: `unknown unit "${u.unit}"` });
  }
  return problems;
}

/**
 * Creates a user (used by the route, the first-start admin and the demo accounts). `passwordHash`:
 * hashed before the transaction began, so a slow hash (scrypt, ~0.1-0.3 s) does not hold it open.
 */
export async function createUser(tx: Queryable, u: NewUser & { passwordHash?: string }, actor: string): Promise<number> {
  const problems = await userReferenceProblems(tx, u);
  if (problems.length > 0) throw invalid(problems);
  const exists = await tx.query("SELECT 1 FROM users WHERE username = $1", [u.username]);
  if (exists.rows.length > 0) throw conflict(`username ${u.username} is taken`);
  const { rows } = await tx.query<{ id: string }>(
    "INSERT INTO users (username, display_name, password_hash, role, region, unit) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [u.username, u.displayName, u.passwordHash ?? (await hashPassword(u.password)), u.role, isAdminRole(u.role) ? null : u.region, u.unit],
  );
  const id = Number(rows[0]!.id);
  await appendAudit(tx, { actor, action: "user.create", entity: "user", entityId: String(id), after: { username: u.username, role: u.role, region: u.region, unit: u.unit } });
  return id;
}

export const userRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    requirePermission(c.get("principal"), "users.manage");
    const { rows } = await c.get("deps").db.query<Record<string, unknown>>(
      `SELECT u.id, u.username, u.display_name, u.role, u.region, u.unit, u.disabled, f.locked_until, u.totp_enabled_at
         FROM users u LEFT JOIN failure_counters f ON f.scope = 'account' AND f.key = u.username ORDER BY u.id`,
    );
    return c.json({ users: rows.map(publicUser) });
  })
  .post("/", jsonBody(NewUser), async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    const body = c.req.valid("json");
    const passwordHash = await hashPassword(body.password);
    const id = await c.get("deps").db.transaction((tx) => createUser(tx, { ...body, passwordHash }, p.actor));
    return c.json({ id }, 201);
  })
  .patch("/:id", paramsOf(IdParam), jsonBody(UserPatch), async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const { db } = c.get("deps");
    // Separation of duties: a security administrator cannot raise, move or re-enable itself.
    if (id === p.userId && (patch.role !== undefined || patch.region !== undefined || patch.unit !== undefined || patch.disabled !== undefined))
      throw forbidden("you may not change your own role, area or status: ask another security administrator");
    const passwordHash = patch.password ? await hashPassword(patch.password) : null;
    await db.transaction(async (tx) => {
      const { rows } = await tx.query<Record<string, unknown>>("SELECT id, username, display_name, role, region, unit, disabled FROM users WHERE id = $1 FOR UPDATE", [id]);
      const before = rows[0];
      if (!before) throw notFound("user");
      const merged = { role: patch.role ?? (before.role as string), region: patch.region !== undefined ? patch.region : (before.region as string | null), unit: patch.unit !== undefined ? patch.unit : (before.unit as string | null) };
      const problems = await userReferenceProblems(tx, merged);
      if (problems.length > 0) throw invalid(problems);
      await tx.query(
        `UPDATE users SET display_name = $2, role = $3, region = $4, unit = $5, disabled = $6, updated_at = now()
           ${patch.password ? ", password_hash = $7" : ""} WHERE id = $1`,
        [id, patch.displayName ?? before.display_name, merged.role, isAdminRole(merged.role as Role) ? null : merged.region, merged.unit, patch.disabled ?? before.disabled, ...(passwordHash ? [passwordHash] : [])],
      );
      // A password set by the security administrator also lifts a lockout.
      if (patch.password) await clearFailures(tx, { scope: "account" }, before.username as string);
      // Changing a role, area or status ends the user's sessions: permissions apply at once.
      if (patch.role !== undefined || patch.region !== undefined || patch.unit !== undefined || patch.disabled || patch.password)
        await tx.query("DELETE FROM sessions WHERE user_id = $1", [id]);
      // A token never acts as an administrator: made one, the user's tokens are revoked (and refused at use anyway).
      if (isAdminRole(merged.role as Role)) {
        const revoked = await tx.query<{ id: string }>("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id", [id]);
        for (const t of revoked.rows)
          await appendAudit(tx, { actor: p.actor, action: "token.revoke", entity: "api_token", entityId: String(t.id), after: { reason: "its user is an administrator" } });
      }
      const { password: _omit, ...loggable } = patch;
      await appendAudit(tx, { actor: p.actor, action: "user.update", entity: "user", entityId: String(id), before, after: { ...loggable, ...(patch.password ? { password: "(changed)" } : {}) } });
      // What a user may do changed: its own entry, so the audit administrator finds every grant and revocation.
      const grant = { role: merged.role, region: isAdminRole(merged.role as Role) ? null : merged.region, unit: merged.unit, disabled: patch.disabled ?? before.disabled };
      const had = { role: before.role, region: before.region, unit: before.unit, disabled: before.disabled };
      if (JSON.stringify(grant) !== JSON.stringify(had))
        await appendAudit(tx, { actor: p.actor, action: "user.permissions", entity: "user", entityId: String(id), before: had, after: grant });
    });
    return c.json({ ok: true });
  })
  /** Turns a user's two-factor sign-in off (lost phone): they enrol again at the next sign-in; their sessions end. */
  .post("/:id/totp/reset", paramsOf(IdParam), async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    const { id } = c.req.valid("param");
    if (id === p.userId) throw forbidden("you may not reset your own two-factor sign-in: ask another security administrator");
    const { db, now } = c.get("deps");
    await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ username: string; totp_enabled_at: Date | string | null }>("SELECT username, totp_enabled_at FROM users WHERE id = $1 FOR UPDATE", [id]);
      if (!rows[0]) throw notFound("user");
      await resetTwoFactor(tx, id);
      await appendAudit(tx, { actor: p.actor, action: "user.totp_reset", entity: "user", entityId: String(id), before: { username: rows[0].username, twoFactor: rows[0].totp_enabled_at !== null }, after: { twoFactor: false }, at: now() });
    });
    return c.json({ ok: true });
  })
  /**
   * 绑定码: a one-time code an administrator needs to bind an authenticator (first enrolment, or
   * after a reset), handed over in person; shown once, valid 7 days, an older one stops working.
   */
  .post("/:id/totp/enrolment-code", paramsOf(IdParam), async (c) => {
    const p = requirePermission(c.get("principal"), "users.manage");
    const { id } = c.req.valid("param");
    if (id === p.userId) throw forbidden("you may not issue your own enrolment code: ask another security administrator");
    const { db, now } = c.get("deps");
    const issued = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ username: string; role: Role; totp_enabled_at: Date | string | null }>("SELECT username, role, totp_enabled_at FROM users WHERE id = $1 FOR UPDATE", [id]);
      const user = rows[0];
      if (!user) throw notFound("user");
      if (!isAdminRole(user.role)) throw conflict(`user ${user.username} is not an administrator: they bind an authenticator without an enrolment code`);
      if (user.totp_enabled_at !== null) throw conflict(`user ${user.username} has two-factor sign-in on already: reset it first`);
      const code = await issueEnrolmentCode(tx, id, p.actor, now());
      await appendAudit(tx, { actor: p.actor, action: "user.enrolment_code", entity: "user", entityId: String(id), after: { username: user.username, expiresAt: code.expiresAt }, at: now() });
      return code;
    });
    c.header("Cache-Control", "no-store");
    return c.json(issued, 201);
  });
