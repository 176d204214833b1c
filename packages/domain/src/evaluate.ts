import * as Either from "./either.js";
import { z } from "zod";
import { type Bundle, parseBundle } from "./bundle.js";
import {
  type DisclosureContent,
  missedObligations,
  scoreDisclosures,
  type SiteContent,
  type SiteDisclosure,
  type SourcedDisclosureScore,
} from "./disclosure.js";
import { InvalidInput, jsonPath, UnknownPlan, UnknownRegion, type BundleInvalid } from "./errors.js";
import { Period, periodMonth, previousPeriodInYear } from "./period.js";
import { Id, type Indicator, type Plan, type Schedule } from "./plan.js";
import { Rational } from "./rational.js";
import { scheduleFraction } from "./schedule.js";
import { classify, projectProgress, type Status } from "./status.js";

export const EvaluateOptions = z.object({
  /** The month asked about; figures are the latest cumulative report at or before it. */
  period: Period,
  /** The region asked about (e.g. the city 430500); its whole subtree is evaluated. */
  region: z.string().min(1, "must not be empty"),
  /** Only this plan's indicators and projects (all plans when absent). */
  plan: Id.optional(),
});
export type EvaluateOptions = z.infer<typeof EvaluateOptions>;

export interface IndicatorResult {
  indicator: string;
  project: string;
  plan: string;
  region: string;
  period: string;
  /** annual target of the region (own, or rolled up from its children) */
  target: number;
  /** cumulative actual (verified) at the period, rolled up */
  actual: number;
  /** actual ÷ target in percent, half-up to 2 decimals; over 100 is kept */
  rate: number;
  /** share of the target due by the period (序时进度), percent */
  due: number;
  status: Status;
  /** takes its actual from another plan's indicator (纳入省定统一调度) */
  linked: boolean;
}

export interface ProjectResult {
  project: string;
  plan: string;
  region: string;
  period: string;
  /** mean of the indicators' rates capped at 100, percent, half-up to 2 decimals */
  progress: number;
  due: number;
  status: Status;
  indicators: string[];
}

export interface StatusCounts {
  completed: number;
  on_schedule: number;
  behind: number;
}

/**
 * A region below the one asked about, at any depth, whose own rate for a non-linked indicator is
 * under the schedule line (rule 5), whether the indicator is on schedule where asked (seed 003: ⑰,
 * 市本级 at 60%) or behind as a whole (化解超期安置: every county under the line).
 */
export interface LaggingIndicatorRegion {
  indicator: string;
  project: string;
  region: string;
  rate: number;
  due: number;
}

/** A cumulative figure lower than the month before (环比下降), usually after a reduction (核减). */
export interface MonthOnMonthFall {
  indicator: string;
  region: string;
  period: string;
  previousPeriod: string;
  previous: number;
  value: number;
}

export interface Evaluation {
  period: string;
  region: string;
  plan?: string;
  indicators: IndicatorResult[];
  projects: ProjectResult[];
  counts: Record<string, StatusCounts>;
  lagging: LaggingIndicatorRegion[];
  /** rule 6, with where each score's records came from */
  disclosure: SourcedDisclosureScore[];
  falls: MonthOnMonthFall[];
}

interface Latest {
  period: string;
  value: number;
}

/** Shared empty list of regions (never mutated). */
const NO_REGIONS: string[] = [];

const isSortedByPeriod = (list: readonly Latest[]): boolean => {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.period > list[i]!.period) return false;
  return true;
};

/**
 * A bundle indexed for evaluation. Build it once (it is the costly part) and evaluate many
 * periods and regions against it.
 */
export class PreparedBundle {
  readonly regionCodes = new Set<string>();
  readonly children = new Map<string, string[]>();
  readonly planById = new Map<string, Plan>();
  readonly planOfProject = new Map<string, string>();
  readonly indicatorById = new Map<string, Indicator>();
  /** indicator → region → target */
  readonly targets = new Map<string, Map<string, Rational>>();
  /** indicator → regions whose subtree (themselves included) holds a target */
  readonly targetBelow = new Map<string, Set<string>>();
  /** indicator → region → figures sorted by period */
  readonly figures = new Map<string, Map<string, Latest[]>>();

  constructor(readonly bundle: Bundle) {
    const parent = new Map<string, string | null>();
    for (const r of bundle.regions) {
      this.regionCodes.add(r.code);
      parent.set(r.code, r.parent);
      this.children.set(r.code, []);
    }
    for (const r of bundle.regions) if (r.parent !== null) this.children.get(r.parent)?.push(r.code);
    for (const p of bundle.plans) this.planById.set(p.id, p);
    const planOfItem = new Map(bundle.items.map((it) => [it.id, it.plan]));
    for (const p of bundle.projects) this.planOfProject.set(p.id, planOfItem.get(p.item) ?? "");
    for (const ind of bundle.indicators) {
      this.indicatorById.set(ind.id, ind);
      this.targets.set(ind.id, new Map());
      this.targetBelow.set(ind.id, new Set());
      this.figures.set(ind.id, new Map());
    }
    for (const t of bundle.targets) {
      this.targets.get(t.indicator)?.set(t.region, Rational.fromNumber(t.value));
      const below = this.targetBelow.get(t.indicator);
      let r: string | null | undefined = t.region;
      while (below && r && !below.has(r)) {
        below.add(r);
        r = parent.get(r);
      }
    }
    // A bundle lists an indicator-region's months together: reuse the last list while they repeat.
    let lastIndicator: string | undefined;
    let lastRegion: string | undefined;
    let lastList: Latest[] | undefined;
    for (const f of bundle.progress) {
      let list: Latest[] | undefined;
      if (f.indicator === lastIndicator && f.region === lastRegion) list = lastList;
      else {
        const byRegion = this.figures.get(f.indicator);
        if (!byRegion) continue;
        list = byRegion.get(f.region);
        if (!list) byRegion.set(f.region, (list = []));
        lastIndicator = f.indicator;
        lastRegion = f.region;
        lastList = list;
      }
      list!.push(f); // the parsed row itself: it has the period and value (no copy per figure)
    }
    const byPeriod = (a: Latest, b: Latest) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0);
    for (const byRegion of this.figures.values())
      for (const list of byRegion.values()) if (list.length > 1 && !isSortedByPeriod(list)) list.sort(byPeriod);
  }

  private readonly contributing = new Map<string, Map<string, string[]>>();

  /** Children of `region` that hold a target for the indicator somewhere in their subtree. */
  contributingChildren(indicator: string, region: string): string[] {
    const kids = this.children.get(region);
    if (!kids || kids.length === 0) return NO_REGIONS;
    let byRegion = this.contributing.get(indicator);
    if (!byRegion) this.contributing.set(indicator, (byRegion = new Map()));
    let found = byRegion.get(region);
    if (!found) {
      const below = this.targetBelow.get(indicator);
      found = below ? kids.filter((c) => below.has(c)) : NO_REGIONS;
      byRegion.set(region, found);
    }
    return found;
  }

  planOfIndicator(indicator: string): string {
    return this.planOfProject.get(this.indicatorById.get(indicator)?.project ?? "") ?? "";
  }

  scheduleOf(indicator: Indicator): Schedule {
    return indicator.schedule ?? this.planById.get(this.planOfIndicator(indicator.id))?.schedule ?? "linear-monthly";
  }

  /** Latest cumulative figure of the period's year at or before the period. */
  reported(indicator: string, region: string, period: string): number | undefined {
    const list = this.figures.get(indicator)?.get(region);
    if (!list) return undefined;
    const yearStart = `${period.slice(0, 4)}-01`;
    for (let i = list.length - 1; i >= 0; i--) {
      const f = list[i]!;
      if (f.period <= period) return f.period >= yearStart ? f.value : undefined;
    }
    return undefined;
  }
}

/** What a roll-up of one indicator reads again and again, looked up once. */
interface RollupSlot {
  readonly indicator: string;
  readonly mean: boolean;
  /** the indicator's own targets by region */
  readonly own: Map<string, Rational> | undefined;
  /** the indicator's figures by region, sorted by period */
  readonly figures: Map<string, Latest[]> | undefined;
  readonly actuals: Map<string, Rational>;
  readonly targets: Map<string, Rational | null>;
}

/** Roll-ups for one period, memoised per indicator and region (rules 2-3; rule 16 reads them too). */
export class PeriodRollup {
  private readonly slots = new Map<string, RollupSlot>();
  private readonly yearStart: string;

  constructor(
    private readonly model: PreparedBundle,
    readonly period: string,
  ) {
    this.yearStart = `${period.slice(0, 4)}-01`;
  }

  private slot(indicator: string): RollupSlot {
    let s = this.slots.get(indicator);
    if (!s) {
      s = {
        indicator,
        mean: this.model.indicatorById.get(indicator)?.aggregation === "mean",
        own: this.model.targets.get(indicator),
        figures: this.model.figures.get(indicator),
        actuals: new Map(),
        targets: new Map(),
      };
      this.slots.set(indicator, s);
    }
    return s;
  }

  /** Children of `region` that hold a target for the indicator somewhere in their subtree. */
  contributingChildren(indicator: string, region: string): string[] {
    return this.model.contributingChildren(indicator, region);
  }

  /** Rule 2: own target where assigned, else the children's (sum, or mean for milestones). */
  target(indicator: string, region: string): Rational | null {
    return this.targetIn(this.slot(indicator), region);
  }

  private targetIn(s: RollupSlot, region: string): Rational | null {
    const cached = s.targets.get(region);
    if (cached !== undefined) return cached;
    const own = s.own?.get(region);
    let value: Rational | null = own ?? null;
    if (!own) {
      const kids = this.model.contributingChildren(s.indicator, region);
      const values: Rational[] = [];
      for (const c of kids) {
        const v = this.targetIn(s, c);
        if (v !== null) values.push(v);
      }
      if (values.length > 0) value = aggregate(s, values);
    }
    s.targets.set(region, value);
    return value;
  }

  /** Rules 2-3: linked indicators take the source's actual; leaves report; parents aggregate. */
  actual(indicator: string, region: string): Rational {
    let ind = this.model.indicatorById.get(indicator);
    while (ind?.linkedTo !== undefined) {
      indicator = ind.linkedTo;
      ind = this.model.indicatorById.get(indicator);
    }
    return this.actualIn(this.slot(indicator), region);
  }

  private actualIn(s: RollupSlot, region: string): Rational {
    const cached = s.actuals.get(region);
    if (cached !== undefined) return cached;
    const kids = this.model.contributingChildren(s.indicator, region);
    let value: Rational;
    if (kids.length === 0) {
      // PreparedBundle.reported, with the year's first month worked out once per period.
      let reported: number | undefined;
      const list = s.figures?.get(region);
      if (list)
        for (let i = list.length - 1; i >= 0; i--) {
          const f = list[i]!;
          if (f.period <= this.period) {
            if (f.period >= this.yearStart) reported = f.value;
            break;
          }
        }
      value = reported === undefined ? Rational.zero : Rational.fromNumber(reported);
    } else {
      const values = new Array<Rational>(kids.length);
      for (let i = 0; i < kids.length; i++) values[i] = this.actualIn(s, kids[i]!);
      value = aggregate(s, values);
    }
    s.actuals.set(region, value);
    return value;
  }
}

const aggregate = (s: RollupSlot, values: Rational[]): Rational => (s.mean ? Rational.mean(values) : Rational.sum(values));

const figure = (r: Rational): number => Rational.round(r, 6);

/**
 * Evaluates a prepared bundle at a period and region (rules 1-6). `content` is what the platform
 * holds for the project sites (rule 6); without it disclosure is scored from imported records.
 */
export function evaluatePrepared(model: PreparedBundle, options: EvaluateOptions, content?: DisclosureContent): Evaluation {
  const { period, region, plan } = options;
  const month = periodMonth(period);
  const now = new PeriodRollup(model, period);
  const previousPeriod = previousPeriodInYear(period);
  const before = previousPeriod ? new PeriodRollup(model, previousPeriod) : undefined;

  const fractions = new Map<string, Rational>();
  const fractionOf = (ind: Indicator): Rational => {
    let f = fractions.get(ind.id);
    if (!f) fractions.set(ind.id, (f = scheduleFraction(model.scheduleOf(ind), month)));
    return f;
  };

  const indicators: IndicatorResult[] = [];
  const lagging: LaggingIndicatorRegion[] = [];
  const falls: MonthOnMonthFall[] = [];
  const ratesByProject = new Map<string, { rates: Rational[]; fractions: Rational[]; ids: string[] }>();

  for (const ind of model.bundle.indicators) {
    const indPlan = model.planOfIndicator(ind.id);
    if (plan !== undefined && indPlan !== plan) continue;
    // Rule 5: only indicators with a target somewhere in the asked region's subtree.
    if (!model.targetBelow.get(ind.id)?.has(region)) continue;
    const target = now.target(ind.id, region);
    if (target === null || Rational.isZero(target)) continue;
    const actual = now.actual(ind.id, region);
    const r = Rational.div(actual, target);
    const fraction = fractionOf(ind);
    const due = Rational.percent(fraction);
    const linked = ind.linkedTo !== undefined;
    const status = classify(r, fraction);
    indicators.push({
      indicator: ind.id,
      project: ind.project,
      plan: indPlan,
      region,
      period,
      target: figure(target),
      actual: figure(actual),
      rate: Rational.percent(r),
      due,
      status,
      linked,
    });
    let entry = ratesByProject.get(ind.project);
    if (!entry) ratesByProject.set(ind.project, (entry = { rates: [], fractions: [], ids: [] }));
    entry.rates.push(r);
    entry.fractions.push(fraction);
    entry.ids.push(ind.id);

    // Walk the subtree once per indicator: lagging regions below, falls at every level.
    const stack = [region];
    while (stack.length > 0) {
      const code = stack.pop()!;
      const kids = now.contributingChildren(ind.id, code);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
      if (linked) continue; // a linked indicator mirrors its source; its regions are the source's.
      // Rule 5: every region below that lags, also inside an indicator behind as a whole — the task
      // force needs to know whom to press (a bulletin may still name only on-schedule ones).
      if (code !== region) {
        const t = now.target(ind.id, code);
        if (t !== null && !Rational.isZero(t)) {
          const own = Rational.div(now.actual(ind.id, code), t);
          if (Rational.lt(own, fraction))
            lagging.push({ indicator: ind.id, project: ind.project, region: code, rate: Rational.percent(own), due });
        }
      }
      if (before) {
        const value = now.actual(ind.id, code);
        const previous = before.actual(ind.id, code);
        if (Rational.lt(value, previous))
          falls.push({
            indicator: ind.id,
            region: code,
            period,
            previousPeriod: previousPeriod!,
            previous: figure(previous),
            value: figure(value),
          });
      }
    }
  }

  const projects: ProjectResult[] = [];
  const counts: Record<string, StatusCounts> = {};
  if (plan !== undefined) counts[plan] = { completed: 0, on_schedule: 0, behind: 0 };
  for (const p of model.bundle.projects) {
    const entry = ratesByProject.get(p.id);
    if (!entry) continue;
    const fraction = Rational.mean(entry.fractions);
    const { progress, status } = projectProgress(entry.rates, fraction);
    const projectPlan = model.planOfProject.get(p.id) ?? "";
    projects.push({
      project: p.id,
      plan: projectPlan,
      region,
      period,
      progress: Rational.percent(progress),
      due: Rational.percent(fraction),
      status,
      indicators: entry.ids,
    });
    const c = (counts[projectPlan] ??= { completed: 0, on_schedule: 0, behind: 0 });
    c[status]++;
  }

  return {
    period,
    region,
    ...(plan !== undefined ? { plan } : {}),
    indicators,
    projects,
    counts,
    lagging,
    disclosure: disclosureScores(model, period, region, plan, content),
    falls,
  };
}

/**
 * Rule 6 for the asked region, the one computation every view shows. The obligations are the
 * project-regions an imported record names, and in a plan of the period's year the project sites
 * that do the work (a region holding a target of the project with no region below holding one for
 * the same indicator). Each is judged on the content the platform holds for it by the period's
 * end, with the checklist; where it holds none, the latest imported record of the year at or before
 * the period stands (history from before the platform); with neither, it is judged on having
 * published nothing where its plan is live on the platform, and not counted otherwise. Grouped by
 * child region of the one asked about (or itself).
 */
export function judgeDisclosure(
  model: PreparedBundle,
  period: string,
  region: string,
  plan?: string,
  content?: DisclosureContent,
): { sites: SiteDisclosure[]; scores: SourcedDisclosureScore[] } {
  const groupOf = new Map<string, string>();
  if (model.regionCodes.has(region)) groupOf.set(region, region);
  for (const child of model.children.get(region) ?? []) {
    const stack = [child];
    while (stack.length > 0) {
      const code = stack.pop()!;
      groupOf.set(code, child);
      stack.push(...(model.children.get(code) ?? []));
    }
  }
  const year = Number(period.slice(0, 4));
  const yearStart = `${period.slice(0, 4)}-01`;
  const key = (project: string, code: string) => `${project}\u0000${code}`;
  const inScope = (project: string) => plan === undefined || model.planOfProject.get(project) === plan;

  const pairs = new Map<string, { project: string; region: string }>();
  const latest = new Map<string, { period: string; compliant: boolean }>();
  for (const d of model.bundle.disclosure) {
    if (d.period > period || d.period < yearStart || !inScope(d.project) || !groupOf.has(d.region)) continue;
    const k = key(d.project, d.region);
    const seen = latest.get(k);
    if (!seen || seen.period < d.period) latest.set(k, { period: d.period, compliant: d.compliant });
    if (!pairs.has(k)) pairs.set(k, { project: d.project, region: d.region });
  }
  const held = new Map<string, SiteContent>();
  const live = new Set<string>();
  if (content) {
    for (const s of content.sites) {
      held.set(key(s.project, s.region), s.content);
      live.add(model.planOfProject.get(s.project) ?? "");
    }
    for (const p of content.livePlans ?? []) live.add(p);
    for (const ind of model.bundle.indicators) {
      const indPlan = model.planOfIndicator(ind.id);
      if (!inScope(ind.project) || model.planById.get(indPlan)?.year !== year) continue;
      for (const code of model.targets.get(ind.id)?.keys() ?? []) {
        if (!groupOf.has(code) || model.contributingChildren(ind.id, code).length > 0) continue;
        const k = key(ind.project, code);
        if (!pairs.has(k)) pairs.set(k, { project: ind.project, region: code });
      }
    }
  }

  const nothing: SiteContent = { policyDocuments: 0, localisedUpdates: 0, workUpdateMonths: [], suggestions: [] };
  const sites: SiteDisclosure[] = [];
  for (const [k, { project, region: code }] of pairs) {
    const group = groupOf.get(code)!;
    let own = held.get(k);
    const record = latest.get(k);
    if (!own && record) {
      sites.push({ project, region: code, group, source: "record", compliant: record.compliant, missed: null });
      continue;
    }
    if (!own) {
      if (!live.has(model.planOfProject.get(project) ?? "")) continue;
      own = nothing;
    }
    const missed = missedObligations(own, period, content!.asOf, content!.checklist, content!.calendar);
    sites.push({ project, region: code, group, source: "content", compliant: missed.length === 0, missed });
  }
  sites.sort((a, b) => a.region.localeCompare(b.region) || a.project.localeCompare(b.project));
  return { sites, scores: scoreDisclosures(sites) };
}

/** Rule 6 scores of the asked region's children (or itself): see `judgeDisclosure`. */
export const disclosureScores = (model: PreparedBundle, period: string, region: string, plan?: string, content?: DisclosureContent): SourcedDisclosureScore[] =>
  judgeDisclosure(model, period, region, plan, content).scores;

function checkOptions(model: PreparedBundle, options: unknown): Either.Either<EvaluateOptions, InvalidInput | UnknownRegion | UnknownPlan> {
  const parsed = EvaluateOptions.safeParse(options);
  if (!parsed.success)
    return Either.left(
      new InvalidInput({ problems: parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })) }),
    );
  if (!model.regionCodes.has(parsed.data.region)) return Either.left(new UnknownRegion({ region: parsed.data.region }));
  if (parsed.data.plan !== undefined && !model.planById.has(parsed.data.plan))
    return Either.left(new UnknownPlan({ plan: parsed.data.plan }));
  return Either.right(parsed.data);
}

export type EvaluateError = BundleInvalid | InvalidInput | UnknownRegion | UnknownPlan;

/**
 * Evaluates a `minsheng.bundle/v1` document at a month and region: indicator rates and statuses,
 * project progress and statuses, counts per plan, lagging indicator-regions, disclosure scores and
 * month-on-month falls. Throws the typed error (`BundleInvalid` listing every problem with its JSON
 * path, `InvalidInput`, `UnknownRegion`, `UnknownPlan`); `evaluateBundleEither` keeps it typed, and
 * `@minsheng/domain/effect` has it as an Effect.
 */
export function evaluateBundle(bundle: unknown, options: EvaluateOptions, content?: DisclosureContent): Evaluation {
  return Either.getOrThrow(evaluateBundleEither(bundle, options, content));
}

/** `evaluateBundle` with its typed errors in the result. */
export function evaluateBundleEither(bundle: unknown, options: EvaluateOptions, content?: DisclosureContent): Either.Either<Evaluation, EvaluateError> {
  const parsed = parseBundle(bundle);
  if (Either.isLeft(parsed)) return parsed;
  const model = new PreparedBundle(parsed.right);
  return Either.map(checkOptions(model, options), (opts) => evaluatePrepared(model, opts, content));
}

/** Evaluates an already-prepared bundle after checking the options (region and plan exist). */
export function evaluateModel(
  model: PreparedBundle,
  options: EvaluateOptions,
  content?: DisclosureContent,
): Either.Either<Evaluation, InvalidInput | UnknownRegion | UnknownPlan> {
  return Either.map(checkOptions(model, options), (opts) => evaluatePrepared(model, opts, content));
}

/** Evaluates an already-parsed bundle (skips validation; the caller vouches for it). */
export function evaluateParsed(bundle: Bundle, options: EvaluateOptions): Either.Either<Evaluation, InvalidInput | UnknownRegion | UnknownPlan> {
  const model = new PreparedBundle(bundle);
  return Either.map(checkOptions(model, options), (opts) => evaluatePrepared(model, opts));
}

