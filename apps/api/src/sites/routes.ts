import { z } from "zod";
import { requirePermission } from "../auth/middleware.js";
import { defineOperation, router } from "../lib/operation.js";
import { signPdf, qrPng, qrSvg } from "../lib/sign.js";
import { contentDisposition } from "../lib/sniff.js";
import { findSites, siteCounts } from "./data.js";
import {
  ContentListQuery,
  ContentView,
  NewContent,
  ProjectParam,
  SiteList,
  SiteListQuery,
  SiteParam,
  SitePatch,
  SiteRegionQuery,
  SiteStats,
  SiteSummary,
  StatsQuery,
} from "./schemas.js";
import {
  areaOf,
  contentView,
  disclosureStats,
  formatTarget,
  loadSite,
  projectSiteFor,
  publicUrlOf,
  publishContent,
  regionPath,
  secretsOf,
  siteContent,
  siteFor,
  siteProgress,
  siteSummary,
  syncSites,
  updateSite,
} from "./service.js";

/**
 * The console side of 码上通: project sites of the caller's area with their codes, QR codes and
 * printable signs; what each site publishes (content-routes.ts for edits and files); the counts
 * seed 003 reports. Every write is audited.
 */

export const areaScope = "`region` (your area by default) must lie within your area; a reporter tied to a unit sees only that unit's projects";
export const siteScope = "the site's region must lie within your area; a reporter tied to a unit acts only on projects that unit leads";

export const listSitesOp = defineOperation({
  tag: "sites", method: "get", path: "/", operationId: "listSites", access: "sites.read",
  summary: ["项目点位列表", "Project sites of your area with their codes and counts"],
  scope: areaScope,
  description: "A site is a project in a region where it has a target (its own or one below); sites are created on first use and keep their code across re-imports.",
  query: SiteListQuery, examples: { region: "430523", limit: "20" },
  success: { status: 200, description: "a page of sites", schema: SiteList },
  errors: [404],
});

export const siteStatsOp = defineOperation({
  tag: "sites", method: "get", path: "/stats", operationId: "siteStats", access: "sites.read",
  summary: ["码上通统计", "Seed 003's figures: documents, localised updates, work updates, suggestions, 处理率"],
  scope: areaScope,
  query: StatsQuery, examples: { region: "430523" },
  success: { status: 200, description: "the counts", schema: SiteStats },
  errors: [404],
});

export const updateSiteOp = defineOperation({
  tag: "sites", method: "patch", path: "/{code}", operationId: "updateSite", access: "content.write",
  summary: ["修改点位信息", "Contact and location printed on the site sign"],
  scope: siteScope,
  params: SiteParam, body: SitePatch, bodyExample: { contact: "邵阳县卫健局 0739-6822000", location: "塘渡口镇" },
  success: { status: 200, description: "the site", schema: SiteSummary },
  errors: [409],
});

export const listContentOp = defineOperation({
  tag: "content", method: "get", path: "/{code}/content", operationId: "listContent", access: "sites.read",
  summary: ["点位公开内容", "Everything a site has, unpublished content included"],
  scope: siteScope,
  params: SiteParam, query: ContentListQuery,
  success: { status: 200, description: "the site and its content, newest first", schema: z.object({ site: SiteSummary, content: z.array(ContentView) }) },
});

export const publishContentOp = defineOperation({
  tag: "content", method: "post", path: "/{code}/content", operationId: "publishContent", access: "content.write",
  summary: ["发布公开内容", "Publish a policy document (政策文件), localised content (本地化更新) or a work update (工作动态)"],
  scope: siteScope,
  params: SiteParam, body: NewContent,
  bodyExample: { kind: "update", text: "托育中心主体完工。", date: "2024-10-08" },
  success: { status: 201, description: "published", schema: ContentView },
});

export const siteRoutes = router()
  /** The project sites of the caller's area (a unit's reporter: its projects), with codes and counts. */
  .openapi(listSitesOp, async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const deps = c.get("deps");
    const q = c.req.valid("query");
    await deps.regions.ready();
    const area = areaOf(p, q.region, deps);
    await syncSites(deps.db, secretsOf(deps));
    const { total, rows } = await findSites(deps.db, { area, unit: p.unit, project: q.project, plan: q.plan, q: q.q, limit: q.limit, offset: q.offset });
    const counts = await siteCounts(deps.db, rows.map((r) => r.code));
    return c.json({ total, limit: q.limit, offset: q.offset, sites: rows.map((r) => ({ ...siteSummary(c, r), counts: counts.get(r.code)! })) }, 200);
  })
  /** Seed 003's 码上通 figures for the area (and unit): documents, localised updates, work updates, suggestions, 处理率. */
  .openapi(siteStatsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const deps = c.get("deps");
    const { region, unit: asked } = c.req.valid("query");
    await deps.regions.ready();
    const area = areaOf(p, region, deps);
    // As in the inbox: a unit's account counts its own unit whatever it asks.
    const unit = p.unit ?? asked ?? null;
    return c.json({ region: region ?? p.region, unit, ...(await disclosureStats(deps.db, area, unit)) }, 200);
  })
  /** Contact and location printed on the sign. */
  .openapi(updateSiteOp, async (c) => {
    const p = requirePermission(c.get("principal"), "content.write");
    const deps = c.get("deps");
    const site = await siteFor(p, deps, c.req.valid("param").code);
    await updateSite(deps, p.actor, site.code, c.req.valid("json"));
    return c.json(siteSummary(c, await loadSite(deps.db, site.code)), 200);
  })
  /** Everything a site has, unpublished content included, newest first. */
  .openapi(listContentOp, async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const deps = c.get("deps");
    const site = await siteFor(p, deps, c.req.valid("param").code);
    const { kind } = c.req.valid("query");
    const all = await siteContent(deps.db, site.code);
    return c.json({ site: siteSummary(c, site), content: all.filter((x) => kind === undefined || x.kind === kind) }, 200);
  })
  /** Publishes a policy document, localised content or a work update (published at once). */
  .openapi(publishContentOp, async (c) => {
    const p = requirePermission(c.get("principal"), "content.write");
    const deps = c.get("deps");
    const site = await siteFor(p, deps, c.req.valid("param").code);
    const id = await publishContent(deps, p.actor, site.code, c.req.valid("json"));
    return c.json(await contentView(deps.db, id), 201);
  });

// ---------------------------------------------------------------------------------------------
// QR codes and the printable sign of a project's site in a region.

const projectSites = { tag: "sites", access: "sites.read", scope: siteScope } as const;

export const siteQrSvgOp = defineOperation({
  ...projectSites, method: "get", path: "/{id}/qr.svg", operationId: "siteQrSvg",
  summary: ["点位二维码（SVG）", "QR code of the site's public page, as SVG"],
  description: "Encodes `<PUBLIC_BASE_URL>/p/<code>` (never the request's Host).",
  params: ProjectParam, query: SiteRegionQuery, examples: { id: "hn2024-p04", region: "430523" },
  success: { status: 200, description: "SVG", media: "image/svg+xml" },
});

export const siteQrPngOp = defineOperation({
  ...projectSites, method: "get", path: "/{id}/qr.png", operationId: "siteQrPng",
  summary: ["点位二维码（PNG）", "QR code as a 1240 × 1240 px PNG (print resolution)"],
  params: ProjectParam, query: SiteRegionQuery, examples: { id: "hn2024-p04", region: "430523" },
  success: { status: 200, description: "PNG", media: "image/png" },
});

export const siteSignOp = defineOperation({
  ...projectSites, method: "get", path: "/{id}/sign.pdf", operationId: "siteSign",
  summary: ["项目公示牌（PDF）", "Printable A4 site sign: project, unit, location, targets, contact, QR code"],
  params: ProjectParam, query: SiteRegionQuery, examples: { id: "hn2024-p04", region: "430523" },
  success: { status: 200, description: "PDF (fonts embedded)", media: "application/pdf" },
});

const fileHeaders = (mediaType: string, filename: string, inline: boolean) => ({
  "Content-Type": mediaType,
  "Content-Disposition": inline ? contentDisposition(filename).replace(/^attachment/, "inline") : contentDisposition(filename),
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "private, max-age=300",
});

export const projectSiteRoutes = router()
  /** The QR code of the site's public page as SVG (vector, for designers). */
  .openapi(siteQrSvgOp, async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const site = await projectSiteFor(p, c.get("deps"), c.req.valid("param").id, c.req.valid("query").region);
    const svg = await qrSvg(publicUrlOf(c, site.code));
    return c.body(svg, 200, fileHeaders("image/svg+xml; charset=utf-8", `码上通-${site.code}.svg`, false));
  })
  /** The QR code as a PNG of 1240 × 1240 px (10.5 cm at 300 dpi). */
  .openapi(siteQrPngOp, async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const site = await projectSiteFor(p, c.get("deps"), c.req.valid("param").id, c.req.valid("query").region);
    const png = await qrPng(publicUrlOf(c, site.code));
    return c.body(new Uint8Array(png), 200, fileHeaders("image/png", `码上通-${site.code}.png`, true));
  })
  /** The A4 site sign (公示牌): project, responsible unit, location, targets, contact and the QR code. */
  .openapi(siteSignOp, async (c) => {
    const p = requirePermission(c.get("principal"), "sites.read");
    const deps = c.get("deps");
    const site = await projectSiteFor(p, deps, c.req.valid("param").id, c.req.valid("query").region);
    const progress = await siteProgress(deps, site);
    const pdf = await signPdf({
      code: site.code,
      url: publicUrlOf(c, site.code),
      planTitle: site.plan_title,
      itemTitle: site.item_title,
      projectTitle: site.project_title,
      unit: site.unit_name,
      location: [regionPath(deps.regions, site.region).join(" "), site.location].filter(Boolean).join(" · "),
      targets: progress.indicators.map((i) => `${i.name}：${formatTarget(i)}`),
      contact: site.contact,
    });
    return c.body(new Uint8Array(pdf), 200, fileHeaders("application/pdf", `公示牌-${site.project_title}-${site.region_name}.pdf`, true));
  });
