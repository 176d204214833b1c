import { type PreparedBundle, PeriodRollup } from "./evaluate.js";
import { makePeriod, periodMonth, periodYear } from "./period.js";
import { Rational } from "./rational.js";

/**
 * Early warning (rule 16): act before a figure falls behind. For each non-linked indicator, in the
 * asked region and every region below it holding a target (own or below, as in rule 5), at period
 * P (month m < 12): needed = (target − value at P) ÷ (12 − m); recent = (value at P − value at P−3)
 * ÷ 3, the value at P−3 being 0 when P−3 falls before January of the plan's year. At risk when not
 * completed and needed > recent, decided on exact rationals; milestones use 100 as the target.
 */
export interface RiskOptions {
  period: string;
  region: string;
  /** only this plan's indicators (all when absent) */
  plan?: string;
}

export interface AtRisk {
  indicator: string;
  project: string;
  region: string;
  target: number;
  value: number;
  /** monthly amount still needed to finish by December, half-up to 2 decimals */
  needed: number;
  /** monthly amount of the last three months, half-up to 2 decimals */
  recent: number;
  /** 需月均完成 X，近三月月均 Y */
  text: string;
}

const figure = (r: Rational): number => Rational.round(r, 6);

export const riskText = (needed: number, recent: number): string => `需月均完成 ${needed.toFixed(2)}，近三月月均 ${recent.toFixed(2)}`;

export function atRisk(model: PreparedBundle, options: RiskOptions): AtRisk[] {
  const { period, region, plan } = options;
  const month = periodMonth(period);
  // Nothing is at risk in December: what is short then is behind.
  if (month >= 12 || !model.regionCodes.has(region)) return [];
  const now = new PeriodRollup(model, period);
  const earlier = month > 3 ? new PeriodRollup(model, makePeriod(periodYear(period), month - 3)) : undefined;
  const monthsLeft = Rational.of(12 - month);
  const three = Rational.of(3);
  const hundred = Rational.of(100);
  const out: AtRisk[] = [];
  for (const ind of model.bundle.indicators) {
    if (ind.linkedTo !== undefined) continue;
    if (plan !== undefined && model.planOfIndicator(ind.id) !== plan) continue;
    if (!model.targetBelow.get(ind.id)?.has(region)) continue;
    const stack = [region];
    while (stack.length > 0) {
      const code = stack.pop()!;
      const kids = now.contributingChildren(ind.id, code);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
      const assigned = now.target(ind.id, code);
      if (assigned === null || Rational.isZero(assigned)) continue;
      const target = ind.kind === "milestone" ? hundred : assigned;
      const value = now.actual(ind.id, code);
      if (Rational.gte(value, target)) continue; // completed
      const before = earlier ? earlier.actual(ind.id, code) : Rational.zero;
      const needed = Rational.div(Rational.sub(target, value), monthsLeft);
      const recent = Rational.div(Rational.sub(value, before), three);
      if (!Rational.lt(recent, needed)) continue;
      const n = Rational.round(needed, 2);
      const r = Rational.round(recent, 2);
      out.push({ indicator: ind.id, project: ind.project, region: code, target: figure(target), value: figure(value), needed: n, recent: r, text: riskText(n, r) });
    }
  }
  return out;
}
