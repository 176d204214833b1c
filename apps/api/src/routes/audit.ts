import { auditHistory, type AuditRecord, type Queryable, verifyAuditChain } from "@minsheng/db";
import { Hono } from "hono";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { isAdminRole } from "../auth/roles.js";
import { requirePermission } from "../auth/middleware.js";
import type { AppEnv } from "../lib/context.js";
import { forbidden } from "../lib/errors.js";
import { queryOf } from "../lib/validate.js";

export const HistoryQuery = z.object({
  entity: z.string().regex(/^[a-z_]{1,40}$/, "must be an entity name such as report"),
  id: z.string().min(1, "must not be empty").max(200),
});

const Instant = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time such as 2024-10-01T00:00:00Z" });
export const LogQuery = z
  .object({
    action: z.string().regex(/^[a-z0-9_.]{1,60}$/, "must be an action or its prefix, such as auth. or user.update").optional().describe("an action, or a prefix ending in '.' (auth. = every sign-in event)"),
    actor: z.string().min(1).max(200).optional().describe("exactly, e.g. user:city"),
    entity: z.string().regex(/^[a-z_]{1,40}$/, "must be an entity name such as report").optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .refine((q) => q.from === undefined || q.to === undefined || new Date(q.from).getTime() <= new Date(q.to).getTime(), { message: "must not be before from", path: ["to"] });

/**
 * The regions a record belongs to, by entity, for the region check of its history. A record that
 * resolves to nothing (unknown, or of an entity not listed here such as api_token) or to an
 * admin account (no region) is for admins only.
 */
const regionsOfRecord: Record<string, (db: Queryable, id: string) => Promise<(string | null)[]>> = {
  // user entries are keyed by id (create, update) or by username (sign-in events)
  user: async (db, id) => (await db.query<{ region: string | null }>("SELECT region FROM users WHERE id::text = $1 OR username = $1", [id])).rows.map((r) => r.region),
  // a bundle import is keyed by the ids of its plans, comma-separated: every one must be in the area
  plan: async (db, id) => {
    const ids = id.split(",");
    const { rows } = await db.query<{ region: string }>("SELECT region FROM plans WHERE id = ANY($1)", [ids]);
    return rows.length === new Set(ids).size ? rows.map((r) => r.region) : [];
  },
  report: async (db, id) => (await db.query<{ region: string }>("SELECT region FROM reports WHERE id::text = $1", [id])).rows.map((r) => r.region),
  evidence: async (db, id) =>
    (await db.query<{ region: string }>("SELECT r.region FROM evidence e JOIN reports r ON r.id = e.report_id WHERE e.id = $1", [id])).rows.map((r) => r.region),
};

const recordOf = (r: Record<string, unknown>): AuditRecord => ({
  seq: Number(r.seq),
  at: new Date(r.at as string | Date).toISOString(),
  actor: String(r.actor),
  action: String(r.action),
  entity: String(r.entity),
  entityId: String(r.entity_id),
  before: r.before ?? null,
  after: r.after ?? null,
  prevHash: String(r.prev_hash),
  hash: String(r.hash),
});

export const auditRoutes = new Hono<AppEnv>()
  /**
   * The audit log, newest first (audit administrator): sign-ins and their failures (auth.*),
   * refused requests (authz.denied), permission changes (user.*, token.*), everything else.
   */
  .get("/log", queryOf(LogQuery), async (c) => {
    requirePermission(c.get("principal"), "audit.read");
    const q = c.req.valid("query");
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, v: unknown) => {
      params.push(v);
      where.push(sql(`$${params.length}`));
    };
    if (q.action) q.action.endsWith(".") ? add((n) => `starts_with(action, ${n})`, q.action) : add((n) => `action = ${n}`, q.action);
    if (q.actor) add((n) => `actor = ${n}`, q.actor);
    if (q.entity) add((n) => `entity = ${n}`, q.entity);
    if (q.from) add((n) => `at >= ${n}`, new Date(q.from).toISOString());
    if (q.to) add((n) => `at <= ${n}`, new Date(q.to).toISOString());
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const { db } = c.get("deps");
    const { rows: total } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${filter}`, params);
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash FROM audit_log ${filter} ORDER BY seq DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    );
    return c.json({ total: total[0]!.n, limit: q.limit, offset: q.offset, entries: rows.map(recordOf) });
  })
  /** Recomputes the hash chain of the whole log. */
  .get("/verify", async (c) => {
    requirePermission(c.get("principal"), "audit.read");
    return c.json(await verifyAuditChain(c.get("deps").db));
  })
  /** Who changed what when, for one record (e.g. a report), oldest first. */
  .get("/history", queryOf(HistoryQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "audit.history");
    const { entity, id } = c.req.valid("query");
    const { db, regions } = c.get("deps");
    if (!isAdminRole(p.role)) {
      await regions.ready();
      const owners = Object.hasOwn(regionsOfRecord, entity) ? await regionsOfRecord[entity]!(db, id) : [];
      if (owners.length === 0 || !owners.every((r) => r !== null && mayAccessRegion(p, r, regions))) throw forbidden(`${entity} ${id} is not a record of your area`);
    }
    return c.json({ entries: await auditHistory(db, entity, id) });
  });
