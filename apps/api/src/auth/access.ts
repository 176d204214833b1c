import { CodedError } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import type { Principal } from "./principal.js";
import { isAdminRole } from "./roles.js";

/** Whether the caller may see or act in `region`: its own region's subtree (the three administrators: everywhere, within their permissions). */
export const mayAccessRegion = (p: Principal, region: string, regions: RegionDirectory): boolean =>
  p.region === null ? isAdminRole(p.role) : regions.isWithin(region, p.region);

export function assertRegion(p: Principal, region: string, regions: RegionDirectory): void {
  if (!mayAccessRegion(p, region, regions)) throw new CodedError("REGION_OUTSIDE_AREA", { region }, `region ${region} is outside your area`);
}

/** 403 unless the record (report, evidence, site, feedback, export) is of the caller's area and, for a unit's reporter, of a project its unit leads. */
export function assertProjectScope(p: Principal, record: { region: string; leadUnit: string }, regions: RegionDirectory): void {
  assertRegion(p, record.region, regions);
  if (p.unit !== null && p.unit !== record.leadUnit) throw new CodedError("PROJECT_OF_OTHER_UNIT", { leadUnit: record.leadUnit, unit: p.unit }, `the project is led by unit ${record.leadUnit}, not yours (${p.unit})`);
}
