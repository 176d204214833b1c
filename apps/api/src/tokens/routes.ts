import { appendAudit } from "@minsheng/db";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { isAdminRole, type Role } from "../auth/roles.js";
import { hashSecret, newSecret } from "../auth/sessions.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { insertToken, listTokens, revokeToken, roleOfUser } from "./data.js";

/** API tokens for integrators (Authorization: Bearer …). The secret is shown once, at creation. */

export const NewToken = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(100),
  /** the user the token acts as (its role and region scope the token) */
  userId: z.number().int().positive(),
  expiresInDays: z.number().int().min(1).max(366).default(90),
});

export const IdParam = z.object({ id: z.coerce.number().int().positive("must be a token id") });

const Timestamp = z.string().describe("ISO 8601 date-time");
const TokenRow = z.object({
  id: z.number().int(),
  name: z.string(),
  username: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
  expires_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});

const tokens = { tag: "tokens", access: "tokens.manage" } as const;

export const listTokensOp = defineOperation({
  ...tokens, method: "get", path: "/", operationId: "listTokens",
  summary: ["令牌列表", "List API tokens"],
  success: { status: 200, description: "every token (never its secret)", schema: z.object({ tokens: z.array(TokenRow) }) },
});

export const createTokenOp = defineOperation({
  ...tokens, method: "post", path: "/", operationId: "createToken",
  summary: ["签发令牌", "Issue an API token acting as a user (the secret is shown once)"],
  body: NewToken, bodyExample: { name: "数据对接", userId: 2, expiresInDays: 90 },
  success: { status: 201, description: "issued", schema: z.object({ id: z.number().int(), token: z.string() }) },
});

export const revokeTokenOp = defineOperation({
  ...tokens, method: "delete", path: "/{id}", operationId: "revokeToken",
  summary: ["吊销令牌", "Revoke an API token"],
  params: IdParam,
  success: { status: 200, description: "revoked", schema: z.object({ ok: z.literal(true) }) },
});

export const tokenRoutes = router()
  .openapi(listTokensOp, async (c) => {
    requirePermission(c.get("principal"), "tokens.manage");
    return c.json({ tokens: await listTokens(c.get("deps").db) }, 200);
  })
  .openapi(createTokenOp, async (c) => {
    const p = requirePermission(c.get("principal"), "tokens.manage");
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    const secret = newSecret();
    const id = await db.transaction(async (tx) => {
      const role = await roleOfUser(tx, body.userId);
      if (role === null) throw fail("TOKEN_USER_UNKNOWN", { userId: body.userId }).at("$.userId");
      // Tokens are for integrators and skip the second factor: never one acting as an administrator.
      if (isAdminRole(role as Role)) throw fail("TOKEN_FOR_ADMIN").at("$.userId");
      const expires = new Date(now().getTime() + body.expiresInDays * 86_400_000).toISOString();
      const tokenId = await insertToken(tx, { name: body.name, hash: hashSecret(secret), userId: body.userId, createdBy: p.userId, expires });
      await appendAudit(tx, { actor: p.actor, action: "token.create", entity: "api_token", entityId: String(tokenId), after: { name: body.name, userId: body.userId, expires } });
      return tokenId;
    });
    return c.json({ id, token: secret }, 201);
  })
  .openapi(revokeTokenOp, async (c) => {
    const p = requirePermission(c.get("principal"), "tokens.manage");
    const { id } = c.req.valid("param");
    await c.get("deps").db.transaction(async (tx) => {
      if (!(await revokeToken(tx, id))) throw fail("TOKEN_NOT_FOUND", { id });
      await appendAudit(tx, { actor: p.actor, action: "token.revoke", entity: "api_token", entityId: String(id) });
    });
    return c.json({ ok: true as const }, 200);
  });
