/**
 * What a citizen's suggestion (意见建议) must be, without zod: the 码上通 form checks it on the phone
 * before sending, and feedback.ts builds the server's zod schema from the same limits.
 * test/feedback-rules.test.ts checks that the two agree.
 */

/** The kinds a citizen may choose: 建议 / 投诉 / 咨询 / 表扬. */
export const FEEDBACK_KINDS = ["suggestion", "complaint", "question", "praise"] as const;

/** Text length after trimming, in UTF-16 code units (as String.length and zod count). */
export const FEEDBACK_TEXT_MIN = 5;
export const FEEDBACK_TEXT_MAX = 2000;

/** Mainland mobile number (11 digits, 13x-19x). */
export const MOBILE_PHONE_PATTERN = /^1[3-9]\d{9}$/;

export type FeedbackTextProblem = "too_short" | "too_long";

/** Why a suggestion's text would be refused, or null when it is accepted. */
export function feedbackTextProblem(text: string): FeedbackTextProblem | null {
  const n = text.trim().length;
  return n < FEEDBACK_TEXT_MIN ? "too_short" : n > FEEDBACK_TEXT_MAX ? "too_long" : null;
}

/** An optional phone: absent, or a mainland mobile number. */
export const isMobilePhone = (phone: string): boolean => MOBILE_PHONE_PATTERN.test(phone);

/**
 * What is kept of text people type (suggestions, proposals, questions, answers): line breaks become
 * "\n"; control characters other than line breaks and tabs, zero-width and bidirectional marks are
 * dropped (they hide or reorder what a reader sees). Trimming is the caller's choice.
 */
export function cleanTypedText(s: string): string {
  // oxlint-disable-next-line no-control-regex -- matching control characters is the point: they are removed
  return s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, "");
}
