import { FeedbackState } from "@minsheng/domain";
import { appendAudit } from "@minsheng/db";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Principal } from "../auth/principal.js";
import { requirePermission } from "../auth/middleware.js";
import { servedWithoutMetadata } from "../lib/image-metadata.js";
import type { AppEnv } from "../lib/context.js";
import { conflict, forbidden, notFound } from "../lib/errors.js";
import {
  consoleFeedbackView,
  FEEDBACK_SELECT,
  type FeedbackRow,
  loadFeedback,
  mayRevealPhone,
  overdueCutoff,
  todayIn,
} from "../lib/feedback.js";
import { loadDisclosureSettings } from "../lib/settings.js";
import { assertSiteScope, secretsOf } from "../lib/sites.js";
import { jsonBody, paramsOf, queryOf } from "../lib/validate.js";
import { RegionCode } from "./progress.js";
import { areaOf, SiteCode } from "./sites.js";

/**
 * The staff inbox of citizens' feedback (意见建议): per region and unit, with the reply deadline in
 * working days and an overdue flag; moderation (approve → open, or reject as spam); the answer,
 * which closes it (rule 10); revealing the phone number to the answering unit, audited.
 */

export const FeedbackIdParam = z.object({ id: z.coerce.number().int("must be a feedback id").min(1, "must be a feedback id") });
export const InboxQuery = z.object({
  region: RegionCode.optional().describe("your area by default"),
  state: FeedbackState.optional(),
  site: SiteCode.optional(),
  project: z.string().min(1).max(64).optional(),
  unit: z.string().min(1).max(64).optional().describe("the projects this unit leads"),
  overdue: z.enum(["true", "false"]).optional().describe("true: only unanswered feedback past its reply deadline"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const ModerateBody = z.object({
  action: z.enum(["approve", "reject"]),
  reason: z.string().trim().max(500, "must be at most 500 characters").optional().describe("why it was rejected (internal)"),
  version: z.number().int().min(1).optional(),
});
export const AnswerBody = z.object({
  answer: z.string().trim().min(2, "must be at least 2 characters").max(2000, "must be at most 2000 characters").describe("published on the site page with the suggestion"),
  note: z.string().trim().max(1000, "must be at most 1000 characters").optional().describe("internal note, never published"),
  version: z.number().int().min(1).optional(),
});

async function feedbackForCaller(c: Context<AppEnv>, id: number, permission: "feedback.read" | "feedback.moderate" | "feedback.answer"): Promise<{ p: Principal; f: FeedbackRow }> {
  const p = requirePermission(c.get("principal"), permission);
  const { db, regions } = c.get("deps");
  await regions.ready();
  const f = await loadFeedback(db, id);
  assertSiteScope(p, f, regions);
  return { p, f };
}

const checkVersion = (f: FeedbackRow, version: number | undefined) => {
  if (version !== undefined && version !== Number(f.version))
    throw conflict(`the feedback changed since you read it (version ${f.version}, not ${version}); reload it`, { currentVersion: Number(f.version) });
};

export const feedbackRoutes = new Hono<AppEnv>()
  /** The inbox: oldest waiting first, phones masked, with counts by state and overdue. */
  .get("/", queryOf(InboxQuery), async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.read");
    const deps = c.get("deps");
    const q = c.req.valid("query");
    await deps.regions.ready();
    const area = areaOf(p, q.region, deps);
    const settings = await loadDisclosureSettings(deps.db);
    const today = todayIn(deps.now());
    const cutoff = overdueCutoff(today, settings);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (area) add((n) => `s.region = ANY(${n}::text[])`, area);
    const unit = p.unit ?? q.unit;
    if (unit) add((n) => `p.lead_unit = ${n}`, unit);
    if (q.site) add((n) => `f.site = ${n}`, q.site);
    if (q.project) add((n) => `s.project = ${n}`, q.project);
    const scope = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const { rows: countRows } = await deps.db.query<{ state: string; n: number; overdue: number }>(
      `SELECT f.state, count(*)::int AS n,
              count(*) FILTER (WHERE f.state IN ('pending', 'open') AND f.received_on <= $${params.length + 1})::int AS overdue
         FROM feedback f JOIN project_sites s ON s.code = f.site JOIN projects p ON p.id = s.project ${scope} GROUP BY f.state`,
      [...params, cutoff],
    );
    const counts = { pending: 0, open: 0, answered: 0, rejected: 0, overdue: 0 };
    for (const r of countRows) {
      counts[r.state as FeedbackState] = r.n;
      counts.overdue += r.overdue;
    }
    if (q.state) add((n) => `f.state = ${n}`, q.state);
    if (q.overdue === "true") add((n) => `f.state IN ('pending', 'open') AND f.received_on <= ${n}`, cutoff);
    if (q.overdue === "false") add((n) => `NOT (f.state IN ('pending', 'open') AND f.received_on <= ${n})`, cutoff);
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const { rows: total } = await deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${FEEDBACK_SELECT} ${filter}) x`, params);
    const { rows } = await deps.db.query<FeedbackRow>(
      `${FEEDBACK_SELECT} ${filter}
        ORDER BY CASE f.state WHEN 'pending' THEN 0 WHEN 'open' THEN 1 WHEN 'answered' THEN 2 ELSE 3 END, f.received_at, f.id
        LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    );
    return c.json({ total: total[0]!.n, limit: q.limit, offset: q.offset, today, counts, feedback: rows.map((f) => consoleFeedbackView(f, settings, today)) });
  })
  /** One piece of feedback (phone masked); `mayRevealPhone` says whether you are its answering unit. */
  .get("/:id", paramsOf(FeedbackIdParam), async (c) => {
    const { p, f } = await feedbackForCaller(c, c.req.valid("param").id, "feedback.read");
    const { db, now } = c.get("deps");
    const settings = await loadDisclosureSettings(db);
    const { rows } = f.phone_hmac
      ? await db.query<{ n: number }>("SELECT count(*)::int AS n FROM feedback WHERE phone_hmac = $1 AND id <> $2", [f.phone_hmac, f.id])
      : { rows: [{ n: 0 }] };
    return c.json({ ...consoleFeedbackView(f, settings, todayIn(now())), mayRevealPhone: mayRevealPhone(p, f) && f.phone_sealed !== null, othersFromSamePhone: rows[0]!.n });
  })
  /** Moderation: approve (pending → open) or reject as spam or abuse (pending → rejected). */
  .post("/:id/moderate", paramsOf(FeedbackIdParam), jsonBody(ModerateBody), async (c) => {
    const { p } = await feedbackForCaller(c, c.req.valid("param").id, "feedback.moderate");
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    const id = c.req.valid("param").id;
    await db.transaction(async (tx) => {
      const f = await loadFeedback(tx, id, true);
      checkVersion(f, body.version);
      if (f.state !== "pending")
        throw conflict(`cannot ${body.action} feedback that is ${f.state}: only feedback awaiting moderation (pending) can be approved or rejected`, { state: f.state });
      const at = now();
      const state = body.action === "approve" ? "open" : "rejected";
      await tx.query(
        "UPDATE feedback SET state = $2, moderated_by = $3, moderated_at = $4, reject_reason = $5, version = version + 1 WHERE id = $1",
        [id, state, p.actor, at.toISOString(), body.action === "reject" ? (body.reason ?? "") : null],
      );
      await appendAudit(tx, {
        actor: p.actor,
        action: `feedback.${body.action}`,
        entity: "feedback",
        entityId: String(id),
        before: { state: f.state },
        after: { state, ...(body.action === "reject" ? { reason: body.reason ?? "" } : {}) },
        at,
      });
    });
    const settings = await loadDisclosureSettings(db);
    return c.json(consoleFeedbackView(await loadFeedback(db, id), settings, todayIn(now())));
  })
  /** The answer closes the feedback (rule 10) and is published with it on the site page. */
  .post("/:id/answer", paramsOf(FeedbackIdParam), jsonBody(AnswerBody), async (c) => {
    const { p } = await feedbackForCaller(c, c.req.valid("param").id, "feedback.answer");
    const body = c.req.valid("json");
    const { db, now } = c.get("deps");
    const id = c.req.valid("param").id;
    await db.transaction(async (tx) => {
      const f = await loadFeedback(tx, id, true);
      checkVersion(f, body.version);
      if (f.state !== "open")
        throw conflict(
          `cannot answer feedback that is ${f.state}: ${f.state === "pending" ? "approve it in moderation first" : f.state === "answered" ? "it is already answered" : "rejected feedback is not answered"}`,
          { state: f.state },
        );
      const at = now();
      await tx.query(
        "UPDATE feedback SET state = 'answered', answer = $2, internal_note = $3, answered_by = $4, answered_at = $5, answered_on = $6, version = version + 1 WHERE id = $1",
        [id, body.answer, body.note ?? null, p.actor, at.toISOString(), todayIn(at)],
      );
      await appendAudit(tx, { actor: p.actor, action: "feedback.answer", entity: "feedback", entityId: String(id), before: { state: f.state }, after: { state: "answered", answer: body.answer, note: body.note ?? null }, at });
    });
    const settings = await loadDisclosureSettings(db);
    return c.json(consoleFeedbackView(await loadFeedback(db, id), settings, todayIn(now())));
  })
  /** The phone number in clear, for the answering unit only; every reveal is written to the audit log. */
  .post("/:id/phone", paramsOf(FeedbackIdParam), async (c) => {
    const { p, f } = await feedbackForCaller(c, c.req.valid("param").id, "feedback.answer");
    if (!mayRevealPhone(p, f)) throw forbidden("only the answering unit (the project's lead unit or the site's own office) may see the number");
    if (f.phone_sealed === null) throw notFound("a phone number for this feedback");
    const deps = c.get("deps");
    const phone = secretsOf(deps).openPhone(f.phone_sealed);
    await deps.db.transaction((tx) =>
      appendAudit(tx, { actor: p.actor, action: "feedback.phone.reveal", entity: "feedback", entityId: f.id, after: { ticket: f.ticket, masked: f.phone_masked }, at: deps.now() }),
    );
    c.header("Cache-Control", "no-store");
    return c.json({ id: Number(f.id), ticket: f.ticket, phone });
  })
  /** The citizen's photo, for staff in scope (never public). */
  .get("/:id/photo", paramsOf(FeedbackIdParam), async (c) => {
    const { f } = await feedbackForCaller(c, c.req.valid("param").id, "feedback.read");
    const { db, storage } = c.get("deps");
    const { rows } = await db.query<{ storage_key: string; media_type: string; sha256: string }>(
      "SELECT storage_key, media_type, sha256 FROM site_files WHERE feedback_id = $1 ORDER BY uploaded_at LIMIT 1",
      [f.id],
    );
    if (!rows[0]) throw notFound("a photo of this feedback");
    const stored = await storage.get(rows[0].storage_key);
    if (!stored) throw notFound("the photo file");
    const bytes = servedWithoutMetadata(stored, rows[0].media_type);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": rows[0].media_type,
      "Content-Length": String(bytes.byteLength),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    });
  });
