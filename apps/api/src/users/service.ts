import { appendAudit, type Queryable } from "@minsheng/db";
import { z } from "zod";
import { clearFailures } from "../auth/failures.js";
import { issueEnrolmentCode, resetTwoFactor } from "../auth/mfa.js";
import { hashPassword, Password } from "../auth/password.js";
import type { Principal } from "../auth/principal.js";
import { isAdminRole, Role } from "../auth/roles.js";
import type { Deps } from "../lib/context.js";
import { type CodedError, fail } from "../lib/errors.js";
import { endSessionsOf, insertUser, lockTwoFactorState, lockUser, regionExists, revokeTokensOf, unitExists, usernameTaken, writeUser } from "./data.js";

/**
 * User management: accounts, their role, area and status, and the second factor's reset and
 * enrolment codes (the security administrator's work, 三员分立). Every change in one transaction, audited.
 */

/** A new account: the body of POST /users, and the accounts the server creates itself (bootstrap, demo). */
export const NewUser = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,64}$/, "must be 3-64 letters, digits, '_', '.', '-'"),
  displayName: z.string().trim().min(1, "must not be empty").max(50),
  password: Password,
  role: Role,
  region: z.string().regex(/^\d{6,12}$/, "must be a region code").nullable().default(null),
  unit: z.string().min(1).max(64).nullable().default(null),
});
export type NewUser = z.infer<typeof NewUser>;

/** What a change may set (each field optional, at least one). */
export interface UserChange {
  displayName?: string | undefined;
  password?: string | undefined;
  role?: Role | undefined;
  region?: string | null | undefined;
  unit?: string | null | undefined;
  disabled?: boolean | undefined;
}

/** Refuses a user's references (region and unit exist; non-admins need a region), naming every field at fault. */
async function checkReferences(db: Queryable, u: { role?: string; region?: string | null; unit?: string | null }): Promise<void> {
  const errors: CodedError[] = [];
  if (u.role !== undefined && !isAdminRole(u.role as Role) && !u.region) errors.push(fail("USER_REGION_REQUIRED").at("$.region"));
  if (u.region && !(await regionExists(db, u.region))) errors.push(fail("USER_REGION_UNKNOWN", { region: u.region }).at("$.region"));
  if (u.unit && !(await unitExists(db, u.unit))) errors.push(fail("USER_UNIT_UNKNOWN", { unit: u.unit }).at("$.unit"));
  const [first, ...rest] = errors;
  if (!first) return;
  // one answer: the first error's code, every field's problem
  first.problems = [...first.problems, ...rest.flatMap((e) => e.problems)];
  throw first;
}

/**
 * Creates a user (the route, the first-start administrators and the demo accounts). `passwordHash`:
 * hashed before the transaction began, so a slow hash (scrypt, ~0.1-0.3 s) does not hold it open.
 */
export async function createUser(tx: Queryable, u: NewUser & { passwordHash?: string }, actor: string): Promise<number> {
  await checkReferences(tx, u);
  if (await usernameTaken(tx, u.username)) throw fail("USER_USERNAME_TAKEN", { username: u.username }).at("$.username");
  const id = await insertUser(tx, {
    username: u.username,
    displayName: u.displayName,
    passwordHash: u.passwordHash ?? (await hashPassword(u.password)),
    role: u.role,
    region: isAdminRole(u.role) ? null : u.region,
    unit: u.unit,
  });
  await appendAudit(tx, { actor, action: "user.create", entity: "user", entityId: String(id), after: { username: u.username, role: u.role, region: u.region, unit: u.unit } });
  return id;
}

/** POST /users: the password hashed first, then the account created in one transaction. */
export async function addUser(deps: Deps, p: Principal, u: NewUser): Promise<number> {
  const passwordHash = await hashPassword(u.password);
  return deps.db.transaction((tx) => createUser(tx, { ...u, passwordHash }, p.actor));
}

/** Changes a user. Changing a role, area, status or password ends their sessions; permission changes are audited as such. */
export async function changeUser(deps: Deps, p: Principal, id: number, patch: UserChange): Promise<void> {
  // Separation of duties: a security administrator cannot raise, move or re-enable itself.
  if (id === p.userId && (patch.role !== undefined || patch.region !== undefined || patch.unit !== undefined || patch.disabled !== undefined)) throw fail("USER_SELF_CHANGE");
  const passwordHash = patch.password ? await hashPassword(patch.password) : null;
  await deps.db.transaction(async (tx) => {
    const before = await lockUser(tx, id);
    if (!before) throw fail("USER_NOT_FOUND", { id });
    const merged = { role: patch.role ?? before.role, region: patch.region !== undefined ? patch.region : before.region, unit: patch.unit !== undefined ? patch.unit : before.unit };
    await checkReferences(tx, merged);
    const admin = isAdminRole(merged.role);
    await writeUser(tx, id, {
      displayName: patch.displayName ?? before.display_name,
      role: merged.role,
      region: admin ? null : merged.region,
      unit: merged.unit,
      disabled: patch.disabled ?? before.disabled,
      passwordHash,
    });
    // A password set by the security administrator also lifts a lockout.
    if (patch.password) await clearFailures(tx, { scope: "account" }, before.username);
    // Changing a role, area or status ends the user's sessions: permissions apply at once.
    if (patch.role !== undefined || patch.region !== undefined || patch.unit !== undefined || patch.disabled || patch.password) await endSessionsOf(tx, id);
    // A token never acts as an administrator: made one, the user's tokens are revoked (and refused at use anyway).
    if (admin)
      for (const tokenId of await revokeTokensOf(tx, id))
        await appendAudit(tx, { actor: p.actor, action: "token.revoke", entity: "api_token", entityId: tokenId, after: { reason: "its user is an administrator" } });
    const { password: _omit, ...loggable } = patch;
    await appendAudit(tx, { actor: p.actor, action: "user.update", entity: "user", entityId: String(id), before, after: { ...loggable, ...(patch.password ? { password: "(changed)" } : {}) } });
    // What a user may do changed: its own entry, so the audit administrator finds every grant and revocation.
    const grant = { role: merged.role, region: admin ? null : merged.region, unit: merged.unit, disabled: patch.disabled ?? before.disabled };
    const had = { role: before.role, region: before.region, unit: before.unit, disabled: before.disabled };
    if (JSON.stringify(grant) !== JSON.stringify(had))
      await appendAudit(tx, { actor: p.actor, action: "user.permissions", entity: "user", entityId: String(id), before: had, after: grant });
  });
}

/** Turns a user's two-factor sign-in off (lost phone): they enrol again at the next sign-in; their sessions end. */
export async function resetUserTwoFactor(deps: Deps, p: Principal, id: number): Promise<void> {
  if (id === p.userId) throw fail("USER_SELF_TOTP_RESET");
  const { db, now } = deps;
  await db.transaction(async (tx) => {
    const user = await lockTwoFactorState(tx, id);
    if (!user) throw fail("USER_NOT_FOUND", { id });
    await resetTwoFactor(tx, id);
    await appendAudit(tx, { actor: p.actor, action: "user.totp_reset", entity: "user", entityId: String(id), before: { username: user.username, twoFactor: user.twoFactor }, after: { twoFactor: false }, at: now() });
  });
}

/**
 * 绑定码: a one-time code an administrator needs to bind an authenticator (first enrolment, or
 * after a reset), handed over in person; shown once, valid 7 days, an older one stops working.
 */
export async function issueUserEnrolmentCode(deps: Deps, p: Principal, id: number): Promise<{ code: string; expiresAt: string }> {
  if (id === p.userId) throw fail("USER_SELF_ENROLMENT_CODE");
  const { db, now } = deps;
  return db.transaction(async (tx) => {
    const user = await lockTwoFactorState(tx, id);
    if (!user) throw fail("USER_NOT_FOUND", { id });
    if (!isAdminRole(user.role)) throw fail("USER_NOT_ADMIN", { username: user.username });
    if (user.twoFactor) throw fail("USER_TOTP_ALREADY_ON", { username: user.username });
    const code = await issueEnrolmentCode(tx, id, p.actor, now());
    await appendAudit(tx, { actor: p.actor, action: "user.enrolment_code", entity: "user", entityId: String(id), after: { username: user.username, expiresAt: code.expiresAt }, at: now() });
    return code;
  });
}
