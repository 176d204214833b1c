import { randomUUID } from "node:crypto";
import { FeedbackSubmission, feedbackKindLabel, maskPhone, processingRate, SatisfactionRating, summariseSatisfaction } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import { acceptsBody, MULTIPART_OVERHEAD } from "../lib/body-limit.js";
import { contentOfSites, publicContentView } from "../lib/content.js";
import type { AppEnv, Deps } from "../lib/context.js";
import { ApiError, conflict, invalid, notFound } from "../lib/errors.js";
import { FEEDBACK_SELECT, type FeedbackRow, dueOn, feedbackStateLabel, ticketView, todayIn } from "../lib/feedback.js";
import { cachedJson, etagOf, matchesIfNoneMatch, NO_STORE, PUBLIC_PAGE_CACHE } from "../lib/http-cache.js";
import { publicPageCache, sendCachedPage } from "../lib/public-cache.js";
import { clientKey, enforceRate, publicRateRules } from "../lib/rate-limit.js";
import { newTicket, normalisedTextDigest } from "../lib/secrets.js";
import { loadDisclosureSettings } from "../lib/settings.js";
import { limiterOf, loadSite, publicUrlOf, regionPath, type SiteRow, secretsOf, siteProgress, syncSites } from "../lib/sites.js";
import { acceptedWithoutMetadata, servedWithoutMetadata } from "../lib/image-metadata.js";
import { sniff } from "../lib/sniff.js";
import { jsonBody, paramsOf, parseOr400, queryOf } from "../lib/validate.js";
import { RegionCode } from "./progress.js";
import { findSites, SiteCode, SiteParam } from "./sites.js";
import { publicRectifications } from "../letters/data.js";

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

/** Control characters other than line breaks and tabs are dropped from citizens' text. */
const cleanText = (s: string) => s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, "");

const client = (c: Context<AppEnv>) => {
  const deps = c.get("deps");
  return secretsOf(deps).clientDigest(clientKey(c, deps.config.trustProxy));
};

async function answeredSuggestions(db: Queryable, code: string) {
  const { rows } = await db.query<{ kind: keyof typeof feedbackKindLabel; text: string; received_on: string; answer: string; answered_on: string }>(
    "SELECT kind, text, received_on, answer, answered_on FROM feedback WHERE site = $1 AND state = 'answered' ORDER BY answered_at DESC, id DESC LIMIT 100",
    [code],
  );
  return rows.map((r) => ({ kind: r.kind, kindLabel: feedbackKindLabel[r.kind], text: r.text, receivedOn: r.received_on, answer: r.answer, answeredOn: r.answered_on }));
}

/**
 * What the browse page offers to filter by: every region and item that has a site, whatever the
 * query, so the choices stay put while a citizen narrows the list.
 */
async function siteFacets(deps: Deps) {
  const [regions, items] = await Promise.all([
    deps.db.query<{ code: string; name: string }>("SELECT DISTINCT s.region AS code, r.name FROM project_sites s JOIN regions r ON r.code = s.region ORDER BY s.region"),
    deps.db.query<{ id: string; no: number; title: string; plan_id: string; plan_title: string; plan_year: number; plan_level: string }>(
      `SELECT DISTINCT i.id, i.no, i.title, pl.id AS plan_id, pl.title AS plan_title, pl.year AS plan_year, pl.level AS plan_level
         FROM project_sites s JOIN projects p ON p.id = s.project JOIN items i ON i.id = p.item JOIN plans pl ON pl.id = i.plan
        ORDER BY pl.year DESC, pl.level, pl.id, i.no, i.id`,
    ),
  ]);
  return {
    regions: regions.rows.map((r) => ({ code: r.code, name: r.name, path: regionPath(deps.regions, r.code) })),
    items: items.rows.map((i) => ({ id: i.id, no: Number(i.no), title: i.title, plan: { title: i.plan_title, year: Number(i.plan_year) } })),
  };
}

async function satisfactionOf(db: Queryable, code: string) {
  const { rows } = await db.query<{ rating: SatisfactionRating; n: number }>("SELECT rating, count(*)::int AS n FROM satisfaction_ratings WHERE site = $1 GROUP BY rating", [code]);
  return summariseSatisfaction(rows.flatMap((r) => Array<SatisfactionRating>(r.n).fill(r.rating)));
}

/** The whole public page of a site; `url` is where it lives (lib/sites.ts publicUrlOf). */
export async function publicSiteView(deps: Deps, site: SiteRow, url: string) {
  const [progress, content, suggestions, satisfaction, counts, rectifications] = await Promise.all([
    siteProgress(deps, site),
    contentOfSites(deps.db, [site.code], true),
    answeredSuggestions(deps.db, site.code),
    satisfactionOf(deps.db, site.code),
    deps.db.query<{ received: number; answered: number }>(
      "SELECT count(*) FILTER (WHERE state <> 'rejected')::int AS received, count(*) FILTER (WHERE state = 'answered')::int AS answered FROM feedback WHERE site = $1",
      [site.code],
    ),
    publicRectifications(deps.db, site.project, deps.regions.subtree(site.region)),
  ]);
  const of = (kind: string) => content.filter((x) => x.row.kind === kind).map((x) => publicContentView(x.row, x.files));
  const { received, answered } = counts.rows[0]!;
  return {
    code: site.code,
    url,
    project: { id: site.project, no: site.project_no, title: site.project_title },
    item: { id: site.item_id, no: site.item_no, title: site.item_title },
    plan: { id: site.plan_id, title: site.plan_title, year: site.plan_year },
    unit: { name: site.unit_name },
    region: { code: site.region, name: site.region_name, path: regionPath(deps.regions, site.region) },
    location: site.location,
    contact: site.contact,
    targets: progress.indicators.map((i) => ({ indicator: i.id, name: i.name, unit: i.unit, target: i.target })),
    progress,
    timeline: of("update").map((u) => ({ id: u.id, date: u.date, text: u.text, publishedAt: u.publishedAt, photos: u.files.filter((f) => f.mediaType.startsWith("image/")).map((f) => ({ id: f.id, url: f.url })) })),
    policies: of("policy").map(({ id, title, issuer, date, url, text, files }) => ({ id, title, issuer, date, url, text, files })),
    localised: of("localised").map(({ id, title, text, publishedAt, files }) => ({ id, title, text, publishedAt, files })),
    suggestions,
    counts: { suggestionsReceived: received, suggestionsAnswered: answered, processingRate: processingRate(received, answered) },
    satisfaction,
    rectifications,
  };
}

async function readSubmission(c: Context<AppEnv>): Promise<{ body: FeedbackSubmission; photo: Uint8Array | null }> {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  let raw: Record<string, unknown>;
  let photo: Uint8Array | null = null;
  if (mediaType === "multipart/form-data") {
    try {
      raw = await c.req.parseBody();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw invalid([{ path: "$", message: "the multipart body could not be read" }]);
    }
    const file = raw.photo;
    delete raw.photo;
    if (file instanceof Blob && file.size > 0) {
      const max = c.get("deps").config.maxFeedbackPhotoBytes;
      if (file.size > max) throw new ApiError("PayloadTooLarge", `the photo is larger than the limit of ${Math.round(max / 1024 / 1024)} MB`);
      photo = new Uint8Array(await file.arrayBuffer());
    } else if (file !== undefined && !(file instanceof Blob) && file !== "") throw invalid([{ path: "$.photo", message: "must be a file" }]);
  } else if (mediaType === "application/json") {
    raw = (await c.req.json()) as Record<string, unknown>;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid([{ path: "$", message: "must be an object" }]);
    if ("photo" in raw && raw.photo !== undefined && raw.photo !== null) throw invalid([{ path: "$.photo", message: "send a photo as multipart/form-data" }]);
  } else throw new ApiError("UnsupportedMediaType", "send application/json, or multipart/form-data to attach a photo");
  const fields = { ...raw };
  if (fields.phone === "" || fields.phone === null) delete fields.phone;
  if (typeof fields.text === "string") fields.text = cleanText(fields.text);
  if (typeof fields.phone === "string") fields.phone = fields.phone.replace(/[\s-]/g, "");
  return { body: parseOr400(FeedbackBody, { kind: fields.kind, text: fields.text, ...(fields.phone !== undefined ? { phone: fields.phone } : {}) }), photo };
}

export const publicRoutes = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    // The site itself reads same-origin, without an Origin header: no CORS work for those (the
    // answers say they vary by Origin, so a shared cache keeps the two kinds apart).
    if (c.req.header("origin") === undefined) return next();
    const { config } = c.get("deps");
    const origins = [...config.allowedOrigins, new URL(config.publicBaseUrl).origin];
    return cors({ origin: origins, allowMethods: ["GET", "POST"], allowHeaders: ["Content-Type", "If-None-Match"], exposeHeaders: ["ETag", "Retry-After"], maxAge: 600 })(c, next);
  })
  /** Browse and search the sites: by region, item and name. */
  .get("/sites", queryOf(PublicSiteQuery), async (c) => {
    const deps = c.get("deps");
    const q = c.req.valid("query");
    await deps.regions.ready();
    if (q.region && !deps.regions.get(q.region)) throw notFound(`region ${q.region}`);
    await syncSites(deps.db, secretsOf(deps));
    const [{ total, rows }, facets] = await Promise.all([
      findSites(deps.db, { area: q.region ? deps.regions.subtree(q.region) : null, item: q.item, q: q.q, limit: q.limit, offset: q.offset }),
      siteFacets(deps),
    ]);
    return cachedJson(
      c,
      {
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
      },
      PUBLIC_PAGE_CACHE,
    );
  })
  /** A site's page: project, unit, location, targets, verified progress, timeline, documents, answers, satisfaction. */
  .get("/sites/:code", paramsOf(SiteParam), async (c) => {
    const deps = c.get("deps");
    const code = c.req.valid("param").code;
    // A cached page is usually answered before the router (lib/public-cache.ts cachedPageAnswer);
    // here when it is missing or stale, or the request carries an Origin or a token.
    const cache = publicPageCache(deps.db);
    // The page names its own URL (PUBLIC_BASE_URL's, whatever host was asked): one entry per site.
    const url = publicUrlOf(c, code);
    const page = await cache.page(url, async () => {
      await deps.regions.ready();
      return JSON.stringify(await publicSiteView(deps, await loadSite(deps.db, code), url));
    });
    return sendCachedPage(c, page);
  })
  /** Leave a suggestion, complaint, question or praise; answers a ticket number to look it up. */
  .post(
    "/sites/:code/feedback",
    paramsOf(SiteParam),
    acceptsBody((c) => c.get("deps").config.maxFeedbackPhotoBytes, "the request (with its photo)", MULTIPART_OVERHEAD),
    async (c) => {
      const deps = c.get("deps");
      const { db, config, storage, now } = deps;
      const secrets = secretsOf(deps);
      // Refuse a flood before any other work: one statement of the shared limiter, and none at all
      // for a client already refused (it remembers until a token could be back), so spam costs next to nothing.
      const who = client(c);
      await enforceRate(c, limiterOf(deps), publicRateRules.feedback, who);
      const site = await loadSite(db, c.req.valid("param").code);
      const { body, photo } = await readSubmission(c);
      const photoType = photo ? sniff(photo) : null;
      if (photo && (!photoType || !photoType.mediaType.startsWith("image/"))) throw new ApiError("UnsupportedMediaType", "the photo must be a JPEG, PNG, GIF or WebP image");
      const phoneDigest = body.phone ? secrets.phoneDigest(body.phone) : null;
      // One number cannot flood a site from many addresses either.
      if (phoneDigest) await enforceRate(c, limiterOf(deps), publicRateRules.feedback, `phone:${phoneDigest}`);
      const textHash = normalisedTextDigest(body.text);
      const at = now();
      // No EXIF (GPS) of a citizen's photo is kept: stripped before it is stored.
      const stored = photo ? await storage.put(acceptedWithoutMetadata(photo, photoType!, "photo")) : null;
      try {
        const created = await db.transaction(async (tx) => {
          await tx.query("SELECT code FROM project_sites WHERE code = $1 FOR UPDATE", [site.code]);
          const since = new Date(at.getTime() - 24 * 3600 * 1000).toISOString();
          const dup = await tx.query("SELECT 1 FROM feedback WHERE site = $1 AND text_hash = $2 AND received_at > $3 LIMIT 1", [site.code, textHash, since]);
          // Never the earlier ticket: whoever sends the same words is not known to be the one who got it.
          if (dup.rows[0]) throw conflict("the same text was left for this site within the last 24 hours");
          let ticket = newTicket();
          while ((await tx.query("SELECT 1 FROM feedback WHERE ticket = $1", [ticket])).rows.length > 0) ticket = newTicket();
          const state = config.feedbackAutoApprove ? "open" : "pending";
          const { rows } = await tx.query<{ id: string }>(
            `INSERT INTO feedback (ticket, site, kind, text, text_hash, phone_sealed, phone_hmac, phone_masked, client_hash, state, received_at, received_on, moderated_by, moderated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
            [
              ticket,
              site.code,
              body.kind,
              body.text,
              textHash,
              body.phone ? secrets.sealPhone(body.phone) : null,
              phoneDigest,
              body.phone ? maskPhone(body.phone) : null,
              who,
              state,
              at.toISOString(),
              todayIn(at),
              config.feedbackAutoApprove ? "auto" : null,
              config.feedbackAutoApprove ? at.toISOString() : null,
            ],
          );
          const id = rows[0]!.id;
          if (stored && photoType)
            await tx.query(
              `INSERT INTO site_files (id, feedback_id, filename, media_type, size, sha256, storage_key, uploaded_by, uploaded_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'public', $8)`,
              [randomUUID(), id, `photo.${photoType.extensions[0]}`, photoType.mediaType, stored.size, stored.sha256, stored.key, at.toISOString()],
            );
          await appendAudit(tx, {
            actor: "public",
            action: "feedback.create",
            entity: "feedback",
            entityId: String(id),
            after: { ticket, site: site.code, kind: body.kind, state, hasPhone: body.phone !== undefined, hasPhoto: stored !== null },
            at,
          });
          return { ticket, state };
        });
        const settings = await loadDisclosureSettings(db);
        c.header("Cache-Control", NO_STORE);
        return c.json(
          {
            ticket: created.ticket,
            state: created.state,
            stateLabel: feedbackStateLabel[created.state as "open" | "pending"],
            receivedOn: todayIn(at),
            dueOn: dueOn(todayIn(at), settings),
            lookup: `/api/v1/public/tickets/${created.ticket}`,
          },
          201,
        );
      } catch (e) {
        if (stored) await storage.delete(stored.key).catch(() => {});
        throw e;
      }
    },
  )
  /** Rate the project: one rating per client, site and day. */
  .post("/sites/:code/rating", paramsOf(SiteParam), jsonBody(RatingBody), async (c) => {
    const deps = c.get("deps");
    const who = client(c);
    await enforceRate(c, limiterOf(deps), publicRateRules.rating, who);
    const site = await loadSite(deps.db, c.req.valid("param").code);
    const { rating } = c.req.valid("json");
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        "INSERT INTO satisfaction_ratings (site, rating, client_hash, rated_on, rated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site, client_hash, rated_on) DO NOTHING",
        [site.code, rating, who, todayIn(at), at.toISOString()],
      );
      if (rowCount === 0) throw conflict("you have already rated this project today");
      await appendAudit(tx, { actor: "public", action: "rating.add", entity: "site", entityId: site.code, after: { rating }, at });
    });
    c.header("Cache-Control", NO_STORE);
    return c.json({ rating, satisfaction: await satisfactionOf(deps.db, site.code) }, 201);
  })
  /** A ticket's status and answer (never the phone number); never cached. */
  .get("/tickets/:ticket", paramsOf(TicketParam), async (c) => {
    const deps = c.get("deps");
    await enforceRate(c, limiterOf(deps), publicRateRules.ticket, client(c));
    const { rows } = await deps.db.query<FeedbackRow>(`${FEEDBACK_SELECT} WHERE f.ticket = $1`, [c.req.valid("param").ticket]);
    c.header("Cache-Control", NO_STORE);
    if (!rows[0]) throw notFound("ticket");
    return c.json(ticketView(rows[0], await loadDisclosureSettings(deps.db)));
  })
  /** A file of published content (photos, policy documents); nothing else is served here. */
  .get("/files/:id", paramsOf(FileIdParam), async (c) => {
    const { db, storage } = c.get("deps");
    const { rows } = await db.query<{ storage_key: string; media_type: string; sha256: string; filename: string; size: string }>(
      `SELECT f.storage_key, f.media_type, f.sha256, f.filename, f.size FROM site_files f JOIN site_content sc ON sc.id = f.content_id
        WHERE f.id = $1 AND sc.published`,
      [c.req.valid("param").id],
    );
    const file = rows[0];
    if (!file) throw notFound("file");
    const etag = etagOf(file.sha256);
    const headers = { ETag: etag, "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff" };
    if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
    const stored = await storage.get(file.storage_key);
    if (!stored) throw notFound("file");
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

export { SiteCode };
