import { randomUUID } from "node:crypto";
import { appendAudit, type Queryable } from "@minsheng/db";
import { type CardLine, chinaDate, MAX_OBSERVATION_PHOTOS, type ObservationKind, observationKindLabel, observationStateLabel, stateAfterTriage, letterStateLabel } from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Deps } from "../lib/context.js";
import { fail } from "../lib/errors.js";
import { acceptedWithoutMetadata } from "../lib/image-metadata.js";
import { sanitiseFilename, sniff } from "../lib/sniff.js";
import { createLetter, NewLetter, resolveAddressee } from "../letters/service.js";
import { observerOfUser } from "../observers/data.js";
import * as data from "./data.js";
import type { ObservationRecord } from "./data.js";

/** The workflow of observers' filings (rule 12): filed with photos, sorted by the task force, followed to the letter's end. */

/** The task force's decision: no action (with a reason), passed to a unit or region, or a letter (a draft). */
export const TriageBody = z.object({
  action: z.enum(["none", "forward", "letter"]),
  reason: z.string().trim().min(2, "must be at least 2 characters").max(2000).optional(),
  to: z.object({ unit: z.string().trim().min(1).max(100).optional(), region: z.string().trim().min(1).max(20).optional() }).optional(),
  letter: NewLetter.optional(),
});
export type TriageBody = z.infer<typeof TriageBody>;

/** What the caller may read: an observer their own filings; staff those of their area. */
export async function loadReadable(db: Queryable, deps: Pick<Deps, "regions">, p: Principal, id: number, lock = false): Promise<ObservationRecord> {
  const o = await data.findObservation(db, id, lock);
  if (!o) throw fail("OBSERVATION_NOT_FOUND", { id });
  if (p.role === "observer") {
    const me = await observerOfUser(db, p.userId);
    if (me?.id !== o.observerId) throw fail("OBSERVATION_NOT_FOUND", { id });
  } else if (!mayAccessRegion(p, o.region, deps.regions)) throw fail("OBSERVATION_NOT_FOUND", { id });
  return o;
}

/** A filing as its readers see it, with what became of it. */
export function observationView(o: ObservationRecord, photos: { id: string; mediaType: string; size: number }[]) {
  const action = o.state === "submitted" ? null : o.state === "no_action" ? "none" : o.state === "forwarded" ? "forward" : "letter";
  return {
    id: o.id,
    kind: o.kind,
    kindLabel: observationKindLabel[o.kind],
    state: o.state,
    stateLabel: observationStateLabel[o.state],
    text: o.text,
    site: o.site,
    project: o.project,
    projectTitle: o.projectTitle,
    region: o.region,
    regionName: o.regionName,
    card: o.card,
    filedOn: o.filedOn,
    createdAt: o.createdAt,
    observer: { id: o.observerId, name: o.observerName },
    photos: photos.map((ph) => ({ id: ph.id, mediaType: ph.mediaType, size: ph.size, href: `/api/v1/observations/${o.id}/photos/${ph.id}` })),
    outcome: {
      action: action as "none" | "forward" | "letter" | null,
      reason: o.triageReason,
      to: o.forwardUnit || o.forwardRegion ? { unit: o.forwardUnit, region: o.forwardRegion, name: o.forwardName ?? "" } : null,
      letter: o.letter ? { ...o.letter, stateLabel: letterStateLabel[o.letter.state] } : null,
      at: o.triagedAt,
    },
  };
}

/** A new filing of the signed-in observer: on a site (its project and region) or in the observer's own region. */
export async function fileObservation(deps: Deps, p: Principal, input: { kind: ObservationKind; text: string; site?: string; card?: CardLine[] }) {
  return deps.db.transaction(async (tx) => {
    const me = await observerOfUser(tx, p.userId);
    if (!me) throw fail("OBSERVER_NOT_REGISTERED");
    let site: { project: string; region: string } | null = null;
    if (input.site !== undefined) {
      site = await data.siteOf(tx, input.site);
      if (!site) throw fail("OBSERVATION_UNKNOWN_SITE", { site: input.site }).at("$.site");
    }
    const at = deps.now();
    const filedOn = chinaDate(at.getTime());
    const id = await data.insertObservation(tx, {
      observerId: me.id,
      kind: input.kind,
      text: input.text,
      site: input.site ?? null,
      project: site?.project ?? null,
      region: site?.region ?? me.region,
      card: input.card ?? null,
      filedOn,
      at,
    });
    await appendAudit(tx, { actor: p.actor, action: "observation.file", entity: "observation", entityId: String(id), after: { observer: me.id, kind: input.kind, site: input.site ?? null, filedOn }, at });
    return id;
  });
}

/** A photo (随手拍) on one's own filing while it waits to be sorted: images only, EXIF removed, at most nine. */
export async function addPhoto(deps: Deps, p: Principal, id: number, file: { bytes: Uint8Array; name: string }) {
  const { db, storage } = deps;
  const type = sniff(file.bytes);
  if (!type || !type.mediaType.startsWith("image/")) throw fail("OBSERVATION_PHOTO_NOT_IMAGE").at("$.photo");
  const stored = await storage.put(acceptedWithoutMetadata(file.bytes, type, "photo"));
  try {
    return await db.transaction(async (tx) => {
      const o = await loadReadable(tx, deps, p, id, true);
      if (o.state !== "submitted") throw fail("OBSERVATION_ALREADY_TRIAGED", { id });
      if (o.photos >= MAX_OBSERVATION_PHOTOS) throw fail("OBSERVATION_PHOTO_LIMIT", { max: MAX_OBSERVATION_PHOTOS });
      const photoId = randomUUID();
      const at = deps.now();
      const filename = sanitiseFilename(file.name, type);
      await data.insertPhoto(tx, id, { id: photoId, filename, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256, storageKey: stored.key, at });
      await appendAudit(tx, { actor: p.actor, action: "observation.photo", entity: "observation", entityId: String(id), after: { photo: photoId, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256 }, at });
      return { id: photoId };
    });
  } catch (e) {
    await storage.delete(stored.key).catch(() => {});
    throw e;
  }
}

/** 分办: no action, passed on, or a letter drafted from it (the filing is one of the letter's sources). */
export async function triage(deps: Deps, p: Principal, id: number, body: TriageBody) {
  if (body.action === "none" && !body.reason) throw fail("OBSERVATION_TRIAGE_INCOMPLETE", { action: "不予交办", field: "理由（reason）" }).at("$.reason");
  if (body.action === "forward" && !body.to) throw fail("OBSERVATION_TRIAGE_INCOMPLETE", { action: "转责任单位", field: "转办对象（to）" }).at("$.to");
  if (body.action === "letter" && !body.letter) throw fail("OBSERVATION_TRIAGE_INCOMPLETE", { action: "发函督办", field: "函件（letter）" }).at("$.letter");
  return deps.db.transaction(async (tx) => {
    const o = await loadReadable(tx, deps, p, id, true);
    if (o.state !== "submitted") throw fail("OBSERVATION_ALREADY_TRIAGED", { id });
    if (p.region === null) throw fail("LETTER_NO_ISSUER_REGION");
    let forward: { toUnit: string | null; toRegion: string | null } = { toUnit: null, toRegion: null };
    let letterId: number | null = null;
    if (body.action === "forward") forward = await resolveAddressee(tx, deps, p.region, body.to!, "$.to");
    if (body.action === "letter") {
      const sources = body.letter!.sources ?? [];
      const withThis = sources.some((s) => s.kind === "observation" && s.id === id) ? sources : [{ kind: "observation" as const, id }, ...sources];
      // the letter concerns the filing's project unless it names another (shown on its 码上通 page once closed, if public)
      letterId = await createLetter(tx, deps, p, { ...body.letter!, project: body.letter!.project ?? o.project ?? undefined, sources: withThis }, "$.letter");
    }
    const state = stateAfterTriage[body.action];
    const at = deps.now();
    await data.recordTriage(tx, id, { action: body.action, state, reason: body.reason ?? null, forwardUnit: forward.toUnit, forwardRegion: forward.toRegion, letterId, by: p.actor, at });
    await appendAudit(tx, {
      actor: p.actor,
      action: "observation.triage",
      entity: "observation",
      entityId: String(id),
      before: { state: o.state },
      after: { state, action: body.action, reason: body.reason ?? null, forward, letterId },
      at,
    });
    return { id, state, letterId };
  });
}
