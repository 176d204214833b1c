/**
 * composeBulletin: the monthly bulletin (通报 / 工作专报) as plain data, generated from a bundle's
 * evaluation. Pure: no I/O, no clock. Every name and figure comes from the data; the fixed words
 * are the bulletins' own phrasing (seed 003 for the summary, progress texts and disclosure bands,
 * seed 002 for the fast / lagging grouping).
 */
import {
  DISCLOSURE_FULL_MARKS,
  type DisclosureContent,
  type Evaluation,
  type Indicator,
  type IndicatorResult,
  InvalidInput,
  type Item,
  type MonthScores,
  Occurrence,
  Period,
  type Plan,
  PreparedBundle,
  type Project,
  type Region,
  ScoringScheme,
  type Status,
  type UnitScore,
  UnknownPlan,
  UnknownRegion,
  atRisk,
  evaluatePrepared,
  judgeDisclosure,
  jsonPath,
  parseBundle,
  periodMonth,
  Rational,
  ratePercent,
  satisfactionBallot,
  scoreDisclosures,
  scoreUnits,
  scoringWarnings,
  statusLabel,
  type SupervisionCounts,
  supervisionSentence,
} from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { z } from "zod";
import { chineseDate, chineseNumber, circled, enumerate, formatNumber, formatPercent, formatScore, quoted } from "./format.js";
import {
  BULLETIN_FORMAT,
  type AnnexColumn,
  type AnnexIndicatorRow,
  type AnnexRow,
  type AnnexTable,
  type Block,
  type BulletinModel,
  type BulletinSection,
  type DisclosureGroups,
  type FallMention,
  type GroupEntry,
  type LaggingMention,
  NARRATIVE_SECTIONS,
  type NarrativeSection,
  type PlanSummary,
  type ProgressGroups,
  type RegionRate,
  type ScoredRegion,
  type QualityShortfalls,
  type RiskMention,
  type UnitRanking,
} from "./model.js";
import { childRates, childrenWord, planLevelLabel, regionIndex, regionLabel, scopeWord } from "./regions.js";

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date written YYYY-MM-DD, e.g. 2024-10-09", abort: true })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "is not a calendar date");

const Text = z.union([z.string(), z.array(z.string())]);
const OptionalLine = z.string().trim().min(1, "must not be empty").max(200).optional();

export const BulletinOptions = z.object({
  /** the month reported on, YYYY-MM */
  period: Period,
  /** the region reported on (e.g. the city 430500) */
  region: z.string().min(1, "must not be empty"),
  /** the plans reported on, in the order of the summary and the annexes (省定 first, as seed 003) */
  plans: z.array(z.string().min(1)).min(1, "needs at least one plan"),
  /** 第 N 期 */
  issueNo: z.number().int("must be a whole number").min(1, "must be at least 1").max(9999),
  /** date of issue, YYYY-MM-DD */
  date: IsoDate,
  /** the document title; by default 关于全市 1-9 月…工作推进情况的通报 */
  title: OptionalLine,
  /** the red title of the masthead (版头); by default 邵阳市实施民生可感行动工作专报 */
  masthead: OptionalLine,
  /** the issuing office; by default 邵阳市实施民生可感行动工作专班办公室 */
  issuer: OptionalLine,
  /** a line under the signature, e.g. （邵阳市人力资源和社会保障局代章） */
  seal: OptionalLine,
  /** the addressees; by default 各县市区工作专班，市直责任单位： */
  salutation: OptionalLine,
  /** the opening paragraph; by default 现将全市 1-9 月…工作推进情况通报如下： */
  intro: z.string().trim().min(1).max(2000).optional(),
  /** the name of the campaign in the default texts (Hunan 2024: 实施民生可感行动) */
  campaign: z.string().trim().min(1).max(50).default("实施民生可感行动"),
  /** editable narrative text by section; paragraphs separated by new lines */
  sections: z.partialRecord(z.enum(NARRATIVE_SECTIONS), Text).optional(),
  /** seed 002's grouping: fast at or above `fast` percent; lagging under `slow` percent or the schedule */
  thresholds: z
    .object({
      fast: z.number().min(0).max(1000).default(80),
      slow: z.union([z.number().min(0).max(1000), z.literal("schedule")]).default("schedule"),
    })
    .default({ fast: 80, slow: "schedule" }),
  /**
   * Which lagging indicator-regions the summary sentence names: `own` the region's own part
   * (市本级), as seed 003 does (the counties' are named in the annex); `all`; or `none`.
   */
  summaryLagging: z.enum(["own", "all", "none"]).default("own"),
  /** what a plan's summary counts; by default projects for a province plan, indicators otherwise (seed 003) */
  countBy: z.record(z.string(), z.enum(["project", "indicator"])).optional(),
  /** unit scoring (rule 8), when the month's occurrences are given: adds the ranking */
  /**
   * 满意度测评 (rule 14): the deputies' published ballots of the year, per project; adds a section
   * with each project's rate and the 不满意 > 1/2 flag (computed here, by the domain's rule).
   */
  satisfaction: z
    .array(
      z.object({
        date: IsoDate,
        projects: z.array(
          z.object({
            title: z.string().min(1).max(200),
            unit: z.string().max(100).default(""),
            satisfied: z.number().int().min(0),
            basically_satisfied: z.number().int().min(0),
            dissatisfied: z.number().int().min(0),
          }),
        ),
      }),
    )
    .optional(),
  scoring: z
    .object({
      scheme: z.unknown(),
      occurrences: z.array(z.unknown()),
      /** units scored; by default every unit of the bundle */
      units: z.array(z.string()).optional(),
      /** earlier months' scores, for the warning of units in the bottom group months running */
      history: z.array(z.object({ period: Period, scores: z.array(z.unknown()) })).optional(),
    })
    .optional(),
  /**
   * The platform's own monthly scorecard (rule 8: scores, ranks and lines counted from its records,
   * the warnings over issued months): printed as 大祥区's 专报 prints the ranking. Takes the place of `scoring`.
   */
  scorecard: z
    .object({
      units: z.array(
        z.object({
          unit: z.string(),
          name: z.string(),
          score: z.number(),
          rank: z.number().int(),
          lines: z.array(z.object({ rule: z.string(), label: z.string(), count: z.number().int(), points: z.number() })),
        }),
      ),
      warnings: z.array(z.object({ unit: z.string(), months: z.array(Period) })),
      bottom: z.number().int().min(1).default(3),
      consecutiveMonths: z.number().int().min(1).default(2),
    })
    .optional(),
  /** the quality check's shortfalls by unit (rule 7): printed among the problems as seed 003 does */
  quality: z
    .object({
      maxGap: z.number().min(0).max(100),
      shortfalls: z.array(z.object({ unit: z.string(), name: z.string(), indicators: z.array(z.string()) })),
    })
    .optional(),
  /** print the at-risk list (rule 16): indicator-regions whose last three months' pace will not finish the year */
  risks: z.boolean().default(false),
});
export type BulletinOptions = z.input<typeof BulletinOptions>;

export interface ComposeInput extends BulletinOptions {
  /** a `minsheng.bundle/v1` document (validated here) or an already prepared bundle */
  bundle: unknown;
  /**
   * What the platform holds for the project sites at the period (rule 6): the disclosure scores are
   * then the ones the API and the console show. Without it only the bundle's imported records count.
   */
  disclosureContent?: DisclosureContent;
  /** 督办情况 of the month (rules 11-12): observers' filings and letters; the paragraph is left out without it */
  supervision?: SupervisionCounts;
}

const fail = (problems: Array<{ path: (string | number)[]; message: string }>): never => {
  throw new InvalidInput({ problems: problems.map((p) => ({ path: jsonPath(p.path), message: p.message })) });
};

/** Paragraphs of an editable section: one per non-empty line. */
const paragraphsOf = (text: string | readonly string[] | undefined): string[] =>
  (typeof text === "string" ? text.split(/\r?\n/) : (text ?? []).flatMap((t) => t.split(/\r?\n/)))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Builds the bulletin model. Throws BundleInvalid, InvalidInput, UnknownRegion or UnknownPlan. */
export function composeBulletin(input: ComposeInput): BulletinModel {
  const { bundle, disclosureContent, supervision, ...rest } = input;
  const parsedOptions = BulletinOptions.safeParse(rest);
  if (!parsedOptions.success) return fail(parsedOptions.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  const o = parsedOptions.data;
  const model = prepare(bundle, o);
  const ctx = new Context(model, o, disclosureContent, supervision);
  return ctx.compose();
}

function prepare(bundle: unknown, o: Pick<Options, "region" | "plans">): PreparedBundle {
  let model: PreparedBundle;
  if (bundle instanceof PreparedBundle) model = bundle;
  else {
    const parsed = parseBundle(bundle);
    if (Either.isLeft(parsed)) throw parsed.left;
    model = new PreparedBundle(parsed.right);
  }
  if (!model.regionCodes.has(o.region)) throw new UnknownRegion({ region: o.region });
  for (const p of o.plans) if (!model.planById.has(p)) throw new UnknownPlan({ plan: p });
  return model;
}

export const SummaryOptions = BulletinOptions.pick({ period: true, region: true, campaign: true, summaryLagging: true, countBy: true }).extend({
  plan: z.string().min(1),
});
export type SummaryOptions = z.input<typeof SummaryOptions>;

/**
 * The summary sentence of one plan (一、工作推进情况) exactly as the bulletin writes it, for anyone
 * who shows it elsewhere (the console's dashboard, through the API). `evaluation`, when given, is
 * the plan's evaluation at the region and period (saves evaluating again).
 */
export function summarizePlan(input: SummaryOptions & { bundle: unknown; evaluation?: Evaluation }): PlanSummary {
  const { bundle, evaluation, plan, ...rest } = input;
  const parsed = SummaryOptions.safeParse({ ...rest, plan });
  if (!parsed.success) return fail(parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  // The bulletin's own option defaults; the issue number and date play no part in the sentence.
  const o = BulletinOptions.parse({ ...parsed.data, plans: [plan], issueNo: 1, date: "2000-01-01" });
  const model = prepare(bundle, o);
  const ctx = new Context(model, o);
  return ctx.summary(ctx.planData(plan, 0, evaluation));
}

type Options = z.output<typeof BulletinOptions>;

interface PlanData {
  plan: Plan;
  annexNo: number;
  evaluation: Evaluation;
  children: Map<string, RegionRate[]>;
  /** lagging indicator-regions below, by indicator */
  lagging: Map<string, RegionRate[]>;
}

class Context {
  readonly regions: Map<string, Region>;
  readonly region: Region;
  readonly scope: string;
  readonly childWord: string;
  readonly month: number;
  readonly items = new Map<string, Item>();
  readonly projects = new Map<string, Project>();
  readonly indicatorsOfProject = new Map<string, Indicator[]>();
  readonly unitNames = new Map<string, string>();

  constructor(
    readonly model: PreparedBundle,
    readonly o: Options,
    readonly content?: DisclosureContent,
    readonly supervision?: SupervisionCounts,
  ) {
    this.regions = regionIndex(model);
    this.region = this.regions.get(o.region)!;
    this.scope = scopeWord(this.region);
    this.childWord = childrenWord(this.region);
    this.month = periodMonth(o.period);
    for (const it of model.bundle.items) this.items.set(it.id, it);
    for (const p of model.bundle.projects) this.projects.set(p.id, p);
    for (const ind of model.bundle.indicators) {
      let list = this.indicatorsOfProject.get(ind.project);
      if (!list) this.indicatorsOfProject.set(ind.project, (list = []));
      list.push(ind);
    }
    for (const u of model.bundle.units) this.unitNames.set(u.id, u.name);
  }

  /** A region's name below the one asked about: 市本级 only where it is the asked city's own part. */
  label(code: string): string {
    const r = this.regions.get(code);
    if (r?.level === "city_self" && r.parent !== this.o.region) return r.name;
    return regionLabel(this.regions, code);
  }

  /** 1-9 月 */
  get months(): string {
    return this.month === 1 ? "1 月" : `1-${this.month} 月`;
  }

  /** A plan's evaluation where asked, and (for the annex) its children's rates; `children` false skips them. */
  planData(id: string, i: number, given?: Evaluation, children = false): PlanData {
    const { o } = this;
    const plan = this.model.planById.get(id)!;
    const evaluation = given ?? evaluatePrepared(this.model, { period: o.period, region: o.region, plan: id }, this.content);
    const lagging = new Map<string, RegionRate[]>();
    for (const l of evaluation.lagging) {
      let list = lagging.get(l.indicator);
      if (!list) lagging.set(l.indicator, (list = []));
      list.push({ region: l.region, name: this.label(l.region), rate: l.rate, due: l.due, status: "behind" });
    }
    return { plan, annexNo: i + 1, evaluation, children: children ? childRates(this.model, o.period, o.region, id) : new Map(), lagging };
  }

  compose(): BulletinModel {
    const { o } = this;
    const plans: PlanData[] = o.plans.map((id, i) => this.planData(id, i, undefined, true));

    const regionName = this.region.name;
    const issuer = o.issuer ?? `${regionName}${o.campaign}工作专班办公室`;
    const dateText = chineseDate(o.date);
    const title = o.title ?? `关于${this.scope} ${this.months}${o.campaign}工作推进情况的通报`;
    const summaries = plans.map((p) => this.summary(p));
    const groups = this.groups(plans);
    const disclosure = this.disclosure(plans);
    const ranking = this.ranking();
    const quality = this.quality();
    const risks = o.risks ? this.risks(plans) : undefined;
    const falls = this.falls(plans);
    const annexes = plans.map((p) => this.annex(p));

    const sections: Array<Omit<BulletinSection, "heading"> & { title: string }> = [];
    sections.push({
      key: "progress",
      title: "工作推进情况",
      blocks: summaries.map((s, i) => ({
        type: "paragraph",
        lead: `（${chineseNumber(i + 1)}）${s.levelLabel}重点民生实事。`,
        leadStyle: "kai",
        text: `${s.text}（详情见附件 ${s.annexNo}）`,
      })),
    });
    sections.push({ key: "groups", title: "项目进展快慢情况", blocks: this.groupBlocks(groups) });
    if (risks && risks.length > 0)
      sections.push({
        key: "risks",
        title: "进度预警情况",
        blocks: [
          { type: "paragraph", text: `按近三个月平均进度测算，以下 ${risks.length} 项指标难以按期完成全年目标任务，请相关责任单位倒排工期、加快推进：` },
          { type: "table", columns: ["项目", "指标", "地区", "进度测算"], rows: risks.map((r) => [r.projectTitle, r.indicatorName, r.regionName, r.text]) },
        ],
      });
    if (ranking) {
      sections.push({
        key: "ranking",
        title: "责任单位考评情况",
        blocks: [
          { type: "paragraph", text: ranking.text },
          {
            type: "table",
            columns: ["排名", "责任单位", "得分", "加减分情况"],
            rows: ranking.rows.map((r) => [r.rank, r.name, r.score, r.detail]),
          },
        ],
      });
    }
    // 督办情况: what observers filed this month and what became of the letters (rules 11-12)
    const supervisionText = this.supervision ? supervisionSentence(this.supervision) : "";
    if (supervisionText) sections.push({ key: "supervision", title: "督办情况", blocks: [{ type: "paragraph", text: supervisionText }] });
    const satisfaction = this.satisfactionBlocks();
    if (satisfaction.length > 0) sections.push({ key: "satisfaction", title: "代表满意度测评情况", blocks: satisfaction });
    const narrative = o.sections ?? {};
    for (const key of ["重要新闻", "部门动态", "区县动态", "工作简讯", "经验交流"] as NarrativeSection[]) {
      const paragraphs = paragraphsOf(narrative[key]);
      if (paragraphs.length > 0) sections.push({ key, title: key, blocks: paragraphs.map((text) => ({ type: "paragraph", text })) });
    }
    const problems = this.problemBlocks(plans, falls, disclosure, paragraphsOf(narrative["存在问题"]), quality);
    if (problems.length > 0) sections.push({ key: "存在问题", title: "存在问题", blocks: problems });
    const plansAhead = paragraphsOf(narrative["工作打算"]);
    if (plansAhead.length > 0) sections.push({ key: "工作打算", title: "工作打算", blocks: plansAhead.map((text) => ({ type: "paragraph", text })) });

    return {
      format: BULLETIN_FORMAT,
      period: o.period,
      region: o.region,
      regionName,
      plans: [...o.plans],
      date: o.date,
      masthead: {
        title: o.masthead ?? `${regionName}${o.campaign}工作专报`,
        issue: `第 ${o.issueNo} 期`,
        issueNo: o.issueNo,
        issuer,
        date: dateText,
      },
      title,
      salutation: o.salutation ?? this.defaultSalutation(),
      intro: o.intro ?? `现将${this.scope} ${this.months}${o.campaign}工作推进情况通报如下：`,
      sections: sections.map((s, i) => ({ key: s.key, heading: `${chineseNumber(i + 1)}、${s.title}`, blocks: s.blocks })),
      attachments: annexes.map((a) => a.title),
      signature: { issuer, ...(o.seal ? { seal: o.seal } : {}), date: dateText },
      summaries,
      groups,
      disclosure,
      ranking,
      ...(o.quality ? { quality } : {}),
      ...(risks ? { risks } : {}),
      falls,
      annexes,
    };
  }

  /** 满意度测评: a paragraph per published ballot and one table of every project's result (rule 14). */
  satisfactionBlocks(): Block[] {
    const ballots = this.o.satisfaction ?? [];
    const rows = ballots.flatMap((b) => b.projects.map((p) => ({ ...p, date: b.date, r: satisfactionBallot(p) })));
    if (rows.length === 0) return [];
    const flagged = rows.filter((x) => x.r.flagged);
    const dates = [...new Set(ballots.map((b) => chineseDate(b.date)))].join("、");
    const text =
      `${dates}，人大代表对 ${rows.length} 个民生实事项目进行了满意度测评。` +
      (flagged.length === 0
        ? "各项目不满意票均未超过有效票的半数。"
        : `其中${enumerate(flagged.map((x) => quoted(x.title)))}不满意票超过有效票的半数，须限期整改。`);
    return [
      { type: "paragraph", text },
      {
        type: "table",
        columns: ["项目", "牵头单位", "满意", "基本满意", "不满意", "满意率", "须整改"],
        rows: rows.map((x) => [x.title, x.unit, x.satisfied, x.basically_satisfied, x.dissatisfied, x.r.satisfactionRate === null ? "—" : formatPercent(x.r.satisfactionRate), x.r.flagged ? "是" : ""]),
      },
    ];
  }

  defaultSalutation(): string {
    switch (this.region.level) {
      case "province":
        return "各市州工作专班，省直责任单位：";
      case "city":
        return "各县市区工作专班，市直责任单位：";
      default:
        return "各乡镇（街道）工作专班，县直责任单位：";
    }
  }

  // -------------------------------------------------------------------------------------------
  // Names

  indicator(id: string): Indicator {
    return this.model.indicatorById.get(id)!;
  }

  projectTitle(id: string): string {
    return this.projects.get(id)?.title ?? id;
  }

  /** The indicator as a summary names it: 化解超期安置 3200 户 (name, target and unit). */
  indicatorWithTarget(r: IndicatorResult): string {
    const ind = this.indicator(r.indicator);
    return ind.unit === "%" ? ind.name : `${ind.name} ${formatNumber(r.target)} ${ind.unit}`;
  }

  /** The project title, with the indicator name when the project has several indicators. */
  entryLabel(r: IndicatorResult, evaluated: IndicatorResult[]): string {
    const title = this.projectTitle(r.project);
    const siblings = evaluated.filter((x) => x.project === r.project).length;
    if (siblings <= 1) return title;
    const name = this.indicator(r.indicator).name;
    // A title that lists its indicators (市定: 实现失业人员再就业27000人，困难人员再就业7500人) names the one meant.
    return title.includes(name) ? this.indicatorWithTarget(r) : `${title}（${name}）`;
  }

  // -------------------------------------------------------------------------------------------
  // 一、工作推进情况: one sentence per plan

  summary(p: PlanData): PlanSummary {
    const { plan, evaluation } = p;
    const levelLabel = planLevelLabel(plan.level);
    const countBy = this.o.countBy?.[plan.id] ?? (plan.level === "province" ? "project" : "indicator");
    const itemCount = this.model.bundle.items.filter((i) => i.plan === plan.id).length;
    const head = `截至 ${this.month} 月底，${this.scope}${levelLabel}${itemCount > 0 ? `${chineseNumber(itemCount)}大` : ""}重点民生实事`;
    const statuses: Array<{ status: Status; name: string }> =
      countBy === "project"
        ? evaluation.projects.map((r) => ({ status: r.status, name: this.projectTitle(r.project) }))
        : evaluation.indicators.map((r) => ({ status: r.status, name: this.indicatorWithTarget(r) }));
    const completed = statuses.filter((s) => s.status === "completed").length;
    const onSchedule = statuses.filter((s) => s.status === "on_schedule").length;
    const behindNames = statuses.filter((s) => s.status === "behind").map((s) => s.name);
    const behind = behindNames.length;
    const total = statuses.length;

    const mentions = this.summaryMentions(evaluation);
    let text: string;
    if (total === 0) {
      text = `${head}暂无可评价的${countBy === "project" ? "项目" : "指标"}。`;
    } else {
      const noun = countBy === "project" ? "项目" : "指标";
      const parts: string[] = [];
      const early = countBy === "project" && this.month < 12 ? "提前" : "";
      if (completed > 0) parts.push(`${completed} 个${noun}已${early}完成全年目标任务`);
      if (onSchedule > 0) parts.push(countBy === "project" ? `${onSchedule} 个项目按序时进度正常推进` : `${onSchedule} 个指标按序时推进`);
      if (behind > 0) parts.push(`${behindNames.map(quoted).join("、")}${behind} 个${noun}未达序时`);
      const opening = countBy === "project" && behind === 0 ? ` ${total} 个项目进展顺利，` : ` ${total} 个${noun}中，`;
      text = `${head}${opening}${parts.join("，")}`;
      if (mentions.length > 0) {
        const named = mentions.map((m) => `${quoted(m.projectTitle)}中${m.regionName}的${quoted(m.indicatorName)}指标`);
        text += `，其中，${named.join("、")}未达序时`;
      }
      text += "。";
    }
    return {
      plan: plan.id,
      planTitle: plan.title,
      levelLabel,
      countBy,
      total,
      completed,
      onSchedule,
      behind,
      behindNames,
      laggingNamed: mentions,
      lagging: evaluation.lagging.map((l) => this.mention(l)),
      annexNo: p.annexNo,
      text,
    };
  }

  /**
   * The lagging indicator-regions the sentence names: seed 003 names regions only inside indicators
   * on schedule where asked (an indicator behind as a whole is named itself), and by default only
   * the asked region's own part (市本级).
   */
  summaryMentions(evaluation: Evaluation): LaggingMention[] {
    if (this.o.summaryLagging === "none") return [];
    const behind = new Set(evaluation.indicators.filter((r) => r.status === "behind").map((r) => r.indicator));
    return evaluation.lagging
      .filter((l) => {
        if (behind.has(l.indicator)) return false;
        if (this.o.summaryLagging === "all") return true;
        const r = this.regions.get(l.region);
        return r?.level === "city_self" && r.parent === this.o.region; // the asked region's own part
      })
      .map((l) => this.mention(l));
  }

  mention(l: Evaluation["lagging"][number]): LaggingMention {
    return {
      project: l.project,
      projectTitle: this.projectTitle(l.project),
      indicator: l.indicator,
      indicatorName: this.indicator(l.indicator).name,
      region: l.region,
      regionName: this.label(l.region),
      rate: l.rate,
      due: l.due,
    };
  }

  // -------------------------------------------------------------------------------------------
  // 二、项目进展快慢情况 (seed 002)

  groups(plans: PlanData[]): ProgressGroups {
    const { fast, slow } = this.o.thresholds;
    const slowLine = (due: number) => (slow === "schedule" ? due : slow);
    const fastEntries: GroupEntry[] = [];
    const slowEntries: GroupEntry[] = [];
    const regionEntries: GroupEntry[] = [];
    for (const p of plans) {
      const evaluated = p.evaluation.indicators;
      for (const r of evaluated) {
        if (r.linked) continue; // its figures are the source plan's, grouped there
        const kids = p.children.get(r.indicator) ?? [];
        const above = kids.filter((k) => k.rate >= fast);
        const below = kids.filter((k) => k.rate < slowLine(k.due));
        const entry = (text: string): GroupEntry => ({
          plan: p.plan.id,
          project: r.project,
          indicator: r.indicator,
          label: this.entryLabel(r, evaluated),
          rate: r.rate,
          due: r.due,
          status: r.status,
          above,
          below,
          text,
        });
        const head = `${this.entryLabel(r, evaluated)}，${this.scope}总进度完成 ${formatPercent(r.rate)}`;
        const belowText = (sep: string) => {
          if (below.length === 0) return "";
          const names = enumerate(below.map((k) => `${k.name}（${formatPercent(k.rate)}）`));
          return slow === "schedule" ? `${sep}${names}进度滞后` : `${sep}${names}完成率 ${formatNumber(slow)}% 以下`;
        };
        if (r.rate < slowLine(r.due)) {
          slowEntries.push(entry(`${head}${belowText("，")}。`));
        } else if (r.status !== "completed" && r.rate >= fast) {
          let text = head;
          const line = `${formatNumber(fast)}% 以上`;
          const rest = kids.filter((k) => k.rate < fast);
          if (above.length > 0 && rest.length === 0) text += `，各${this.childWord}完成率均达到 ${line}`;
          else if (above.length > 0 && above.length >= rest.length * 2)
            text += `，除${enumerate(rest.map((k) => k.name))}外，其余${this.childWord}完成率均达到 ${line}`;
          else if (above.length > 0) text += `，${enumerate(above.map((k) => k.name))}完成率达到 ${line}`;
          text += belowText(above.length > 0 ? "；" : "，");
          fastEntries.push(entry(`${text}。`));
        } else if (r.status !== "completed" && below.length > 0) {
          regionEntries.push(entry(`${head}${belowText("，其中，")}。`));
        }
      }
    }
    return { fast, slow, fastEntries, slowEntries, regionEntries };
  }

  groupBlocks(g: ProgressGroups): Block[] {
    const numbered = (entries: GroupEntry[]) => entries.map((e, i) => `${i + 1}、${e.text}`).join("");
    const blocks: Block[] = [];
    const ordinal = ["一", "二", "三"];
    let n = 0;
    if (g.fastEntries.length > 0)
      blocks.push({ type: "paragraph", lead: `${ordinal[n++]}是部分项目指标进展较快。`, leadStyle: "bold", text: numbered(g.fastEntries) });
    if (g.slowEntries.length > 0)
      blocks.push({ type: "paragraph", lead: `${ordinal[n++]}是部分项目指标进展较为滞后。`, leadStyle: "bold", text: numbered(g.slowEntries) });
    else
      blocks.push({
        type: "paragraph",
        lead: `${ordinal[n++]}是项目指标整体均达到${g.slow === "schedule" ? "序时进度" : ` ${formatNumber(g.slow)}%`}。`,
        leadStyle: "bold",
        text: "",
      });
    if (g.regionEntries.length > 0)
      blocks.push({ type: "paragraph", lead: `${ordinal[n++]}是部分${this.childWord}进度滞后。`, leadStyle: "bold", text: numbered(g.regionEntries) });
    return blocks;
  }

  // -------------------------------------------------------------------------------------------
  // Disclosure (rule 6), in seed 003's bands

  disclosure(plans: PlanData[]): DisclosureGroups | null {
    // Rule 6's one computation, over the plans reported on together.
    const judged = plans.flatMap((p) => judgeDisclosure(this.model, this.o.period, this.o.region, p.plan.id, this.content).sites);
    if (judged.length === 0) return null;
    const sources = { content: 0, record: 0 };
    for (const j of judged) sources[j.source]++;
    const scored: ScoredRegion[] = scoreDisclosures(judged).map((s) => ({
      region: s.region,
      name: this.label(s.region),
      score: s.score,
      compliant: s.compliant,
      total: s.total,
      band: s.band,
      sources: s.sources,
    }));
    const good = scored.filter((s) => s.band === "good");
    const fair = scored.filter((s) => s.band === "fair");
    const poor = scored.filter((s) => s.band === "poor");
    const withScore = (list: ScoredRegion[]) => enumerate(list.map((s) => `${s.name}（${formatScore(s.score)} 分）`));
    const parts: string[] = [];
    if (good.length > 0) parts.push(`${enumerate(good.map((s) => s.name))}完成情况好，已得满分`);
    if (fair.length > 0) parts.push(`${withScore(fair)}完成情况较好`);
    if (poor.length > 0) parts.push(`${withScore(poor)}完成较差`);
    // Seed 003's words when the imported records stand alone; where content was judged, say so.
    const basis = sources.content > 0 ? `（按公开内容评价 ${sources.content} 个项目点位，沿用导入考核记录 ${sources.record} 个）` : "";
    const text = `信息公开指标分值为 ${DISCLOSURE_FULL_MARKS} 分。截至目前，根据系统平台数据测算${basis}，${parts.join("；")}。`;
    return { fullMarks: DISCLOSURE_FULL_MARKS, good, fair, poor, sources, text };
  }

  // -------------------------------------------------------------------------------------------
  // Unit ranking (rule 8), when scoring data is given

  ranking(): UnitRanking | null {
    if (this.o.scorecard) return this.platformRanking(this.o.scorecard);
    const s = this.o.scoring;
    if (!s) return null;
    const scheme = ScoringScheme.safeParse(s.scheme);
    if (!scheme.success) return fail(scheme.error.issues.map((i) => ({ path: ["scoring", "scheme", ...(i.path as (string | number)[])], message: i.message })));
    const occurrences = z.array(Occurrence).safeParse(s.occurrences);
    if (!occurrences.success)
      return fail(occurrences.error.issues.map((i) => ({ path: ["scoring", "occurrences", ...(i.path as (string | number)[])], message: i.message })));
    const units = s.units ?? this.model.bundle.units.map((u) => u.id);
    const scored = scoreUnits(scheme.data, units, occurrences.data);
    if (Either.isLeft(scored)) throw scored.left;
    const scores: UnitScore[] = scored.right;
    const rules = new Map(scheme.data.rules.map((r) => [r.id, r]));
    const rows = scores.map((u) => ({
      rank: u.rank,
      unit: u.unit,
      name: this.unitNames.get(u.unit) ?? u.unit,
      score: u.score,
      detail: u.lines.map((l) => `${rules.get(l.rule)?.label ?? l.rule} ${l.count} 次 ${l.points > 0 ? "+" : ""}${formatNumber(l.points)}`).join("；"),
    }));
    const { bottom: n } = scheme.data.warning;
    // The bottom group: fewer than n units scored lower, and someone scored higher (ties at the line are in).
    const bottom = scores.filter((u) => scores.filter((x) => x.score < u.score).length < n && scores.some((x) => x.score > u.score)).map((u) => u.unit);
    const history: MonthScores[] = (s.history ?? []).map((h) => ({ period: h.period, scores: h.scores as UnitScore[] }));
    const warnings = scoringWarnings(scheme.data, [...history.filter((h) => h.period !== this.o.period), { period: this.o.period, scores }], this.o.period).map((w) => w.unit);
    const name = (u: string) => this.unitNames.get(u) ?? u;
    let text = `按照责任单位考评办法，本月对 ${scores.length} 个责任单位进行考评排名。`;
    if (rows.length > 0) text += `${rows[0]!.name}以 ${formatNumber(rows[0]!.score)} 分排名第一`;
    if (bottom.length > 0) text += `；${enumerate(bottom.map(name))}排名后 ${n} 位`;
    text += "。";
    if (warnings.length > 0)
      text += `${enumerate(warnings.map(name))}连续 ${scheme.data.warning.consecutiveMonths} 个月排名后 ${n} 位，将发送预警通知并进行约谈。`;
    return { rows, bottom, warnings, text };
  }

  /** The platform's card as 大祥区's 专报 prints it: 百分制 ranking, the bottom group, the warnings. */
  platformRanking(card: NonNullable<Options["scorecard"]>): UnitRanking {
    const scores = card.units;
    const n = card.bottom;
    const rows = scores.map((u) => ({
      rank: u.rank,
      unit: u.unit,
      name: u.name,
      score: u.score,
      detail: u.lines.map((l) => `${l.label} ${l.count} 项 ${l.points > 0 ? "+" : ""}${formatNumber(l.points)}`).join("；"),
    }));
    const bottom = scores.filter((u) => scores.filter((x) => x.score < u.score).length < n && scores.some((x) => x.score > u.score)).map((u) => u.unit);
    const name = (u: string) => scores.find((x) => x.unit === u)?.name ?? this.unitNames.get(u) ?? u;
    const warnings = card.warnings.map((w) => w.unit);
    let text = `按照百分制反向扣分、正向加分的方式，本月对 ${scores.length} 个责任单位的重点民生实事推进工作进行量化计分并排序。`;
    if (rows.length > 0) text += `${enumerate(rows.filter((r) => r.rank === 1).map((r) => r.name))}以 ${formatNumber(rows[0]!.score)} 分排名第一`;
    if (bottom.length > 0) text += `；${enumerate(bottom.map(name))}排名后 ${n} 位`;
    text += "。";
    if (warnings.length > 0)
      text += `${enumerate(warnings.map(name))}连续 ${card.consecutiveMonths} 个月排名后 ${n} 位，下发《预警通知》并进行约谈，要求认真分析原因，查找问题不足，提出改进措施。`;
    return { rows, bottom, warnings, text };
  }

  /** 项目质效 短板 as seed 003 words it: "如，市教育局负责的…项目；…". */
  quality(): QualityShortfalls | null {
    const q = this.o.quality;
    if (!q) return null;
    const units = q.shortfalls.filter((s) => s.indicators.length > 0);
    const text =
      units.length === 0
        ? `各责任单位报送进度与佐证材料验收进度差距均未超过 ${formatNumber(q.maxGap)} 个百分点。`
        : `主要问题是项目验收的佐证资料和项目进度不匹配（报送进度与验收进度差距超过 ${formatNumber(q.maxGap)} 个百分点）。如，${units.map((u) => `${u.name}负责的${enumerate(u.indicators.map(quoted))}`).join("；")}。`;
    return { maxGap: q.maxGap, units, text };
  }

  /** Rule 16 for each plan at the region. */
  risks(plans: PlanData[]): RiskMention[] {
    return plans.flatMap((p) =>
      atRisk(this.model, { period: this.o.period, region: this.o.region, plan: p.plan.id }).map((r) => ({
        plan: p.plan.id,
        indicator: r.indicator,
        indicatorName: this.indicator(r.indicator).name,
        projectTitle: this.projectTitle(r.project),
        region: r.region,
        regionName: r.region === this.o.region ? this.scope : this.label(r.region),
        needed: r.needed,
        recent: r.recent,
        text: r.text,
      })),
    );
  }

  // -------------------------------------------------------------------------------------------
  // 存在问题: falls, what is behind, disclosure, then the staff's own text

  falls(plans: PlanData[]): FallMention[] {
    return plans.flatMap((p) =>
      p.evaluation.falls.map((f) => {
        const ind = this.indicator(f.indicator);
        const target = this.model.targets.get(f.indicator)?.get(f.region);
        const own = f.region === this.o.region ? p.evaluation.indicators.find((r) => r.indicator === f.indicator)?.rate : undefined;
        const fromChildren = p.children.get(f.indicator)?.find((k) => k.region === f.region)?.rate;
        const rate = own ?? fromChildren ?? (target ? ratePercent(f.value, Rational.toNumber(target)) : null);
        return {
          indicator: f.indicator,
          indicatorName: ind.name,
          projectTitle: this.projectTitle(ind.project),
          region: f.region,
          regionName: f.region === this.o.region ? this.scope : this.label(f.region),
          previousPeriod: f.previousPeriod,
          previous: f.previous,
          value: f.value,
          rate: typeof rate === "number" && Number.isFinite(rate) ? rate : null,
        };
      }),
    );
  }

  problemBlocks(plans: PlanData[], falls: FallMention[], disclosure: DisclosureGroups | null, own: string[], quality: QualityShortfalls | null = null): Block[] {
    const blocks: Block[] = [];
    const lead = () => `（${chineseNumber(blocks.length + 1)}）`;
    if (falls.length > 0) {
      const text = falls
        .map((f) => {
          const unit = this.indicator(f.indicator).unit;
          const u = unit === "%" ? "%" : ` ${unit}`;
          return `${f.regionName}${quoted(f.projectTitle)}的${quoted(f.indicatorName)}由 ${formatNumber(f.previous)}${u}降至 ${formatNumber(f.value)}${u}${f.rate !== null ? `，进度为 ${formatPercent(f.rate)}` : ""}，环比下降`;
        })
        .join("；");
      blocks.push({ type: "paragraph", lead: `${lead()}个别项目进度核减。`, leadStyle: "kai", text: `${text}。` });
    }
    const behind: Array<{ text: string; due: number }> = [];
    for (const p of plans)
      for (const r of p.evaluation.indicators)
        if (r.status === "behind") behind.push({ text: `${quoted(this.indicatorWithTarget(r))}${this.scope}完成率 ${formatPercent(r.rate)}`, due: r.due });
    for (const p of plans) {
      // an indicator behind as a whole is named above with its rate; its regions are in the annex
      const behindHere = new Set(p.evaluation.indicators.filter((r) => r.status === "behind").map((r) => r.indicator));
      for (const l of p.evaluation.lagging.filter((x) => !behindHere.has(x.indicator)))
        behind.push({
          text: `${quoted(this.projectTitle(l.project))}中${this.label(l.region)}的${quoted(this.indicator(l.indicator).name)}进度为 ${formatPercent(l.rate)}`,
          due: l.due,
        });
    }
    if (behind.length > 0) {
      const oneLine = behind.every((b) => b.due === behind[0]!.due);
      const text = oneLine
        ? `${behind.map((b) => b.text).join("；")}，未达到序时进度（${formatPercent(behind[0]!.due)}）要求。`
        : `${behind.map((b) => `${b.text}（序时进度 ${formatPercent(b.due)}）`).join("；")}，未达到序时进度要求。`;
      blocks.push({ type: "paragraph", lead: `${lead()}部分指标未达序时。`, leadStyle: "kai", text });
    }
    if (quality) blocks.push({ type: "paragraph", lead: `${lead()}${quality.units.length > 0 ? "项目质效存在短板。" : "项目质效情况。"}`, leadStyle: "kai", text: quality.text });
    if (disclosure) {
      const short = disclosure.fair.length + disclosure.poor.length > 0;
      blocks.push({ type: "paragraph", lead: `${lead()}${short ? "信息公开指标存在短板。" : "信息公开指标完成情况。"}`, leadStyle: "kai", text: disclosure.text });
    }
    for (const text of own) blocks.push({ type: "paragraph", text });
    return blocks;
  }

  // -------------------------------------------------------------------------------------------
  // Annex tables (seed 003's 附件1 / 附件2)

  annex(p: PlanData): AnnexTable {
    const { plan, evaluation } = p;
    const byProject = new Map<string, IndicatorResult[]>();
    for (const r of evaluation.indicators) {
      let list = byProject.get(r.project);
      if (!list) byProject.set(r.project, (list = []));
      list.push(r);
    }
    const evaluatedProjects = evaluation.projects
      .map((r) => ({ result: r, project: this.projects.get(r.project)! }))
      .map((x) => ({ ...x, item: this.items.get(x.project.item)! }))
      .sort((a, b) => a.item.no - b.item.no || a.project.no - b.project.no);

    const rows: AnnexRow[] = [];
    const indicators: AnnexIndicatorRow[] = [];
    for (const { result, project, item } of evaluatedProjects) {
      const results = byProject.get(project.id) ?? [];
      rows.push({
        itemNo: item.no,
        itemTitle: item.title,
        itemRowSpan: 0,
        project: project.id,
        projectNo: project.no,
        projectMark: circled(project.no),
        projectTitle: project.title,
        progressText: this.progressText(result.status, results, p),
        progress: result.progress,
        due: result.due,
        status: result.status,
        statusLabel: statusLabel[result.status],
      });
      for (const r of results) {
        const ind = this.indicator(r.indicator);
        indicators.push({
          itemNo: item.no,
          projectMark: circled(project.no),
          projectTitle: project.title,
          indicator: r.indicator,
          name: ind.name,
          unit: ind.unit,
          target: r.target,
          actual: r.actual,
          rate: r.rate,
          due: r.due,
          status: r.status,
          statusLabel: statusLabel[r.status],
          linked: r.linked,
          behindRegions: this.behindRegions(r, p)
            .map((k) => `${k.name} ${formatPercent(k.rate)}`)
            .join("、"),
        });
      }
    }
    for (let i = 0; i < rows.length; ) {
      let j = i;
      while (j < rows.length && rows[j]!.itemNo === rows[i]!.itemNo) j++;
      rows[i]!.itemRowSpan = j - i;
      i = j;
    }
    const oneProjectPerItem = (() => {
      const count = new Map<number, number>();
      for (const r of rows) count.set(r.itemNo, (count.get(r.itemNo) ?? 0) + 1);
      return rows.length > 0 && rows.every((r) => count.get(r.itemNo) === 1 && r.itemTitle === r.projectTitle);
    })();
    const columns: AnnexColumn[] = oneProjectPerItem ? ["no", "item", "progress"] : ["no", "item", "project", "progress"];
    const levelLabel = planLevelLabel(plan.level);
    return {
      no: p.annexNo,
      label: `附件 ${p.annexNo}`,
      title: `${this.scope} ${this.months}${this.o.campaign}工作进度表（${levelLabel}重点民生实事）`,
      plan: plan.id,
      columns,
      rows,
      indicators,
    };
  }

  /** Regions below that lag: the evaluation's lagging list, or for an indicator behind as a whole its children under the line. */
  behindRegions(r: IndicatorResult, p: PlanData): RegionRate[] {
    if (r.linked) return [];
    if (r.status === "behind") return (p.children.get(r.indicator) ?? []).filter((k) => k.status === "behind");
    return p.lagging.get(r.indicator) ?? [];
  }

  /** 进展情况 of a project, from its indicators' figures. */
  progressText(status: Status, results: IndicatorResult[], p: PlanData): string {
    if (results.length === 0) return "暂无进度数据。";
    const allLinked = results.every((r) => r.linked);
    const sourceLabel = (r: IndicatorResult) => {
      const source = this.indicator(r.indicator).linkedTo;
      const sourcePlan = source ? this.model.planById.get(this.model.planOfIndicator(source)) : undefined;
      return sourcePlan ? planLevelLabel(sourcePlan.level) : "";
    };
    const single = results.length === 1;
    const phrases = results.map((r) => {
      const ind = this.indicator(r.indicator);
      let s: string;
      if (ind.unit === "%") {
        s = `${this.scope}${ind.name}${ind.name.endsWith("进度") ? "" : "进度"}为 ${formatPercent(r.rate)}`;
      } else {
        s = `${this.scope}${ind.name} ${formatNumber(r.actual)} ${ind.unit}`;
        s += `，完成率 ${formatPercent(r.rate)}`;
      }
      if (r.linked && !allLinked) s += `（纳入${sourceLabel(r)}重点民生实事统一调度）`;
      const kids = p.children.get(r.indicator) ?? [];
      const lagging = this.behindRegions(r, p);
      if (r.status === "completed") {
        if (!r.linked && kids.length >= 2 && kids.every((k) => k.status === "completed"))
          s += `，${kids.length} 个${this.childWord}均已完成全年目标任务`;
        else if (status !== "completed" || !single) s += "，已完成全年目标任务";
      } else if (r.status === "behind") {
        s += `，未达序时（序时进度 ${formatPercent(r.due)}）`;
        const done = kids.filter((k) => k.status === "completed");
        const parts: string[] = [];
        if (done.length > 0) parts.push(`${enumerate(done.map((k) => k.name))}已完成全年目标任务`);
        if (lagging.length > 0) parts.push(`${enumerate(lagging.map((k) => k.name))}未达序时`);
        if (parts.length > 0) s += `。其中，${parts.join("；")}`;
      }
      if (r.status !== "behind" && lagging.length > 0) {
        const names = enumerate(lagging.map((k) => k.name));
        const rates = lagging.map((k) => formatPercent(k.rate));
        const clause = lagging.length === 1 ? `${names}未达序时，进度为 ${rates[0]}` : `${names}未达序时，进度分别为 ${rates.join("、")}`;
        s += single ? `。其中，${clause}` : `，其中，${clause}`;
      }
      return s;
    });
    let text = `${phrases.join("；")}。`;
    // A completed project's indicators each say so already; a single one gets the words if missing.
    if (status === "completed" && single && !text.includes("完成全年目标任务")) text = `${phrases[0]}，已完成全年目标任务。`;
    if (allLinked) text = `此指标纳入${sourceLabel(results[0]!)}重点民生实事统一调度。${text}`;
    return text;
  }
}
