import type { Queryable } from "@minsheng/db";
import { checkQuality, DEFAULT_MAX_GAP_POINTS, qualityShortfallsByUnit } from "@minsheng/domain";
import type { RegionDirectory } from "../lib/regions.js";
import { qualitySources } from "./data.js";

/**
 * 项目质效 (rule 7): reported progress may not run more than `maxGap` points (10 by default) ahead of
 * what the evidence supports; the domain's `checkQuality` decides, on the month's reports.
 */
export async function qualityOf(db: Queryable, regions: RegionDirectory, period: string, region: string, unit: string | null, maxGap = DEFAULT_MAX_GAP_POINTS) {
  await regions.ready();
  const sources = await qualitySources(db, period, regions.subtree(region), unit);
  const checked = checkQuality(sources, maxGap);
  const rows = checked.map((r, i) => {
    const s = sources[i]!;
    return {
      indicator: r.indicator,
      region: r.region,
      unit: s.unit,
      reportedRate: r.reportedRate,
      verifiedRate: r.verifiedRate,
      gap: r.gap,
      withinLimit: r.withinLimit,
      reduced: r.reduced,
      indicatorName: s.indicatorName,
      regionName: s.regionName,
      unitName: s.unitName,
    };
  });
  const shortfalls = qualityShortfallsByUnit(rows).map((s) => ({
    unit: s.unit,
    name: s.rows[0]!.unitName,
    count: s.rows.length,
    indicators: s.rows.map((r) => `${r.indicatorName}（${r.regionName}）`),
  }));
  return { period, region, maxGap, rows, shortfalls };
}
