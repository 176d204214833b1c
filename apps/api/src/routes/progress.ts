// The plan and disclosure routes moved to plans/ and disclosure/; routes/sites.ts, public.ts and
// feedback.ts still import the region code schema from here until they move too.
export { RegionCode } from "../lib/region-code.js";
