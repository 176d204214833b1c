import { chineseDate } from "@minsheng/domain/calendar";
import { FEEDBACK_TEXT_MAX, FEEDBACK_TEXT_MIN, feedbackTextProblem, isMobilePhone } from "@minsheng/domain/feedback-rules";
import { fractionPercent, roundHalfUp } from "@minsheng/domain/round";
import { ApiProblem, type Problem } from "./api";

// Labels, rounding, months and the suggestion's rules are the domain's (light entries: no zod in
// the phone's script); this file only words them for the page.

/** 94.44 → "94.44%"; whole numbers without decimals (75 → "75%"). */
export const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? "—" : `${roundHalfUp(v, 2)}%`);

/** A figure with its unit: 3450 个 / 467.036 公里 (milestones already read as percent). */
export const amount = (v: number | null | undefined, unit: string): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const n = roundHalfUp(v, 3).toLocaleString("zh-CN", { maximumFractionDigits: 3 });
  return unit === "%" ? `${n}%` : `${n} ${unit}`;
};

/** "2024-09" → "2024年9月"; "2024-09-30" → "2024年9月30日"; nothing → "". */
export const cnDate = (s: string | null | undefined): string => (s ? chineseDate(s) : "");

/**
 * Geometry of the schedule bar: the filled share (capped at 100%) and where the 序时 marker sits,
 * both in percent of the bar's width.
 */
export function barGeometry(progress: number | null, due: number | null): { fill: number; marker: number | null; over: boolean } {
  const clamp = (v: number) => Math.max(0, Math.min(100, v));
  return { fill: progress === null ? 0 : clamp(progress), marker: due === null ? null : clamp(due), over: progress !== null && progress > 100 };
}

const FIELD_NAMES: Record<string, string> = { kind: "类型", text: "内容", phone: "手机号码", photo: "照片" };

/** A server message about one field, in Chinese where we know it. */
export function fieldMessage(field: string, message: string): string {
  const m = message.toLowerCase();
  if (field === "text") {
    const min = /at least (\d+)/.exec(m);
    if (min) return `请至少填写 ${min[1]} 个字`;
    const max = /at most (\d+)/.exec(m);
    if (max) return `内容不能超过 ${max[1]} 个字`;
    if (m.includes("required") || m.includes("expected string")) return "请填写内容";
  }
  if (field === "phone") return "请填写 11 位中国大陆手机号码，或留空";
  if (field === "kind") return "请选择类型";
  // a photo is cleaned of its location data (EXIF) on upload: a damaged one cannot be
  if (field === "photo") return m.includes("damaged") ? "照片已损坏，无法读取，请重新拍摄或选择其他照片" : "照片须为 JPEG、PNG、GIF 或 WebP 图片";
  return `${FIELD_NAMES[field] ?? field}：${message}`;
}

/** Problems of a 400 answer by form field: "$.text" → text. */
export function problemsByField(problems: Problem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const field = p.path.replace(/^\$\.?/, "").split(/[.[]/)[0] || "form";
    if (!out[field]) out[field] = field === "form" ? p.message : fieldMessage(field, p.message);
  }
  return out;
}

/** A friendly sentence for an error of the suggestion form (field problems are shown by the fields). */
export function feedbackError(e: unknown): string {
  if (!(e instanceof ApiProblem)) return "提交失败，请稍后重试";
  switch (e.status) {
    case 0:
      return e.message;
    case 400:
      return "请检查标红的内容后再提交";
    case 404:
      return "未找到该项目，请重新扫码";
    case 409:
      return "相同内容已在 24 小时内提交过，请勿重复提交；可凭提交时获得的工单号查询答复";
    case 413:
      return "照片太大，请选择 5 MB 以内的照片";
    case 415:
      return "照片须为 JPEG、PNG、GIF 或 WebP 图片";
    case 429:
      return e.retryAfter ? `提交太频繁了，请 ${waitText(e.retryAfter)}后再试` : "提交太频繁了，请稍后再试";
    default:
      return "提交失败，请稍后重试";
  }
}

export function ratingError(e: unknown): string {
  if (e instanceof ApiProblem && e.status === 409) return "您今天已经评价过该项目，感谢参与";
  if (e instanceof ApiProblem && e.status === 429) return "评价太频繁了，请稍后再试";
  if (e instanceof ApiProblem && e.status === 0) return e.message;
  return "评价未成功，请稍后重试";
}

export const waitText = (seconds: number): string => (seconds < 60 ? `${Math.ceil(seconds)} 秒` : `${Math.ceil(seconds / 60)} 分钟`);

/** The server's checks (the domain's feedback rules) before sending, and the photo's. */
export function checkFeedback(input: { text: string; phone: string; photo: File | null }, maxPhotoBytes = 5 * 1024 * 1024): Record<string, string> {
  const out: Record<string, string> = {};
  const text = feedbackTextProblem(input.text);
  if (text === "too_short") out.text = `请至少填写 ${FEEDBACK_TEXT_MIN} 个字`;
  else if (text === "too_long") out.text = `内容不能超过 ${FEEDBACK_TEXT_MAX} 个字`;
  const phone = input.phone.replace(/[\s-]/g, "");
  if (phone !== "" && !isMobilePhone(phone)) out.phone = "请填写 11 位中国大陆手机号码，或留空";
  if (input.photo) {
    if (!/^image\/(jpeg|png|gif|webp)$/.test(input.photo.type)) out.photo = "照片须为 JPEG、PNG、GIF 或 WebP 图片";
    else if (input.photo.size > maxPhotoBytes) out.photo = "照片太大，请选择 5 MB 以内的照片";
  }
  return out;
}

export const TICKET = /^[0-9A-HJKMNP-TV-Z]{12}$/;
export const SITE_CODE = /^[0-9A-HJKMNP-TV-Z]{8}$/;
/**
 * What people type or a scanner passes on: lower case, spaces and dashes, O for 0 and I/L for 1
 * (site codes and tickets are Crockford base32, which has no I, L, O or U).
 */
export const normaliseCode = (s: string) => s.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
export const normaliseTicket = normaliseCode;

/**
 * A link from published content, only when it is http(s) or one of our own paths: a
 * `javascript:` or `data:` URL typed into a document's link must never become clickable.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  const u = url.trim();
  if (/^\/(?!\/)/.test(u)) return u;
  return /^https?:\/\/[^\s/]+/i.test(u) ? u : null;
}

/** 1536 → "1.5 KB"; 2621440 → "2.5 MB". */
export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
}

/** "收到 3 条，已答复 2 条，处理率 66.67%"; the rate is a fraction from the API (answered ÷ received). */
export function processingText(c: { suggestionsReceived: number; suggestionsAnswered: number; processingRate: number }): string {
  if (c.suggestionsReceived === 0) return "暂未收到意见建议";
  return `收到 ${c.suggestionsReceived} 条，已答复 ${c.suggestionsAnswered} 条，处理率 ${pct(fractionPercent(c.processingRate))}`;
}
