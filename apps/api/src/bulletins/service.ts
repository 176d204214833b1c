import { createHash } from "node:crypto";
import { BULLETIN_FORMAT, type BulletinModel, composeBulletin, type ComposeInput, preloadRenderers, renderDocx, renderXlsx } from "@minsheng/bulletin";
import { chinaDate, type DisclosureContent, periodYear } from "@minsheng/domain";
import { appendAudit, canonicalJson, type Queryable } from "@minsheng/db";
import { assertRegion, mayAccessRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import { supervisionCounts } from "../letters/data.js";
import { bulletinEvaluation } from "../scorecards/service.js";
import { satisfactionForBulletin } from "../satisfaction/service.js";
import { loadDisclosureContent } from "../lib/compliance.js";
import type { Deps } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { preparedPlans } from "../lib/plan-cache.js";
import {
  type DraftKey,
  getIssue,
  getIssueWithModel,
  insertDraft,
  insertIssue,
  issueIdByNumber,
  keepIssuedDraft,
  listIssues,
  loadDraft,
  lockDraftVersion,
  nextIssueNo,
  plansByIds,
  updateDraft,
} from "./data.js";
import { type DraftBody, type DraftContent, type DraftView, type IssueBody, type IssueListQuery, type IssueView, isCalendarDate, type PreviewQuery } from "./schemas.js";

/**
 * 通报, the workflow: the bulletin composed from live data (the plans asked, each with the plans it
 * links to, exported from the database as one bundle — verified and reduced figures only, as every
 * published number — and composed by @minsheng/bulletin with what the project sites hold for
 * rule 6), the narrative drafts staff type, and issuing 第 N 期, which freezes the composed
 * bulletin — every figure and sentence — so later corrections of reports leave it as issued.
 * Every file download is authorised on its own request and audited.
 */

// ---------------------------------------------------------------------------------------------
// Composing and rendering

/** Composed bulletins per database, by options and data version (composing is deterministic). */
const composed = new WeakMap<Queryable, Map<string, Promise<BulletinModel>>>();
const MAX_COMPOSED = 16;

/**
 * Composes the bulletin from live data (throws the bulletin package's typed errors for bad options).
 * The .docx and the .xlsx asked at once (the console's two links), or a preview followed by its
 * downloads, compose once while the data version stays.
 */
export async function composeLive(
  db: Queryable,
  options: Omit<ComposeInput, "bundle" | "disclosureContent">,
  disclosureContent?: DisclosureContent,
): Promise<{ model: BulletinModel; version: string }> {
  const { model: prepared, version } = await preparedPlans(db, options.plans);
  // Site content does not move the data version: it is part of the key (sets made lists).
  const contentKey = disclosureContent ? createHash("sha256").update(JSON.stringify(disclosureContent, (_k, v) => (v instanceof Set ? [...v].sort() : v))).digest("hex") : "";
  const key = `${version}|${contentKey}|${canonicalJson(options)}`;
  let cache = composed.get(db);
  if (!cache) composed.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return { model: await hit, version };
  const model = Promise.resolve().then(() => composeBulletin({ ...options, bundle: prepared, ...(disclosureContent ? { disclosureContent } : {}) }));
  if (cache.size >= MAX_COMPOSED) cache.delete(cache.keys().next().value!);
  cache.set(key, model);
  // Bad options are answered each time, not kept.
  model.catch(() => cache.get(key) === model && cache.delete(key));
  return { model: await model, version };
}

let warming: Promise<void> | undefined;
/**
 * Loads the .docx/.xlsx renderers and prints a small bulletin once, in the background, so that the
 * first real download pays neither for loading docx and exceljs nor for their first, unoptimised
 * run. Started after the first bulletin request that is not itself a download (the console's
 * bulletin page asks for its draft and preview first); a server may call it after start. Once per process.
 */
export function warmRenderers(): Promise<void> {
  warming ??= (async () => {
    await preloadRenderers();
    const model = composeBulletin({ bundle: warmBundle(), plans: ["warm"], region: "990000", period: "2024-01", issueNo: 1, date: "2024-02-01" });
    await renderDocx(model);
    await renderXlsx(model);
  })().catch(() => {
    // Only a warm-up: a failure here shows up again, with its cause, on a real request.
  });
  return warming;
}

let soon = false;
/**
 * After a console sign-in: warm the renderers a few seconds later, once the first page's own
 * requests (the dashboard's evaluations) are answered, so they do not wait behind it. Once per process.
 */
export function warmRenderersSoon(delayMs = 4000): void {
  if (soon) return;
  soon = true;
  setTimeout(() => void warmRenderers(), delayMs).unref();
}

/** A one-county plan with one indicator: enough to run every part of both renderers once. */
const warmBundle = () => ({
  format: "minsheng.bundle/v1",
  regions: [
    { code: "990000", name: "示例市", level: "city", parent: null },
    { code: "990001", name: "示例县", level: "county", parent: "990000" },
  ],
  units: [{ id: "warm-u", name: "示例单位", region: "990000" }],
  plans: [{ id: "warm", year: 2024, level: "city", region: "990000", title: "示例", schedule: "linear-monthly" }],
  items: [{ id: "warm-i", plan: "warm", no: 1, title: "示例实事" }],
  projects: [{ id: "warm-p", item: "warm-i", no: 1, title: "示例项目", leadUnit: "warm-u" }],
  indicators: [{ id: "warm-p-a", project: "warm-p", name: "示例指标", unit: "个", kind: "quantity", aggregation: "sum" }],
  targets: [{ indicator: "warm-p-a", region: "990001", value: 10 }],
  progress: [{ indicator: "warm-p-a", region: "990001", period: "2024-01", value: 1 }],
  disclosure: [],
});

export type FileFormat = "docx" | "xlsx";

export const mediaTypes = {
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} as const satisfies Record<FileFormat, string>;

/** The .docx (whole bulletin) or the .xlsx (its annex tables) of a model. */
export const renderBulletin = (model: BulletinModel, format: FileFormat): Promise<Buffer> => (format === "docx" ? renderDocx(model) : renderXlsx(model));

/** A download name: 邵阳市2024-09通报第7期.docx (附件 for the workbook). */
export const bulletinFilename = (model: BulletinModel, format: FileFormat) =>
  `${model.regionName}${model.period}通报第${model.masthead.issueNo}期${format === "xlsx" ? "附件" : ""}.${format}`;

/** sha256 of the canonical JSON of a model: what was issued, checkable later. */
export const modelHash = (model: BulletinModel) => createHash("sha256").update(canonicalJson(model)).digest("hex");

// ---------------------------------------------------------------------------------------------
// Scope and drafts

/** Where the request named the region and the plans, for the field of a 404. */
export interface ScopeFields {
  region: string;
  period: string;
  plan: (index: number) => string;
}
export const queryFields: ScopeFields = { region: "$.query.region", period: "$.query.period", plan: () => "$.query.plan" };
export const bodyFields: ScopeFields = { region: "$.region", period: "$.period", plan: (i) => `$.plans[${i}]` };

/**
 * The region must lie in the caller's area; each plan must exist, be issued within it or above it,
 * and be of the month's year (a bulletin reports one year's plans: figures restart each January).
 */
export async function assertScope(p: Principal, deps: Deps, { region, plans, period }: { region: string; plans: readonly string[]; period: string }, fields: ScopeFields): Promise<void> {
  const { db, regions } = deps;
  await regions.ready();
  if (!regions.get(region)) throw fail("BULLETIN_REGION_NOT_FOUND", { region }).at(fields.region);
  assertRegion(p, region, regions);
  const rows = await plansByIds(db, plans);
  for (const [i, id] of plans.entries()) {
    const plan = rows.find((r) => r.id === id);
    if (!plan) throw fail("BULLETIN_PLAN_NOT_FOUND", { plan: id }).at(fields.plan(i));
    const related = mayAccessRegion(p, plan.region, regions) || (p.region !== null && regions.isWithin(p.region, plan.region));
    if (!related) assertRegion(p, plan.region, regions);
    if (plan.year !== periodYear(period)) throw fail("BULLETIN_PERIOD_OUTSIDE_PLAN_YEAR", { period, plan: id, year: plan.year }).at(fields.period);
  }
}

const filled = (s: string | undefined) => (s !== undefined && s.trim().length > 0 ? s.trim() : undefined);
const validDate = (s: string | undefined) => (s !== undefined && isCalendarDate(s) ? s : undefined);

/** Compose options from a draft: only what is complete enough to print (the rest keeps its default). */
function optionsOfDraft(content: DraftContent | undefined) {
  const c = content ?? {};
  const thresholds = c.thresholds && (c.thresholds.fast !== undefined || c.thresholds.slow !== undefined) ? { fast: c.thresholds.fast ?? 80, slow: c.thresholds.slow ?? ("schedule" as const) } : undefined;
  return {
    title: filled(c.title),
    masthead: filled(c.masthead),
    issuer: filled(c.issuer),
    seal: filled(c.seal),
    salutation: filled(c.salutation),
    intro: filled(c.intro),
    sections: c.sections,
    thresholds,
  };
}

const dropUndefined = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The draft of a region, month and plans (null when none), the next issue number and today (China). */
export async function draftOf(p: Principal, deps: Deps, key: DraftKey) {
  await assertScope(p, deps, key, queryFields);
  return {
    draft: await loadDraft(deps.db, key),
    nextIssueNo: await nextIssueNo(deps.db, key.region, periodYear(key.period)),
    today: chinaDate(deps.now().getTime()),
  };
}

/** Saves what staff typed (every field as typed); a conflict when someone else saved since the version read. */
export async function saveDraft(p: Principal, deps: Deps, body: DraftBody): Promise<DraftView> {
  await assertScope(p, deps, body, bodyFields);
  const at = deps.now().toISOString();
  const key: DraftKey = { region: body.region, period: body.period, plans: body.plans };
  await deps.db.transaction(async (tx) => {
    const current = await lockDraftVersion(tx, key);
    if (current !== null && body.version !== undefined && body.version !== current)
      // the version read stays in the answer's top level too, as before the error table (the console reloads with it)
      throw new CodedError("BULLETIN_DRAFT_STALE", { currentVersion: current, version: body.version }, undefined, [], { currentVersion: current });
    if (current === null) {
      if (!(await insertDraft(tx, key, body.content, p.actor, at))) throw fail("BULLETIN_DRAFT_SAVED_CONCURRENTLY");
    } else await updateDraft(tx, key, body.content, p.actor, at);
  });
  return (await loadDraft(deps.db, key))!;
}

// ---------------------------------------------------------------------------------------------
// Preview, issue, download

/**
 * The sections the workflows add to a month's bulletin, from their own records: 督办情况 (rules
 * 11-12) counted as of the month's last day, or today while the month runs; 考评 (rules 7, 8, 16):
 * the ranking, warnings, quality shortfalls and the at-risk list; 满意度测评 (rule 14): the region's
 * published ballots of the year, when there are any.
 */
async function workflowSections(db: Queryable, deps: Deps, region: string, period: string): Promise<Partial<ComposeInput>> {
  await deps.regions.ready();
  const today = chinaDate(deps.now().getTime());
  const last = new Date(Date.UTC(periodYear(period), Number(period.slice(5, 7)), 0)).toISOString().slice(0, 10);
  const supervision = await supervisionCounts(db, deps.regions.subtree(region), period, today < last ? today : last);
  return { supervision, ...(await bulletinEvaluation(db, deps, region, period)), ...(await satisfactionForBulletin(db, region, periodYear(period))) };
}

/** The bulletin from live data with the saved draft's narrative, and what it was composed from. */
export async function previewBulletin(p: Principal, deps: Deps, q: Omit<PreviewQuery, "format">) {
  const plans = q.plan.split(",");
  await assertScope(p, deps, { region: q.region, plans, period: q.period }, queryFields);
  const draft = await loadDraft(deps.db, { region: q.region, period: q.period, plans });
  const issueNo = q.issueNo ?? draft?.content.issueNo ?? (await nextIssueNo(deps.db, q.region, periodYear(q.period)));
  const date = q.date ?? validDate(draft?.content.date) ?? chinaDate(deps.now().getTime());
  const content = await loadDisclosureContent(deps.db, deps.regions, deps.now(), q.period, q.region, plans);
  const sections = await workflowSections(deps.db, deps, q.region, q.period);
  const { model, version } = await composeLive(deps.db, dropUndefined({ plans, region: q.region, period: q.period, issueNo, date, ...optionsOfDraft(draft?.content), ...sections }), content);
  return { model, dataVersion: Number(version), draftVersion: draft?.version ?? null, plans, issueNo, date };
}

/** A file of the live bulletin leaves the server: who, which and from which data. */
export async function auditPreviewDownload(p: Principal, deps: Deps, q: { region: string; period: string; plans: readonly string[]; format: FileFormat; issueNo: number; date: string; dataVersion: number }) {
  await appendAudit(deps.db, {
    actor: p.actor,
    action: "bulletin.preview.download",
    entity: "bulletin-preview",
    entityId: `${q.region}:${q.period}:${q.plans.join(",")}`,
    after: { format: q.format, issueNo: q.issueNo, date: q.date, dataVersion: q.dataVersion },
    at: deps.now(),
  });
}

/** Issues 第 N 期: composes from the data as it is now and freezes the result; a conflict when the number is taken. */
export async function issueBulletin(p: Principal, deps: Deps, body: IssueBody): Promise<IssueView> {
  await assertScope(p, deps, body, bodyFields);
  const at = deps.now();
  const year = periodYear(body.period);
  const id = await deps.db.transaction(async (tx) => {
    // Composed inside the transaction: the snapshot is the data at one instant.
    const options = dropUndefined({
      ...optionsOfDraft({ ...body, date: body.date }),
      plans: body.plans,
      region: body.region,
      period: body.period,
      issueNo: body.issueNo,
      date: body.date,
      ...(await workflowSections(tx, deps, body.region, body.period)),
    });
    const disclosure = await loadDisclosureContent(tx, deps.regions, at, body.period, body.region, body.plans);
    const { model, version } = await composeLive(tx, options, disclosure);
    const sha256 = modelHash(model);
    const issueId = await insertIssue(tx, {
      region: body.region,
      period: body.period,
      plans: body.plans,
      year,
      issueNo: body.issueNo,
      date: body.date,
      title: model.title,
      options,
      model,
      sha256,
      dataVersion: version,
      issuedBy: p.actor,
      issuedAt: at.toISOString(),
    });
    if (issueId === null) {
      const extra = { issueId: await issueIdByNumber(tx, body.region, year, body.issueNo), nextIssueNo: await nextIssueNo(tx, body.region, year) };
      // which bulletin holds the number and the next free one stay at the answer's top level, as before the error table
      throw new CodedError("BULLETIN_ISSUE_NO_TAKEN", { region: body.region, year, issueNo: body.issueNo, nextIssueNo: extra.nextIssueNo }, undefined, [], extra).at("$.issueNo");
    }
    // The narrative as issued stays with the draft, linked to the issue.
    const content: DraftContent = dropUndefined({ ...body, plans: undefined, region: undefined, period: undefined } as DraftContent);
    await keepIssuedDraft(tx, { region: body.region, period: body.period, plans: body.plans }, content, issueId, p.actor, at.toISOString());
    await appendAudit(tx, {
      actor: p.actor,
      action: "bulletin.issue",
      entity: "bulletin",
      entityId: String(issueId),
      before: null,
      after: { region: body.region, period: body.period, plans: body.plans, issueNo: body.issueNo, date: body.date, title: model.title, sha256, dataVersion: Number(version) },
      at,
    });
    return issueId;
  });
  return (await getIssue(deps.db, id))!;
}

/** Issued bulletins of the caller's area (or of a region in it), newest first. */
export async function issuesOf(p: Principal, deps: Deps, q: IssueListQuery) {
  const { db, regions } = deps;
  await regions.ready();
  let area: string[] | null = p.region === null ? null : regions.subtree(p.region);
  if (q.region !== undefined) {
    if (!regions.get(q.region)) throw fail("BULLETIN_REGION_NOT_FOUND", { region: q.region }).at("$.query.region");
    assertRegion(p, q.region, regions);
    area = regions.subtree(q.region);
  }
  const { total, issues } = await listIssues(db, { regions: area, ...(q.year !== undefined ? { year: q.year } : {}), limit: q.limit, offset: q.offset });
  return { total, limit: q.limit, offset: q.offset, issues };
}

/** An issued bulletin as it was issued, for the caller's area; every request is audited. */
export async function openIssue(p: Principal, deps: Deps, id: number, format: "json" | FileFormat): Promise<{ issue: IssueView; model: BulletinModel }> {
  const { db, regions, now } = deps;
  await regions.ready();
  const found = await getIssueWithModel(db, id);
  if (!found) throw fail("BULLETIN_NOT_FOUND", { id });
  assertRegion(p, found.issue.region.code, regions);
  if (found.model.format !== BULLETIN_FORMAT) throw fail("BULLETIN_FORMAT_UNKNOWN", { id, format: String(found.model.format) });
  await appendAudit(db, { actor: p.actor, action: "bulletin.download", entity: "bulletin", entityId: String(id), after: { format }, at: now() });
  return found;
}
