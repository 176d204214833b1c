import { z } from "zod";
import { Id } from "./plan.js";

/**
 * 督办函件 (rule 11): 温馨提示函 / 工作提示函 / 提醒函 / 交办函 / 预警通知, a notice from a task force to a
 * unit or a region with a deadline for rectification.
 */
export const LetterKind = z.enum(["reminder", "work_notice", "notice", "assignment", "warning"]);
export type LetterKind = z.infer<typeof LetterKind>;

/**
 * Life of a letter: draft → issued (numbered, frozen) → acknowledged (签收) → answered (整改情况
 * reported with evidence) → accepted (销号) or returned (退回, answered again).
 */
export const LetterState = z.enum(["draft", "issued", "acknowledged", "answered", "accepted", "returned"]);
export type LetterState = z.infer<typeof LetterState>;

export const LetterAction = z.enum(["issue", "acknowledge", "reply", "accept", "return"]);
export type LetterAction = z.infer<typeof LetterAction>;

const transitions: Readonly<Record<LetterAction, Partial<Record<LetterState, LetterState>>>> = {
  issue: { draft: "issued" },
  acknowledge: { issued: "acknowledged" },
  // a returned letter is answered again without a second 签收
  reply: { acknowledged: "answered", returned: "answered" },
  accept: { answered: "accepted" },
  return: { answered: "returned" },
};

/** The state an action leads to, or null when the action is not allowed in that state. */
export const nextLetterState = (from: LetterState, action: LetterAction): LetterState | null => transitions[action][from] ?? null;

/** Who acts: the issuing task force (issue, accept, return) or the addressee (acknowledge, reply). */
export const letterActor = (action: LetterAction): "issuer" | "addressee" => (action === "acknowledge" || action === "reply" ? "addressee" : "issuer");

/** Still waiting for the addressee or the issuer: issued and not yet accepted. */
export const isLetterOpen = (state: LetterState): boolean => state !== "draft" && state !== "accepted";

const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

export const Letter = z
  .object({
    id: Id,
    kind: LetterKind,
    /** the unit or region it is addressed to */
    toUnit: Id.optional(),
    toRegion: z.string().optional(),
    project: Id.optional(),
    subject: z.string().trim().min(2).max(200),
    body: z.string().trim().min(2).max(20_000),
    issuedOn: DateText,
    dueOn: DateText,
    rectifiedOn: DateText.nullable().default(null),
  })
  .refine((l) => l.toUnit !== undefined || l.toRegion !== undefined, { message: "must name a unit or a region", path: ["toUnit"] })
  .refine((l) => l.dueOn >= l.issuedOn, { message: "must not be before the issue date", path: ["dueOn"] });
export type Letter = z.infer<typeof Letter>;

/**
 * Rule 11: a letter is overdue when not accepted (销号, `rectifiedOn`) by its deadline: still open
 * after the due date, or accepted after it (counts against the unit's score, rule 8).
 */
export const isLetterOverdue = (letter: Pick<Letter, "dueOn" | "rectifiedOn">, today: string): boolean =>
  letter.rectifiedOn === null ? today > letter.dueOn : letter.rectifiedOn > letter.dueOn;

/** The same from a stored letter's state: a draft is never overdue (it has no deadline yet for anyone). */
export const letterOverdue = (letter: { state: LetterState; dueOn: string; acceptedOn: string | null }, today: string): boolean =>
  letter.state !== "draft" && isLetterOverdue({ dueOn: letter.dueOn, rectifiedOn: letter.state === "accepted" ? letter.acceptedOn : null }, today);

/** Why a deadline is refused: none when it is today or later (a letter cannot be due in the past). */
export const dueOnProblem = (dueOn: string, today: string): string | null =>
  !/^\d{4}-\d{2}-\d{2}$/.test(dueOn) || Number.isNaN(Date.parse(`${dueOn}T00:00:00Z`)) || new Date(`${dueOn}T00:00:00Z`).toISOString().slice(0, 10) !== dueOn
    ? "must be a date YYYY-MM-DD"
    : dueOn < today
      ? `must not be in the past (today is ${today})`
      : null;

/** Short names of provinces in document numbers (湘 for 湖南省); others take their first character. */
const provinceShort: Readonly<Record<string, string>> = {
  北京市: "京", 天津市: "津", 河北省: "冀", 山西省: "晋", 内蒙古自治区: "蒙", 辽宁省: "辽", 吉林省: "吉", 黑龙江省: "黑",
  上海市: "沪", 江苏省: "苏", 浙江省: "浙", 安徽省: "皖", 福建省: "闽", 江西省: "赣", 山东省: "鲁", 河南省: "豫",
  湖北省: "鄂", 湖南省: "湘", 广东省: "粤", 广西壮族自治区: "桂", 海南省: "琼", 重庆市: "渝", 四川省: "川", 贵州省: "黔",
  云南省: "滇", 西藏自治区: "藏", 陕西省: "陕", 甘肃省: "甘", 青海省: "青", 宁夏回族自治区: "宁", 新疆维吾尔自治区: "新",
};

/**
 * The issuer's prefix of a letter number (发文字号): 邵民专班函 for 邵阳市's task force, 湘民专班函 for the
 * province's, 隆回民专班函 for a county's (counties keep two characters, as 隆回县 → 隆回).
 */
export function letterPrefix(issuer: { name: string; level: string }): string {
  const stem = issuer.name.replace(/(自治州|地区|盟|市|县|区|旗)$/, "");
  const short = issuer.level === "province" ? (provinceShort[issuer.name] ?? issuer.name.slice(0, 1)) : issuer.level === "city" ? stem.slice(0, 1) : stem.slice(0, 2) || issuer.name.slice(0, 2);
  return `${short}民专班函`;
}

/** 发文字号: numbered per issuer and year, e.g. 邵民专班函〔2026〕15号. */
export const letterNumber = (prefix: string, year: number, seq: number): string => `${prefix}〔${year}〕${seq}号`;

/**
 * What a letter is about (rule 11): an observer's filing, a citizen's suggestion, an
 * indicator-region behind schedule, or a missing monthly report.
 */
export const LetterSource = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("observation"), id: z.number().int().positive() }),
  z.object({ kind: z.literal("feedback"), id: z.number().int().positive() }),
  z.object({ kind: z.literal("lagging"), indicator: z.string().min(1).max(100), region: z.string().min(1).max(20), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a period YYYY-MM") }),
  z.object({ kind: z.literal("missing_report"), indicator: z.string().min(1).max(100), region: z.string().min(1).max(20), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a period YYYY-MM") }),
]);
export type LetterSource = z.infer<typeof LetterSource>;

/** Counts of the supervision paragraph of a bulletin: filings of the month, letters issued / answered / overdue. */
export interface SupervisionCounts {
  filings: number;
  lettersIssued: number;
  lettersAnswered: number;
  lettersOverdue: number;
}

/** 督办情况: the bulletin's sentence from the counts (none of it when nothing happened). */
export function supervisionSentence(c: SupervisionCounts): string {
  if (c.filings === 0 && c.lettersIssued === 0 && c.lettersOverdue === 0 && c.lettersAnswered === 0) return "";
  const parts = [`本月民生实事观察员报送观察信息${c.filings}条`, `下发督办函件${c.lettersIssued}件`, `已答复整改${c.lettersAnswered}件`];
  return `${parts.join("，")}${c.lettersOverdue > 0 ? `，逾期未销号${c.lettersOverdue}件` : "，无逾期未销号函件"}。`;
}
