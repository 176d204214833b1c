import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "@minsheng/db";
import type { ApiConfig } from "../lib/context.js";
import { CodedError } from "../lib/errors.js";
import type { Principal } from "./principal.js";
import { isAdminRole, type Role } from "./roles.js";

export const newSecret = (): string => randomBytes(32).toString("base64url");
/** Only hashes are stored: a leaked table does not leak usable sessions or tokens. */
export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  region: string | null;
  unit: string | null;
  disabled: boolean;
}

const principalOf = (u: UserRow, via: Principal["via"], actor: string): Principal => ({
  userId: Number(u.id),
  username: u.username,
  displayName: u.display_name,
  role: u.role,
  region: isAdminRole(u.role) ? null : u.region,
  unit: u.unit,
  via,
  actor,
});

/** A new session (a new id at every login: no fixation). */
export async function createSession(db: Queryable, userId: number, config: ApiConfig, now: Date): Promise<string> {
  const secret = newSecret();
  const expires = new Date(now.getTime() + config.sessionAbsoluteHours * 3_600_000);
  await db.query("INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)", [
    hashSecret(secret),
    userId,
    now.toISOString(),
    expires.toISOString(),
  ]);
  return secret;
}

/** The session's user, or null when unknown, expired (absolute) or idle too long. */
export async function principalFromSession(db: Queryable, secret: string, config: ApiConfig, now: Date): Promise<Principal | null> {
  const idHash = hashSecret(secret);
  const { rows } = await db.query<UserRow & { last_seen_at: Date | string; expires_at: Date | string }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.region, u.unit, u.disabled, s.last_seen_at, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
    [idHash],
  );
  const row = rows[0];
  if (!row || row.disabled) return null;
  const idleLimit = new Date(row.last_seen_at).getTime() + config.sessionIdleMinutes * 60_000;
  if (now.getTime() >= new Date(row.expires_at).getTime() || now.getTime() >= idleLimit) {
    await db.query("DELETE FROM sessions WHERE id_hash = $1", [idHash]);
    return null;
  }
  // Touch at most once a minute: reads stay cheap, the idle timeout stays honest.
  if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000)
    await db.query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1", [idHash, now.toISOString()]);
  return principalOf(row, "session", `user:${row.username}`);
}

export async function deleteSession(db: Queryable, secret: string): Promise<void> {
  await db.query("DELETE FROM sessions WHERE id_hash = $1", [hashSecret(secret)]);
}

/**
 * The token's user as it is now (role, region, unit, status read at each use), or null when
 * unknown, revoked, expired or the user is disabled. Tokens skip the second factor, so a token
 * whose user has become an administrator is refused (403, audited), whatever made them one.
 */
export async function principalFromToken(db: Queryable, secret: string, now: Date): Promise<Principal | null> {
  const { rows } = await db.query<UserRow & { token_id: string; expires_at: Date | string | null }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.region, u.unit, u.disabled, t.id AS token_id, t.expires_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
    [hashSecret(secret)],
  );
  const row = rows[0];
  if (!row || row.disabled) return null;
  if (row.expires_at !== null && now.getTime() >= new Date(row.expires_at).getTime()) return null;
  if (isAdminRole(row.role)) throw new CodedError("API_TOKEN_ACTS_AS_ADMIN", { token: row.token_id, username: row.username }, `API token ${row.token_id} acts as ${row.username}, now an administrator (系统/安全/审计管理员): a token never acts as one`);
  await db.query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", [row.token_id, now.toISOString()]);
  return principalOf(row, "token", `token:${row.token_id}(${row.username})`);
}
