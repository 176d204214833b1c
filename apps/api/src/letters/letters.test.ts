import { letterNumber, letterOverdue, letterPrefix, supervisionSentence } from "@minsheng/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../test/harness.js";

/**
 * Supervision through the API (rules 11-12): an observer files with a photo, the task force sorts
 * the filing into a letter, issues it, the addressee signs and answers, the issuer returns and then
 * accepts it, and the observer sees the outcome. Then the overdue rule on an injected clock, and
 * the bad input of the issue: each refused with a 4xx naming the field, nothing written.
 */

const API = "/api/v1";
let h: Harness;
const cookie: Record<string, string> = {};
let siteCode = "";
let siteRegion = "";
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new TextEncoder().encode("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const upload = (field: string, bytes: Uint8Array, name: string) => {
  const form = new FormData();
  form.append(field, new Blob([bytes]), name);
  return form;
};
const count = async (table: string) => Number((await h.deps.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
/** Moves the injected clock; sessions idle past their limit meanwhile, so everyone signs in again. */
async function setClock(at: Date) {
  h.clock.now = at;
  for (const a of Object.keys(cookie)) cookie[a] = await h.login(a);
}
const dueIn = (days: number) => new Date(h.clock.now.getTime() + days * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await makeHarness();
  for (const a of ["admin", "city", "county", "reporter", "reporter-edu", "observer"]) cookie[a] = await h.login(a);
  // the project sites are made on first listing
  expect((await h.call(cookie.admin!, "GET", `${API}/sites?limit=1`)).status).toBe(200);
  const { rows } = await h.deps.db.query<{ code: string; region: string }>("SELECT code, region FROM project_sites WHERE region = '430523' ORDER BY code LIMIT 1");
  siteCode = rows[0]!.code;
  siteRegion = rows[0]!.region;
  const { rows: users } = await h.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = 'observer'");
  const res = await h.call(cookie.city!, "POST", `${API}/observers`, { name: "张老师", background: "教师", region: "430523", group: "民生保障组", userId: Number(users[0]!.id) });
  expect(res.status).toBe(201);
}, 120_000);
afterAll(() => h?.dispose());

describe("the whole loop: observer files → letter → answer → accepted → observer sees it", () => {
  let observationId = 0;
  let letterId = 0;

  it("an observer files on a site with a photo", async () => {
    const res = await h.call(cookie.observer!, "POST", `${API}/observations`, { kind: "information", text: "现场查看：项目公示牌缺失，群众不知晓建设内容。", site: siteCode });
    expect(res.status).toBe(201);
    observationId = (await res.json()).id;
    expect(observationId).toBeGreaterThan(0);
    const photo = await h.call(cookie.observer!, "POST", `${API}/observations/${observationId}/photos`, upload("photo", png, "现场.png"));
    expect(photo.status).toBe(201);
    const seen = await (await h.call(cookie.observer!, "GET", `${API}/observations/${observationId}`)).json();
    expect(seen).toMatchObject({ id: observationId, kind: "information", state: "submitted", region: siteRegion, outcome: { action: null, letter: null } });
    expect(seen.photos).toHaveLength(1);
    const img = await h.call(cookie.county!, "GET", seen.photos[0].href);
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/png");
  });

  it("the task force finds it in its inbox and sorts it into a draft letter", async () => {
    const inbox = await (await h.call(cookie.county!, "GET", `${API}/observations?state=submitted`)).json();
    expect(inbox.observations.map((o: { id: number }) => o.id)).toContain(observationId);
    // another county's task force does not see it
    expect((await h.call(cookie.county!, "GET", `${API}/observations?region=430524`)).status).toBe(403);
    const res = await h.call(cookie.city!, "POST", `${API}/observations/${observationId}/triage`, {
      action: "letter",
      letter: { kind: "work_notice", to: { region: "430523" }, subject: "关于项目公示牌缺失的工作提示函", body: "观察员反映项目现场未设公示牌，请整改。", dueOn: dueIn(20) },
    });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toMatchObject({ id: observationId, state: "letter" });
    letterId = answer.letterId;
    const seen = await (await h.call(cookie.observer!, "GET", `${API}/observations/${observationId}`)).json();
    expect(seen.outcome).toMatchObject({ action: "letter", letter: { id: letterId, state: "draft" } });
    const letter = await (await h.call(cookie.city!, "GET", `${API}/letters/${letterId}`)).json();
    expect(letter.sources).toEqual([{ kind: "observation", id: observationId }]);
    // a filing is sorted once
    expect((await h.call(cookie.city!, "POST", `${API}/observations/${observationId}/triage`, { action: "none", reason: "重复" })).status).toBe(409);
  });

  it("a draft is the issuer's: the addressee neither sees nor signs it", async () => {
    expect((await h.call(cookie.county!, "GET", `${API}/letters/${letterId}`)).status).toBe(404);
    expect((await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/acknowledge`)).status).toBe(404);
    expect((await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/issue`)).status).toBe(404);
  });

  it("a draft is changed by its issuer, checked as a new letter; the change is audited", async () => {
    expect((await h.call(cookie.city!, "PATCH", `${API}/letters/${letterId}`, { dueOn: "2024-10-01" })).status).toBe(400);
    expect((await h.call(cookie.city!, "PATCH", `${API}/letters/${letterId}`, { to: { region: "440000" } })).status).toBe(400);
    const res = await h.call(cookie.city!, "PATCH", `${API}/letters/${letterId}`, { subject: "关于项目公示牌缺失的工作提示函", body: "观察员反映项目现场未设公示牌，请于期限内整改。" });
    expect(res.status).toBe(200);
    const letter = await (await h.call(cookie.city!, "GET", `${API}/letters/${letterId}`)).json();
    expect(letter).toMatchObject({ state: "draft", body: "观察员反映项目现场未设公示牌，请于期限内整改。", to: { region: "430523" } });
  });

  it("issuing numbers it per issuer and year and freezes it", async () => {
    const res = await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/issue`);
    expect(res.status).toBe(200);
    const issued = await res.json();
    expect(issued).toEqual({ id: letterId, number: letterNumber(letterPrefix({ name: "邵阳市", level: "city" }), 2024, 1), state: "issued" });
    expect(issued.number).toBe("邵民专班函〔2024〕1号");
    expect((await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/issue`)).status).toBe(409);
    // frozen: an issued letter is not changed
    expect((await h.call(cookie.city!, "PATCH", `${API}/letters/${letterId}`, { subject: "改一改标题" })).status).toBe(409);
    const doc = await h.call(cookie.county!, "GET", `${API}/letters/${letterId}?format=docx`);
    expect(doc.status).toBe(200);
    expect(doc.headers.get("content-type")).toMatch(/wordprocessingml/);
    const bytes = new Uint8Array(await doc.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // a zip (docx)
  });

  it("only the addressee signs and answers; only the issuer closes", async () => {
    expect((await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/acknowledge`)).status).toBe(403);
    expect((await h.call(cookie["reporter-edu"]!, "POST", `${API}/letters/${letterId}/acknowledge`)).status).toBe(404);
    expect((await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/replies`, { text: "已整改，公示牌已设立。" })).status).toBe(409); // not signed yet
    const ack = await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(await ack.json()).toEqual({ id: letterId, state: "acknowledged" });
    const before = await count("letter_replies");
    const other = await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/replies`, { text: "由专班代为答复整改情况" });
    expect(other.status).toBe(403);
    expect((await other.json()).error.code).toBe("LETTER_NOT_ADDRESSEE");
    expect(await count("letter_replies")).toBe(before);
    const reply = await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/replies`, { text: "已在项目现场设立公示牌。" });
    expect(reply.status).toBe(201);
    const { id: replyId, state } = await reply.json();
    expect(state).toBe("answered");
    const file = await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/replies/${replyId}/files`, upload("file", png, "公示牌.png"));
    expect(file.status).toBe(201);
    expect((await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/accept`, {})).status).toBe(403);
    const ret = await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/return`, { reason: "请补充公示牌内容照片" });
    expect(await ret.json()).toEqual({ id: letterId, state: "returned" });
    expect((await h.call(cookie.county!, "POST", `${API}/letters/${letterId}/replies`, { text: "已补充公示牌内容照片。" })).status).toBe(201);
    const accept = await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/accept`, { public: true });
    expect(await accept.json()).toEqual({ id: letterId, state: "accepted" });
    expect((await h.call(cookie.city!, "POST", `${API}/letters/${letterId}/return`, { reason: "再次退回" })).status).toBe(409);
  });

  it("the observer sees what became of the filing, and every step is audited", async () => {
    const seen = await (await h.call(cookie.observer!, "GET", `${API}/observations/${observationId}`)).json();
    expect(seen).toMatchObject({ state: "letter", outcome: { action: "letter", letter: { id: letterId, state: "accepted", number: "邵民专班函〔2024〕1号" } } });
    const letter = await (await h.call(cookie.county!, "GET", `${API}/letters/${letterId}`)).json();
    expect(letter.replies).toHaveLength(2);
    expect(letter.replies[0].files).toHaveLength(1);
    expect((await h.call(cookie.county!, "GET", letter.replies[0].files[0].href)).status).toBe(200);
    const { rows } = await h.deps.db.query<{ action: string }>("SELECT action FROM audit_log WHERE entity = 'letter' AND entity_id = $1 ORDER BY seq", [String(letterId)]);
    expect(rows.map((r) => r.action)).toEqual(["letter.create", "letter.edit", "letter.issue", "letter.acknowledge", "letter.reply", "letter.file", "letter.return", "letter.reply", "letter.accept"]);
    const obs = await h.deps.db.query<{ action: string }>("SELECT action FROM audit_log WHERE entity = 'observation' AND entity_id = $1 ORDER BY seq", [String(observationId)]);
    expect(obs.rows.map((r) => r.action)).toEqual(["observation.file", "observation.photo", "observation.triage"]);
    const closed = await (await h.call(cookie.county!, "GET", `${API}/letters?state=closed`)).json();
    expect(closed.letters.find((l: { id: number }) => l.id === letterId)).toMatchObject({ number: "邵民专班函〔2024〕1号", kind: "work_notice", to: { region: "430523" }, state: "accepted", overdue: false });
  });
});

describe("what the public and the bulletin see", () => {
  it("the project's 码上通 page shows the closed rectification the task force made public", async () => {
    const page = await (await h.call(null, "GET", `${API}/public/sites/${siteCode}`)).json();
    expect(page.rectifications).toEqual([
      expect.objectContaining({ number: "邵民专班函〔2024〕1号", kind: "work_notice", subject: "关于项目公示牌缺失的工作提示函", reply: "已补充公示牌内容照片。" }),
    ]);
  });

  it("the month's bulletin has the supervision paragraph, counted as the domain words it", async () => {
    const res = await h.call(cookie.city!, "GET", `${API}/bulletins?plan=hn2024&region=430500&period=2024-10`);
    expect(res.status).toBe(200);
    const model = await res.json();
    const section = model.sections.find((s: { key: string }) => s.key === "supervision");
    // October 2024 so far: one filing on the site (this suite's later filings come after), one letter issued, answered twice, none overdue
    const filings = Number((await h.deps.db.query<{ n: string }>("SELECT count(*) AS n FROM observations WHERE to_char(filed_on, 'YYYY-MM') = '2024-10'")).rows[0]!.n);
    expect(section.blocks[0].text).toBe(supervisionSentence({ filings, lettersIssued: 1, lettersAnswered: 1, lettersOverdue: 0 }));
    expect(section.heading).toMatch(/督办情况$/);
  });
});

describe("overdue = not accepted by the deadline (rule 11), on an injected clock", () => {
  it("turns overdue the day after the deadline, and stays so when accepted late", async () => {
    const start = h.clock.now;
    try {
      const dueOn = dueIn(3);
      const created = await h.call(cookie.city!, "POST", `${API}/letters`, { kind: "reminder", to: { unit: "edu" }, subject: "温馨提示：请按序时推进", body: "请加快推进。", dueOn });
      expect(created.status).toBe(201);
      const { id, state } = await created.json();
      expect(state).toBe("draft");
      const issued = await (await h.call(cookie.city!, "POST", `${API}/letters/${id}/issue`)).json();
      expect(issued.number).toBe("邵民专班函〔2024〕2号");
      const row = async (who: string, query = "") => ((await (await h.call(cookie[who]!, "GET", `${API}/letters${query}`)).json()).letters as { id: number; overdue: boolean; state: string }[]).find((l) => l.id === id);
      expect(await row("reporter-edu")).toMatchObject({ state: "issued", overdue: false });
      // on the due date (China time) it is not yet overdue
      await setClock(new Date(`${dueOn}T15:00:00Z`)); // 23:00 in China
      expect((await row("city"))!.overdue).toBe(false);
      await setClock(new Date(`${dueOn}T16:00:00Z`)); // midnight in China: the next day
      expect((await row("city"))!.overdue).toBe(true);
      expect(await row("city", "?state=overdue")).toBeDefined();
      expect(await row("reporter-edu", "?to=me")).toMatchObject({ overdue: true });
      // answered and accepted two days late: closed, still counted as overdue
      await h.call(cookie["reporter-edu"]!, "POST", `${API}/letters/${id}/acknowledge`);
      await h.call(cookie["reporter-edu"]!, "POST", `${API}/letters/${id}/replies`, { text: "已按要求加快推进。" });
      await setClock(new Date(h.clock.now.getTime() + 2 * 86_400_000));
      expect((await h.call(cookie.city!, "POST", `${API}/letters/${id}/accept`, {})).status).toBe(200);
      const closed = await row("city");
      expect(closed).toMatchObject({ state: "accepted", overdue: letterOverdue({ state: "accepted", dueOn, acceptedOn: dueIn(0) }, dueIn(0)) });
      expect(closed!.overdue).toBe(true);
      expect(await row("city", "?state=overdue")).toBeUndefined();
      // columns another feature counts from (scorecards: to_unit, due_on, state, accepted_at)
      const { rows } = await h.deps.db.query<{ to_unit: string; due_on: string; state: string; late: boolean }>(
        "SELECT to_unit, to_char(due_on, 'YYYY-MM-DD') AS due_on, state, (accepted_at AT TIME ZONE 'Asia/Shanghai')::date > due_on AS late FROM letters WHERE id = $1",
        [id],
      );
      expect(rows[0]).toEqual({ to_unit: "edu", due_on: dueOn, state: "accepted", late: true });
    } finally {
      await setClock(start);
    }
  });
});

describe("bad input: a 4xx naming the field, nothing written", () => {
  const letter = (over: Record<string, unknown>) => ({ kind: "assignment", to: { region: "430523" }, subject: "交办函", body: "请整改。", dueOn: "2024-12-31", ...over });
  const cases: [string, string, Record<string, unknown>, number, string, string][] = [
    ["a missing deadline", "city", letter({ dueOn: undefined }), 400, "VALIDATION_FAILED", "$.dueOn"],
    ["a past deadline", "city", letter({ dueOn: "2024-10-07" }), 400, "LETTER_DUE_PAST", "$.dueOn"],
    ["not a date", "city", letter({ dueOn: "2024-02-30" }), 400, "LETTER_DUE_INVALID", "$.dueOn"],
    ["an unknown unit", "city", letter({ to: { unit: "nope" } }), 400, "LETTER_UNKNOWN_UNIT", "$.to.unit"],
    ["an unknown region", "city", letter({ to: { region: "999999" } }), 400, "LETTER_UNKNOWN_REGION", "$.to.region"],
    ["no addressee", "city", letter({ to: {} }), 400, "LETTER_NO_ADDRESSEE", "$.to"],
    ["a region outside the issuer's area", "county", letter({ to: { region: "430524" } }), 403, "LETTER_OUTSIDE_AREA", "$.to.region"],
    ["a unit outside the issuer's area", "county", letter({ to: { unit: "edu" } }), 403, "LETTER_OUTSIDE_AREA", "$.to.unit"],
    ["the issuer's own region", "city", letter({ to: { region: "430500" } }), 403, "LETTER_OUTSIDE_AREA", "$.to.region"],
    ["an unknown kind", "city", letter({ kind: "memo" }), 400, "VALIDATION_FAILED", "$.kind"],
    ["a source that does not exist", "city", letter({ sources: [{ kind: "observation", id: 999999 }] }), 400, "LETTER_SOURCE_UNKNOWN", "$.sources[0]"],
  ];
  for (const [what, who, body, status, code, path] of cases)
    it(`refuses ${what}`, async () => {
      const before = await count("letters");
      const res = await h.call(cookie[who]!, "POST", `${API}/letters`, body);
      expect(res.status).toBe(status);
      const { error } = await res.json();
      expect(error.code).toBe(code);
      expect(error.problems.map((p: { path: string }) => p.path)).toContain(path);
      expect(await count("letters")).toBe(before);
    });

});
