import { z } from "zod";
import { Period, PlanYear } from "./period.js";
import { milestoneProblems } from "./schedule-rules.js";

/** Identifier of a record in a plan: letters, digits, '-', '_', '.', ':' (stable in URLs and files). */
export const Id = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "may contain only letters, digits, '-', '_', '.', ':'");
export type Id = z.infer<typeof Id>;

/** Administrative level of a region (行政区划级别). */
export const RegionLevel = z.enum([
  "nation",
  "province",
  "city",
  /** 市本级: the city's own projects, a child of the city beside its counties (code xx01). */
  "city_self",
  "county",
  /** 经开区 / 高新区 and other zones run like a county. */
  "zone",
  "township",
]);
export type RegionLevel = z.infer<typeof RegionLevel>;

/** Region (行政区划). Codes follow GB/T 2260 where one exists. */
export const Region = z.object({
  code: z.string().regex(/^\d{6,12}$/, "must be a 6-12 digit region code (GB/T 2260)"),
  name: z.string().trim().min(1, "must not be empty").max(100),
  level: RegionLevel,
  parent: z.string().nullable(),
});
export type Region = z.infer<typeof Region>;

/** Responsible or leading unit (责任单位 / 牵头单位). */
export const Unit = z.object({
  id: Id,
  name: z.string().trim().min(1, "must not be empty").max(100),
  region: z.string(),
});
export type Unit = z.infer<typeof Unit>;

/** A point of a plan-defined schedule: by the end of `month`, `fraction` of the year's target is due. */
export const SchedulePoint = z.object({
  month: z.number().int().min(1).max(12),
  fraction: z.number().min(0).max(1),
});
export type SchedulePoint = z.infer<typeof SchedulePoint>;

/**
 * Schedule (序时进度): the share of the year's target due by a month.
 * - `linear-monthly`: month ÷ 12.
 * - milestones such as "100% by end of June" ({month: 6, fraction: 1}); between milestones the
 *   due share grows linearly from the previous one (from 0 at the start of the year), or stays at
 *   the previous milestone's share when `interpolation` is `step`.
 */
export const Schedule = z.union([
  z.literal("linear-monthly"),
  z
    .object({
      type: z.literal("milestones"),
      interpolation: z.enum(["linear", "step"]).default("linear"),
      points: z.array(SchedulePoint).min(1, "needs at least one milestone"),
    })
    .superRefine((s, ctx) => {
      // ranges and emptiness are the schemas' above; the order between milestones is schedule-rules.ts's
      for (const p of milestoneProblems(s.points)) {
        if (p.problem === "month_not_increasing") ctx.addIssue({ code: "custom", path: ["points", p.index, "month"], message: "months must increase" });
        if (p.problem === "fraction_decreasing") ctx.addIssue({ code: "custom", path: ["points", p.index, "fraction"], message: "fractions must not decrease" });
      }
    }),
]);
export type Schedule = z.infer<typeof Schedule>;
/** A schedule as written in a form or a file (`interpolation` may be left out). */
export type ScheduleInput = z.input<typeof Schedule>;

/** Level that issued a plan: 省定 / 市定 / 县定. */
export const PlanLevel = z.enum(["province", "city", "county"]);
export type PlanLevel = z.infer<typeof PlanLevel>;

/** One year's list of key livelihood projects (年度民生实事计划) issued at one level. */
export const Plan = z.object({
  id: Id,
  year: PlanYear,
  level: PlanLevel,
  region: z.string(),
  title: z.string().trim().min(1, "must not be empty").max(200),
  schedule: Schedule.default("linear-monthly"),
});
export type Plan = z.infer<typeof Plan>;

/** 实事: one of the "ten things" of a plan. */
export const Item = z.object({
  id: Id,
  plan: Id,
  no: z.number().int().min(1).max(99),
  title: z.string().trim().min(1, "must not be empty").max(200),
});
export type Item = z.infer<typeof Item>;

/** 项目: numbered ①…㉔ within a plan. */
export const Project = z.object({
  id: Id,
  item: Id,
  no: z.number().int().min(1).max(999),
  title: z.string().trim().min(1, "must not be empty").max(200),
  leadUnit: Id,
});
export type Project = z.infer<typeof Project>;

/** quantity: counted in 人/户/公里…; milestone: a percent of physical progress (形象进度). */
export const IndicatorKind = z.enum(["quantity", "milestone"]);
export type IndicatorKind = z.infer<typeof IndicatorKind>;

/** How a parent region's figure comes from its children's: sum (quantities) or mean (percents). */
export const Aggregation = z.enum(["sum", "mean"]);
export type Aggregation = z.infer<typeof Aggregation>;

/** 指标: a measurable quantity or milestone percent of a project. */
export const Indicator = z.object({
  id: Id,
  project: Id,
  name: z.string().trim().min(1, "must not be empty").max(200),
  unit: z.string().trim().min(1, "must not be empty").max(20),
  kind: IndicatorKind,
  aggregation: Aggregation,
  /** 纳入省定统一调度: the actual comes from this (other plan's) indicator; the target stays ours. */
  linkedTo: Id.optional(),
  /** A schedule of its own when it differs from the plan's (e.g. 提标补发 due by June). */
  schedule: Schedule.optional(),
});
export type Indicator = z.infer<typeof Indicator>;

const NonNegativeFigure = z
  .number()
  .min(0, "must not be negative")
  .max(1e12, "is implausibly large (over 10^12)");

/** 目标任务: the annual value of an indicator for one region. */
export const Target = z.object({
  indicator: Id,
  region: z.string(),
  value: NonNegativeFigure.refine((v) => v > 0, "must be greater than 0 (a region without a task has no target row)"),
});
export type Target = z.infer<typeof Target>;

/** A cumulative figure for an indicator, region and month (累计完成). */
export const ProgressFigure = z.object({
  indicator: Id,
  region: z.string(),
  period: Period,
  value: NonNegativeFigure,
});
export type ProgressFigure = z.infer<typeof ProgressFigure>;

/** Whether a project site met its disclosure obligations (信息公开) in a period. */
export const DisclosureRecord = z.object({
  project: Id,
  region: z.string(),
  period: Period,
  compliant: z.boolean(),
});
export type DisclosureRecord = z.infer<typeof DisclosureRecord>;
