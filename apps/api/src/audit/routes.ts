import { auditHistory, verifyAuditChain } from "@minsheng/db";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { isAdminRole } from "../auth/roles.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { auditLog, regionsOfRecord } from "./data.js";

/**
 * 审计: the hash-chained audit log, read by the audit administrator (三员分立), its chain checked
 * on demand, and the history of one record for whoever may see that record's region.
 */

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

const Timestamp = z.string().describe("ISO 8601 date-time");

const AuditRecord = z.object({
  seq: z.number().int(),
  at: Timestamp,
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

const ChainCheck = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  brokenAt: z.number().int().optional(),
  reason: z.string().optional(),
  anchoredAt: z.number().int().optional().describe("entries up to this seq were pruned by retention; the chain verifies from their anchor"),
});

const audit = { tag: "audit" } as const;

export const auditLogOp = defineOperation({
  ...audit, method: "get", path: "/log", operationId: "auditLog", access: "audit.read",
  summary: ["审计日志", "The audit log, newest first: sign-ins, refused requests, permission changes, every change"],
  description: "Filter by action (or a prefix such as `auth.`), actor, entity and time. Refused requests are `authz.denied`; permission changes `user.permissions`, `user.totp_reset`, `user.enrolment_code`, `token.*`.",
  query: LogQuery, examples: { action: "auth." },
  success: { status: 200, description: "entries", schema: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), entries: z.array(AuditRecord) }) },
});

export const verifyAuditOp = defineOperation({
  ...audit, method: "get", path: "/verify", operationId: "verifyAudit", access: "audit.read",
  summary: ["校验审计链", "Recompute the hash chain of the audit log"],
  success: { status: 200, description: "whether every entry matches its hash and link", schema: ChainCheck },
});

export const auditHistoryOp = defineOperation({
  ...audit, method: "get", path: "/history", operationId: "auditHistory", access: "audit.history",
  summary: ["记录变更历史", "Who changed what when, for one record"],
  scope: "the record must belong to your area (a user's region, a plan's region, a report's region); the audit administrator sees every record",
  query: HistoryQuery, examples: { entity: "user", id: "county" },
  success: { status: 200, description: "entries, oldest first", schema: z.object({ entries: z.array(AuditRecord) }) },
});

export const auditRoutes = router()
  /**
   * The audit log, newest first (audit administrator): sign-ins and their failures (auth.*),
   * refused requests (authz.denied), permission changes (user.*, token.*), everything else.
   */
  .openapi(auditLogOp, async (c) => {
    requirePermission(c.get("principal"), "audit.read");
    const q = c.req.valid("query");
    const { total, entries } = await auditLog(c.get("deps").db, q);
    return c.json({ total, limit: q.limit, offset: q.offset, entries }, 200);
  })
  /** Recomputes the hash chain of the whole log. */
  .openapi(verifyAuditOp, async (c) => {
    requirePermission(c.get("principal"), "audit.read");
    return c.json(await verifyAuditChain(c.get("deps").db), 200);
  })
  /** Who changed what when, for one record (e.g. a report), oldest first. */
  .openapi(auditHistoryOp, async (c) => {
    const p = requirePermission(c.get("principal"), "audit.history");
    const { entity, id } = c.req.valid("query");
    const { db, regions } = c.get("deps");
    if (!isAdminRole(p.role)) {
      await regions.ready();
      const owners = await regionsOfRecord(db, entity, id);
      if (owners.length === 0 || !owners.every((r) => r !== null && mayAccessRegion(p, r, regions))) throw fail("AUDIT_RECORD_OUTSIDE_AREA", { entity, id });
    }
    return c.json({ entries: await auditHistory(db, entity, id) }, 200);
  });
