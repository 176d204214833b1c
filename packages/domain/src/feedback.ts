import { z } from "zod";
import { FEEDBACK_KINDS, FEEDBACK_TEXT_MAX, FEEDBACK_TEXT_MIN, MOBILE_PHONE_PATTERN } from "./feedback-rules.js";
import { Id } from "./plan.js";
import { Rational } from "./rational.js";

/** 意见建议 from the public page: a suggestion, complaint, question or praise. */
export const FeedbackKind = z.enum(FEEDBACK_KINDS);
export type FeedbackKind = z.infer<typeof FeedbackKind>;

/** Mainland mobile number; only ever stored encrypted and shown masked (138****5678). */
export const MobilePhone = z.string().regex(MOBILE_PHONE_PATTERN, "must be an 11-digit mainland mobile number");

/** What a citizen submits. Text is plain text and is always rendered as text, never as HTML. */
export const FeedbackSubmission = z.object({
  kind: FeedbackKind,
  text: z.string().trim().min(FEEDBACK_TEXT_MIN, `must be at least ${FEEDBACK_TEXT_MIN} characters`).max(FEEDBACK_TEXT_MAX, `must be at most ${FEEDBACK_TEXT_MAX} characters`),
  phone: MobilePhone.optional(),
});
export type FeedbackSubmission = z.infer<typeof FeedbackSubmission>;

/** pending → (moderation) → open → answered; rejected when moderation finds spam or abuse. */
export const FeedbackState = z.enum(["pending", "open", "answered", "rejected"]);
export type FeedbackState = z.infer<typeof FeedbackState>;

export const Feedback = FeedbackSubmission.extend({
  ticket: z.string(),
  project: Id,
  region: z.string(),
  state: FeedbackState,
  receivedOn: z.string(),
  answer: z.string().nullable(),
  answeredOn: z.string().nullable(),
});
export type Feedback = z.infer<typeof Feedback>;

/** Masks a mobile number for any view but the answering unit's: 13812345678 → 138****5678. */
export const maskPhone = (phone: string): string =>
  phone.length >= 7 ? `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}` : "*".repeat(phone.length);

/** Rule 10: feedback is closed only by an answer; 处理率 = answered ÷ received (1 when none). */
export function processingRate(received: number, answered: number): number {
  if (received === 0) return 1;
  return Rational.round(Rational.of(answered, received), 4);
}
