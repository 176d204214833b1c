import { appendAudit, type Database, type Queryable } from "@minsheng/db";
import {
  addWorkingDays,
  ADJUSTMENT_LINE,
  chinaDate,
  defaultScorecardScheme,
  earlyCompletions,
  evaluatePrepared,
  judgeDisclosure,
  makePeriod,
  type MonthScores,
  type Occurrence,
  periodAt,
  periodMonth,
  periodYear,
  previousPeriodInYear,
  reportingDeadline,
  ScorecardScheme,
  type ScoreSource,
  scoreUnits,
  scoringWarnings,
  type UnitScore,
} from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { loadDisclosureContent } from "../lib/compliance.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { assertRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { RegionDirectory } from "../lib/regions.js";
import { preparedPlans } from "../lib/plan-cache.js";
import { qualityOf } from "../quality/service.js";
import { insertLetter } from "../letters/data.js";
import { calendarOf, loadDisclosureSettings } from "../lib/settings.js";
import {
  adjustmentsOf,
  feedbackOfUnits,
  insertAdjustment,
  insertIssue,
  insertNotice,
  linkNoticeLetter,
  issuedCard,
  issuedCards,
  monthReports,
  letterAnswers,
  type NoticeRow,
  noticeOfInterview,
  updateInterview,
  loadScheme,
  overdueLetters,
  plansOfYear,
  reductions,
  saveScheme,
  unitsAt,
} from "./data.js";

/**
 * The monthly unit scorecard (rule 8): occurrences counted from the platform's own records for the
 * month, scored and ranked by the domain's `scoreUnits`, warnings by `scoringWarnings` over issued
 * months. An issued month is frozen: its card is stored as computed and served from there.
 */

/** One record behind a count, with where the console shows it. */
export interface CardItem {
  text: string;
  link: string | null;
}

export interface CardLine {
  rule: string;
  label: string;
  count: number;
  points: number;
  items: CardItem[];
}

export interface CardUnit {
  unit: string;
  name: string;
  score: number;
  rank: number;
  lines: CardLine[];
}

export interface Card {
  period: string;
  region: string;
  /** the day the occurrences were counted as of (YYYY-MM-DD, China) */
  asOf: string;
  scheme: ScorecardScheme;
  units: CardUnit[];
}

type Ctx = Pick<Deps, "regions" | "config" | "now">;

/** The region's scheme, or DESIGN.md's default when none is set. */
export async function schemeOf(db: Queryable, region: string): Promise<ScorecardScheme> {
  const stored = await loadScheme(db, region);
  if (stored === null) return defaultScorecardScheme;
  const parsed = ScorecardScheme.safeParse(stored);
  return parsed.success ? parsed.data : defaultScorecardScheme;
}

export async function putScheme(db: Database, region: string, scheme: ScorecardScheme, actor: string, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await loadScheme(tx, region);
    await saveScheme(tx, region, scheme, actor, at);
    await appendAudit(tx, { actor, action: "scorecard.scheme", entity: "scorecard_scheme", entityId: region, before: before ?? null, after: scheme, at });
  });
}

const lastDayOf = (period: string): string => {
  const d = new Date(Date.UTC(periodYear(period), periodMonth(period), 0));
  return d.toISOString().slice(0, 10);
};

/** Counts the month's occurrences of every source the scheme uses, per unit, with the records behind them. */
async function occurrencesOf(db: Queryable, ctx: Ctx, scheme: ScorecardScheme, region: string, period: string, units: string[]) {
  const sources = new Set(scheme.rules.map((r) => r.source));
  const items = new Map<ScoreSource, Map<string, CardItem[]>>();
  const add = (source: ScoreSource, unit: string, item: CardItem) => {
    let bySource = items.get(source);
    if (!bySource) items.set(source, (bySource = new Map()));
    (bySource.get(unit) ?? bySource.set(unit, []).get(unit)!).push(item);
  };
  await ctx.regions.ready();
  const area = ctx.regions.subtree(region);
  const today = chinaDate(ctx.now().getTime());
  const monthStart = `${period}-01`;
  const monthEnd = lastDayOf(period);
  const asOf = today < monthEnd ? today : monthEnd;
  const nameOf = (code: string) => ctx.regions.get(code)?.name ?? code;

  if (sources.has("reduction"))
    for (const r of await reductions(db, period, area, units))
      add("reduction", r.unit, { text: `${r.indicatorName}（${r.regionName}）报送 ${r.reported}，核减为 ${r.verified}`, link: `/review?tab=reduced&period=${period}` });
  // The year's plans, prepared once per data version (the dashboard's own model): targets, lead units, rule 5, rule 6.
  const needsModel = ["late_report", "lagging", "early_completion", "missed_disclosure"].some((x) => sources.has(x as ScoreSource));
  const plans = needsModel ? await plansOfYear(db, periodYear(period)) : [];
  if (plans.length > 0) {
    const { model } = await preparedPlans(db, plans);
    const lead = new Map(model.bundle.projects.map((p) => [p.id, p.leadUnit]));
    const indicatorById = new Map(model.bundle.indicators.map((i) => [i.id, i]));
    const known = new Set(units);
    const planOf = (project: string) => model.planOfProject.get(project) ?? "";
    const ofYear = (project: string) => model.planById.get(planOf(project))?.year === periodYear(period);
    const title = new Map(model.bundle.projects.map((p) => [p.id, p.title]));
    const indicatorName = new Map(model.bundle.indicators.map((i) => [i.id, i.name]));
    if (model.regionCodes.has(region) && (sources.has("lagging") || sources.has("early_completion"))) {
      // Rule 5's lagging indicator-regions under the region, every plan of the year: the dashboard's own list.
      const now = evaluatePrepared(model, { period, region });
      if (sources.has("lagging"))
        for (const l of now.lagging) {
          const unit = lead.get(l.project);
          if (!unit || !known.has(unit) || !ofYear(l.project)) continue;
          add("lagging", unit, {
            text: `${title.get(l.project) ?? l.project} · ${indicatorName.get(l.indicator) ?? l.indicator}（${nameOf(l.region)}）完成 ${l.rate}%，序时 ${l.due}%`,
            link: `/dashboard?plan=${planOf(l.project)}&region=${l.region}&period=${period}`,
          });
        }
      if (sources.has("early_completion")) {
        const previous = previousPeriodInYear(period);
        const before = previous ? evaluatePrepared(model, { period: previous, region }) : undefined;
        for (const i of earlyCompletions(now, before)) {
          const unit = lead.get(i.project);
          if (!unit || !known.has(unit) || !ofYear(i.project)) continue;
          add("early_completion", unit, {
            text: `${title.get(i.project) ?? i.project} · ${indicatorName.get(i.indicator) ?? i.indicator} 于 ${period} 提前完成（${i.rate}%）`,
            link: `/dashboard?plan=${i.plan}&region=${region}&period=${period}`,
          });
        }
      }
    }
    if (sources.has("missed_disclosure") && model.regionCodes.has(region)) {
      const content = await loadDisclosureContent(db, ctx.regions, ctx.now(), period, region, plans);
      const { sites } = judgeDisclosure(model, period, region, undefined, content);
      for (const s of sites) {
        const unit = lead.get(s.project);
        if (!unit || !known.has(unit) || s.compliant) continue;
        const link = `/disclosure?region=${s.group}&period=${period}&focus=${s.project}`;
        const where = `${title.get(s.project) ?? s.project}（${nameOf(s.region)}）`;
        if (s.missed === null) add("missed_disclosure", unit, { text: `${where} 信息公开考核记录为不达标`, link });
        else for (const m of s.missed) add("missed_disclosure", unit, { text: `${where} ${DISCLOSURE_MISSED[m] ?? m}`, link });
      }
    }

    if (sources.has("late_report")) {
      // Due: leaf targets (no region below holds one) of non-linked indicators of the year's plans in
      // the area, by the configured day of the next month: missing once it has passed, late when submitted after it.
      const deadline = reportingDeadline(period, ctx.config.reportDeadlineDay);
      const inArea = new Set(area);
      const reports = new Map((await monthReports(db, period, area)).map((r) => [`${r.indicator}\u0000${r.region}`, r]));
      for (const t of model.bundle.targets) {
        const ind = indicatorById.get(t.indicator);
        if (!ind || ind.linkedTo !== undefined || !inArea.has(t.region) || !ofYear(ind.project)) continue;
        const unit = lead.get(ind.project);
        if (!unit || !known.has(unit) || model.contributingChildren(t.indicator, t.region).length > 0) continue;
        const r = reports.get(`${t.indicator}\u0000${t.region}`);
        if (r?.source === "import") continue; // official figures loaded in bulk
        const where = `${ind.name}（${nameOf(t.region)}）${period} 数据`;
        const counted = r !== undefined && (r.state === "submitted" || r.state === "verified" || r.state === "reduced");
        if (!counted) {
          if (today > deadline) add("late_report", unit, { text: `${where}截至 ${deadline} 未报送`, link: `/review?tab=missing&period=${period}` });
        } else if (r.submittedOn !== null && r.submittedOn > deadline)
          add("late_report", unit, { text: `${where}于 ${r.submittedOn} 报送，晚于截止日 ${deadline}`, link: `/review?tab=${r.state}&period=${period}` });
      }
    }
  }

  if (sources.has("overdue_letter"))
    for (const l of await overdueLetters(db, units, monthStart, monthEnd, asOf))
      add("overdue_letter", l.unit, { text: `提示函 ${l.letterId} 整改期限 ${l.dueOn}，逾期未销号`, link: `/letters?id=${l.letterId}` });

  if (sources.has("late_answer")) {
    // Citizens' suggestions (rule 6's reply deadline) and letters whose reply deadline fell in the month, answered after it or not yet.
    const settings = await loadDisclosureSettings(db);
    const calendar = calendarOf(settings);
    for (const f of await feedbackOfUnits(db, area, units, `${period.slice(0, 4)}-01-01`, monthEnd)) {
      const due = addWorkingDays(f.receivedOn, settings.replyWorkingDays, calendar);
      if (due < monthStart || due > monthEnd || !(due < asOf)) continue;
      if (f.answeredOn !== null && f.answeredOn <= due) continue;
      add("late_answer", f.unit, {
        text: `意见建议 ${f.ticket}（${f.regionName}）${f.receivedOn} 收到，应于 ${due} 前答复，${f.answeredOn ? `${f.answeredOn} 才答复` : "尚未答复"}`,
        link: `/feedback?id=${f.id}`,
      });
    }
    for (const l of await letterAnswers(db, units, monthStart, monthEnd)) {
      if (!(l.dueOn < asOf) || (l.answeredOn !== null && l.answeredOn <= l.dueOn)) continue;
      add("late_answer", l.unit, { text: `提示函 ${l.letterId} 应于 ${l.dueOn} 前回复，${l.answeredOn ? `${l.answeredOn} 才回复` : "尚未回复"}`, link: `/letters?id=${l.letterId}` });
    }
  }
  return { items, asOf };
}

const DISCLOSURE_MISSED: Record<string, string> = {
  policyDocument: "政策文件未公开",
  localisedContent: "建设内容和建设要求未本地化更新",
  monthlyWorkUpdate: "工作动态未按月发布",
  answeredInTime: "群众意见建议未按时答复",
};

/** The month's card as it stands now (a preview until issued). */
export async function computeCard(db: Queryable, ctx: Ctx, region: string, period: string): Promise<Card> {
  const scheme = await schemeOf(db, region);
  const units = await unitsAt(db, region);
  const ids = units.map((u) => u.id);
  const { items, asOf } = ids.length > 0 ? await occurrencesOf(db, ctx, scheme, region, period, ids) : { items: new Map(), asOf: chinaDate(ctx.now().getTime()) };
  const occurrences: Occurrence[] = [];
  const itemsOf = new Map<string, CardItem[]>();
  for (const rule of scheme.rules)
    for (const unit of ids) {
      const list: CardItem[] = items.get(rule.source)?.get(unit) ?? [];
      if (list.length === 0) continue;
      occurrences.push({ unit, rule: rule.id, count: list.length });
      itemsOf.set(`${unit}\u0000${rule.id}`, list);
    }
  const adjustments = await adjustmentsOf(db, region, period);
  for (const a of adjustments)
    (itemsOf.get(`${a.unit}\u0000${ADJUSTMENT_LINE}`) ?? itemsOf.set(`${a.unit}\u0000${ADJUSTMENT_LINE}`, []).get(`${a.unit}\u0000${ADJUSTMENT_LINE}`)!).push({
      text: `${a.points > 0 ? "+" : ""}${a.points} 分：${a.reason}（${a.createdBy}）`,
      link: null,
    });
  const scores = Either.getOrThrowWith(scoreUnits(scheme, ids, occurrences, adjustments), (e) => e);
  const label = new Map<string, string>([...scheme.rules.map((r) => [r.id, r.label] as const), [ADJUSTMENT_LINE, "人工调整"]]);
  const name = new Map(units.map((u) => [u.id, u.name]));
  return {
    period,
    region,
    asOf,
    scheme,
    units: scores.map((s) => ({
      unit: s.unit,
      name: name.get(s.unit) ?? s.unit,
      score: s.score,
      rank: s.rank,
      lines: s.lines.map((l) => ({ ...l, label: label.get(l.rule) ?? l.rule, items: itemsOf.get(`${s.unit}\u0000${l.rule}`) ?? [] })),
    })),
  };
}

/** The month's card: the frozen one once issued, else computed now. */
export async function cardOf(db: Queryable, ctx: Ctx, region: string, period: string): Promise<{ card: Card; issued: { by: string; at: string } | null }> {
  const issued = await issuedCard(db, region, period);
  if (issued) return { card: issued.card as Card, issued: { by: issued.issuedBy, at: issued.issuedAt } };
  return { card: await computeCard(db, ctx, region, period), issued: null };
}

const monthsBack = (period: string, n: number): string => {
  const index = periodYear(period) * 12 + periodMonth(period) - 1 - n;
  return makePeriod(Math.floor(index / 12), (index % 12) + 1);
};

const asScores = (c: Card): UnitScore[] => c.units.map((u) => ({ unit: u.unit, score: u.score, rank: u.rank, lines: [] }));

/** Units in the bottom group in each of the scheme's consecutive issued months ending at `period`. */
export async function warningsAt(db: Queryable, region: string, period: string, scheme: ScorecardScheme): Promise<{ unit: string; months: string[] }[]> {
  const from = monthsBack(period, scheme.warning.consecutiveMonths - 1);
  const months: MonthScores[] = (await issuedCards(db, region, from, period)).map((i) => ({ period: i.period, scores: asScores(i.card as Card) }));
  return scoringWarnings(scheme, months, period).map((w) => ({ unit: w.unit, months: w.periods }));
}

/** A manual adjustment (reason required), refused once the month is issued. */
export async function adjust(
  db: Database,
  a: { region: string; period: string; unit: string; points: number; reason: string },
  actor: string,
  at: Date,
): Promise<number> {
  return db.transaction(async (tx) => {
    // The same lock the issue takes: an adjustment and the issue of its month do not cross.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('scorecard:' || $1 || ':' || $2))", [a.region, a.period]);
    if (await issuedCard(tx, a.region, a.period)) throw fail("SCORECARD_MONTH_ISSUED", { region: a.region, period: a.period }).at("$.period");
    const units = await unitsAt(tx, a.region);
    if (!units.some((u) => u.id === a.unit)) throw fail("SCORECARD_UNIT_UNKNOWN", { unit: a.unit, region: a.region }).at("$.unit");
    const id = await insertAdjustment(tx, { ...a, actor, at });
    await appendAudit(tx, { actor, action: "scorecard.adjust", entity: "scorecard_adjustment", entityId: String(id), after: a, at });
    return id;
  });
}

/**
 * Issues (freezes) the month: stores the card as computed now, then the draft warning notices and
 * interview records of the units in the bottom group for the scheme's consecutive issued months.
 */
export async function issue(
  db: Database,
  ctx: Ctx,
  region: string,
  period: string,
  actor: string,
): Promise<{ card: Card; warnings: { unit: string; months: string[] }[]; notices: number[]; issuedAt: string }> {
  const at = ctx.now();
  if (period >= periodAt(at.getTime())) throw fail("SCORECARD_FUTURE_PERIOD", { period }).at("$.period");
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('scorecard:' || $1 || ':' || $2))", [region, period]);
    const existing = await issuedCard(tx, region, period);
    if (existing) throw fail("SCORECARD_ALREADY_ISSUED", { region, period, issuedAt: existing.issuedAt });
    const card = await computeCard(tx, ctx, region, period);
    if (card.units.length === 0) throw fail("SCORECARD_NO_UNITS", { region }).at("$.region");
    if (!(await insertIssue(tx, region, period, card, actor, at))) throw fail("SCORECARD_ALREADY_ISSUED", { region, period, issuedAt: at.toISOString() });
    await appendAudit(tx, {
      actor,
      action: "scorecard.issue",
      entity: "scorecard",
      entityId: `${region}:${period}`,
      after: { region, period, scores: card.units.map((u) => ({ unit: u.unit, score: u.score, rank: u.rank })) },
      at,
    });
    const warnings = await warningsAt(tx, region, period, card.scheme);
    const notices: number[] = [];
    for (const w of warnings) {
      const made = await insertNotice(tx, { region, period, unit: w.unit, months: w.months, actor, at });
      if (!made) continue;
      notices.push(made.notice);
      // 预警通知: a draft letter of kind "warning" to the unit (rule 11), which the task force edits and issues
      const name = card.units.find((u) => u.unit === w.unit)?.name ?? w.unit;
      const letter = await insertLetter(tx, {
        kind: "warning",
        issuerRegion: region,
        issuerUser: actor,
        toUnit: w.unit,
        toRegion: null,
        project: null,
        subject: `关于${name}重点民生实事考评连续排名靠后的预警通知`,
        body: `${name}：在重点民生实事月度考评中，你单位${w.months.join("、")}连续排名靠后。请对照考评扣分项逐项分析原因，制定整改措施，按期书面报告整改情况，并按通知时间参加约谈。`,
        dueOn: addWorkingDays(chinaDate(at.getTime()), 10),
        at,
      });
      await linkNoticeLetter(tx, made.notice, letter);
      await appendAudit(tx, { actor, action: "scorecard.warning", entity: "warning_notice", entityId: String(made.notice), after: { region, period, unit: w.unit, months: w.months, interview: made.interview, letter }, at });
    }
    return { card, warnings, notices, issuedAt: at.toISOString() };
  });
}


/** Records an interview (约谈) at the version the caller saw, audited. */
export async function recordInterview(
  db: Database,
  regions: RegionDirectory,
  p: Principal,
  id: number,
  body: { version: number; heldOn: string | null; people: string; notes: string; commitments: string; followUp: string },
  at: Date,
): Promise<NoticeRow> {
  return db.transaction(async (tx) => {
    const before = await noticeOfInterview(tx, id);
    if (!before) throw fail("INTERVIEW_NOT_FOUND", { id });
    assertRegion(p, before.region, regions);
    const { version, ...values } = body;
    if (!(await updateInterview(tx, id, version, values, p.actor, at))) throw fail("INTERVIEW_STALE", { version: before.interview.version }).at("$.version");
    const { id: _id, version: _v, updatedBy: _b, updatedAt: _a, ...was } = before.interview;
    await appendAudit(tx, { actor: p.actor, action: "scorecard.interview", entity: "interview", entityId: String(id), before: was, after: values, at });
    return (await noticeOfInterview(tx, id))!;
  });
}

/**
 * What the bulletin prints of the evaluation for a region's month: the card (frozen once issued)
 * with its warnings, the quality shortfalls, and the at-risk list (composed by @minsheng/bulletin).
 */
export async function bulletinEvaluation(db: Queryable, ctx: Ctx, region: string, period: string) {
  const { card } = await cardOf(db, ctx, region, period);
  const warnings = await warningsAt(db, region, period, card.scheme);
  const quality = await qualityOf(db, ctx.regions, period, region, null);
  return {
    ...(card.units.length > 0
      ? {
          scorecard: {
            units: card.units.map((u) => ({ unit: u.unit, name: u.name, score: u.score, rank: u.rank, lines: u.lines.map(({ rule, label, count, points }) => ({ rule, label, count, points })) })),
            warnings,
            bottom: card.scheme.warning.bottom,
            consecutiveMonths: card.scheme.warning.consecutiveMonths,
          },
        }
      : {}),
    quality: { maxGap: quality.maxGap, shortfalls: quality.shortfalls.map((s) => ({ unit: s.unit, name: s.name, indicators: s.indicators })) },
    risks: true,
  };
}
