import { FeedbackKind, FeedbackState } from "@minsheng/domain";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { servedWithoutMetadata } from "../lib/image-metadata.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { loadDisclosureSettings } from "../lib/settings.js";
import { RegionCode } from "../lib/region-code.js";
import { Day, SiteCode, Timestamp } from "../sites/schemas.js";
import { areaOf } from "../sites/service.js";
import { inbox, othersFromSamePhone, photoOf } from "./data.js";
import { answer, consoleFeedbackView, feedbackFor, feedbackView, mayRevealPhone, moderate, overdueCutoff, revealPhone, todayIn } from "./service.js";

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

const FeedbackView = z.object({
  id: z.number().int(),
  ticket: z.string(),
  site: z.object({
    code: z.string(),
    project: z.object({ id: z.string(), title: z.string() }),
    region: z.object({ code: z.string(), name: z.string() }),
    unit: z.object({ id: z.string(), name: z.string() }),
  }),
  kind: FeedbackKind,
  kindLabel: z.string(),
  text: z.string(),
  phone: z.string().nullable().describe("always masked: 138****5678"),
  hasPhone: z.boolean(),
  photo: z.string().nullable(),
  state: FeedbackState,
  stateLabel: z.string(),
  receivedAt: Timestamp,
  receivedOn: Day,
  dueOn: Day.describe("reply deadline: the configured working days after receipt"),
  overdue: z.boolean(),
  answeredLate: z.boolean(),
  moderatedBy: z.string().nullable(),
  moderatedAt: Timestamp.nullable(),
  rejectReason: z.string().nullable(),
  answer: z.string().nullable(),
  internalNote: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answeredAt: Timestamp.nullable(),
  answeredOn: Day.nullable(),
  version: z.number().int(),
});
const Inbox = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  today: Day,
  counts: z.object({ pending: z.number().int(), open: z.number().int(), answered: z.number().int(), rejected: z.number().int(), overdue: z.number().int() }),
  feedback: z.array(FeedbackView),
});

const areaScope = "`region` (your area by default) must lie within your area; a reporter tied to a unit sees only that unit's projects";
const feedbackScope = "the feedback's site must lie within your area (a unit's reporter: its unit's projects)";

export const feedbackInboxOp = defineOperation({
  tag: "feedback", method: "get", path: "/", operationId: "feedbackInbox", access: "feedback.read",
  summary: ["意见建议收件箱", "Inbox: citizens' feedback with reply deadline and overdue flag (phones masked)"],
  scope: areaScope,
  query: InboxQuery, examples: { state: "pending" },
  success: { status: 200, description: "a page of feedback, oldest waiting first, with counts", schema: Inbox },
  errors: [404],
});

export const getFeedbackOp = defineOperation({
  tag: "feedback", method: "get", path: "/{id}", operationId: "getFeedback", access: "feedback.read",
  summary: ["意见建议详情", "One piece of feedback (phone masked)"],
  scope: feedbackScope,
  params: FeedbackIdParam,
  success: { status: 200, description: "the feedback", schema: FeedbackView.extend({ mayRevealPhone: z.boolean(), othersFromSamePhone: z.number().int() }) },
});

export const moderateFeedbackOp = defineOperation({
  tag: "feedback", method: "post", path: "/{id}/moderate", operationId: "moderateFeedback", access: "feedback.moderate",
  summary: ["审核意见建议", "Moderation: approve (→ open) or reject as spam"],
  scope: feedbackScope,
  params: FeedbackIdParam, body: ModerateBody, bodyExample: { action: "approve" },
  success: { status: 200, description: "the feedback", schema: FeedbackView },
  errors: [409],
});

export const answerFeedbackOp = defineOperation({
  tag: "feedback", method: "post", path: "/{id}/answer", operationId: "answerFeedback", access: "feedback.answer",
  summary: ["答复意见建议", "Answer (closes it; published with the suggestion, rule 10)"],
  scope: feedbackScope,
  params: FeedbackIdParam, body: AnswerBody, bodyExample: { answer: "已协调解决。" },
  success: { status: 200, description: "the answered feedback", schema: FeedbackView },
  errors: [409],
});

export const revealFeedbackPhoneOp = defineOperation({
  tag: "feedback", method: "post", path: "/{id}/phone", operationId: "revealFeedbackPhone", access: "feedback.answer",
  summary: ["查看联系电话", "The phone number in clear, for the answering unit only (audited)"],
  scope: `${feedbackScope}; and you are its answering unit: the project's lead unit or the office of the site's own region (never an administrator: PIPL need to know)`,
  notFor: ["admin"],
  params: FeedbackIdParam,
  success: { status: 200, description: "the number (Cache-Control: no-store)", schema: z.object({ id: z.number().int(), ticket: z.string(), phone: z.string() }) },
});

export const feedbackPhotoOp = defineOperation({
  tag: "feedback", method: "get", path: "/{id}/photo", operationId: "feedbackPhoto", access: "feedback.read",
  summary: ["意见建议照片", "The citizen's photo (never public)"],
  scope: feedbackScope,
  params: FeedbackIdParam,
  success: { status: 200, description: "the image", media: "image/*" },
});

export const feedbackRoutes = router()
  /** The inbox: oldest waiting first, phones masked, with counts by state and overdue. */
  .openapi(feedbackInboxOp, async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.read");
    const deps = c.get("deps");
    const q = c.req.valid("query");
    await deps.regions.ready();
    const area = areaOf(p, q.region, deps);
    const settings = await loadDisclosureSettings(deps.db);
    const today = todayIn(deps.now());
    const cutoff = overdueCutoff(today, settings);
    const { total, rows, counts } = await inbox(deps.db, {
      area,
      unit: p.unit ?? q.unit,
      site: q.site,
      project: q.project,
      state: q.state,
      overdue: q.overdue,
      cutoff,
      limit: q.limit,
      offset: q.offset,
    });
    return c.json({ total, limit: q.limit, offset: q.offset, today, counts, feedback: rows.map((f) => consoleFeedbackView(f, settings, today)) }, 200);
  })
  /** One piece of feedback (phone masked); `mayRevealPhone` says whether you are its answering unit. */
  .openapi(getFeedbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.read");
    const deps = c.get("deps");
    const f = await feedbackFor(p, deps, c.req.valid("param").id);
    const settings = await loadDisclosureSettings(deps.db);
    const others = await othersFromSamePhone(deps.db, f);
    return c.json({ ...consoleFeedbackView(f, settings, todayIn(deps.now())), mayRevealPhone: mayRevealPhone(p, f) && f.phone_sealed !== null, othersFromSamePhone: others }, 200);
  })
  /** Moderation: approve (pending → open) or reject as spam or abuse (pending → rejected). */
  .openapi(moderateFeedbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.moderate");
    const deps = c.get("deps");
    const { id } = c.req.valid("param");
    await feedbackFor(p, deps, id);
    await moderate(deps, p.actor, id, c.req.valid("json"));
    return c.json(await feedbackView(deps, id), 200);
  })
  /** The answer closes the feedback (rule 10) and is published with it on the site page. */
  .openapi(answerFeedbackOp, async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.answer");
    const deps = c.get("deps");
    const { id } = c.req.valid("param");
    await feedbackFor(p, deps, id);
    await answer(deps, p.actor, id, c.req.valid("json"));
    return c.json(await feedbackView(deps, id), 200);
  })
  /** The phone number in clear, for the answering unit only; every reveal is written to the audit log. */
  .openapi(revealFeedbackPhoneOp, async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.answer");
    const deps = c.get("deps");
    const f = await feedbackFor(p, deps, c.req.valid("param").id);
    const phone = await revealPhone(p, deps, f);
    c.header("Cache-Control", "no-store");
    return c.json({ id: Number(f.id), ticket: f.ticket, phone }, 200);
  })
  /** The citizen's photo, for staff in scope (never public). */
  .openapi(feedbackPhotoOp, async (c) => {
    const p = requirePermission(c.get("principal"), "feedback.read");
    const deps = c.get("deps");
    const f = await feedbackFor(p, deps, c.req.valid("param").id);
    const photo = await photoOf(deps.db, f.id);
    if (!photo) throw fail("FEEDBACK_NO_PHOTO");
    const stored = await deps.storage.get(photo.storage_key);
    if (!stored) throw fail("FEEDBACK_PHOTO_FILE_MISSING");
    const bytes = servedWithoutMetadata(stored, photo.media_type);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": photo.media_type,
      "Content-Length": String(bytes.byteLength),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    });
  });
