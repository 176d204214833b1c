import { chinaDate, periodMonth, periodsOfYear } from "@minsheng/domain/calendar";
import { type Status, statusShortLabel } from "@minsheng/domain/labels";
import { roundHalfUp } from "@minsheng/domain/round";

// How the console words the domain's figures (总览, 信息公开考核, the county chart, 通报): the
// rounding, the months and the status words are @minsheng/domain's (light entries); this file only
// lays them out. figures.test.ts holds them to the domain.

/** A rate's figure as the console prints it: rounded half-up to 2 decimals, both shown (94.3 → "94.30"). */
export const rateFigure = (rate: number): string => roundHalfUp(rate, 2).toFixed(2);

/** A rate (进度, 完成率) with its sign: 94.3 → "94.30%". */
export const ratePercent = (rate: number): string => `${rateFigure(rate)}%`;

/** The schedule's due percent (序时进度) as the domain gives it, without padding: 75 → "75%", 66.667 → "66.67%". */
export const duePercent = (due: number): string => `${roundHalfUp(due, 2)}%`;

/** A disclosure score (6 × 合规 ÷ 应公开) to 4 decimals without trailing zeros: 5.47826 → "5.4783", 6 → "6". */
export const scoreText = (score: number): string => String(roundHalfUp(score, 4));

/** The months of a plan's year as the dashboard offers them, each the year so far: 2024-09 → "1-9月". */
export const cumulativeMonthOptions = (year: number): { value: string; label: string }[] =>
  periodsOfYear(year).map((m) => ({ value: m, label: `1-${periodMonth(m)}月` }));

/** The months of a year as a select offers them: 2024-09 → "9 月". */
export const monthOptions = (year: number): { value: string; label: string }[] => periodsOfYear(year).map((m) => ({ value: m, label: `${periodMonth(m)} 月` }));

/**
 * Counts by status in the domain's short words, in the domain's order: "已完成 2 · 按序时 5"
 * (statuses without any left out unless `zeros`).
 */
export function statusCountText(counts: Partial<Record<Status, number>>, { separator = " · ", zeros = false }: { separator?: string; zeros?: boolean } = {}): string {
  return (Object.keys(statusShortLabel) as Status[])
    .filter((s) => zeros || (counts[s] ?? 0) > 0)
    .map((s) => `${statusShortLabel[s]} ${counts[s] ?? 0}`)
    .join(separator);
}

/** How many of `statuses` are each status (an item's projects). */
export function countStatuses(statuses: readonly (string | undefined)[]): Partial<Record<Status, number>> {
  const out: Partial<Record<Status, number>> = {};
  for (const s of statuses) if (s !== undefined && s in statusShortLabel) out[s as Status] = (out[s as Status] ?? 0) + 1;
  return out;
}

/** The day (YYYY-MM-DD) an API timestamp fell on in China: "2024-10-07T18:00:00.000Z" → "2024-10-08". */
export const chinaDay = (timestamp: string): string => {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp.slice(0, 10) : chinaDate(ms);
};
