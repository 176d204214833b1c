import { appendAudit } from "@minsheng/db";
import { Hono } from "hono";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { isAdminRole, type Role } from "../auth/roles.js";
import { hashSecret, newSecret } from "../auth/sessions.js";
import type { AppEnv } from "../lib/context.js";
import { invalid, notFound } from "../lib/errors.js";
import { jsonBody, paramsOf } from "../lib/validate.js";

export const NewToken = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(100),
  /** the user the token acts as (its role and region scope the token) */
  userId: z.number().int().positive(),
  expiresInDays: z.number().int().min(1).max(366).default(90),
});

export const IdParam = z.object({ id: z.coerce.number().int().positive("must be a token id") });

/** API tokens for integrators (Authorization: Bearer …). The secret is shown once, at creation. */
export const tokenRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    requirePermission(c.get("principal"), "tokens.manage");
    const { rows } = await c.get("deps").db.query<Record<string, unknown>>(
      `SELECT t.id, t.name, u.username, t.created_at, t.last_used_at, t.expires_at, t.revoked_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id`,
    );
    return c.json({ tokens: rows.map((r) => ({ ...r, id: Number(r.id) })) });
  })
  .post("/", jsonBody(NewToken), async (c) => {
    const p = requirePermission(c.get("principal"), "tokens.manage");
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    const secret = newSecret();
    const id = await db.transaction(async (tx) => {
      const user = await tx.query<{ role: Role }>("SELECT role FROM users WHERE id = $1", [body.userId]);
      if (user.rows.length === 0) throw invalid([{ path: "$.userId", message: `unknown user ${body.userId}` }]);
      // Tokens are for integrators and skip the second factor: never one acting as an administrator.
      if (isAdminRole(user.rows[0]!.role)) throw invalid([{ path: "$.userId", message: "a token may not act as an administrator (系统/安全/审计管理员)" }]);
      const expires = new Date(now().getTime() + body.expiresInDays * 86_400_000).toISOString();
      const { rows } = await tx.query<{ id: string }>(
        "INSERT INTO api_tokens (name, token_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        [body.name, hashSecret(secret), body.userId, p.userId, expires],
      );
      const tokenId = Number(rows[0]!.id);
      await appendAudit(tx, { actor: p.actor, action: "token.create", entity: "api_token", entityId: String(tokenId), after: { name: body.name, userId: body.userId, expires } });
      return tokenId;
    });
    return c.json({ id, token: secret }, 201);
  })
  .delete("/:id", paramsOf(IdParam), async (c) => {
    const p = requirePermission(c.get("principal"), "tokens.manage");
    const { id } = c.req.valid("param");
    await c.get("deps").db.transaction(async (tx) => {
      const { rowCount } = await tx.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [id]);
      if (rowCount === 0) throw notFound("active token");
      await appendAudit(tx, { actor: p.actor, action: "token.revoke", entity: "api_token", entityId: String(id) });
    });
    return c.json({ ok: true });
  });
