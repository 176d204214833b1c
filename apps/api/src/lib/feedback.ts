import { addWorkingDays, chinaDate, type FeedbackKind, feedbackKindLabel, type FeedbackState, feedbackStateLabel } from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";
import type { Principal } from "../auth/principal.js";
import { iso } from "./content.js";
import { notFound } from "./errors.js";
import { calendarOf, type DisclosureSettings } from "./settings.js";
import type { SiteRow } from "./sites.js";

/**
 * 意见建议 (rule 10): a citizen's suggestion waits in moderation (pending), is opened or rejected as
 * spam, and is closed only by an answer. The phone number is sealed at rest; every view shows it
 * masked (138****5678); only the answering unit may reveal it, and that is audited.
 */

export { feedbackStateLabel };

export interface FeedbackRow {
  id: string;
  ticket: string;
  site: string;
  kind: FeedbackKind;
  text: string;
  phone_sealed: string | null;
  phone_hmac: string | null;
  phone_masked: string | null;
  state: FeedbackState;
  received_at: string | Date;
  received_on: string;
  moderated_by: string | null;
  moderated_at: string | Date | null;
  reject_reason: string | null;
  answer: string | null;
  internal_note: string | null;
  answered_by: string | null;
  answered_at: string | Date | null;
  answered_on: string | null;
  version: number;
  // joined
  project: string;
  region: string;
  project_title: string;
  lead_unit: string;
  unit_name: string;
  region_name: string;
  photo_id: string | null;
}

export const FEEDBACK_SELECT = `
  SELECT f.id, f.ticket, f.site, f.kind, f.text, f.phone_sealed, f.phone_hmac, f.phone_masked, f.state, f.received_at, f.received_on,
         f.moderated_by, f.moderated_at, f.reject_reason, f.answer, f.internal_note, f.answered_by, f.answered_at, f.answered_on, f.version,
         s.project, s.region, p.title AS project_title, p.lead_unit, u.name AS unit_name, r.name AS region_name,
         (SELECT id FROM site_files sf WHERE sf.feedback_id = f.id ORDER BY uploaded_at LIMIT 1) AS photo_id
    FROM feedback f
    JOIN project_sites s ON s.code = f.site
    JOIN projects p ON p.id = s.project
    JOIN units u ON u.id = p.lead_unit
    JOIN regions r ON r.code = s.region`;

export async function loadFeedback(db: Queryable, id: number, lock = false): Promise<FeedbackRow> {
  const { rows } = await db.query<FeedbackRow>(`${FEEDBACK_SELECT} WHERE f.id = $1`, [id]);
  if (!rows[0]) throw notFound(`feedback ${id}`);
  if (lock) await db.query("SELECT id FROM feedback WHERE id = $1 FOR UPDATE", [id]);
  return rows[0];
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

