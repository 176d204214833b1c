import { FeedbackKind, FeedbackState, FeedbackSubmission, LetterKind, SatisfactionRating, Status } from "@minsheng/domain";
import { cleanTypedText } from "@minsheng/domain";
import type { RouteConfig } from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import { acceptsBody, MULTIPART_OVERHEAD } from "../lib/body-limit.js";
import type { AppEnv } from "../lib/context.js";
import { CodedError, fail } from "../lib/errors.js";
import { cachedJson, etagOf, matchesIfNoneMatch, NO_STORE, PUBLIC_PAGE_CACHE } from "../lib/http-cache.js";
import { servedWithoutMetadata } from "../lib/image-metadata.js";
import { defineOperation, router } from "../lib/operation.js";
import { clientKey, enforceRate, publicRateRules } from "../lib/rate-limit.js";
import { loadDisclosureSettings } from "../lib/settings.js";
import { sniff } from "../lib/sniff.js";
import { parseOr400 } from "../lib/validate.js";
import { RegionCode } from "../lib/region-code.js";
import { feedbackByTicket } from "../feedback/data.js";
import { dueOn, feedbackStateLabel, ticketView, todayIn } from "../feedback/service.js";
import { findSites } from "../sites/data.js";
import { Day, FileView, SiteParam, Timestamp } from "../sites/schemas.js";
import { limiterOf, loadSite, publicUrlOf, regionPath, secretsOf, syncSites } from "../sites/service.js";
import { publishedFile } from "./data.js";
import { publicPageCache, sendCachedPage } from "./public-cache.js";
import { leaveFeedback, publicSiteView, rate, satisfactionOf, siteFacets } from "./service.js";

/**
 * The public side of 码上通, for anyone who scans a site's QR code: what the project is and how far
 * it has come by verified figures only, what it published, answered suggestions, satisfaction; a
 * suggestion form and a ticket look-up. No sign-in; nothing internal (no names of staff, no
 * unverified figures, no phone numbers, no internal notes). Pages carry ETags and may be cached
 * for a minute; ticket look-ups are never cached. Writes are rate limited per client.
 */

export const PublicSiteQuery = z.object({
  region: RegionCode.optional().describe("sites in this region and below"),
  item: z.string().min(1).max(64).optional().describe("an item (实事) id"),
  q: z.string().trim().min(1).max(50).optional().describe("part of the project, item or region name"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const TicketParam = z.object({ ticket: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{12}$/, "must be a ticket number: 12 characters of 0-9 and A-Z") });
export const FileIdParam = z.object({ id: z.string().uuid("must be a file id") });
/** What a citizen sends (JSON, or multipart/form-data with the same fields and an optional `photo`). */
export const FeedbackBody = FeedbackSubmission;
export const RatingBody = z.object({ rating: SatisfactionRating });

// ---------------------------------------------------------------------------------------------
// Answers.

const Satisfaction = z.object({
  satisfied: z.number().int(),
  basically_satisfied: z.number().int(),
  dissatisfied: z.number().int(),
  total: z.number().int(),
  satisfactionRate: z.number().nullable(),
});
const PublicFile = FileView;
export const PublicSite = z.object({
  code: z.string(),
  url: z.string(),
  project: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  item: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
  plan: z.object({ id: z.string(), title: z.string(), year: z.number().int() }),
  unit: z.object({ name: z.string() }),
  region: z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) }),
  location: z.string(),
  contact: z.string(),
  targets: z.array(z.object({ indicator: z.string(), name: z.string(), unit: z.string(), target: z.number() })),
  progress: z.object({
    period: z.string().nullable().describe("the latest month with verified figures; null before any"),
    progress: z.number().nullable(),
    due: z.number().nullable().describe("序时进度, percent"),
    status: Status.nullable(),
    statusLabel: z.string().nullable(),
    indicators: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        unit: z.string(),
        kind: z.string(),
        target: z.number(),
        actual: z.number().nullable(),
        rate: z.number().nullable(),
        due: z.number().nullable(),
        status: Status.nullable(),
        statusLabel: z.string().nullable(),
      }),
    ),
  }),
  timeline: z.array(z.object({ id: z.number().int(), date: z.string().nullable(), text: z.string(), publishedAt: Timestamp.nullable(), photos: z.array(z.object({ id: z.string(), url: z.string() })) })),
  policies: z.array(
    z.object({ id: z.number().int(), title: z.string(), issuer: z.string(), date: z.string().nullable(), url: z.string().nullable(), text: z.string(), files: z.array(PublicFile) }),
  ),
  localised: z.array(z.object({ id: z.number().int(), title: z.string(), text: z.string(), publishedAt: Timestamp.nullable(), files: z.array(PublicFile) })),
  suggestions: z.array(z.object({ kind: FeedbackKind, kindLabel: z.string(), text: z.string(), receivedOn: Day, answer: z.string(), answeredOn: Day })),
  counts: z.object({ suggestionsReceived: z.number().int(), suggestionsAnswered: z.number().int(), processingRate: z.number() }),
  satisfaction: Satisfaction,
  rectifications: z
    .array(z.object({ number: z.string(), kind: LetterKind, subject: z.string(), acceptedAt: z.string(), reply: z.string() }))
    .describe("督办整改: letters about this project closed (销号) and marked public by the task force"),
});
const PublicSiteList = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  sites: z.array(
    z.object({
      code: z.string(),
      url: z.string(),
      project: z.object({ no: z.number().int(), title: z.string() }),
      item: z.object({ id: z.string(), no: z.number().int(), title: z.string() }),
      plan: z.object({ title: z.string(), year: z.number().int() }),
      region: z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) }),
      unit: z.object({ name: z.string() }),
    }),
  ),
  facets: z
    .object({
      regions: z.array(z.object({ code: z.string(), name: z.string(), path: z.array(z.string()) })),
      items: z.array(z.object({ id: z.string(), no: z.number().int(), title: z.string(), plan: z.object({ title: z.string(), year: z.number().int() }) })),
    })
    .describe("every region and item that has a site, whatever the query: the browse page's choices"),
});
const Ticket = z.object({
  ticket: z.string(),
  site: z.object({ code: z.string(), project: z.string(), region: z.string() }),
  kind: FeedbackKind,
  kindLabel: z.string(),
  text: z.string(),
  state: FeedbackState,
  stateLabel: z.string(),
  receivedOn: Day,
  dueOn: Day,
  answer: z.string().nullable(),
  answeredOn: Day.nullable(),
});

const publicOps = { tag: "public", access: "public" } as const;

export const publicSitesOp = defineOperation({
  ...publicOps, method: "get", path: "/sites", operationId: "publicSites",
  summary: ["浏览项目", "Browse and search sites by region, item and name (ETag, max-age=60)"],
  query: PublicSiteQuery, examples: { region: "430523", q: "托育" },
  success: { status: 200, description: "a page of sites", schema: PublicSiteList },
  errors: [404],
});

export const publicSiteOp = defineOperation({
  ...publicOps, method: "get", path: "/sites/{code}", operationId: "publicSite",
  summary: ["项目公开页", "A site's public page: verified progress, timeline, documents, answers, satisfaction (ETag, max-age=60)"],
  params: SiteParam,
  success: { status: 200, description: "the page (304 on If-None-Match)", schema: PublicSite },
});

const leaveFeedbackDeclared = defineOperation({
  ...publicOps, method: "post", path: "/sites/{code}/feedback", operationId: "leaveFeedback",
  summary: ["提交意见建议", "Leave a suggestion, complaint, question or praise; answers a ticket number"],
  description: "JSON, or multipart/form-data with the same fields and an optional `photo` (JPEG, PNG, GIF, WebP). New feedback awaits moderation. The same text at the same site within 24 hours is a 409 (never naming the earlier ticket: that is its sender's); too many requests from one client a 429 with Retry-After.",
  params: SiteParam, body: FeedbackBody, bodyExample: { kind: "suggestion", text: "希望增加周末托管服务。", phone: "13812345678" },
  success: { status: 201, description: "the ticket", schema: z.object({ ticket: z.string(), state: FeedbackState, stateLabel: z.string(), receivedOn: Day, dueOn: Day, lookup: z.string() }) },
  errors: [409, 413, 415, 429],
});
/**
 * The handler reads the body itself (JSON, or multipart with a photo), tidies it (a blank phone
 * dropped, spaces and dashes out of the number, control characters out of the text) and only then
 * checks it with FeedbackBody: the body is documented with that schema but not validated ahead.
 */
type DocumentedSchema = Extract<NonNullable<NonNullable<RouteConfig["request"]>["body"]>["content"][string], { schema?: unknown }>["schema"];
const { $schema: _, ...feedbackBodyDocument } = z.toJSONSchema(FeedbackBody, { io: "input" });
export const leaveFeedbackOp = {
  ...leaveFeedbackDeclared,
  // a suggestion may carry a photo: the photo limit (plus multipart framing), not a JSON body's
  middleware: [acceptsBody((c) => c.get("deps").config.maxFeedbackPhotoBytes, "the request (with its photo)", MULTIPART_OVERHEAD)],
  request: {
    params: leaveFeedbackDeclared.request.params,
    body: { required: true, content: { "application/json": { schema: feedbackBodyDocument as DocumentedSchema, example: { kind: "suggestion", text: "希望增加周末托管服务。", phone: "13812345678" } } } },
  },
};

export const rateSiteOp = defineOperation({
  ...publicOps, method: "post", path: "/sites/{code}/rating", operationId: "rateSite",
  summary: ["满意度测评", "Rate the project: one rating per client, site and day"],
  params: SiteParam, body: RatingBody, bodyExample: { rating: "satisfied" },
  success: { status: 201, description: "the site's satisfaction now", schema: z.object({ rating: SatisfactionRating, satisfaction: Satisfaction }) },
  errors: [409, 429],
});

export const lookupTicketOp = defineOperation({
  ...publicOps, method: "get", path: "/tickets/{ticket}", operationId: "lookupTicket",
  summary: ["查询办理进度", "A ticket's status and answer (never the phone; no-store)"],
  params: TicketParam,
  success: { status: 200, description: "the ticket", schema: Ticket },
  errors: [429],
});

export const publicFileOp = defineOperation({
  ...publicOps, method: "get", path: "/files/{id}", operationId: "publicFile",
  summary: ["公开附件", "A photo or document of published content"],
  params: FileIdParam,
  success: { status: 200, description: "the file", media: "application/octet-stream" },
});


const client = (c: Context<AppEnv>) => {
  const deps = c.get("deps");
  return secretsOf(deps).clientDigest(clientKey(c, deps.config.trustProxy));
};

/** An answer already made as JSON text (ETag, cache policy, maybe a 304), typed as the operation's JSON. */
const asJson = <T>(res: Response, _body?: T) => res as Response & TypedResponse<T, 200, "json">;

async function readSubmission(c: Context<AppEnv>): Promise<{ body: FeedbackSubmission; photo: Uint8Array | null }> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  let raw: Record<string, unknown>;
  let photo: Uint8Array | null = null;
  if (mediaType === "multipart/form-data") {
    try {
      raw = await c.req.parseBody();
    } catch (e) {
      if (e instanceof CodedError) throw e;
      throw fail("PUBLIC_BODY_UNREADABLE").at("$", "the multipart body could not be read");
    }
    const file = raw.photo;
    delete raw.photo;
    if (file instanceof Blob && file.size > 0) {
      const max = c.get("deps").config.maxFeedbackPhotoBytes;
      if (file.size > max) throw fail("PUBLIC_PHOTO_TOO_LARGE", { limit: Math.round(max / 1024 / 1024) });
      photo = new Uint8Array(await file.arrayBuffer());
    } else if (file !== undefined && !(file instanceof Blob) && file !== "") throw fail("PUBLIC_PHOTO_NOT_FILE").at("$.photo", "must be a file");
  } else if (mediaType === "application/json") {
    raw = (await c.req.json()) as Record<string, unknown>;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw fail("PUBLIC_BODY_NOT_OBJECT").at("$", "must be an object");
    if ("photo" in raw && raw.photo !== undefined && raw.photo !== null) throw fail("PUBLIC_PHOTO_NEEDS_MULTIPART").at("$.photo", "send a photo as multipart/form-data");
  } else throw fail("PUBLIC_BODY_TYPE");
  const fields = { ...raw };
  if (fields.phone === "" || fields.phone === null) delete fields.phone;
  if (typeof fields.text === "string") fields.text = cleanTypedText(fields.text);
  if (typeof fields.phone === "string") fields.phone = fields.phone.replace(/[\s-]/g, "");
  return { body: parseOr400(FeedbackBody, { kind: fields.kind, text: fields.text, ...(fields.phone !== undefined ? { phone: fields.phone } : {}) }), photo };
}

const r = router();
r.use("*", async (c, next) => {
  // The site itself reads same-origin, without an Origin header: no CORS work for those (the
  // answers say they vary by Origin, so a shared cache keeps the two kinds apart).
  if (c.req.header("origin") === undefined) return next();
  const { config } = c.get("deps");
  const origins = [...config.allowedOrigins, new URL(config.publicBaseUrl).origin];
  return cors({ origin: origins, allowMethods: ["GET", "POST"], allowHeaders: ["Content-Type", "If-None-Match"], exposeHeaders: ["ETag", "Retry-After"], maxAge: 600 })(c, next);
});

export const publicRoutes = r
  /** Browse and search the sites: by region, item and name. */
  .openapi(publicSitesOp, async (c) => {
    const deps = c.get("deps");
    const q = c.req.valid("query");
    await deps.regions.ready();
    if (q.region && !deps.regions.get(q.region)) throw fail("SITE_REGION_NOT_FOUND", { region: q.region }).at("$.query.region");
    await syncSites(deps.db, secretsOf(deps));
    const [{ total, rows }, facets] = await Promise.all([
      findSites(deps.db, { area: q.region ? deps.regions.subtree(q.region) : null, item: q.item, q: q.q, limit: q.limit, offset: q.offset }),
      siteFacets(deps),
    ]);
    const list: z.infer<typeof PublicSiteList> = {
      total,
      limit: q.limit,
      offset: q.offset,
      sites: rows.map((s) => ({
        code: s.code,
        url: publicUrlOf(c, s.code),
        project: { no: s.project_no, title: s.project_title },
        item: { id: s.item_id, no: s.item_no, title: s.item_title },
        plan: { title: s.plan_title, year: s.plan_year },
        region: { code: s.region, name: s.region_name, path: regionPath(deps.regions, s.region) },
        unit: { name: s.unit_name },
      })),
      facets,
    };
    return asJson(cachedJson(c, list, PUBLIC_PAGE_CACHE), list);
  })
  /** A site's page: project, unit, location, targets, verified progress, timeline, documents, answers, satisfaction. */
  .openapi(publicSiteOp, async (c) => {
    const deps = c.get("deps");
    const code = c.req.valid("param").code;
    // A cached page is usually answered before the router (public-cache.ts cachedPageAnswer);
    // here when it is missing or stale, or the request carries an Origin or a token.
    const cache = publicPageCache(deps.db);
    // The page names its own URL (PUBLIC_BASE_URL's, whatever host was asked): one entry per site.
    const url = publicUrlOf(c, code);
    const page = await cache.page(url, async () => {
      await deps.regions.ready();
      const view: z.infer<typeof PublicSite> = await publicSiteView(deps, await loadSite(deps.db, code), url);
      return JSON.stringify(view);
    });
    return asJson<z.infer<typeof PublicSite>>(sendCachedPage(c, page));
  })
  /** Leave a suggestion, complaint, question or praise; answers a ticket number to look it up. */
  .openapi(leaveFeedbackOp, async (c) => {
    const deps = c.get("deps");
    const secrets = secretsOf(deps);
    // Refuse a flood before any other work: one statement of the shared limiter, and none at all
    // for a client already refused (it remembers until a token could be back), so spam costs next to nothing.
    const who = client(c);
    await enforceRate(c, limiterOf(deps), publicRateRules.feedback, who);
    const site = await loadSite(deps.db, c.req.valid("param").code);
    const { body, photo } = await readSubmission(c);
    const photoType = photo ? sniff(photo) : null;
    if (photo && (!photoType || !photoType.mediaType.startsWith("image/"))) throw fail("PUBLIC_PHOTO_TYPE");
    const phoneDigest = body.phone ? secrets.phoneDigest(body.phone) : null;
    // One number cannot flood a site from many addresses either.
    if (phoneDigest) await enforceRate(c, limiterOf(deps), publicRateRules.feedback, `phone:${phoneDigest}`);
    const created = await leaveFeedback(deps, { site, body, photo: photo && photoType ? { bytes: photo, type: photoType } : null, phoneDigest, client: who });
    const settings = await loadDisclosureSettings(deps.db);
    c.header("Cache-Control", NO_STORE);
    return c.json(
      {
        ticket: created.ticket,
        state: created.state,
        stateLabel: feedbackStateLabel[created.state],
        receivedOn: todayIn(created.at),
        dueOn: dueOn(todayIn(created.at), settings),
        lookup: `/api/v1/public/tickets/${created.ticket}`,
      },
      201,
    );
  })
  /** Rate the project: one rating per client, site and day. */
  .openapi(rateSiteOp, async (c) => {
    const deps = c.get("deps");
    const who = client(c);
    await enforceRate(c, limiterOf(deps), publicRateRules.rating, who);
    const site = await loadSite(deps.db, c.req.valid("param").code);
    const { rating } = c.req.valid("json");
    await rate(deps, site.code, rating, who);
    c.header("Cache-Control", NO_STORE);
    return c.json({ rating, satisfaction: await satisfactionOf(deps.db, site.code) }, 201);
  })
  /** A ticket's status and answer (never the phone number); never cached. */
  .openapi(lookupTicketOp, async (c) => {
    const deps = c.get("deps");
    await enforceRate(c, limiterOf(deps), publicRateRules.ticket, client(c));
    const f = await feedbackByTicket(deps.db, c.req.valid("param").ticket);
    c.header("Cache-Control", NO_STORE);
    if (!f) throw fail("PUBLIC_TICKET_NOT_FOUND");
    return c.json(ticketView(f, await loadDisclosureSettings(deps.db)), 200);
  })
  /** A file of published content (photos, policy documents); nothing else is served here. */
  .openapi(publicFileOp, async (c) => {
    const { db, storage } = c.get("deps");
    const file = await publishedFile(db, c.req.valid("param").id);
    if (!file) throw fail("PUBLIC_FILE_NOT_FOUND");
    const etag = etagOf(file.sha256);
    const headers = { ETag: etag, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff" };
    if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
    const stored = await storage.get(file.storage_key);
    if (!stored) throw fail("PUBLIC_FILE_NOT_FOUND");
    const bytes = servedWithoutMetadata(stored, file.media_type);
    const inline = file.media_type.startsWith("image/") || file.media_type === "application/pdf";
    const encoded = encodeURIComponent(file.filename);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      ...headers,
      "Content-Type": file.media_type,
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encoded}`,
    });
  });
