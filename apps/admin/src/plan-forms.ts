import type { ScheduleInput } from "@minsheng/domain";
import { fractionPercent } from "@minsheng/domain/round";
import { milestoneProblems } from "@minsheng/domain/schedule-rules";
import { ApiProblem, errorText, problemLine } from "./api";

/**
 * Pure helpers of the plan management page (计划管理): schedules in words and their checks, ids
 * suggested from numbers, and API problems placed at the form field they name.
 */

/** The domain's schedule (序时进度): linear by month, or milestones ("100% by end of June"). */
export type Schedule = ScheduleInput;

/** Human text of a schedule, as the bulletins say it. */
export function scheduleText(s: Schedule | null | undefined, inherit = "跟随计划"): string {
  if (s === null || s === undefined) return inherit;
  if (s === "linear-monthly") return "按月均衡（月份 ÷ 12）";
  const pts = s.points.map((p) => `${p.month}月底 ${fractionPercent(p.fraction)}%`).join("，");
  return `节点：${pts}${s.interpolation === "step" ? "（节点间不增长）" : ""}`;
}

/** Problems of a milestone list: the domain's (schedule-rules.ts), in words. */
export function scheduleProblems(s: Schedule | null | undefined): string[] {
  if (s === null || s === undefined || s === "linear-monthly") return [];
  return milestoneProblems(s.points).map((p) => {
    if (p.problem === "empty") return "至少需要一个节点";
    const at = `第 ${p.index + 1} 个节点：`;
    if (p.problem === "out_of_range") return at + (p.field === "month" ? "月份应为 1-12" : "进度应为 0-100%");
    return at + (p.problem === "month_not_increasing" ? "月份应晚于上一个节点" : "进度不应低于上一个节点");
  });
}

/** Circled numbers as the bulletins number projects (①…㉔), beyond 50 plain digits. */
export function circled(no: number): string {
  if (no >= 1 && no <= 20) return String.fromCodePoint(0x2460 + no - 1);
  if (no >= 21 && no <= 35) return String.fromCodePoint(0x3251 + no - 21);
  if (no >= 36 && no <= 50) return String.fromCodePoint(0x32b1 + no - 36);
  return `(${no})`;
}

/** Ids for new records from the plan's own pattern: sy2024-i03, sy2024-p07, sy2024-p07-b. */
export function suggestId(kind: "item" | "project" | "indicator", parent: string, no: number, taken: ReadonlySet<string>): string {
  if (kind === "indicator") {
    for (let i = 0; i < 26; i++) {
      const id = `${parent}-${String.fromCharCode(97 + i)}`;
      if (!taken.has(id)) return id;
    }
    return `${parent}-${taken.size + 1}`;
  }
  const id = `${parent}-${kind === "item" ? "i" : "p"}${String(no).padStart(2, "0")}`;
  return taken.has(id) ? `${id}-${taken.size + 1}` : id;
}

/**
 * An API error as antd `form.setFields` entries: a problem at `$.schedule.points[1].month` goes to
 * the `schedule` field (with the rest of its path); problems naming no field of the form are
 * returned apart, as is the message of any other error.
 */
export function problemsForForm(e: unknown, fields: readonly string[]): { fields: { name: string; errors: string[] }[]; rest: string[] } {
  if (!(e instanceof ApiProblem)) return { fields: [], rest: [errorText(e)] };
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  for (const p of e.problems) {
    const path = p.path.replace(/^\$\.?/, "");
    const field = fields.find((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
    if (field === undefined) rest.push(problemLine(p));
    else byField.set(field, [...(byField.get(field) ?? []), path === field ? p.message : problemLine({ path: path.slice(field.length).replace(/^\./, ""), message: p.message })]);
  }
  if (byField.size === 0 && rest.length === 0) rest.push(e.message);
  return { fields: [...byField].map(([name, errors]) => ({ name, errors })), rest };
}
