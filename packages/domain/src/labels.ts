/**
 * The Chinese names (中文名称) of the domain's enums, once, for the API, the console, the 码上通 site
 * and the bulletins. Type-only imports: importing `@minsheng/domain/labels` brings no zod and no
 * Effect into a browser bundle.
 */
import type { DisclosureBand, DisclosureObligation } from "./disclosure.js";
import type { FeedbackKind, FeedbackState } from "./feedback.js";
import type { LetterKind, LetterState } from "./letter.js";
import type { ObservationKind, ObservationState } from "./observer.js";
import type { PlanLevel, RegionLevel } from "./plan.js";
import type { Status } from "./status.js";
import type { CandidateSource, CandidateState, CongressLevel } from "./candidate.js";
import type { LookbackConclusion, SatisfactionRating } from "./survey.js";
import type { ReportState } from "./verification.js";

export type { CandidateSource, CandidateState, CongressLevel, LookbackConclusion };
export type { DisclosureBand, DisclosureObligation, FeedbackKind, FeedbackState, LetterKind, LetterState, ObservationKind, ObservationState, PlanLevel, RegionLevel, ReportState, SatisfactionRating, Status };

/** 进度状态: completed 已完成全年目标 / on_schedule 按序时推进 / behind 未达序时. */
export const statusLabel: Readonly<Record<Status, string>> = {
  completed: "已完成",
  on_schedule: "按序时推进",
  behind: "未达序时",
};

/**
 * The same statuses in few characters, where a count follows the word (an item's projects in the
 * console's drill-down: "已完成 2 · 按序时 5 · 未达序时 1", the issued bulletins' overview).
 */
export const statusShortLabel: Readonly<Record<Status, string>> = {
  completed: "已完成",
  on_schedule: "按序时",
  behind: "未达序时",
};

/** 信息公开等次, as seed 003 prints them (disclosure.ts re-exports this one). */
export const disclosureBandLabel: Readonly<Record<DisclosureBand, string>> = { good: "好", fair: "较好", poor: "较差" };

/**
 * An obligation itself (信息公开考核项), as the checklist names it; what a site missed is
 * disclosure.ts's `disclosureObligationLabel` (政策文件未公开 …).
 */
export const disclosureObligationName: Readonly<Record<DisclosureObligation, string>> = {
  policyDocument: "政策文件公开",
  localisedContent: "建设内容和建设要求本地化更新",
  monthlyWorkUpdate: "每月发布工作动态",
  answeredInTime: "群众意见建议按时答复",
};

/** 意见建议的类型. */
export const feedbackKindLabel: Readonly<Record<FeedbackKind, string>> = {
  suggestion: "建议",
  complaint: "投诉",
  question: "咨询",
  praise: "表扬",
};

/** 意见建议的办理状态. */
export const feedbackStateLabel: Readonly<Record<FeedbackState, string>> = {
  pending: "待审核",
  open: "办理中",
  answered: "已答复",
  rejected: "不予受理",
};

/** 满意度测评. */
export const satisfactionLabel: Readonly<Record<SatisfactionRating, string>> = {
  satisfied: "满意",
  basically_satisfied: "基本满意",
  dissatisfied: "不满意",
};

/** 候选项目的来源. */
export const candidateSourceLabel: Readonly<Record<CandidateSource, string>> = { public: "群众征集", department: "部门申报", deputy: "代表建议" };

/** 候选项目的状态 (征集 → 初选). */
export const candidateStateLabel: Readonly<Record<CandidateState, string>> = {
  pending: "待审核",
  proposed: "待初选",
  adopted: "采纳为候选项目",
  declined: "不予采纳",
  merged: "已合并",
  rejected: "不予受理",
};

/** 票决的人民代表大会层级. */
export const congressLevelLabel: Readonly<Record<CongressLevel, string>> = { province: "省人大", city: "市人大", county: "县（市区）人大", township: "乡镇人大" };

/** 回头看的结论. */
export const lookbackConclusionLabel: Readonly<Record<LookbackConclusion, string>> = { met: "达到预期", mostly_met: "基本达到", not_met: "未达到" };

/** 月报 (填报 → 核验) states. */
export const reportStateLabel: Readonly<Record<ReportState, string>> = {
  draft: "草稿",
  submitted: "待核验",
  verified: "已核验",
  reduced: "已核减",
  returned: "已退回",
};

/** 督办函件. */
export const letterKindLabel: Readonly<Record<LetterKind, string>> = {
  reminder: "温馨提示函",
  work_notice: "工作提示函",
  notice: "提醒函",
  assignment: "交办函",
  warning: "预警通知",
};

/** 函件办理状态 (rule 11). */
export const letterStateLabel: Readonly<Record<LetterState, string>> = {
  draft: "草稿",
  issued: "待签收",
  acknowledged: "已签收待答复",
  answered: "已答复待销号",
  accepted: "已销号",
  returned: "已退回重办",
};

/** 观察员报送的类型 (rule 12, "四个一"). */
export const observationKindLabel: Readonly<Record<ObservationKind, string>> = {
  information: "观察信息",
  suggestion: "意见建议",
  inspection: "专项检查",
  report: "调研材料",
};

/** The fields observers come from (seed 001), offered as choices; any other text is allowed. */
export const OBSERVER_BACKGROUNDS = ["党代表", "人大代表", "政协委员", "村（社区）干部", "新闻媒体从业者", "教师", "律师", "受益群众"] as const;
/** The groups by field seed 001 names (33 observers in 6 groups); the task force may name others. */
export const OBSERVER_GROUPS = ["民生保障组", "城市建设组", "乡村振兴组", "生态环境组", "安全生产组", "综合组"] as const;

/** 观察信息的分办结果. */
export const observationStateLabel: Readonly<Record<ObservationState, string>> = {
  submitted: "待分办",
  no_action: "不予交办",
  forwarded: "已转责任单位",
  letter: "已发函督办",
};

/** The level that issued a plan: 省定 / 市定 / 县定. */
export const planLevelLabel: Readonly<Record<PlanLevel, string>> = { province: "省定", city: "市定", county: "县定" };

/** 行政区划级别. */
export const regionLevelLabel: Readonly<Record<RegionLevel, string>> = {
  nation: "全国",
  province: "省级",
  city: "市级",
  city_self: "市本级",
  county: "县级",
  zone: "功能区",
  township: "乡镇",
};

/**
 * Roles of the platform's users. Staff are the task force (工作专班) at a level; a reporter reports
 * for a unit or county (责任单位填报员); a reviewer verifies evidence (核验员); an observer
 * inspects (观察员). Administration is split three ways (三员分立, 等保 2.0 level 3). What each
 * role may do is the API's (apps/api/src/auth/roles.ts).
 */
export const ROLES = ["admin", "security_admin", "audit_admin", "staff_province", "staff_city", "staff_county", "reporter", "reviewer", "observer"] as const;
export type Role = (typeof ROLES)[number];

export const roleLabel: Readonly<Record<Role, string>> = {
  admin: "系统管理员",
  security_admin: "安全管理员",
  audit_admin: "审计管理员",
  staff_province: "省级专班",
  staff_city: "市级专班",
  staff_county: "县级专班",
  reporter: "填报员",
  reviewer: "核验员",
  observer: "观察员",
};

/** What a project site publishes (rule 6): 政策文件, 本地化更新, 工作动态. */
export const CONTENT_KINDS = ["policy", "localised", "update"] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export const contentKindLabel: Readonly<Record<ContentKind, string>> = { policy: "政策文件", localised: "本地化更新", update: "工作动态" };
