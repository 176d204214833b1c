import type { Queryable } from "@minsheng/db";
import type { Role } from "../auth/roles.js";

/** Data access of user management: every SQL statement of the feature, rows typed where they are read. */

/** A user as the security administrator's list shows it. */
export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  region: string | null;
  unit: string | null;
  disabled: boolean;
  /** locked out after failed sign-ins, now */
  locked: boolean;
  /** two-factor sign-in is on */
  twoFactor: boolean;
}

export async function listUsers(db: Queryable): Promise<UserView[]> {
  const { rows } = await db.query<{
    id: string | number;
    username: string;
    display_name: string;
    role: Role;
    region: string | null;
    unit: string | null;
    disabled: boolean;
    locked_until: Date | string | null;
    totp_enabled_at: Date | string | null;
  }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.region, u.unit, u.disabled, f.locked_until, u.totp_enabled_at
       FROM users u LEFT JOIN failure_counters f ON f.scope = 'account' AND f.key = u.username ORDER BY u.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    region: r.region,
    unit: r.unit,
    disabled: r.disabled,
    locked: r.locked_until !== null && new Date(r.locked_until).getTime() > Date.now(),
    twoFactor: r.totp_enabled_at !== null && r.totp_enabled_at !== undefined,
  }));
}

export async function regionExists(db: Queryable, code: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM regions WHERE code = $1", [code])).rows.length > 0;
}

export async function unitExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM units WHERE id = $1", [id])).rows.length > 0;
}

export async function usernameTaken(db: Queryable, username: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM users WHERE username = $1", [username])).rows.length > 0;
}

export async function insertUser(
  tx: Queryable,
  u: { username: string; displayName: string; passwordHash: string; role: Role; region: string | null; unit: string | null },
): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(
    "INSERT INTO users (username, display_name, password_hash, role, region, unit) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [u.username, u.displayName, u.passwordHash, u.role, u.region, u.unit],
  );
  return Number(rows[0]!.id);
}

/** A user's account as stored (the audit's `before` of a change). */
export interface UserRecord {
  id: string | number;
  username: string;
  display_name: string;
  role: Role;
  region: string | null;
  unit: string | null;
  disabled: boolean;
}

/** The user, locked for the change that follows; null when there is none. */
export async function lockUser(tx: Queryable, id: number): Promise<UserRecord | null> {
  const { rows } = await tx.query<UserRecord>("SELECT id, username, display_name, role, region, unit, disabled FROM users WHERE id = $1 FOR UPDATE", [id]);
  return rows[0] ?? null;
}

/** Writes a user's account; `passwordHash` null keeps the password. */
export async function writeUser(
  tx: Queryable,
  id: number,
  u: { displayName: string; role: string; region: string | null; unit: string | null; disabled: boolean; passwordHash: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE users SET display_name = $2, role = $3, region = $4, unit = $5, disabled = $6, updated_at = now()
       ${u.passwordHash ? ", password_hash = $7" : ""} WHERE id = $1`,
    [id, u.displayName, u.role, u.region, u.unit, u.disabled, ...(u.passwordHash ? [u.passwordHash] : [])],
  );
}

/** Ends every session of the user. */
export async function endSessionsOf(tx: Queryable, id: number): Promise<void> {
  await tx.query("DELETE FROM sessions WHERE user_id = $1", [id]);
}

/** Revokes the user's active API tokens; their ids. */
export async function revokeTokensOf(tx: Queryable, id: number): Promise<string[]> {
  const { rows } = await tx.query<{ id: string | number }>("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id", [id]);
  return rows.map((r) => String(r.id));
}

/** The user's two-factor state, locked for a reset or an enrolment code; null when there is none. */
export async function lockTwoFactorState(tx: Queryable, id: number): Promise<{ username: string; role: Role; twoFactor: boolean } | null> {
  const { rows } = await tx.query<{ username: string; role: Role; totp_enabled_at: Date | string | null }>(
    "SELECT username, role, totp_enabled_at FROM users WHERE id = $1 FOR UPDATE",
    [id],
  );
  const r = rows[0];
  return r ? { username: r.username, role: r.role, twoFactor: r.totp_enabled_at !== null } : null;
}
