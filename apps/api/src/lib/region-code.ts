import { z } from "zod";

/** A region code in a query or body (GB/T 2260, 6-12 digits): one schema for every feature's input. */
export const RegionCode = z.string().regex(/^\d{6,12}$/, "must be a region code (6-12 digits)");
