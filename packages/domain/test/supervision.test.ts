import { describe, expect, it } from "vitest";
import {
  dueOnProblem,
  informationCard,
  isLetterOpen,
  LetterAction,
  LetterSource,
  LetterState,
  letterActor,
  letterNumber,
  letterOverdue,
  letterPrefix,
  nextLetterState,
  observerDuties,
  stateAfterTriage,
  supervisionSentence,
} from "../src/index.js";
import { letterKindLabel, letterStateLabel, observationKindLabel, observationStateLabel } from "../src/labels.js";

describe("letters: numbering (rule 11)", () => {
  it("numbers per issuer and year as the task forces write them", () => {
    expect(letterNumber(letterPrefix({ name: "邵阳市", level: "city" }), 2026, 15)).toBe("邵民专班函〔2026〕15号");
    expect(letterPrefix({ name: "湖南省", level: "province" })).toBe("湘民专班函");
    expect(letterPrefix({ name: "隆回县", level: "county" })).toBe("隆回民专班函");
    expect(letterPrefix({ name: "大祥区", level: "county" })).toBe("大祥民专班函");
    expect(letterPrefix({ name: "岳阳市", level: "city" })).toBe("岳民专班函");
  });
});

describe("letters: life (rule 11)", () => {
  it("goes draft → issued → acknowledged → answered → accepted, or back through returned", () => {
    let s: LetterState = "draft";
    for (const [action, to] of [["issue", "issued"], ["acknowledge", "acknowledged"], ["reply", "answered"], ["return", "returned"], ["reply", "answered"], ["accept", "accepted"]] as const) {
      const next = nextLetterState(s, action);
      expect(next, `${s} --${action}`).toBe(to);
      s = next!;
    }
  });

  it("refuses every other step", () => {
    const allowed = new Set(["draft:issue", "issued:acknowledge", "acknowledged:reply", "returned:reply", "answered:accept", "answered:return"]);
    for (const state of LetterState.options)
      for (const action of LetterAction.options) expect(nextLetterState(state, action) !== null, `${state}:${action}`).toBe(allowed.has(`${state}:${action}`));
    // a closed letter stays closed, a draft cannot be answered
    expect(nextLetterState("accepted", "return")).toBeNull();
    expect(nextLetterState("draft", "reply")).toBeNull();
  });

  it("names who acts: the addressee signs and answers, the issuer issues and closes", () => {
    expect(LetterAction.options.filter((a) => letterActor(a) === "addressee")).toEqual(["acknowledge", "reply"]);
    expect(isLetterOpen("draft")).toBe(false);
    expect(isLetterOpen("returned")).toBe(true);
    expect(isLetterOpen("accepted")).toBe(false);
  });
});

describe("letters: overdue = not accepted by the deadline (rule 11)", () => {
  it("counts open letters after the due date and letters accepted late; never a draft", () => {
    const due = "2026-03-31";
    expect(letterOverdue({ state: "issued", dueOn: due, acceptedOn: null }, "2026-03-31")).toBe(false);
    expect(letterOverdue({ state: "issued", dueOn: due, acceptedOn: null }, "2026-04-01")).toBe(true);
    expect(letterOverdue({ state: "answered", dueOn: due, acceptedOn: null }, "2026-04-01")).toBe(true); // answered but not yet accepted
    expect(letterOverdue({ state: "accepted", dueOn: due, acceptedOn: "2026-03-30" }, "2026-12-31")).toBe(false);
    expect(letterOverdue({ state: "accepted", dueOn: due, acceptedOn: "2026-04-02" }, "2026-04-02")).toBe(true);
    expect(letterOverdue({ state: "draft", dueOn: due, acceptedOn: null }, "2026-05-01")).toBe(false);
  });

  it("refuses a deadline in the past or not a date", () => {
    expect(dueOnProblem("2026-03-31", "2026-03-31")).toBeNull();
    expect(dueOnProblem("2026-03-30", "2026-03-31")).toMatch(/past/);
    expect(dueOnProblem("2026-02-30", "2026-01-01")).toMatch(/date/);
    expect(dueOnProblem("2026-3-1", "2026-01-01")).toMatch(/date/);
  });

  it("sources are observations, feedback, lagging indicator-regions or missing reports", () => {
    expect(LetterSource.safeParse({ kind: "observation", id: 3 }).success).toBe(true);
    expect(LetterSource.safeParse({ kind: "lagging", indicator: "hn2024-p01-a", region: "430523", period: "2024-09" }).success).toBe(true);
    expect(LetterSource.safeParse({ kind: "lagging", indicator: "x", region: "430523", period: "2024-13" }).success).toBe(false);
    expect(LetterSource.safeParse({ kind: "rumour", id: 1 }).success).toBe(false);
  });
});

describe("observers (rule 12)", () => {
  it("the information card lists the project's indicators, its acceptance standard and what every site owes", () => {
    const card = informationCard({
      indicators: [
        { name: "新增学位", unit: "个", kind: "quantity" },
        { name: "工程进度", unit: "%", kind: "milestone" },
      ],
      acceptanceStandard: ["竣工验收合格", " "],
    });
    expect(card.slice(0, 3)).toEqual(["新增学位（个）：完成数量与上报一致", "工程进度：形象进度与上报一致", "验收标准：竣工验收合格"]);
    expect(card).toContain("现场张贴项目二维码（码上通）");
  });

  it("四个一 owes nothing for the months before an observer's appointment (seed 001: appointed in June)", () => {
    const [d] = observerDuties([{ id: "o", name: "张老师", background: "教师", region: "430523", since: "2023-06" }], [{ observer: "o", kind: "information", date: "2023-06-09", text: "现场查看情况" }], "2023-07");
    expect(d).toMatchObject({ missingInformation: ["2023-07"], missingSuggestion: ["2023-06", "2023-07"], short: true });
    const [before] = observerDuties([{ id: "o", name: "张老师", background: "教师", region: "430523", since: "2023-08" }], [], "2023-07");
    expect(before).toMatchObject({ missingInformation: [], missingSuggestion: [], short: false });
  });

  it("triage decides the filing's state", () => {
    expect(stateAfterTriage).toEqual({ none: "no_action", forward: "forwarded", letter: "letter" });
  });

  it("has a Chinese name for every kind and state", () => {
    for (const l of [letterKindLabel, letterStateLabel, observationKindLabel, observationStateLabel]) for (const v of Object.values(l)) expect(v).toMatch(/[\u4e00-\u9fff]/);
    expect(Object.keys(letterKindLabel)).toEqual(["reminder", "work_notice", "notice", "assignment", "warning"]);
  });
});

describe("the bulletin's supervision sentence", () => {
  it("says the month's filings and letters, and the overdue ones", () => {
    expect(supervisionSentence({ filings: 0, lettersIssued: 0, lettersAnswered: 0, lettersOverdue: 0 })).toBe("");
    expect(supervisionSentence({ filings: 40, lettersIssued: 5, lettersAnswered: 3, lettersOverdue: 1 })).toBe(
      "本月民生实事观察员报送观察信息40条，下发督办函件5件，已答复整改3件，逾期未销号1件。",
    );
    expect(supervisionSentence({ filings: 2, lettersIssued: 0, lettersAnswered: 0, lettersOverdue: 0 })).toMatch(/无逾期未销号函件。$/);
  });
});
