import { addWorkingDays, chinaDate, feedbackKindLabel, feedbackStateLabel } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { calendarOf, type DisclosureSettings, loadDisclosureSettings } from "../lib/settings.js";
import { iso, type SiteRow } from "../sites/data.js";
import { assertSiteScope, secretsOf } from "../sites/service.js";
import { type FeedbackRow, findFeedback, setAnswer, setModeration } from "./data.js";

/**
 * 意见建议 (rule 10): a citizen's suggestion waits in moderation (pending), is opened or rejected as
 * spam, and is closed only by an answer. The phone number is sealed at rest; every view shows it
 * masked (138****5678); only the answering unit may reveal it, and that is audited.
 */

export { feedbackStateLabel };
export type { FeedbackRow };

export async function loadFeedback(db: Queryable, id: number, lock = false): Promise<FeedbackRow> {
  const f = await findFeedback(db, id, lock);
  if (!f) throw fail("FEEDBACK_NOT_FOUND", { id });
  return f;
}

/** A piece of feedback for a caller (the permission checked by the route), within the caller's scope. */
export async function feedbackFor(p: Principal, deps: Deps, id: number): Promise<FeedbackRow> {
  await deps.regions.ready();
  const f = await loadFeedback(deps.db, id);
  assertSiteScope(p, f, deps.regions);
  return f;
}

/** The reply deadline: the configured working days after the day it was received (China time). */
export const dueOn = (receivedOn: string, settings: DisclosureSettings): string => addWorkingDays(receivedOn, settings.replyWorkingDays, calendarOf(settings));

/**
 * The latest day of receipt whose deadline has passed by `today`: feedback received on or before
 * it and still unanswered is overdue (the deadline never moves backwards as the receipt day moves on).
 */
export function overdueCutoff(today: string, settings: DisclosureSettings): string {
  const calendar = calendarOf(settings);
  let day = new Date(`${today}T00:00:00Z`).getTime();
  for (let guard = 0; guard < 400; guard++) {
    const d = new Date(day).toISOString().slice(0, 10);
    if (addWorkingDays(d, settings.replyWorkingDays, calendar) < today) return d;
    day -= 86_400_000;
  }
  return "0000-01-01";
}

export const todayIn = (now: Date): string => chinaDate(now.getTime());

/**
 * The answering unit: the project's lead unit, or the office of the site's own region. Nobody else
 * sees the number in clear — not a higher level, not an administrator (PIPL: need to know).
 */
export const mayRevealPhone = (p: Principal, site: Pick<SiteRow, "region" | "lead_unit">): boolean =>
  p.unit !== null ? p.unit === site.lead_unit : p.region !== null && p.region === site.region;

/** What staff and units see: the phone masked, never in clear. */
export function consoleFeedbackView(f: FeedbackRow, settings: DisclosureSettings, today: string) {
  const due = dueOn(f.received_on, settings);
  const waiting = f.state === "pending" || f.state === "open";
  return {
    id: Number(f.id),
    ticket: f.ticket,
    site: { code: f.site, project: { id: f.project, title: f.project_title }, region: { code: f.region, name: f.region_name }, unit: { id: f.lead_unit, name: f.unit_name } },
    kind: f.kind,
    kindLabel: feedbackKindLabel[f.kind],
    text: f.text,
    phone: f.phone_masked,
    hasPhone: f.phone_sealed !== null,
    photo: f.photo_id ? `/api/v1/feedback/${f.id}/photo` : null,
    state: f.state,
    stateLabel: feedbackStateLabel[f.state],
    receivedAt: iso(f.received_at)!,
    receivedOn: f.received_on,
    dueOn: due,
    overdue: waiting && today > due,
    answeredLate: f.answered_on !== null && f.answered_on > due,
    moderatedBy: f.moderated_by,
    moderatedAt: iso(f.moderated_at),
    rejectReason: f.reject_reason,
    answer: f.answer,
    internalNote: f.internal_note,
    answeredBy: f.answered_by,
    answeredAt: iso(f.answered_at),
    answeredOn: f.answered_on,
    version: Number(f.version),
  };
}
export type ConsoleFeedbackView = ReturnType<typeof consoleFeedbackView>;

/** The console's view of a piece of feedback as it is now. */
export async function feedbackView(deps: Deps, id: number): Promise<ConsoleFeedbackView> {
  const settings = await loadDisclosureSettings(deps.db);
  return consoleFeedbackView(await loadFeedback(deps.db, id), settings, todayIn(deps.now()));
}

/** What the ticket holder sees: status and answer, never the phone, no names, no internal note. */
export const ticketView = (f: FeedbackRow, settings: DisclosureSettings) => ({
  ticket: f.ticket,
  site: { code: f.site, project: f.project_title, region: f.region_name },
  kind: f.kind,
  kindLabel: feedbackKindLabel[f.kind],
  text: f.text,
  state: f.state,
  stateLabel: feedbackStateLabel[f.state],
  receivedOn: f.received_on,
  dueOn: dueOn(f.received_on, settings),
  answer: f.state === "answered" ? f.answer : null,
  answeredOn: f.state === "answered" ? f.answered_on : null,
});

const checkVersion = (f: FeedbackRow, version: number | undefined) => {
  const current = Number(f.version);
  if (version !== undefined && version !== current) throw new CodedError("FEEDBACK_VERSION_STALE", { current, version }, undefined, [], { currentVersion: current });
};

/** Moderation: approve (pending → open) or reject as spam or abuse (pending → rejected), audited. */
export async function moderate(deps: Deps, actor: string, id: number, m: { action: "approve" | "reject"; reason?: string; version?: number }): Promise<void> {
  const { db, now } = deps;
  await db.transaction(async (tx) => {
    const f = await loadFeedback(tx, id, true);
    checkVersion(f, m.version);
    if (f.state !== "pending") throw new CodedError("FEEDBACK_NOT_PENDING", { state: feedbackStateLabel[f.state] }, undefined, [], { state: f.state });
    const at = now();
    const state = m.action === "approve" ? "open" : "rejected";
    await setModeration(tx, id, { state, by: actor, at, rejectReason: m.action === "reject" ? (m.reason ?? "") : null });
    await appendAudit(tx, {
      actor,
      action: `feedback.${m.action}`,
      entity: "feedback",
      entityId: String(id),
      before: { state: f.state },
      after: { state, ...(m.action === "reject" ? { reason: m.reason ?? "" } : {}) },
      at,
    });
  });
}

/** The answer closes the feedback (rule 10) and is published with it on the site page; audited. */
export async function answer(deps: Deps, actor: string, id: number, a: { answer: string; note?: string; version?: number }): Promise<void> {
  const { db, now } = deps;
  await db.transaction(async (tx) => {
    const f = await loadFeedback(tx, id, true);
    checkVersion(f, a.version);
    if (f.state !== "open") {
      const code = f.state === "pending" ? "FEEDBACK_AWAITS_MODERATION" : f.state === "answered" ? "FEEDBACK_ALREADY_ANSWERED" : "FEEDBACK_REJECTED_NOT_ANSWERED";
      throw new CodedError(code, {}, undefined, [], { state: f.state });
    }
    const at = now();
    await setAnswer(tx, id, { answer: a.answer, note: a.note ?? null, by: actor, at, on: todayIn(at) });
    await appendAudit(tx, { actor, action: "feedback.answer", entity: "feedback", entityId: String(id), before: { state: f.state }, after: { state: "answered", answer: a.answer, note: a.note ?? null }, at });
  });
}

/** The phone number in clear, for the answering unit only; every reveal is written to the audit log. */
export async function revealPhone(p: Principal, deps: Deps, f: FeedbackRow): Promise<string> {
  if (!mayRevealPhone(p, f)) throw fail("FEEDBACK_PHONE_NOT_YOURS");
  if (f.phone_sealed === null) throw fail("FEEDBACK_NO_PHONE");
  const phone = secretsOf(deps).openPhone(f.phone_sealed);
  await deps.db.transaction((tx) =>
    appendAudit(tx, { actor: p.actor, action: "feedback.phone.reveal", entity: "feedback", entityId: f.id, after: { ticket: f.ticket, masked: f.phone_masked }, at: deps.now() }),
  );
  return phone;
}
