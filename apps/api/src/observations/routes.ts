import { CardLine, informationCard, ObservationKind, ObservationState } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { acceptsBody, MULTIPART_OVERHEAD } from "../lib/body-limit.js";
import { fail } from "../lib/errors.js";
import { servedWithoutMetadata } from "../lib/image-metadata.js";
import { defineOperation, router } from "../lib/operation.js";
import { contentDisposition } from "../lib/sniff.js";
import { readUpload } from "../lib/upload.js";
import { observerOfUser } from "../observers/data.js";
import { indicatorsOfProject, listObservations, photosOf, siteOf } from "./data.js";
import { addPhoto, fileObservation, loadReadable, observationView, triage, TriageBody } from "./service.js";

/** 观察信息 (rule 12): what observers file (with 随手拍 photos), the task force's triage, and its outcome. */

export const NewObservation = z.object({
  kind: ObservationKind.describe("information 观察信息 · suggestion 意见建议 · inspection 专项检查 · report 调研材料"),
  text: z.string().trim().min(5, "must be at least 5 characters").max(5000),
  site: z.string().trim().regex(/^[0-9A-Z]{8,16}$/, "must be a site code (the QR code's)").optional().describe("the project site (码上通 code), e.g. from scanning its QR code"),
  card: z.array(CardLine).max(100).optional().describe("the information card (信息采集卡) filled on an inspection"),
});

const IdParam = z.object({ id: z.coerce.number().int().positive("must be an observation id") });
const PhotoParam = IdParam.extend({ photoId: z.string().uuid("must be a photo id") });
const ListQuery = z.object({
  state: ObservationState.optional(),
  region: z.string().trim().min(1).max(20).optional().describe("within your area (staff)"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const CardQuery = z.object({ site: z.string().trim().regex(/^[0-9A-Z]{8,16}$/, "must be a site code") });

const Timestamp = z.string().describe("ISO 8601 date-time");
const LetterRef = z.object({ id: z.number().int(), state: z.string(), number: z.string().nullable(), stateLabel: z.string() });
const ObservationView = z.object({
  id: z.number().int(),
  kind: ObservationKind,
  kindLabel: z.string(),
  state: ObservationState,
  stateLabel: z.string(),
  text: z.string(),
  site: z.string().nullable(),
  project: z.string().nullable(),
  projectTitle: z.string().nullable(),
  region: z.string(),
  regionName: z.string(),
  card: z.array(z.object({ item: z.string(), ok: z.boolean().nullable(), note: z.string() })).nullable(),
  filedOn: z.string(),
  createdAt: Timestamp,
  observer: z.object({ id: z.number().int(), name: z.string() }),
  photos: z.array(z.object({ id: z.string(), mediaType: z.string(), size: z.number().int(), href: z.string() })),
  outcome: z
    .object({
      action: z.enum(["none", "forward", "letter"]).nullable().describe("null while it waits to be sorted"),
      reason: z.string().nullable(),
      to: z.object({ unit: z.string().nullable(), region: z.string().nullable(), name: z.string() }).nullable(),
      letter: LetterRef.nullable().describe("the letter made from it, with its state (accepted: rectified)"),
      at: Timestamp.nullable(),
    })
    .describe("what became of it"),
});

const observations = { tag: "observations" } as const;

export const fileObservationOp = defineOperation({
  ...observations, method: "post", path: "/", operationId: "fileObservation", access: "observations.file",
  summary: ["报送观察信息", "File information, a suggestion, an inspection record or a written report"],
  description: "Photos (up to 9) follow with POST /observations/{id}/photos while the filing waits to be sorted.",
  body: NewObservation,
  bodyExample: { kind: "information", text: "现场查看：敬老院消防设施配套不齐，未加装电梯。" },
  success: { status: 201, description: "filed", schema: z.object({ id: z.number().int() }) },
});

export const listObservationsOp = defineOperation({
  ...observations, method: "get", path: "/", operationId: "listObservations", access: "observations.read",
  summary: ["观察信息列表", "Filings: an observer's own, or those of your area (the inbox)"],
  scope: "an observer: their own; staff: their area's",
  query: ListQuery,
  success: { status: 200, description: "filings, newest first", schema: z.object({ observations: z.array(ObservationView) }) },
});

export const informationCardOp = defineOperation({
  ...observations, method: "get", path: "/card", operationId: "informationCard", access: "observations.file",
  summary: ["信息采集卡", "The information card of a site's project: its checklist"],
  query: CardQuery,
  success: { status: 200, description: "the checklist", schema: z.object({ site: z.string(), project: z.string(), title: z.string(), items: z.array(z.string()) }) },
});

export const getObservationOp = defineOperation({
  ...observations, method: "get", path: "/{id}", operationId: "getObservation", access: "observations.read",
  summary: ["观察信息详情", "A filing and what became of it"],
  scope: "an observer: their own; staff: their area's",
  params: IdParam,
  success: { status: 200, description: "the filing", schema: ObservationView },
});

export const addPhotoOp = defineOperation({
  ...observations, method: "post", path: "/{id}/photos", operationId: "addObservationPhoto", access: "observations.file",
  summary: ["上传随手拍照片", "Add a photo to one's own filing (at most 9, images only)"],
  params: IdParam, upload: { field: "photo", description: "a JPEG, PNG, GIF or WebP image (detected from its bytes; EXIF removed)" },
  success: { status: 201, description: "stored", schema: z.object({ id: z.string() }) },
  errors: [409, 415],
});

export const getPhotoOp = defineOperation({
  ...observations, method: "get", path: "/{id}/photos/{photoId}", operationId: "getObservationPhoto", access: "observations.read",
  summary: ["查看照片", "A photo of a filing"],
  params: PhotoParam,
  success: { status: 200, description: "the image", media: "image/*" },
  errors: [409],
});

export const triageOp = defineOperation({
  ...observations, method: "post", path: "/{id}/triage", operationId: "triageObservation", access: "supervision.manage",
  summary: ["分办观察信息", "Sort a filing: no action (with a reason), pass it on, or draft a letter"],
  scope: "filings of your area",
  params: IdParam,
  body: TriageBody,
  bodyExample: { action: "none", reason: "已在整改中" },
  success: {
    status: 200,
    description: "sorted; letterId: the draft letter made from it",
    schema: z.object({ id: z.number().int(), state: ObservationState, letterId: z.number().int().nullable() }),
  },
  errors: [409],
});

const base = router();
// uploads take the configured file limit (lib/body-limit.ts finds it among the matched handlers)
base.use("/:id/photos/*", acceptsBody((c) => c.get("deps").config.maxUploadBytes, "the photo", MULTIPART_OVERHEAD));

export const observationRoutes = base
  .openapi(fileObservationOp, async (c) => {
    const p = requirePermission(c.get("principal"), "observations.file");
    const id = await fileObservation(c.get("deps"), p, c.req.valid("json"));
    return c.json({ id }, 201);
  })
  .openapi(listObservationsOp, async (c) => {
    const p = requirePermission(c.get("principal"), "observations.read");
    const deps = c.get("deps");
    await deps.regions.ready();
    const q = c.req.valid("query");
    const states = q.state ? [q.state] : undefined;
    let rows;
    if (p.role === "observer") {
      const me = await observerOfUser(deps.db, p.userId);
      rows = me ? await listObservations(deps.db, { observerId: me.id, states, limit: q.limit }) : [];
    } else {
      if (q.region) assertRegion(p, q.region, deps.regions);
      const root = q.region ?? p.region;
      rows = await listObservations(deps.db, { area: root === null ? null : deps.regions.subtree(root), states, limit: q.limit });
    }
    const list = await Promise.all(rows.map(async (o) => observationView(o, await photosOf(deps.db, o.id))));
    return c.json({ observations: list }, 200);
  })
  .openapi(informationCardOp, async (c) => {
    requirePermission(c.get("principal"), "observations.file");
    const { db } = c.get("deps");
    const { site } = c.req.valid("query");
    const s = await siteOf(db, site);
    const project = s ? await indicatorsOfProject(db, s.project) : null;
    if (!s || !project) throw fail("OBSERVATION_UNKNOWN_SITE", { site }).at("$.query.site");
    return c.json({ site, project: s.project, title: project.title, items: informationCard(project) }, 200);
  })
  .openapi(getObservationOp, async (c) => {
    const p = requirePermission(c.get("principal"), "observations.read");
    const deps = c.get("deps");
    await deps.regions.ready();
    const o = await loadReadable(deps.db, deps, p, c.req.valid("param").id);
    return c.json(observationView(o, await photosOf(deps.db, o.id)), 200);
  })
  .openapi(addPhotoOp, async (c) => {
    const p = requirePermission(c.get("principal"), "observations.file");
    const deps = c.get("deps");
    await deps.regions.ready();
    const { id } = c.req.valid("param");
    // scope first: nothing is read from the body for a filing that is not the caller's
    await loadReadable(deps.db, deps, p, id);
    const file = await readUpload(c, "photo", deps.config.maxUploadBytes);
    return c.json(await addPhoto(deps, p, id, file), 201);
  })
  .openapi(getPhotoOp, async (c) => {
    const p = requirePermission(c.get("principal"), "observations.read");
    const deps = c.get("deps");
    await deps.regions.ready();
    const { id, photoId } = c.req.valid("param");
    await loadReadable(deps.db, deps, p, id);
    const photo = (await photosOf(deps.db, id)).find((ph) => ph.id === photoId);
    const stored = photo ? await deps.storage.get(photo.storageKey) : null;
    if (!photo || !stored) throw fail("OBSERVATION_PHOTO_NOT_FOUND", { id: photoId });
    const bytes = servedWithoutMetadata(stored, photo.mediaType);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": photo.mediaType,
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(photo.filename).replace(/^attachment/, "inline"),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      ETag: `"${photo.sha256}"`,
    });
  })
  .openapi(triageOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await triage(deps, p, c.req.valid("param").id, c.req.valid("json")), 200);
  });
