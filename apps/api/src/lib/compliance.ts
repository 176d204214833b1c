import {
  chinaDate,
  compareDisclosureScores,
  type DisclosureObligation,
  disclosureBandLabel,
  disclosureObligationLabel,
  disclosureScore,
  missedObligations,
  nextPeriod,
  periodYear,
} from "@minsheng/domain";
import type { Deps } from "./context.js";
import { calendarOf, loadDisclosureSettings } from "./settings.js";
import { secretsOf, syncSites } from "./sites.js";

/**
 * Rule 6 from what the sites really published. The obligations are the project sites that do the
 * work: a project in a region holding one of its targets with no region below holding one for the
 * same indicator (the counties, 市本级, zones), plus any pair an imported disclosure record names.
 * A site that published anything (or received feedback) by the end of the month is judged on its
 * content with the configured checklist; one that did not keeps its imported record. In a month
 * when nothing at all was published in the region the imported records stand as they are, so the
 * scores are those of GET /disclosure/scores.
 */

export interface SiteCompliance {
  code: string | null;
  project: string;
  projectTitle: string;
  region: string;
  regionName: string;
  source: "content" | "record";
  compliant: boolean;
  /** what it misses (content only; an imported record says only that it is not compliant) */
  missed: { obligation: DisclosureObligation; label: string }[] | null;
}

const nextMonthStart = (period: string): string => `${nextPeriod(period)}-01`;

export async function complianceReport(deps: Deps, period: string, region: string, plan?: string) {
  const { db, regions } = deps;
  await regions.ready();
  await syncSites(db, secretsOf(deps));
  const settings = await loadDisclosureSettings(db);
  const year = periodYear(period);
  const inArea = new Set(regions.subtree(region));
  const planFilter = plan === undefined ? "" : "AND pl.id = $2";
  const params = plan === undefined ? [year] : [year, plan];

  // Obligations: the lowest target holders of each indicator, by project.
  const { rows: targets } = await db.query<{ project: string; indicator: string; region: string; title: string }>(
    `SELECT i.project, t.indicator, t.region, p.title FROM targets t
       JOIN indicators i ON i.id = t.indicator JOIN projects p ON p.id = i.project
       JOIN items it ON it.id = p.item JOIN plans pl ON pl.id = it.plan
      WHERE pl.year = $1 ${planFilter}`,
    params,
  );
  const holdersByIndicator = new Map<string, Set<string>>();
  for (const t of targets) (holdersByIndicator.get(t.indicator) ?? holdersByIndicator.set(t.indicator, new Set()).get(t.indicator)!).add(t.region);
  const above = new Map<string, Set<string>>();
  for (const [indicator, holders] of holdersByIndicator) {
    const marks = new Set<string>();
    for (const code of holders) for (let r = regions.get(code)?.parent ?? null; r; r = regions.get(r)?.parent ?? null) marks.add(r);
    above.set(indicator, marks);
  }
  const titles = new Map<string, string>();
  const pairs = new Map<string, { project: string; region: string }>();
  for (const t of targets) {
    titles.set(t.project, t.title);
    if (!inArea.has(t.region) || above.get(t.indicator)!.has(t.region)) continue;
    pairs.set(`${t.project}\u0000${t.region}`, { project: t.project, region: t.region });
  }

  // Imported records: the latest of the year at or before the month, per project and region.
  const { rows: records } = await db.query<{ project: string; region: string; period: string; compliant: boolean; title: string }>(
    `SELECT d.project, d.region, d.period, d.compliant, p.title FROM disclosure_records d
       JOIN projects p ON p.id = d.project JOIN items it ON it.id = p.item JOIN plans pl ON pl.id = it.plan
      WHERE pl.year = $1 AND d.period <= $2 AND d.period >= $3 ${plan === undefined ? "" : "AND pl.id = $4"}`,
    plan === undefined ? [year, period, `${year}-01`] : [year, period, `${year}-01`, plan],
  );
  const latestRecord = new Map<string, { period: string; compliant: boolean }>();
  for (const r of records) {
    if (!inArea.has(r.region)) continue;
    const key = `${r.project}\u0000${r.region}`;
    titles.set(r.project, r.title);
    const seen = latestRecord.get(key);
    if (!seen || seen.period < r.period) latestRecord.set(key, { period: r.period, compliant: r.compliant });
    if (!pairs.has(key)) pairs.set(key, { project: r.project, region: r.region });
  }

  // What the sites published by the end of the month.
  const { rows: sites } = await db.query<{ code: string; project: string; region: string }>(
    "SELECT code, project, region FROM project_sites WHERE region = ANY($1::text[])",
    [[...inArea]],
  );
  const codeOf = new Map(sites.map((s) => [`${s.project}\u0000${s.region}`, s.code]));
  const codes = [...pairs.keys()].map((k) => codeOf.get(k)).filter((c): c is string => c !== undefined);
  const end = new Date(`${nextMonthStart(period)}T00:00:00+08:00`).toISOString();
  const lastDay = chinaDate(new Date(end).getTime() - 1);
  const today = chinaDate(deps.now().getTime());
  const asOf = today < lastDay ? today : lastDay;
  const { rows: content } = await db.query<{ site: string; kind: string; published_at: string | Date }>(
    "SELECT site, kind, published_at FROM site_content WHERE site = ANY($1::text[]) AND published AND published_at < $2",
    [codes, end],
  );
  const { rows: feedback } = await db.query<{ site: string; received_on: string; answered_on: string | null }>(
    "SELECT site, received_on, answered_on FROM feedback WHERE site = ANY($1::text[]) AND state <> 'rejected' AND received_at < $2",
    [codes, end],
  );
  const published = new Map<string, { policy: number; localised: number; months: Set<string>; suggestions: { receivedOn: string; answeredOn: string | null }[] }>();
  const of = (code: string) => published.get(code) ?? published.set(code, { policy: 0, localised: 0, months: new Set(), suggestions: [] }).get(code)!;
  for (const r of content) {
    const s = of(r.site);
    if (r.kind === "policy") s.policy++;
    else if (r.kind === "localised") s.localised++;
    else s.months.add(chinaDate(new Date(r.published_at).getTime()).slice(0, 7));
  }
  for (const f of feedback) of(f.site).suggestions.push({ receivedOn: f.received_on, answeredOn: f.answered_on !== null && f.answered_on <= asOf ? f.answered_on : null });
  const anyContent = published.size > 0;

  const calendar = calendarOf(settings);
  const results: SiteCompliance[] = [];
  for (const [key, { project, region: code }] of pairs) {
    const siteCode = codeOf.get(key) ?? null;
    const own = siteCode ? published.get(siteCode) : undefined;
    const record = latestRecord.get(key);
    const base = { code: siteCode, project, projectTitle: titles.get(project) ?? project, region: code, regionName: regions.get(code)?.name ?? code };
    if (!own && record) {
      results.push({ ...base, source: "record", compliant: record.compliant, missed: null });
      continue;
    }
    if (!own && !anyContent) continue; // a month without content: the imported records stand alone
    const missed = missedObligations(
      { policyDocuments: own?.policy ?? 0, localisedUpdates: own?.localised ?? 0, workUpdateMonths: own?.months ?? [], suggestions: own?.suggestions ?? [] },
      period,
      asOf,
      settings,
      calendar,
    );
    results.push({ ...base, source: "content", compliant: missed.length === 0, missed: missed.map((m) => ({ obligation: m, label: disclosureObligationLabel[m] })) });
  }

  // Scores per child region of the one asked about (or itself when it holds obligations).
  const groupOf = (code: string): string => {
    let c = code;
    for (let guard = 0; guard < 64; guard++) {
      const parent = regions.get(c)?.parent ?? null;
      if (c === region || parent === region || parent === null) return c;
      c = parent;
    }
    return c;
  };
  const tally = new Map<string, { compliant: number; total: number }>();
  for (const r of results) {
    const g = groupOf(r.region);
    const t = tally.get(g) ?? tally.set(g, { compliant: 0, total: 0 }).get(g)!;
    t.total++;
    if (r.compliant) t.compliant++;
  }
  const scores = [...tally.entries()]
    .map(([code, t]) => disclosureScore(code, t.compliant, t.total))
    .sort(compareDisclosureScores)
    .map((s) => ({ ...s, name: regions.get(s.region)?.name ?? s.region, bandLabel: disclosureBandLabel[s.band] }));
  results.sort((a, b) => a.region.localeCompare(b.region) || a.project.localeCompare(b.project));
  return {
    period,
    region,
    ...(plan !== undefined ? { plan } : {}),
    asOf,
    checklist: settings,
    sources: { content: results.filter((r) => r.source === "content").length, record: results.filter((r) => r.source === "record").length },
    scores,
    nonCompliant: results.filter((r) => !r.compliant),
  };
}
