import type { Queryable } from "@minsheng/db";

/** Data access of API tokens: every SQL statement the feature runs, rows typed where they are read. */

export interface TokenRow {
  id: number;
  name: string;
  username: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : String(v));

export async function listTokens(db: Queryable): Promise<TokenRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT t.id, t.name, u.username, t.created_at, t.last_used_at, t.expires_at, t.revoked_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    username: String(r.username),
    created_at: iso(r.created_at)!,
    last_used_at: iso(r.last_used_at),
    expires_at: iso(r.expires_at),
    revoked_at: iso(r.revoked_at),
  }));
}

export async function roleOfUser(db: Queryable, userId: number): Promise<string | null> {
  const { rows } = await db.query<{ role: string }>("SELECT role FROM users WHERE id = $1", [userId]);
  return rows[0]?.role ?? null;
}

export async function insertToken(db: Queryable, t: { name: string; hash: string; userId: number; createdBy: number | null; expires: string }): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO api_tokens (name, token_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [t.name, t.hash, t.userId, t.createdBy, t.expires],
  );
  return Number(rows[0]!.id);
}

/** Revokes an active token; false when there is none by that id. */
export async function revokeToken(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [id]);
  return (rowCount ?? 0) > 0;
}
