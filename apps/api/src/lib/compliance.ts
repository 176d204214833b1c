import {
  chinaDate,
  type DisclosureContent,
  type DisclosureObligation,
  type DisclosureSource,
  disclosureBandLabel,
  disclosureObligationLabel,
  judgeDisclosure,
  nextPeriod,
  periodYear,
  type SiteContent,
} from "@minsheng/domain";
import type { Queryable } from "@minsheng/db";
import type { Deps } from "./context.js";
import { preparedPlans } from "./plan-cache.js";
import type { RegionDirectory } from "./regions.js";
import { calendarOf, loadDisclosureSettings } from "./settings.js";
import { secretsOf, syncSites } from "../sites/service.js";

/**
 * Rule 6, one figure everywhere: the API reads what the project sites hold and hands it to the
 * domain's `judgeDisclosure`, which every view uses (/disclosure/compliance and /scores, the
 * progress figures behind the dashboard, the bulletin). A site's content counts when published by
 * the end of the month; a citizen's suggestion only once moderation approved it (one still pending
 * is nobody's to answer yet, and spam must not lower a score).
 */

export interface SiteCompliance {
  code: string | null;
  project: string;
  projectTitle: string;
  region: string;
  regionName: string;
  source: DisclosureSource;
  compliant: boolean;
  /** what it misses (content only; an imported record says only that it is not compliant) */
  missed: { obligation: DisclosureObligation; label: string }[] | null;
}

const nextMonthStart = (period: string): string => `${nextPeriod(period)}-01`;

/** Feedback that counts for disclosure: approved by moderation (open or answered) by the month's end. */
const APPROVED_BY = (end: string) => `f.state IN ('open', 'answered') AND (f.moderated_at IS NULL OR f.moderated_at < ${end})`;

/**
 * What the platform holds for the plans' sites in `region`'s area at the period: the content input
 * of the domain's rule 6. Plans live on the platform are found over the whole plan, so that a
 * region's score does not depend on the area asked.
 */
export async function loadDisclosureContent(
  db: Queryable,
  regions: RegionDirectory,
  now: Date,
  period: string,
  region: string,
  plans: readonly string[],
): Promise<DisclosureContent> {
  const settings = await loadDisclosureSettings(db);
  const end = new Date(`${nextMonthStart(period)}T00:00:00+08:00`).toISOString();
  const lastDay = chinaDate(new Date(end).getTime() - 1);
  const today = chinaDate(now.getTime());
  const asOf = today < lastDay ? today : lastDay;
  const content: DisclosureContent = { asOf, checklist: settings, calendar: calendarOf(settings), sites: [], livePlans: [] };
  const { rows: live } = await db.query<{ plan: string }>(
    `SELECT DISTINCT it.plan FROM project_sites s JOIN projects p ON p.id = s.project JOIN items it ON it.id = p.item
      WHERE it.plan = ANY($1::text[])
        AND (EXISTS (SELECT 1 FROM site_content c WHERE c.site = s.code AND c.published AND c.published_at < $2)
          OR EXISTS (SELECT 1 FROM feedback f WHERE f.site = s.code AND f.received_at < $2 AND ${APPROVED_BY("$2")}))`,
    [plans, end],
  );
  if (live.length === 0) return content;
  content.livePlans = live.map((r) => r.plan);
  await regions.ready();
  const { rows: sites } = await db.query<{ code: string; project: string; region: string }>(
    `SELECT s.code, s.project, s.region FROM project_sites s JOIN projects p ON p.id = s.project JOIN items it ON it.id = p.item
      WHERE it.plan = ANY($1::text[]) AND s.region = ANY($2::text[])`,
    [content.livePlans, regions.subtree(region)],
  );
  const codes = sites.map((s) => s.code);
  // One after the other: this may run inside a transaction (issuing a bulletin).
  const { rows: published } = await db.query<{ site: string; kind: string; published_at: string | Date }>(
    "SELECT site, kind, published_at FROM site_content WHERE site = ANY($1::text[]) AND published AND published_at < $2",
    [codes, end],
  );
  const { rows: feedback } = await db.query<{ site: string; received_on: string; answered_on: string | null }>(
    `SELECT f.site, f.received_on, f.answered_on FROM feedback f WHERE f.site = ANY($1::text[]) AND f.received_at < $2 AND ${APPROVED_BY("$2")}`,
    [codes, end],
  );
  const held = new Map<string, { policyDocuments: number; localisedUpdates: number; workUpdateMonths: Set<string>; suggestions: { receivedOn: string; answeredOn: string | null }[] }>();
  const of = (code: string) => {
    let s = held.get(code);
    if (!s) held.set(code, (s = { policyDocuments: 0, localisedUpdates: 0, workUpdateMonths: new Set(), suggestions: [] }));
    return s;
  };
  for (const r of published) {
    const s = of(r.site);
    if (r.kind === "policy") s.policyDocuments++;
    else if (r.kind === "localised") s.localisedUpdates++;
    else s.workUpdateMonths.add(chinaDate(new Date(r.published_at).getTime()).slice(0, 7));
  }
  // An answer given after the day judged is not yet an answer then.
  for (const f of feedback) of(f.site).suggestions.push({ receivedOn: f.received_on, answeredOn: f.answered_on !== null && f.answered_on <= asOf ? f.answered_on : null });
  const bySite = new Map(sites.map((s) => [s.code, s]));
  content.sites = [...held.entries()].map(([code, c]): { project: string; region: string; content: SiteContent } => ({
    project: bySite.get(code)!.project,
    region: bySite.get(code)!.region,
    content: c,
  }));
  return content;
}

/** The plans of a year (the default scope of the disclosure views). */
async function plansOfYear(db: Queryable, year: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM plans WHERE year = $1 ORDER BY level, id", [year]);
  return rows.map((r) => r.id);
}

/** Rule 6 at a month and region, per child region and per non-compliant project site (GET /disclosure/compliance and /scores). */
export async function complianceReport(deps: Deps, period: string, region: string, plan?: string) {
  const { db, regions } = deps;
  await regions.ready();
  await syncSites(db, secretsOf(deps));
  const plans = plan !== undefined ? [plan] : await plansOfYear(db, periodYear(period));
  const content = await loadDisclosureContent(db, regions, deps.now(), period, region, plans);
  const settings = await loadDisclosureSettings(db);
  const empty = { sites: [], scores: [] };
  const judged = plans.length === 0 ? empty : judgeDisclosure((await preparedPlans(db, plans)).model, period, region, plan, content);
  const projects = [...new Set(judged.sites.map((s) => s.project))];
  const [{ rows: sites }, { rows: titleRows }] = await Promise.all([
    db.query<{ code: string; project: string; region: string }>("SELECT code, project, region FROM project_sites WHERE project = ANY($1::text[])", [projects]),
    db.query<{ id: string; title: string }>("SELECT id, title FROM projects WHERE id = ANY($1::text[])", [projects]),
  ]);
  const codeOf = new Map(sites.map((s) => [`${s.project}\u0000${s.region}`, s.code]));
  const titles = new Map(titleRows.map((p) => [p.id, p.title]));
  const results: SiteCompliance[] = judged.sites.map((s) => ({
    code: codeOf.get(`${s.project}\u0000${s.region}`) ?? null,
    project: s.project,
    projectTitle: titles.get(s.project) ?? s.project,
    region: s.region,
    regionName: regions.get(s.region)?.name ?? s.region,
    source: s.source,
    compliant: s.compliant,
    missed: s.missed === null ? null : s.missed.map((m) => ({ obligation: m, label: disclosureObligationLabel[m] })),
  }));
  return {
    period,
    region,
    ...(plan !== undefined ? { plan } : {}),
    asOf: content.asOf,
    checklist: settings,
    sources: { content: results.filter((r) => r.source === "content").length, record: results.filter((r) => r.source === "record").length },
    scores: judged.scores.map((s) => ({ ...s, name: regions.get(s.region)?.name ?? s.region, bandLabel: disclosureBandLabel[s.band] })),
    nonCompliant: results.filter((r) => !r.compliant),
  };
}
