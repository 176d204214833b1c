import type { Queryable } from "@minsheng/db";

/** Data access of the quality check (rule 7): every SQL statement of the feature. */

export interface QualitySource {
  indicator: string;
  indicatorName: string;
  region: string;
  regionName: string;
  unit: string;
  unitName: string;
  target: number;
  reported: number;
  /** latest verified (accepted) cumulative value of the year at or before the month; null when none */
  verified: number | null;
}

/**
 * The month's reports in the area that stand (submitted, verified or reduced) with the region's own
 * target and the latest verified value of the year at or before the month.
 */
export async function qualitySources(db: Queryable, period: string, area: readonly string[], unit: string | null): Promise<QualitySource[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT r.indicator, i.name AS indicator_name, r.region, rg.name AS region_name, pr.lead_unit, u.name AS unit_name,
            t.value::text AS target, r.reported_value::text AS reported,
            (SELECT v.verified_value::text FROM reports v
              WHERE v.indicator = r.indicator AND v.region = r.region AND v.state IN ('verified', 'reduced')
                AND v.period <= $1 AND v.period >= substr($1, 1, 4) || '-01'
              ORDER BY v.period DESC LIMIT 1) AS verified
       FROM reports r
       JOIN targets t ON t.indicator = r.indicator AND t.region = r.region
       JOIN indicators i ON i.id = r.indicator
       JOIN projects pr ON pr.id = i.project
       JOIN units u ON u.id = pr.lead_unit
       JOIN regions rg ON rg.code = r.region
      WHERE r.period = $1 AND r.state IN ('submitted', 'verified', 'reduced') AND r.region = ANY($2::text[])
        AND ($3::text IS NULL OR pr.lead_unit = $3)
      ORDER BY pr.lead_unit, i.position, r.indicator, r.region`,
    [period, area, unit],
  );
  return rows.map((r) => ({
    indicator: String(r.indicator),
    indicatorName: String(r.indicator_name),
    region: String(r.region),
    regionName: String(r.region_name),
    unit: String(r.lead_unit),
    unitName: String(r.unit_name),
    target: Number(r.target),
    reported: Number(r.reported),
    verified: r.verified == null ? null : Number(r.verified),
  }));
}
