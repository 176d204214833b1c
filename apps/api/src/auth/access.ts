import { forbidden } from "../lib/errors.js";
import type { RegionDirectory } from "../lib/regions.js";
import type { Principal } from "./principal.js";
import { isAdminRole } from "./roles.js";

/** Whether the caller may see or act in `region`: its own region's subtree (the three administrators: everywhere, within their permissions). */
export const mayAccessRegion = (p: Principal, region: string, regions: RegionDirectory): boolean =>
  p.region === null ? isAdminRole(p.role) : regions.isWithin(region, p.region);

export function assertRegion(p: Principal, region: string, regions: RegionDirectory): void {
  if (!mayAccessRegion(p, region, regions)) throw forbidden(`region ${region} is outside your area`);
}
