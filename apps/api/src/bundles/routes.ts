import { Bundle, parseBundle } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { acceptsBody } from "../lib/body-limit.js";
import { fail } from "../lib/errors.js";
import { defineOperation, router } from "../lib/operation.js";
import { invalid, nulProblems } from "../lib/validate.js";
import { invalidInput, problem } from "../plans/service.js";
import { exportVisible, importAudited } from "./service.js";

/** Plan bundles (minsheng.bundle/v1): a whole year's plan with its figures, as JSON, in and out. */

/** A whole year's plan with its figures, as JSON. */
const MAX_BUNDLE_BYTES = 200 * 1024 * 1024;

export const PlanParam = z.object({ planId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a plan id") });

/** The bundle as a component, as written in a file (defaults optional) and as exported. */
const BundleInput = Bundle.meta({ id: "BundleInput" });
const BundleOutput = Bundle.meta({ id: "Bundle" });

const ImportCounts = z.object({
  regions: z.number().int(),
  units: z.number().int(),
  plans: z.number().int(),
  items: z.number().int(),
  projects: z.number().int(),
  indicators: z.number().int(),
  targets: z.number().int(),
  progress: z.number().int(),
  disclosure: z.number().int(),
});

export const importBundleOp = defineOperation({
  tag: "bundles", method: "post", path: "/", operationId: "importBundle", access: "plans.import",
  summary: ["导入计划数据包", "Import a minsheng.bundle/v1 document in one transaction"],
  description: "An invalid bundle changes nothing and is answered 400 with every problem and its JSON path. Progress rows count as verified figures.",
  body: BundleInput,
  success: { status: 201, description: "imported rows by kind", schema: z.object({ imported: ImportCounts }) },
  errors: [413],
});

export const exportBundleOp = defineOperation({
  tag: "bundles", method: "get", path: "/{planId}", operationId: "exportBundle", access: "plans.export",
  summary: ["导出计划数据包", "Export a plan (with the plans it links to) as a bundle"],
  scope: "the plan's region must lie within your area, or your area within it (then only your area's figures are exported)",
  params: PlanParam, examples: { planId: "sy2024" },
  success: { status: 200, description: "the bundle (Content-Disposition: attachment)", schema: BundleOutput },
});

/**
 * The import reads its body itself: after the permission check (up to 200 MB is not parsed for a
 * caller who may not import), checked by the domain's parseBundle (schema and references, answered
 * as BundleInvalid). So its route goes without the body validator; the declaration documents it.
 */
const importRoute = { ...importBundleOp, request: {}, hide: true, middleware: [acceptsBody(() => MAX_BUNDLE_BYTES, "the bundle")] };

/** Mounted at /bundles. */
export const bundleRoutes = router()
  .openapi(importRoute, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.import");
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw invalidInput([problem(fail("BUNDLE_NOT_JSON"), "$", "is not valid JSON")], "body is not valid JSON");
    }
    const nul = nulProblems(raw);
    if (nul.length > 0) throw invalid(nul);
    const bundle = Either.getOrThrowWith(parseBundle(raw), (e) => e);
    return c.json({ imported: await importAudited(c.get("deps"), p, bundle) }, 201);
  })
  .openapi(exportBundleOp, async (c) => {
    const p = requirePermission(c.get("principal"), "plans.export");
    const { planId } = c.req.valid("param");
    const bundle = await exportVisible(c.get("deps"), p, planId);
    c.header("Content-Disposition", `attachment; filename="${planId}.bundle.json"`);
    c.header("Cache-Control", "no-store");
    return c.json(bundle, 200);
  });

// the import's declaration, with its body, in the document (its route above is hidden)
bundleRoutes.openAPIRegistry.registerPath(importBundleOp);
