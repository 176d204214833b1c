/**
 * The year around the plan through the API (rules 13-15): proposals → screening → a vote session →
 * the tellers' counts → the result (rule 13's edge cases) → published and frozen → the elected into
 * next year's plan → the deputies' satisfaction ballot → the look-back; and the refusals of bad input.
 */
import { decideVote, satisfactionBallot } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";
import { createUser } from "../users/service.js";
import { DEMO_PASSWORD } from "../seed.js";

let h: Harness;
const cookies: Record<string, string> = {};
const api = (who: string | null, method: string, path: string, body?: unknown) => h.call(who === null ? null : cookies[who]!, method, `/api/v1${path}`, body);

beforeAll(async () => {
  h = await makeHarness();
  h.deps.rateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };
  // deputies who vote on a tablet: observers of the city (人大代表观察员)
  await h.deps.db.transaction(async (tx) => {
    for (const n of [1, 2, 3]) await createUser(tx, { username: `deputy${n}`, displayName: `代表${n}`, password: DEMO_PASSWORD, role: "observer", region: "430500", unit: null }, "test");
  });
  for (const who of ["city", "county", "observer", "reporter-edu", "reporter", "deputy1", "deputy2", "deputy3"]) cookies[who] = await h.login(who);
}, 120_000);
afterAll(() => h?.dispose());

async function created(res: Awaited<ReturnType<typeof api>>): Promise<number> {
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()).id as number;
}

/** An adopted candidate of the city for 2025 (proposed by the city's task force, screened with a lead unit). */
async function adopted(title: string, leadUnit = "edu"): Promise<number> {
  const id = await created(await api("city", "POST", "/candidates", { year: 2025, region: "430500", title, description: `${title}的建设内容`, source: "department" }));
  const res = await api("city", "POST", `/candidates/${id}/screen`, { decision: "adopt", cost: 800, funding: "市级财政", leadUnit });
  expect(res.status).toBe(200);
  return id;
}

async function session(body: { entitled: number; present: number; seats: number; candidates: number[] }): Promise<number> {
  return created(await api("city", "POST", "/votes", { region: "430500", level: "city", date: "2025-01-10", ...body }));
}

const audit = async (action: string, entityId: string) =>
  (await h.deps.db.query("SELECT 1 FROM audit_log WHERE action = $1 AND entity_id = $2", [action, entityId])).rows.length;

describe("the whole year through the API", () => {
  it("proposal → screening → vote → result → frozen → plan → satisfaction ballot → look-back", async () => {
    // 征集: a citizen on 码上通, a unit and a deputy in the console
    const proposal = await api(null, "POST", "/public/proposals", { region: "430500", title: "城区学校周边护学通道", description: "双清区几所小学门口上下学拥堵，希望建设护学通道", year: 2025 });
    expect(proposal.status).toBe(201);
    const { ticket } = await proposal.json();
    const [citizen] = (await (await api("city", "GET", "/candidates?region=430500&year=2025&state=pending")).json()).candidates;
    expect(citizen).toMatchObject({ ticket, source: "public", state: "pending" });
    expect((await api("city", "POST", `/candidates/${citizen.id}/moderate`, { decision: "approve" })).status).toBe(200);
    const fromUnit = await created(await api("reporter-edu", "POST", "/candidates", { year: 2025, region: "430500", title: "新建公办幼儿园 3 所", description: "", source: "department" }));
    const fromDeputy = await created(await api("observer", "POST", "/candidates", { year: 2025, region: "430500", title: "农村饮水安全巩固提升", description: "", source: "deputy" }));
    const declined = await created(await api("city", "POST", "/candidates", { year: 2025, region: "430500", title: "建设城市地标", description: "", source: "department" }));

    // 初选: adopted with feasibility, or declined with a reason the proposer reads
    const screen = (id: number, body: object) => api("city", "POST", `/candidates/${id}/screen`, body);
    expect((await screen(citizen.id, { decision: "adopt", cost: 300, funding: "区级财政", leadUnit: "edu" })).status).toBe(200);
    expect((await screen(fromUnit, { decision: "adopt", cost: 4500, funding: "专项债", leadUnit: "edu" })).status).toBe(200);
    expect((await screen(fromDeputy, { decision: "adopt", cost: 1200, leadUnit: "mz" })).status).toBe(200);
    expect((await screen(declined, { decision: "decline", reason: "不属于民生实事范围" })).status).toBe(200);
    const followed = await (await api(null, "GET", `/public/proposals/tickets/${ticket}`)).json();
    expect(followed).toMatchObject({ state: "adopted", title: "城区学校周边护学通道" });

    // 票决: 3 candidates for 2 seats, 30 entitled, 25 present; the tellers' counts
    const vote = await session({ entitled: 30, present: 25, seats: 2, candidates: [citizen.id, fromUnit, fromDeputy] });
    const counts = [
      { candidate: citizen.id, for: 22, against: 2, abstain: 1 },
      { candidate: fromUnit, for: 20, against: 3, abstain: 2 },
      { candidate: fromDeputy, for: 9, against: 10, abstain: 6 },
    ];
    const tallied = await api("city", "POST", `/votes/${vote}/tally`, { counts });
    expect(tallied.status).toBe(200);
    const expected = decideVote({ entitled: 30, present: 25, seats: 2 }, counts.map((c) => ({ ...c, candidate: String(c.candidate) })));
    const result = await (await api("observer", "GET", `/votes/${vote}/result`)).json();
    expect(result).toEqual({
      valid: expected.valid,
      elected: expected.elected.map(Number),
      runoff: [],
      candidates: expected.candidates.map((c) => ({ ...c, id: Number(c.id) })),
    });
    expect(result.elected).toEqual([citizen.id, fromUnit]);

    // published: frozen, audited; a later tally is refused and changes nothing
    expect((await api("city", "POST", `/votes/${vote}/publish`)).status).toBe(200);
    expect(await audit("vote.publish", String(vote))).toBe(1);
    const late = await api("city", "POST", `/votes/${vote}/tally`, { counts: counts.map((c) => ({ ...c, for: 0 })) });
    expect(late.status).toBe(409);
    expect((await late.json()).error.code).toBe("VOTE_FROZEN");
    expect(await (await api("city", "GET", `/votes/${vote}/result`)).json()).toEqual(result);

    // 一键纳入计划: the region's 2025 plan is created with an item and a project per elected candidate
    const planned = await api("city", "POST", `/votes/${vote}/plan`);
    expect(planned.status).toBe(200);
    const plan = await planned.json();
    expect(plan).toMatchObject({ plan: "430500-2025", created: true });
    expect(plan.items.map((i: { candidate: number }) => i.candidate)).toEqual([citizen.id, fromUnit]);
    const outline = await (await api("city", "GET", `/plans/${plan.plan}/outline`)).json();
    expect(outline.projects.map((p: { title: string; leadUnit: string }) => [p.title, p.leadUnit])).toEqual([
      ["城区学校周边护学通道", "edu"],
      ["新建公办幼儿园 3 所", "edu"],
    ]);
    expect((await api("city", "POST", `/votes/${vote}/plan`)).status).toBe(409);

    // 码上通: the year's voted projects with their vote results
    const page = await (await api(null, "GET", "/public/congress?region=430500&year=2025")).json();
    expect(page.votes).toHaveLength(1);
    expect(page.votes[0].candidates.filter((c: { elected: boolean }) => c.elected).map((c: { title: string }) => c.title)).toEqual(["城区学校周边护学通道", "新建公办幼儿园 3 所"]);
    expect(page.projects.map((p: { deputies: unknown }) => p.deputies)).toEqual([null, null]);

    // through the year: a deputy asks the lead unit about a voted project, the unit answers (once)
    const asked = await created(await api("observer", "POST", "/followups", { project: plan.items[1].project, question: "幼儿园何时开工？" }));
    expect((await api("reporter", "POST", `/followups/${asked}/answer`, { answer: "不是本单位" })).status).toBe(403); // 邵阳县's reporter: outside the city
    const answeredQ = await api("reporter-edu", "POST", `/followups/${asked}/answer`, { answer: "3 月开工，年底完工" });
    expect(answeredQ.status).toBe(200);
    expect((await api("reporter-edu", "POST", `/followups/${asked}/answer`, { answer: "再答一次" })).status).toBe(409);
    const following = await (await api("observer", "GET", "/followups?region=430500&year=2025")).json();
    expect(following.projects.map((f: { title: string; questions: { answer: string | null }[] }) => [f.title, f.questions.map((q) => q.answer)])).toEqual([
      ["城区学校周边护学通道", []],
      ["新建公办幼儿园 3 所", ["3 月开工，年底完工"]],
    ]);
    const notVoted = await api("observer", "POST", "/followups", { project: "sy2024-p01", question: "不是票决项目" });
    expect(notVoted.status).toBe(400);
    expect((await notVoted.json()).error.problems[0].path).toBe("$.project");

    // 满意度测评 at year end: one project on counts, a deputy per tablet on another session
    const projects = plan.items.map((i: { project: string }) => i.project) as string[];
    const survey = await created(await api("city", "POST", "/satisfaction", { region: "430500", year: 2025, date: "2025-12-20", projects }));
    const surveyCounts = [
      { project: projects[0], satisfied: 20, basically_satisfied: 6, dissatisfied: 2 },
      { project: projects[1], satisfied: 5, basically_satisfied: 2, dissatisfied: 7 },
    ];
    const rated = await api("city", "POST", `/satisfaction/${survey}/counts`, { counts: surveyCounts });
    expect(rated.status).toBe(200);
    const ratedBody = await rated.json();
    expect(ratedBody.projects.map((p: object) => ({ ...p, title: undefined, leadUnit: undefined, project: undefined }))).toEqual(
      surveyCounts.map(({ project: _, ...c }) => ({ ...satisfactionBallot(c), title: undefined, leadUnit: undefined, project: undefined })),
    );
    expect(ratedBody.projects.map((p: { flagged: boolean }) => p.flagged)).toEqual([false, false]); // 7 of 14: exactly half is not flagged
    expect((await api("city", "POST", `/satisfaction/${survey}/publish`)).status).toBe(200);
    const after = await (await api(null, "GET", "/public/congress?region=430500&year=2025")).json();
    expect(after.projects[0].deputies).toMatchObject({ satisfied: 20, basically_satisfied: 6, dissatisfied: 2, satisfactionRate: satisfactionBallot(surveyCounts[0]!).satisfactionRate });
    // citizens' ratings are their own figure: none yet, and the deputies' ballots never appear in it
    expect(after.projects[0].citizens).toMatchObject({ total: 0, satisfactionRate: null });

    // 回头看 next spring: the unit's assessment, a deputy's question, the unit's answer, the conclusion
    const lookback = await created(await api("reporter-edu", "POST", "/lookback", { project: projects[1], assessment: "新建幼儿园 2 所已开园，1 所主体完工" }));
    const question = await created(await api("observer", "POST", `/lookback/${lookback}/questions`, { question: "第三所幼儿园何时开园？" }));
    const answered = await api("reporter-edu", "POST", `/lookback/questions/${question}/answer`, { answer: "预计 2026 年 9 月开园" });
    expect(answered.status).toBe(200);
    expect((await api("city", "POST", `/lookback/${lookback}/conclude`, { conclusion: "not_met" })).status).toBe(400);
    const concluded = await api("city", "POST", `/lookback/${lookback}/conclude`, { conclusion: "not_met", followUp: "2026 年 9 月前开园，专班每月调度" });
    expect(concluded.status).toBe(200);
    const list = await (await api("city", "GET", "/lookback?region=430500&year=2025")).json();
    expect(list.unmet.map((l: { id: number }) => l.id)).toEqual([lookback]);
    expect(list.unmet[0]).toMatchObject({ conclusionLabel: "未达到", followUp: "2026 年 9 月前开园，专班每月调度", questions: [{ question: "第三所幼儿园何时开园？", answer: "预计 2026 年 9 月开园" }] });
    for (const action of ["lookback.create", "lookback.ask", "lookback.answer", "lookback.conclude"]) expect(await audit(action, String(lookback)), action).toBe(1);
  });
});

describe("rule 13 through the API", () => {
  let four: number[];
  beforeAll(async () => {
    four = [];
    for (const t of ["甲项目", "乙项目", "丙项目", "丁项目"]) four.push(await adopted(t));
  });
  const counts = (fors: number[]) => fors.map((f, i) => ({ candidate: four[i]!, for: f, against: 0, abstain: 0 }));
  const resultAfter = async (present: number, seats: number, fors: number[]) => {
    const id = await session({ entitled: 30, present, seats, candidates: four.slice(0, fors.length) });
    const res = await api("city", "POST", `/votes/${id}/tally`, { counts: counts(fors) });
    expect(res.status).toBe(200);
    return res.json();
  };

  it("without a quorum (under 2/3 present) the vote is not valid and nobody carries", async () => {
    const r = await resultAfter(19, 1, [19, 0]);
    expect(r).toMatchObject({ valid: false, elected: [], runoff: [] });
    expect(r.candidates.every((c: { carried: boolean }) => !c.carried)).toBe(true);
  });

  it("refuses fewer candidates than seats plus one (差额), naming the field, writing nothing", async () => {
    const before = (await h.deps.db.query("SELECT count(*)::int AS n FROM vote_sessions")).rows[0];
    const res = await api("city", "POST", "/votes", { region: "430500", level: "city", date: "2025-01-10", entitled: 30, present: 30, seats: 2, candidates: four.slice(0, 2) });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("VOTE_TOO_FEW_CANDIDATES");
    expect(body.error.problems[0].path).toBe("$.candidates");
    expect((await h.deps.db.query("SELECT count(*)::int AS n FROM vote_sessions")).rows[0]).toEqual(before);
  });

  it("gives the seats to those with most votes for when more carry than there are seats", async () => {
    const r = await resultAfter(30, 2, [16, 28, 21, 3]);
    expect(r.elected).toEqual([four[1], four[2]]);
    expect(r.candidates.map((c: { carried: boolean }) => c.carried)).toEqual([true, true, true, false]);
  });

  it("carries on more than half of those entitled, not of those present (15 of 30 entitled does not carry)", async () => {
    const r = await resultAfter(20, 2, [15, 11, 0]);
    expect(r).toMatchObject({ valid: true, elected: [], runoff: [] });
  });

  it("sends a tie at the last seat to a runoff", async () => {
    const r = await resultAfter(30, 2, [25, 20, 20, 1]);
    expect(r).toMatchObject({ valid: true, elected: [four[0]], runoff: [four[1], four[2]] });
  });

  it("elects nobody when nobody carries", async () => {
    expect(await resultAfter(30, 2, [15, 10, 5])).toMatchObject({ valid: true, elected: [], runoff: [] });
  });
});

describe("bad input: 4xx, a clear message, nothing written", () => {
  let three: number[];
  beforeAll(async () => {
    three = [];
    for (const t of ["戊项目", "己项目", "庚项目"]) three.push(await adopted(t));
  });

  it("refuses a vote with more present than entitled", async () => {
    const res = await api("city", "POST", "/votes", { region: "430500", level: "city", date: "2025-01-10", entitled: 30, present: 31, seats: 1, candidates: three });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "VOTE_PRESENT_OVER_ENTITLED", params: { present: 31, entitled: 30 } });
    expect(body.error.problems[0].path).toBe("$.present");
  });

  it("refuses candidates not adopted, or twice", async () => {
    const open = await created(await api("city", "POST", "/candidates", { year: 2025, region: "430500", title: "未初选项目", description: "", source: "department" }));
    const res = await api("city", "POST", "/votes", { region: "430500", level: "city", date: "2025-01-10", entitled: 30, present: 30, seats: 1, candidates: [three[0], open] });
    expect(res.status).toBe(400);
    expect((await res.json()).error.problems[0].path).toBe("$.candidates[1]");
    const twice = await api("city", "POST", "/votes", { region: "430500", level: "city", date: "2025-01-10", entitled: 30, present: 30, seats: 1, candidates: [three[0], three[0]] });
    expect((await twice.json()).error.code).toBe("VOTE_CANDIDATE_REPEATED");
  });

  it("refuses counts adding up to more than those present, and counts missing a candidate", async () => {
    const id = await session({ entitled: 30, present: 20, seats: 1, candidates: three });
    const over = await api("city", "POST", `/votes/${id}/tally`, {
      counts: [
        { candidate: three[0], for: 15, against: 3, abstain: 2 },
        { candidate: three[1], for: 15, against: 4, abstain: 2 },
        { candidate: three[2], for: 1, against: 0, abstain: 0 },
      ],
    });
    expect(over.status).toBe(400);
    const body = await over.json();
    expect(body.error).toMatchObject({ code: "VOTE_COUNTS_OVER_PRESENT", params: { candidate: three[1], total: 21, present: 20 } });
    expect(body.error.problems[0].path).toBe("$.counts[1]");
    const missing = await api("city", "POST", `/votes/${id}/tally`, { counts: [{ candidate: three[0], for: 1, against: 0, abstain: 0 }] });
    expect((await missing.json()).error.code).toBe("VOTE_COUNTS_INCOMPLETE");
    expect((await h.deps.db.query("SELECT count(*)::int AS n FROM vote_tallies WHERE session = $1", [id])).rows[0]).toEqual({ n: 0 });
    expect(await audit("vote.tally", String(id))).toBe(0);
  });

  it("takes one tablet ballot per deputy, never more than those present, and never mixed with counts", async () => {
    const id = await session({ entitled: 3, present: 2, seats: 1, candidates: three });
    const ballot = (c: string[]) => ({ choices: three.map((candidate, i) => ({ candidate, choice: c[i] })) });
    const first = await api("deputy1", "POST", `/votes/${id}/ballots`, ballot(["for", "against", "abstain"]));
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ cast: 1 });
    const again = await api("deputy1", "POST", `/votes/${id}/ballots`, ballot(["against", "for", "for"]));
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("VOTE_DEPUTY_VOTED");
    expect((await api("deputy2", "POST", `/votes/${id}/ballots`, ballot(["for", "for", "against"]))).status).toBe(201);
    const third = await api("deputy3", "POST", `/votes/${id}/ballots`, ballot(["for", "for", "for"]));
    expect((await third.json()).error.code).toBe("VOTE_BALLOTS_FULL");
    const mixed = await api("city", "POST", `/votes/${id}/tally`, { counts: three.map((candidate) => ({ candidate, for: 1, against: 0, abstain: 0 })) });
    expect((await mixed.json()).error.code).toBe("VOTE_METHOD_MIXED");
    const r = await (await api("city", "GET", `/votes/${id}/result`)).json();
    // 3 entitled: 2 for carries (more than 1.5)
    expect(r.candidates.map((c: { for: number; against: number; abstain: number }) => [c.for, c.against, c.abstain])).toEqual([[2, 0, 0], [1, 1, 0], [0, 1, 1]]);
    expect(r.elected).toEqual([three[0]]);
    // who voted is kept, never how
    const { rows } = await h.deps.db.query("SELECT * FROM vote_ballots WHERE session = $1", [id]);
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]!).sort()).toEqual(["cast_at", "deputy", "session"]);
  });

  it("keeps to the caller's area: a county's task force cannot run the city's vote", async () => {
    const res = await api("county", "POST", "/votes", { region: "430500", level: "city", date: "2025-01-10", entitled: 30, present: 30, seats: 1, candidates: three });
    expect(res.status).toBe(403);
    expect((await api("reporter", "POST", "/votes", { region: "430523", level: "county", date: "2025-01-10", entitled: 30, present: 30, seats: 1, candidates: three })).status).toBe(403);
  });
});
