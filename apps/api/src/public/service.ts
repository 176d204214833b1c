import { randomUUID } from "node:crypto";
import { publicRectifications } from "../letters/data.js";
import { type FeedbackSubmission, feedbackKindLabel, maskPhone, processingRate, type SatisfactionRating, summariseSatisfaction } from "@minsheng/domain";
import { appendAudit, type Queryable } from "@minsheng/db";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { acceptedWithoutMetadata } from "../lib/image-metadata.js";
import { newTicket, normalisedTextDigest } from "../lib/secrets.js";
import type { DetectedType } from "../lib/sniff.js";
import { todayIn } from "../feedback/service.js";
import { contentOfSites, lockSite, type SiteRow } from "../sites/data.js";
import { publicContentView, regionPath, secretsOf, siteProgress } from "../sites/service.js";
import {
  answeredSuggestions,
  feedbackCounts,
  insertFeedback,
  insertFeedbackPhoto,
  insertRating,
  itemsWithSites,
  ratingsOf,
  regionsWithSites,
  sameTextSince,
  ticketTaken,
} from "./data.js";

/**
 * The public side's workflow: a site's whole public page (verified figures only, nothing
 * internal), a citizen's feedback and rating, each in one transaction, audited as "public".
 */

/**
 * What the browse page offers to filter by: every region and item that has a site, whatever the
 * query, so the choices stay put while a citizen narrows the list.
 */
export async function siteFacets(deps: Deps) {
  const [regions, items] = await Promise.all([regionsWithSites(deps.db), itemsWithSites(deps.db)]);
  return {
    regions: regions.map((r) => ({ code: r.code, name: r.name, path: regionPath(deps.regions, r.code) })),
    items: items.map((i) => ({ id: i.id, no: i.no, title: i.title, plan: { title: i.plan_title, year: i.plan_year } })),
  };
}

export async function satisfactionOf(db: Queryable, code: string) {
  return summariseSatisfaction(await ratingsOf(db, code));
}

/** The whole public page of a site; `url` is where it lives (sites/service.ts publicUrlOf). */
export async function publicSiteView(deps: Deps, site: SiteRow, url: string) {
  const [progress, content, answered, satisfaction, counts, rectifications] = await Promise.all([
    siteProgress(deps, site),
    contentOfSites(deps.db, [site.code], true),
    answeredSuggestions(deps.db, site.code),
    satisfactionOf(deps.db, site.code),
    feedbackCounts(deps.db, site.code),
    publicRectifications(deps.db, site.project, deps.regions.subtree(site.region)),
  ]);
  const of = (kind: string) => content.filter((x) => x.row.kind === kind).map((x) => publicContentView(x.row, x.files));
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
    suggestions: answered.map((r) => ({ kind: r.kind, kindLabel: feedbackKindLabel[r.kind], text: r.text, receivedOn: r.received_on, answer: r.answer, answeredOn: r.answered_on })),
    counts: { suggestionsReceived: counts.received, suggestionsAnswered: counts.answered, processingRate: processingRate(counts.received, counts.answered) },
    satisfaction,
    rectifications,
  };
}

/** The same words at the same site within this window are refused. */
const DUPLICATE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Stores a citizen's feedback (and its photo, stripped of EXIF) in one transaction, audited;
 * awaiting moderation unless FEEDBACK_AUTO_APPROVE. Returns the ticket and the state.
 */
export async function leaveFeedback(
  deps: Deps,
  f: { site: SiteRow; body: FeedbackSubmission; photo: { bytes: Uint8Array; type: DetectedType } | null; phoneDigest: string | null; client: string },
): Promise<{ ticket: string; state: "open" | "pending"; at: Date }> {
  const { db, config, storage, now } = deps;
  const secrets = secretsOf(deps);
  const { site, body } = f;
  const textHash = normalisedTextDigest(body.text);
  const at = now();
  // No EXIF (GPS) of a citizen's photo is kept: stripped before it is stored.
  const stored = f.photo ? await storage.put(acceptedWithoutMetadata(f.photo.bytes, f.photo.type, "photo")) : null;
  try {
    return await db.transaction(async (tx) => {
      await lockSite(tx, site.code);
      // Never the earlier ticket: whoever sends the same words is not known to be the one who got it.
      if (await sameTextSince(tx, site.code, textHash, new Date(at.getTime() - DUPLICATE_WINDOW_MS))) throw fail("PUBLIC_FEEDBACK_DUPLICATE");
      let ticket = newTicket();
      while (await ticketTaken(tx, ticket)) ticket = newTicket();
      const state = config.feedbackAutoApprove ? "open" : "pending";
      const id = await insertFeedback(tx, {
        ticket,
        site: site.code,
        kind: body.kind,
        text: body.text,
        textHash,
        phoneSealed: body.phone ? secrets.sealPhone(body.phone) : null,
        phoneHmac: f.phoneDigest,
        phoneMasked: body.phone ? maskPhone(body.phone) : null,
        clientHash: f.client,
        state,
        at,
        receivedOn: todayIn(at),
        moderatedBy: config.feedbackAutoApprove ? "auto" : null,
      });
      if (stored && f.photo)
        await insertFeedbackPhoto(tx, {
          id: randomUUID(),
          feedbackId: id,
          filename: `photo.${f.photo.type.extensions[0]}`,
          mediaType: f.photo.type.mediaType,
          size: stored.size,
          sha256: stored.sha256,
          key: stored.key,
          at,
        });
      await appendAudit(tx, {
        actor: "public",
        action: "feedback.create",
        entity: "feedback",
        entityId: String(id),
        after: { ticket, site: site.code, kind: body.kind, state, hasPhone: body.phone !== undefined, hasPhoto: stored !== null },
        at,
      });
      return { ticket, state, at };
    });
  } catch (e) {
    if (stored) await storage.delete(stored.key).catch(() => {});
    throw e;
  }
}

/** One rating per client, site and day (audited); a second one the same day is refused. */
export async function rate(deps: Deps, site: string, rating: SatisfactionRating, client: string): Promise<void> {
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    if (!(await insertRating(tx, { site, rating, client, on: todayIn(at), at }))) throw fail("PUBLIC_ALREADY_RATED");
    await appendAudit(tx, { actor: "public", action: "rating.add", entity: "site", entityId: site, after: { rating }, at });
  });
}
