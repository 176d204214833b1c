import { OpenAPIHono } from "@hono/zod-openapi";
import { auditDenials, authenticate, csrfGuard } from "./auth/middleware.js";
import { limitBodies } from "./lib/body-limit.js";
import { operationsOf } from "./lib/operation.js";
import { type AppEnv, type Deps } from "./lib/context.js";
import { CodedError, errorResponse } from "./lib/errors.js";
import { securityHeaders } from "./lib/security-headers.js";
import { auditRoutes } from "./audit/routes.js";
import { authRoutes } from "./auth/routes.js";
import { bulletinRoutes } from "./bulletins/routes.js";
import { bundleRoutes } from "./bundles/routes.js";
import { disclosureRoutes } from "./disclosure/routes.js";
import { docsRoutes } from "./docs/routes.js";
import { evidenceRoutes } from "./evidence/routes.js";
import { feedbackRoutes } from "./feedback/routes.js";
import { planEditorRoutes } from "./plans/editor-routes.js";
import { planRoutes } from "./plans/routes.js";
import { answerCachedPagesFirst, invalidatePublicPagesOnWrite } from "./public/public-cache.js";
import { publicRoutes } from "./public/routes.js";
import { reportImportRoutes } from "./imports/routes.js";
import { reportRoutes } from "./reports/routes.js";
import { contentRoutes } from "./sites/content-routes.js";
import { projectSiteRoutes, siteRoutes } from "./sites/routes.js";
import { tokenRoutes } from "./tokens/routes.js";
import { userRoutes } from "./users/routes.js";
import { letterRoutes } from "./letters/routes.js";
import { observationRoutes } from "./observations/routes.js";
import { observerRoutes } from "./observers/routes.js";
import { scorecardRoutes } from "./scorecards/routes.js";
import { qualityRoutes } from "./quality/routes.js";
import { riskRoutes } from "./risks/routes.js";
import { candidateRoutes, publicProposalRoutes } from "./candidates/routes.js";
import { followupRoutes } from "./followups/routes.js";
import { lookbackRoutes } from "./lookback/routes.js";
import { satisfactionRoutes } from "./satisfaction/routes.js";
import { publicCongressRoutes, voteRoutes } from "./votes/routes.js";

/**
 * The routes under /api/v1: every feature's router behind authentication. Needs no dependencies
 * (handlers take them from the context), so tests can list its operations without a database.
 */
export function apiRoutes() {
  // the document is generated from this app's operations (docs/routes.ts), once they are all mounted
  const base = new OpenAPIHono<AppEnv>();
  return base
    // a successful write may change a public page: drop the rendered ones (unless its operation keeps them)
    .use(invalidatePublicPagesOnWrite(() => operationsOf(base)))
    .use(auditDenials)
    .use(authenticate)
    .use(csrfGuard)
    .route("/", docsRoutes(() => base))
    .route("/auth", authRoutes)
    .route("/users", userRoutes)
    .route("/tokens", tokenRoutes)
    .route("/bundles", bundleRoutes)
    .route("/plans", planRoutes)
    // 预警 (rule 16): GET /plans/{planId}/risks
    .route("/plans", riskRoutes)
    // 计划管理: plans, items, projects, indicators, targets (split-down) and schedules, record by record
    .route("/", planEditorRoutes)
    // rule 6: scores, the compliance report from the sites' real content, its checklist
    .route("/disclosure", disclosureRoutes)
    .route("/audit", auditRoutes)
    .route("/reports", reportRoutes)
    // a report's files (/reports/{id}/evidence) and a file by itself (/evidence/{id})
    .route("/", evidenceRoutes)
    // 通报 (preview, drafts, issued snapshots) and the Excel import of monthly figures
    .route("/bulletins", bulletinRoutes)
    .route("/imports", reportImportRoutes)
    // 码上通: project sites, their content, citizens' feedback, the public side
    .route("/sites", siteRoutes)
    .route("/projects", projectSiteRoutes)
    .route("/content", contentRoutes)
    .route("/feedback", feedbackRoutes)
    .route("/public", publicRoutes)
    // 督办: observers, their filings, letters that must be answered (rules 11-12)
    .route("/observers", observerRoutes)
    .route("/observations", observationRoutes)
    .route("/letters", letterRoutes)
    // 考评 (rules 7, 8): the monthly unit scorecard, warnings and interviews; the quality check
    .route("/scorecards", scorecardRoutes)
    .route("/quality", qualityRoutes)
    // 票决制 and the year around the plan (rules 13-15): 征集 → 初选 → 票决 → 测评 → 回头看; on 码上通, proposals and the voted projects
    .route("/candidates", candidateRoutes)
    .route("/votes", voteRoutes)
    .route("/satisfaction", satisfactionRoutes)
    .route("/followups", followupRoutes)
    .route("/lookback", lookbackRoutes)
    .route("/public/proposals", publicProposalRoutes)
    .route("/public/congress", publicCongressRoutes);
}

/** The API application: feature routers under /api/v1, one error table, auth on every request. */
export function createApp(deps: Deps) {
  const api = apiRoutes();
  const app = new OpenAPIHono<AppEnv>()
    // CSP, framing, nosniff, referrer, HSTS in production: on every response, static apps and errors included.
    .use(securityHeaders({ production: deps.config.production }))
    .use(async (c, next) => {
      c.set("deps", deps);
      await next();
    })
    // every request body: a small JSON limit unless the route declares an upload's (lib/body-limit.ts)
    .use(limitBodies)
    .route("/api/v1", api);
  app.onError((err, c) => errorResponse(c, err));
  api.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    return errorResponse(c, new CodedError("ROUTE_NOT_FOUND", { method: c.req.method, path }, `no route ${c.req.method} ${path}`));
  });
  // 码上通's most-read answer, a cached site page, goes out before the router and middleware.
  answerCachedPagesFirst(app, deps);
  return app;
}

export type App = ReturnType<typeof createApp>;
