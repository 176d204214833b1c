import type { Queryable } from "@minsheng/db";
import type { TwoFactorUser } from "./mfa.js";
import type { Role } from "./roles.js";

/**
 * Data access of sign-in and one's own account: the SQL of auth/routes.ts's operations, rows typed
 * where they are read. (Sessions, failure counters and the second factor keep theirs in
 * sessions.ts, failures.ts and mfa.ts.)
 */

/** The account a sign-in names, with what the password step and the second factor need. */
export type SignInUser = TwoFactorUser & { passwordHash: string; disabled: boolean; role: Role };

export async function signInUser(db: Queryable, username: string): Promise<SignInUser | null> {
  const { rows } = await db.query<{ id: string | number; password_hash: string; disabled: boolean; role: Role } & Omit<TwoFactorUser, "id" | "username">>(
    "SELECT id, password_hash, disabled, role, totp_secret, totp_pending, totp_enabled_at, totp_last_step FROM users WHERE username = $1",
    [username],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: String(r.id),
    username,
    passwordHash: r.password_hash,
    disabled: r.disabled,
    role: r.role,
    totp_secret: r.totp_secret,
    totp_pending: r.totp_pending,
    totp_enabled_at: r.totp_enabled_at,
    totp_last_step: r.totp_last_step,
  };
}

/** A hash made with weaker scrypt parameters replaced by one at today's cost, unless it changed meanwhile. */
export async function upgradePasswordHash(tx: Queryable, userId: string, stored: string, upgraded: string): Promise<void> {
  await tx.query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2", [userId, stored, upgraded]);
}

/** The user's live sign-in challenges end (signed in, locked, or the password changed). */
export async function deleteChallengesOf(tx: Queryable, userId: string | number): Promise<void> {
  await tx.query("DELETE FROM login_challenges WHERE user_id = $1", [userId]);
}

/** A wrong answer to a challenge counts towards its attempts. */
export async function countChallengeAttempt(tx: Queryable, idHash: string): Promise<void> {
  await tx.query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1", [idHash]);
}

export async function passwordHashOf(db: Queryable, userId: number): Promise<string | null> {
  const { rows } = await db.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = $1", [userId]);
  return rows[0]?.password_hash ?? null;
}

/** Sets a new hash only over the one checked: false when it changed meanwhile. */
export async function replacePasswordHash(tx: Queryable, userId: number, checked: string, hash: string): Promise<boolean> {
  const { rowCount } = await tx.query("UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash = $2", [userId, checked, hash]);
  return (rowCount ?? 0) > 0;
}

/** Ends the user's sessions but the one whose id hashes to `keepHash`; how many ended. */
export async function endOtherSessions(tx: Queryable, userId: number, keepHash: string): Promise<number> {
  const { rowCount } = await tx.query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2", [userId, keepHash]);
  return rowCount ?? 0;
}

export async function twoFactorEnabled(db: Queryable, userId: number): Promise<boolean> {
  const { rows } = await db.query<{ totp_enabled_at: Date | string | null }>("SELECT totp_enabled_at FROM users WHERE id = $1", [userId]);
  return (rows[0]?.totp_enabled_at ?? null) !== null;
}
