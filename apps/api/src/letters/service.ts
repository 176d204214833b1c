import { randomUUID } from "node:crypto";
import { appendAudit, type Queryable } from "@minsheng/db";
import {
  chinaDate,
  dueOnProblem,
  type LetterAction,
  LetterKind,
  letterNumber,
  letterOverdue,
  letterPrefix,
  LetterSource,
  letterStateLabel,
  nextLetterState,
} from "@minsheng/domain";
import { z } from "zod";
import { mayAccessRegion } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { Role } from "../auth/roles.js";
import { fail } from "../lib/errors.js";
import type { Deps } from "../lib/context.js";
import { acceptedWithoutMetadata } from "../lib/image-metadata.js";
import { sanitiseFilename, sniff } from "../lib/sniff.js";
import * as data from "./data.js";
import type { LetterRecord } from "./data.js";

/** The workflow of letters (rule 11): drafts, issue with a number, 签收, answers, 销号 or return; every step audited. */

const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

/** A new letter (POST /letters, and a filing's triage into a letter). */
export const NewLetter = z.object({
  kind: LetterKind,
  to: z.object({
    unit: z.string().trim().min(1).max(100).optional().describe("a responsible unit's id"),
    region: z.string().trim().min(1).max(20).optional().describe("a region code: the letter goes to that region's task force"),
  }),
  subject: z.string().trim().min(2, "must be at least 2 characters").max(200),
  body: z.string().trim().min(2, "must be at least 2 characters").max(20_000),
  dueOn: DateText.describe("整改期限: today or later (China date)"),
  sources: z.array(LetterSource).max(50).optional(),
  project: z.string().trim().min(1).max(100).optional().describe("the project the rectification concerns (shown on its 码上通 page once accepted, if public)"),
});
export type NewLetter = z.infer<typeof NewLetter>;

const STAFF: readonly Role[] = ["staff_province", "staff_city", "staff_county"];

export const todayOf = (deps: Pick<Deps, "now">) => chinaDate(deps.now().getTime());

/** The letter as its readers see it: the addressee's region or unit, and whether it is overdue today. */
export function letterSummary(l: LetterRecord, today: string) {
  return {
    id: l.id,
    number: l.number,
    kind: l.kind,
    subject: l.subject,
    to: { unit: l.toUnit, region: l.toRegion, name: l.addresseeName, addresseeRegion: l.addresseeRegion },
    issuer: { region: l.issuerRegion, name: l.issuerName },
    project: l.project,
    dueOn: l.dueOn,
    state: l.state,
    stateLabel: letterStateLabel[l.state],
    overdue: letterOverdue({ state: l.state, dueOn: l.dueOn, acceptedOn: l.acceptedAt ? chinaDate(Date.parse(l.acceptedAt)) : null }, today),
    issuedAt: l.issuedAt,
    acceptedAt: l.acceptedAt,
    public: l.public,
  };
}

/** The issuing task force: staff of the letter's issuing region (only they issue, accept, return). */
export const isIssuer = (p: Principal, l: Pick<LetterRecord, "issuerRegion">) => STAFF.includes(p.role) && p.region === l.issuerRegion;

/**
 * The addressee: the unit's accounts for a letter to a unit; for a letter to a region, that region's
 * task force (or a reporter of the region tied to no unit).
 */
export const isAddressee = (p: Principal, l: Pick<LetterRecord, "toUnit" | "toRegion">) =>
  l.toUnit !== null ? p.unit === l.toUnit : p.region === l.toRegion && (STAFF.includes(p.role) || (p.role === "reporter" && p.unit === null));

/** Whether the caller may read the letter: its issuers and those above them, its addressee and those above it (drafts: the issuers' side only). */
export function mayRead(p: Principal, l: LetterRecord, deps: Pick<Deps, "regions">): boolean {
  if (p.role === "reporter") return l.state !== "draft" && (p.unit !== null ? p.unit === l.toUnit : mayAccessRegion(p, l.addresseeRegion, deps.regions));
  if (mayAccessRegion(p, l.issuerRegion, deps.regions)) return true;
  return l.state !== "draft" && mayAccessRegion(p, l.addresseeRegion, deps.regions);
}

export async function loadReadable(db: Queryable, deps: Pick<Deps, "regions">, p: Principal, id: number, lock = false): Promise<LetterRecord> {
  const l = await data.findLetter(db, id, lock);
  // a letter the caller may not read is "not found" to them, like a missing one
  if (!l || !mayRead(p, l, deps)) throw fail("LETTER_NOT_FOUND", { id });
  return l;
}

/**
 * The addressee of a letter (or of a filing passed on): a unit of the area, or a region below the
 * issuer's (its task force answers; a task force does not write to itself). Exactly one is kept.
 */
export async function resolveAddressee(tx: Queryable, deps: Pick<Deps, "regions">, issuerRegion: string, to: { unit?: string; region?: string }, path: string) {
  const { unit, region } = to;
  if (unit === undefined && region === undefined) throw fail("LETTER_NO_ADDRESSEE").at(path);
  if (unit !== undefined) {
    const unitRegion = await data.unitRegion(tx, unit);
    if (unitRegion === null) throw fail("LETTER_UNKNOWN_UNIT", { unit }).at(`${path}.unit`);
    if (region !== undefined && !deps.regions.isWithin(unitRegion, region)) throw fail("LETTER_UNIT_NOT_IN_REGION", { unit, region }).at(`${path}.unit`);
    if (!deps.regions.isWithin(unitRegion, issuerRegion)) throw fail("LETTER_OUTSIDE_AREA", { to: unit }).at(`${path}.unit`);
    return { toUnit: unit, toRegion: null };
  }
  if (!deps.regions.get(region!)) throw fail("LETTER_UNKNOWN_REGION", { region: region! }).at(`${path}.region`);
  if (region === issuerRegion || !deps.regions.isWithin(region!, issuerRegion)) throw fail("LETTER_OUTSIDE_AREA", { to: region! }).at(`${path}.region`);
  return { toUnit: null, toRegion: region! };
}

/** A deadline today or later: a malformed date is a 400 at the field, a real one in the past LETTER_DUE_PAST. */
function checkDueOn(dueOn: string, today: string, path: string) {
  const problem = dueOnProblem(dueOn, today);
  if (!problem) return;
  // not a date at all (2024-02-30) is a malformed field; a real date before today is a past deadline
  if (dueOnProblem(dueOn, "0000-00-00") === null) throw fail("LETTER_DUE_PAST", { dueOn, today }).at(path);
  throw fail("LETTER_DUE_INVALID").at(path, problem);
}

/** A new draft from the caller's task force; checks the deadline, the addressee, the area and the sources. Returns its id. */
export async function createLetter(tx: Queryable, deps: Pick<Deps, "regions" | "now">, p: Principal, input: NewLetter, path = "$"): Promise<number> {
  if (p.region === null || !STAFF.includes(p.role)) throw fail("LETTER_NO_ISSUER_REGION");
  checkDueOn(input.dueOn, todayOf(deps), `${path}.dueOn`);
  const { toUnit, toRegion } = await resolveAddressee(tx, deps, p.region, input.to, `${path}.to`);
  if (input.project !== undefined && !(await data.projectExists(tx, input.project))) throw fail("LETTER_PROJECT_UNKNOWN", { project: input.project }).at(`${path}.project`);
  const sources = input.sources ?? [];
  for (const [i, s] of sources.entries()) {
    const at = await data.sourceRegion(tx, s);
    const label = s.kind === "observation" || s.kind === "feedback" ? `${s.kind} ${s.id}` : `${s.kind} ${s.indicator}@${s.region}`;
    if (at === null || !deps.regions.isWithin(at, p.region)) throw fail("LETTER_SOURCE_UNKNOWN", { source: label }).at(`${path}.sources[${i}]`);
  }
  const now = deps.now();
  const id = await data.insertLetter(tx, {
    kind: input.kind,
    issuerRegion: p.region,
    issuerUser: p.actor,
    toUnit,
    toRegion,
    project: input.project ?? null,
    subject: input.subject,
    body: input.body,
    dueOn: input.dueOn,
    at: now,
  });
  await data.insertSources(tx, id, sources);
  await appendAudit(tx, {
    actor: p.actor,
    action: "letter.create",
    entity: "letter",
    entityId: String(id),
    after: { kind: input.kind, issuer: p.region, toUnit, toRegion, subject: input.subject, dueOn: input.dueOn, sources },
    at: now,
  });
  return id;
}

/** Changes a draft (its issuer only; an issued letter is frozen). Checked as a new letter is. */
export async function editDraft(deps: Deps, p: Principal, id: number, patch: Partial<Omit<NewLetter, "sources">>) {
  return deps.db.transaction(async (tx) => {
    const l = await loadReadable(tx, deps, p, id, true);
    if (!isIssuer(p, l)) throw fail("LETTER_NOT_ISSUER");
    if (l.state !== "draft") throw fail("LETTER_BAD_TRANSITION", { state: letterStateLabel[l.state], action: "修改（签发后不能修改）" });
    if (patch.dueOn !== undefined) checkDueOn(patch.dueOn, todayOf(deps), "$.dueOn");
    const to = patch.to ? await resolveAddressee(tx, deps, l.issuerRegion, patch.to, "$.to") : { toUnit: l.toUnit, toRegion: l.toRegion };
    if (patch.project !== undefined && !(await data.projectExists(tx, patch.project))) throw fail("LETTER_PROJECT_UNKNOWN", { project: patch.project }).at("$.project");
    const before = { kind: l.kind, toUnit: l.toUnit, toRegion: l.toRegion, project: l.project, subject: l.subject, body: l.body, dueOn: l.dueOn };
    const after = {
      kind: patch.kind ?? l.kind,
      toUnit: to.toUnit,
      toRegion: to.toRegion,
      project: patch.project ?? l.project,
      subject: patch.subject ?? l.subject,
      body: patch.body ?? l.body,
      dueOn: patch.dueOn ?? l.dueOn,
    };
    await data.updateDraft(tx, id, after);
    await appendAudit(tx, { actor: p.actor, action: "letter.edit", entity: "letter", entityId: String(id), before, after, at: deps.now() });
    return { id, state: "draft" as const };
  });
}

const actionWords: Record<LetterAction, string> = { issue: "签发", acknowledge: "签收", reply: "答复", accept: "销号", return: "退回" };

/** The state an action leads to, or a 409 naming the state and the action. */
function next(l: LetterRecord, action: LetterAction) {
  const to = nextLetterState(l.state, action);
  if (to === null) throw fail("LETTER_BAD_TRANSITION", { state: letterStateLabel[l.state], action: actionWords[action] });
  return to;
}

/** 签发: numbered per issuer and year, frozen from now on. */
export async function issueLetter(deps: Deps, p: Principal, id: number) {
  return deps.db.transaction(async (tx) => {
    const l = await loadReadable(tx, deps, p, id, true);
    if (!isIssuer(p, l)) throw fail("LETTER_NOT_ISSUER");
    next(l, "issue");
    const at = deps.now();
    const year = Number(chinaDate(at.getTime()).slice(0, 4));
    // a draft written before today may name a deadline now past: refused, as for a new letter
    const today = todayOf(deps);
    if (l.dueOn < today) throw fail("LETTER_DUE_PAST", { dueOn: l.dueOn, today }).at("$.dueOn");
    const seq = await data.nextSeq(tx, l.issuerRegion, year);
    const number = letterNumber(letterPrefix({ name: l.issuerName, level: l.issuerLevel }), year, seq);
    await data.markIssued(tx, id, { year, seq, number, at });
    await appendAudit(tx, { actor: p.actor, action: "letter.issue", entity: "letter", entityId: String(id), before: { state: l.state }, after: { state: "issued", number, year, seq }, at });
    return { id, number, state: "issued" as const };
  });
}

/** 签收 by the addressee. */
export async function acknowledgeLetter(deps: Deps, p: Principal, id: number) {
  return deps.db.transaction(async (tx) => {
    const l = await loadReadable(tx, deps, p, id, true);
    if (!isAddressee(p, l)) throw fail("LETTER_NOT_ADDRESSEE");
    const to = next(l, "acknowledge");
    const at = deps.now();
    await data.setState(tx, id, to, { acknowledgedAt: at });
    await appendAudit(tx, { actor: p.actor, action: "letter.acknowledge", entity: "letter", entityId: String(id), before: { state: l.state }, after: { state: to }, at });
    return { id, state: to };
  });
}

/** 整改情况: the addressee's answer (evidence files follow on the reply). */
export async function replyToLetter(deps: Deps, p: Principal, id: number, text: string) {
  return deps.db.transaction(async (tx) => {
    const l = await loadReadable(tx, deps, p, id, true);
    if (!isAddressee(p, l)) throw fail("LETTER_NOT_ADDRESSEE");
    const to = next(l, "reply");
    const at = deps.now();
    const replyId = await data.insertReply(tx, { letterId: id, text, by: p.actor, at });
    await data.setState(tx, id, to);
    await appendAudit(tx, { actor: p.actor, action: "letter.reply", entity: "letter", entityId: String(id), before: { state: l.state }, after: { state: to, reply: replyId, text }, at });
    return { id: replyId, state: to };
  });
}

/** 销号 (accept) or 退回 (return with a reason), by the issuing task force. */
export async function closeLetter(deps: Deps, p: Principal, id: number, action: "accept" | "return", extra: { reason?: string; public?: boolean }) {
  return deps.db.transaction(async (tx) => {
    const l = await loadReadable(tx, deps, p, id, true);
    if (!isIssuer(p, l)) throw fail("LETTER_NOT_ISSUER");
    const to = next(l, action);
    const at = deps.now();
    if (action === "accept") await data.setState(tx, id, to, { acceptedAt: at, public: extra.public ?? false });
    else await data.setState(tx, id, to, { returnReason: extra.reason ?? null });
    await appendAudit(tx, {
      actor: p.actor,
      action: `letter.${action}`,
      entity: "letter",
      entityId: String(id),
      before: { state: l.state },
      after: action === "accept" ? { state: to, public: extra.public ?? false } : { state: to, reason: extra.reason },
      at,
    });
    return { id, state: to };
  });
}

/** An evidence file on a reply: only the addressee, only while the answer waits for the issuer. */
export async function addReplyFile(deps: Deps, p: Principal, id: number, replyId: number, file: { bytes: Uint8Array; name: string }) {
  const { db, storage } = deps;
  const l = await loadReadable(db, deps, p, id);
  if (!isAddressee(p, l)) throw fail("LETTER_NOT_ADDRESSEE");
  const type = sniff(file.bytes);
  if (!type) throw fail("LETTER_FILE_TYPE").at("$.file");
  const stored = await storage.put(acceptedWithoutMetadata(file.bytes, type, "file"));
  try {
    return await db.transaction(async (tx) => {
      const locked = await loadReadable(tx, deps, p, id, true);
      if (locked.state !== "answered") throw fail("LETTER_BAD_TRANSITION", { state: letterStateLabel[locked.state], action: "补充佐证材料" });
      if ((await data.latestReply(tx, id)) !== replyId || !(await data.replyOfLetter(tx, id, replyId))) throw fail("LETTER_REPLY_NOT_FOUND", { id: replyId });
      const fileId = randomUUID();
      const at = deps.now();
      const filename = sanitiseFilename(file.name, type);
      await data.insertReplyFile(tx, { id: fileId, replyId, filename, mediaType: type.mediaType, size: stored.size, sha256: stored.sha256, storageKey: stored.key, by: p.actor, at });
      await appendAudit(tx, { actor: p.actor, action: "letter.file", entity: "letter", entityId: String(id), after: { reply: replyId, file: fileId, filename, mediaType: type.mediaType, sha256: stored.sha256 }, at });
      return { id: fileId };
    });
  } catch (e) {
    await storage.delete(stored.key).catch(() => {});
    throw e;
  }
}
