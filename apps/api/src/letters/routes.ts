import { chinaDate, LetterKind, LetterSource, LetterState } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import { MULTIPART_OVERHEAD, acceptsBody } from "../lib/body-limit.js";
import { fail } from "../lib/errors.js";
import { servedWithoutMetadata } from "../lib/image-metadata.js";
import { defineOperation, router } from "../lib/operation.js";
import { contentDisposition } from "../lib/sniff.js";
import { readUpload } from "../lib/upload.js";
import { findReplyFile, listLetters, repliesOf, sourcesOf } from "./data.js";
import {
  acknowledgeLetter,
  addReplyFile,
  closeLetter,
  createLetter,
  editDraft,
  isAddressee,
  isIssuer,
  issueLetter,
  letterSummary,
  loadReadable,
  mayRead,
  NewLetter,
  replyToLetter,
  todayOf,
} from "./service.js";

/** 督办函件 (rule 11): letters from a task force to units or regions, answered by a deadline. */

export const LetterIdParam = z.object({ id: z.coerce.number().int().positive("must be a letter id") });
const FileParam = LetterIdParam.extend({ fileId: z.string().uuid("must be a file id") });
const ReplyParam = LetterIdParam.extend({ replyId: z.coerce.number().int().positive("must be a reply id") });

/** The board's columns besides the states: waiting (issued, not closed), overdue, closed (accepted). */
const ListState = z.enum([...LetterState.options, "waiting", "overdue", "closed"]);
const ListQuery = z.object({
  state: ListState.optional().describe("a state, or waiting (issued and not accepted), overdue, closed"),
  region: z.string().trim().min(1).max(20).optional().describe("addressed to this region or a unit in it (within your area)"),
  to: z.literal("me").optional().describe("only the letters the caller answers (签收 and 整改)"),
});
const DocQuery = z.object({ format: z.enum(["json", "docx"]).optional().describe("docx: the issued letter as a 公文 (.docx)") });

const Timestamp = z.string().describe("ISO 8601 date-time");
const Addressee = z.object({
  unit: z.string().nullable(),
  region: z.string().nullable(),
  name: z.string(),
  addresseeRegion: z.string().describe("the region the addressee is in (the unit's region for a unit)"),
});
const LetterSummary = z.object({
  id: z.number().int(),
  number: z.string().nullable().describe("发文字号 once issued, e.g. 邵民专班函〔2026〕15号"),
  kind: LetterKind,
  subject: z.string(),
  to: Addressee,
  issuer: z.object({ region: z.string(), name: z.string() }),
  project: z.string().nullable(),
  dueOn: z.string(),
  state: LetterState,
  stateLabel: z.string(),
  overdue: z.boolean().describe("not accepted by the deadline (rule 11)"),
  issuedAt: Timestamp.nullable(),
  acceptedAt: Timestamp.nullable(),
  public: z.boolean(),
});
const ReplyFile = z.object({ id: z.string(), filename: z.string(), mediaType: z.string(), size: z.number().int(), href: z.string() });
const LetterDetail = LetterSummary.extend({
  body: z.string(),
  sources: z.array(LetterSource),
  replies: z.array(z.object({ id: z.number().int(), text: z.string(), createdBy: z.string(), createdAt: Timestamp, files: z.array(ReplyFile) })),
  acknowledgedAt: Timestamp.nullable(),
  returnReason: z.string().nullable(),
  youMay: z.object({ issue: z.boolean(), acknowledge: z.boolean(), reply: z.boolean(), close: z.boolean() }).describe("what the caller's role in this letter allows (the state decides the rest)"),
});
const StateAnswer = z.object({ id: z.number().int(), state: LetterState });

const letters = { tag: "letters" } as const;

export const listLettersOp = defineOperation({
  ...letters, method: "get", path: "/", operationId: "listLetters", access: "letters.read",
  summary: ["函件列表", "Letters of your area (issued by it or addressed in it)"],
  scope: "issued by a task force in your area or addressed to a unit or region in it; a unit's accounts: letters to the unit",
  query: ListQuery,
  success: { status: 200, description: "letters, deadline first", schema: z.object({ letters: z.array(LetterSummary) }) },
});

export const createLetterOp = defineOperation({
  ...letters, method: "post", path: "/", operationId: "createLetter", access: "supervision.manage",
  summary: ["起草函件", "Draft a letter to a unit or region of your area"],
  scope: "the addressee (a unit, or a region below yours) in your area",
  body: NewLetter,
  bodyExample: { kind: "work_notice", to: { region: "430523" }, subject: "关于加快推进农村公路提质改造的工作提示函", body: "经观察员反映……请于期限内整改并报送整改情况。", dueOn: "2026-12-31" },
  success: { status: 201, description: "a draft", schema: z.object({ id: z.number().int(), state: z.literal("draft") }) },
});

export const getLetterOp = defineOperation({
  ...letters, method: "get", path: "/{id}", operationId: "getLetter", access: "letters.read",
  summary: ["函件详情", "A letter with its sources and answers (?format=docx: the 公文)"],
  params: LetterIdParam, query: DocQuery,
  success: { status: 200, description: "the letter", schema: LetterDetail },
  errors: [409],
});

export const editLetterOp = defineOperation({
  ...letters, method: "patch", path: "/{id}", operationId: "editLetter", access: "supervision.manage",
  summary: ["修改函件草稿", "Change a draft (an issued letter is frozen)"],
  scope: "the issuing task force only, while the letter is a draft",
  params: LetterIdParam,
  body: NewLetter.omit({ sources: true }).partial(),
  bodyExample: { subject: "关于加快推进农村公路提质改造的工作提示函", dueOn: "2026-12-31" },
  success: { status: 200, description: "changed", schema: z.object({ id: z.number().int(), state: z.literal("draft") }) },
  errors: [409],
});

export const issueLetterOp = defineOperation({
  ...letters, method: "post", path: "/{id}/issue", operationId: "issueLetter", access: "supervision.manage",
  summary: ["签发函件", "Issue a draft: numbered per issuer and year, frozen"],
  scope: "the issuing task force only",
  params: LetterIdParam,
  success: { status: 200, description: "issued", schema: z.object({ id: z.number().int(), number: z.string(), state: z.literal("issued") }) },
  errors: [409],
});

export const acknowledgeLetterOp = defineOperation({
  ...letters, method: "post", path: "/{id}/acknowledge", operationId: "acknowledgeLetter", access: "letters.answer",
  summary: ["签收函件", "Acknowledge a letter (addressee)"],
  scope: "the addressee only: the unit's accounts, or the region's task force",
  params: LetterIdParam,
  success: { status: 200, description: "acknowledged", schema: StateAnswer },
  errors: [409],
});

export const replyLetterOp = defineOperation({
  ...letters, method: "post", path: "/{id}/replies", operationId: "replyToLetter", access: "letters.answer",
  summary: ["报送整改情况", "Answer a letter with the rectification (evidence files follow)"],
  scope: "the addressee only",
  params: LetterIdParam,
  body: z.object({ text: z.string().trim().min(5, "must be at least 5 characters").max(20_000) }),
  bodyExample: { text: "已完成整改：……" },
  success: { status: 201, description: "the answer", schema: StateAnswer.describe("id: the reply's id; state: the letter's") },
  errors: [409],
});

export const replyFileOp = defineOperation({
  ...letters, method: "post", path: "/{id}/replies/{replyId}/files", operationId: "addLetterReplyFile", access: "letters.answer",
  summary: ["上传整改佐证", "Add an evidence file to the latest answer"],
  scope: "the addressee only, while the answer waits for the issuer",
  params: ReplyParam, upload: { field: "file", description: "image, PDF, Word or Excel (detected from its bytes)" },
  success: { status: 201, description: "stored", schema: z.object({ id: z.string() }) },
  errors: [409, 415],
});

export const letterFileOp = defineOperation({
  ...letters, method: "get", path: "/{id}/files/{fileId}", operationId: "getLetterFile", access: "letters.read",
  summary: ["下载整改佐证", "Download an evidence file of an answer"],
  params: FileParam,
  success: { status: 200, description: "the file (as an attachment)", media: "application/octet-stream" },
  errors: [409],
});

export const acceptLetterOp = defineOperation({
  ...letters, method: "post", path: "/{id}/accept", operationId: "acceptLetter", access: "supervision.manage",
  summary: ["函件销号", "Accept the rectification (close the letter)"],
  scope: "the issuing task force only",
  params: LetterIdParam,
  body: z.object({ public: z.boolean().optional().describe("show the closed rectification on the project's 码上通 page") }),
  bodyExample: { public: true },
  success: { status: 200, description: "accepted", schema: StateAnswer },
  errors: [409],
});

export const returnLetterOp = defineOperation({
  ...letters, method: "post", path: "/{id}/return", operationId: "returnLetter", access: "supervision.manage",
  summary: ["退回整改", "Return the answer: rectify again"],
  scope: "the issuing task force only",
  params: LetterIdParam,
  body: z.object({ reason: z.string().trim().min(2, "must be at least 2 characters").max(2000) }),
  bodyExample: { reason: "佐证材料不足，请补充现场照片" },
  success: { status: 200, description: "returned", schema: StateAnswer },
  errors: [409],
});

const base = router();
// uploads take the configured file limit (lib/body-limit.ts finds it among the matched handlers)
base.use("/:id/replies/:replyId/files/*", acceptsBody((c) => c.get("deps").config.maxUploadBytes, "the file", MULTIPART_OVERHEAD));

export const letterRoutes = base
  .openapi(listLettersOp, async (c) => {
    const p = requirePermission(c.get("principal"), "letters.read");
    const deps = c.get("deps");
    await deps.regions.ready();
    const q = c.req.valid("query");
    if (q.region) assertRegion(p, q.region, deps.regions);
    const area = p.region === null ? null : deps.regions.subtree(p.region);
    const states = q.state && (LetterState.options as readonly string[]).includes(q.state) ? [q.state as LetterState] : undefined;
    const rows = await listLetters(deps.db, {
      area: p.role === "reporter" ? null : area,
      addressedIn: q.region ? deps.regions.subtree(q.region) : p.role === "reporter" && p.unit === null ? area ?? undefined : undefined,
      unit: p.role === "reporter" ? p.unit : undefined,
      states,
    });
    const today = todayOf(deps);
    let list = rows.filter((l) => mayRead(p, l, deps) && (q.to !== "me" || isAddressee(p, l))).map((l) => letterSummary(l, today));
    if (q.state === "waiting") list = list.filter((l) => l.state !== "draft" && l.state !== "accepted");
    if (q.state === "overdue") list = list.filter((l) => l.overdue && l.state !== "accepted");
    if (q.state === "closed") list = list.filter((l) => l.state === "accepted");
    return c.json({ letters: list }, 200);
  })
  .openapi(createLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    const body = c.req.valid("json");
    const id = await deps.db.transaction((tx) => createLetter(tx, deps, p, body));
    return c.json({ id, state: "draft" as const }, 201);
  })
  .openapi(getLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "letters.read");
    const deps = c.get("deps");
    await deps.regions.ready();
    const { id } = c.req.valid("param");
    const l = await loadReadable(deps.db, deps, p, id);
    const [sources, replies] = await Promise.all([sourcesOf(deps.db, id), repliesOf(deps.db, id)]);
    if (c.req.valid("query").format === "docx") {
      if (l.state === "draft") throw fail("LETTER_BAD_TRANSITION", { state: "草稿", action: "打印为公文（请先签发）" });
      const { renderLetterDocx } = await import("@minsheng/bulletin");
      const bytes = await renderLetterDocx({ number: l.number!, kind: l.kind, issuerName: l.issuerName, addressee: l.addresseeName, subject: l.subject, body: l.body, dueOn: l.dueOn, issuedOn: chinaDate(Date.parse(l.issuedAt!)) });
      return c.body(new Uint8Array(bytes), 200, {
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": contentDisposition(`${l.number}.docx`),
        "Cache-Control": "private, no-store",
        // the operation's typed answer is the JSON letter; this is its printed form, asked for with ?format=docx
      }) as never;
    }
    const state = l.state;
    return c.json(
      {
        ...letterSummary(l, todayOf(deps)),
        body: l.body,
        sources,
        replies,
        acknowledgedAt: l.acknowledgedAt,
        returnReason: l.returnReason,
        youMay: {
          issue: isIssuer(p, l) && state === "draft",
          acknowledge: isAddressee(p, l) && state === "issued",
          reply: isAddressee(p, l) && (state === "acknowledged" || state === "returned"),
          close: isIssuer(p, l) && state === "answered",
        },
      },
      200,
    );
  })
  .openapi(editLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await editDraft(deps, p, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(issueLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await issueLetter(deps, p, c.req.valid("param").id), 200);
  })
  .openapi(acknowledgeLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "letters.answer");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await acknowledgeLetter(deps, p, c.req.valid("param").id), 200);
  })
  .openapi(replyLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "letters.answer");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await replyToLetter(deps, p, c.req.valid("param").id, c.req.valid("json").text), 201);
  })
  .openapi(replyFileOp, async (c) => {
    const p = requirePermission(c.get("principal"), "letters.answer");
    const deps = c.get("deps");
    await deps.regions.ready();
    const { id, replyId } = c.req.valid("param");
    // scope first: nobody learns about a letter outside their reach by uploading to it
    const l = await loadReadable(deps.db, deps, p, id);
    if (!isAddressee(p, l)) throw fail("LETTER_NOT_ADDRESSEE");
    const file = await readUpload(c, "file", deps.config.maxUploadBytes);
    return c.json(await addReplyFile(deps, p, id, replyId, file), 201);
  })
  .openapi(letterFileOp, async (c) => {
    const p = requirePermission(c.get("principal"), "letters.read");
    const deps = c.get("deps");
    await deps.regions.ready();
    const { id, fileId } = c.req.valid("param");
    await loadReadable(deps.db, deps, p, id);
    const f = await findReplyFile(deps.db, id, fileId);
    const stored = f ? await deps.storage.get(f.storageKey) : null;
    if (!f || !stored) throw fail("LETTER_FILE_NOT_FOUND", { id: fileId });
    const bytes = servedWithoutMetadata(stored, f.mediaType);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": f.mediaType,
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(f.filename),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      ETag: `"${f.sha256}"`,
    });
  })
  .openapi(acceptLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await closeLetter(deps, p, c.req.valid("param").id, "accept", { public: c.req.valid("json").public }), 200);
  })
  .openapi(returnLetterOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json(await closeLetter(deps, p, c.req.valid("param").id, "return", { reason: c.req.valid("json").reason }), 200);
  });
