import { appendAudit } from "@minsheng/db";
import { chinaDate, observerDuties, Period } from "@minsheng/domain";
import { z } from "zod";
import { assertRegion } from "../auth/access.js";
import { requirePermission } from "../auth/middleware.js";
import type { Principal } from "../auth/principal.js";
import { fail } from "../lib/errors.js";
import type { Deps } from "../lib/context.js";
import { defineOperation, router } from "../lib/operation.js";
import { filingsOfYear, insertObserver, listObservers, type ObserverRecord, observerOfUser, userForLink } from "./data.js";

/** 民生实事观察员 (rule 12): the task force's registry, and who is short of "四个一" (rule 9). */

export const NewObserver = z.object({
  name: z.string().trim().min(1, "is required").max(50),
  /** 党代表 / 人大代表 / 政协委员 / 村（社区）干部 / 新闻媒体从业者 / 教师 / 律师 / 受益群众 … */
  background: z.string().trim().max(50),
  region: z.string().trim().min(1, "is required").max(20),
  group: z.string().trim().min(1, "is required").max(50).describe("观察员小组, e.g. 民生保障组"),
  term: z.string().trim().max(50).optional().describe("聘期, e.g. 2023年6月—2025年6月"),
  userId: z.number().int().positive().optional().describe("a sign-in account of role observer, to link"),
  since: Period.optional().describe("聘任: the first month of duty, YYYY-MM (default: this month); \"四个一\" owes nothing before it"),
});

const AreaQuery = z.object({ region: z.string().trim().min(1).max(20).optional().describe("defaults to your own region") });
const DutyQuery = AreaQuery.extend({ period: Period.describe("the month asked about, YYYY-MM") });

const ObserverView = z.object({
  id: z.number().int(),
  name: z.string(),
  background: z.string(),
  region: z.string(),
  regionName: z.string(),
  group: z.string(),
  term: z.string(),
  since: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
});
const Duty = z.object({
  id: z.number().int(),
  name: z.string(),
  group: z.string(),
  missingInformation: z.array(z.string()).describe("months of the year so far without a piece of information"),
  missingSuggestion: z.array(z.string()).describe("months of the year so far without a suggestion"),
  inspectionDue: z.boolean().describe("no inspection yet this year"),
  reportDue: z.boolean().describe("no written report yet this year"),
  short: z.boolean().describe("short of a monthly duty, or of a yearly one at year end"),
});

const observers = { tag: "observers" } as const;

export const listObserversOp = defineOperation({
  ...observers, method: "get", path: "/", operationId: "listObservers", access: "supervision.manage",
  summary: ["观察员名册", "The observers' registry of your area"],
  scope: "observers of your region's subtree",
  query: AreaQuery,
  success: { status: 200, description: "the registry", schema: z.object({ observers: z.array(ObserverView) }) },
});

export const createObserverOp = defineOperation({
  ...observers, method: "post", path: "/", operationId: "createObserver", access: "supervision.manage",
  summary: ["登记观察员", "Register an observer (optionally linked to an observer account)"],
  scope: "the observer's region in your area",
  body: NewObserver,
  bodyExample: { name: "张老师", background: "教师", region: "430523", group: "民生保障组", term: "2026年—2027年" },
  success: { status: 201, description: "registered", schema: z.object({ id: z.number().int() }) },
  errors: [409],
});

export const observerDutiesOp = defineOperation({
  ...observers, method: "get", path: "/duties", operationId: "observerDuties", access: "supervision.manage",
  summary: ["观察员“四个一”履职", "Who is short of the \"four ones\" (rule 9) as of a month"],
  scope: "observers of the region's subtree, within your area",
  query: DutyQuery, examples: { period: "2026-03" },
  success: { status: 200, description: "each observer's duties", schema: z.object({ period: z.string(), observers: z.array(Duty) }) },
});

export const myObserverOp = defineOperation({
  ...observers, method: "get", path: "/me", operationId: "myObserver", access: "observations.file",
  summary: ["我的观察员信息", "The signed-in observer's registry entry and duties this month"],
  success: {
    status: 200,
    description: "the entry (null when the account is not registered yet) and its duties",
    schema: z.object({ observer: ObserverView.nullable(), duties: Duty.nullable() }),
  },
});

/** Duties of a set of observers as of a month. */
async function dutiesOf(deps: Deps, list: readonly ObserverRecord[], period: string) {
  const filings = await filingsOfYear(deps.db, list.map((o) => o.id), Number(period.slice(0, 4)));
  const duties = observerDuties(
    list.map((o) => ({ id: String(o.id), name: o.name, background: o.background, region: o.region, group: o.group, since: o.since })),
    filings.map((f) => ({ observer: f.observer, kind: f.kind, date: f.date, text: "filed" })),
    period,
  );
  return list.map((o, i) => {
    const { observer: _id, ...d } = duties[i]!;
    return { id: o.id, name: o.name, group: o.group, ...d };
  });
}

const areaOf = (p: Principal, deps: Deps, region: string | undefined) => {
  if (region !== undefined) {
    if (!deps.regions.get(region)) throw fail("OBSERVER_UNKNOWN_REGION", { region }).at("$.query.region");
    assertRegion(p, region, deps.regions);
    return deps.regions.subtree(region);
  }
  return p.region === null ? null : deps.regions.subtree(p.region);
};

export const observerRoutes = router()
  .openapi(listObserversOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    return c.json({ observers: await listObservers(deps.db, areaOf(p, deps, c.req.valid("query").region)) }, 200);
  })
  .openapi(createObserverOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    const body = c.req.valid("json");
    if (!deps.regions.get(body.region)) throw fail("OBSERVER_UNKNOWN_REGION", { region: body.region }).at("$.region");
    assertRegion(p, body.region, deps.regions);
    const id = await deps.db.transaction(async (tx) => {
      if (body.userId !== undefined) {
        const user = await userForLink(tx, body.userId);
        if (!user) throw fail("OBSERVER_USER_UNKNOWN", { userId: body.userId }).at("$.userId");
        if (user.role !== "observer") throw fail("OBSERVER_USER_NOT_OBSERVER", { userId: body.userId }).at("$.userId");
        if (user.observerId !== null) throw fail("OBSERVER_USER_TAKEN", { userId: body.userId, observerId: user.observerId }).at("$.userId");
      }
      const at = deps.now();
      const observerId = await insertObserver(tx, { name: body.name, background: body.background, region: body.region, group: body.group, term: body.term ?? "", since: body.since ?? chinaDate(at.getTime()).slice(0, 7), userId: body.userId ?? null, by: p.actor, at });
      await appendAudit(tx, { actor: p.actor, action: "observer.create", entity: "observer", entityId: String(observerId), after: { ...body }, at });
      return observerId;
    });
    return c.json({ id }, 201);
  })
  .openapi(observerDutiesOp, async (c) => {
    const p = requirePermission(c.get("principal"), "supervision.manage");
    const deps = c.get("deps");
    await deps.regions.ready();
    const q = c.req.valid("query");
    const list = await listObservers(deps.db, areaOf(p, deps, q.region));
    return c.json({ period: q.period, observers: await dutiesOf(deps, list, q.period) }, 200);
  })
  .openapi(myObserverOp, async (c) => {
    const p = requirePermission(c.get("principal"), "observations.file");
    const deps = c.get("deps");
    const me = await observerOfUser(deps.db, p.userId);
    if (!me) return c.json({ observer: null, duties: null }, 200);
    const period = chinaDate(deps.now().getTime()).slice(0, 7);
    const [duties] = await dutiesOf(deps, [me], period);
    return c.json({ observer: me, duties: duties! }, 200);
  });
