/**
 * The page's calls of the API with `fetch` stubbed: the URLs and bodies each call sends, and how
 * an answer becomes data or an ApiProblem (the status, code and field problems the pages word in
 * Chinese; no network: status 0 with its own sentence; Retry-After in seconds).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiProblem, getSite, getTicket, listSites, sendFeedback, sendRating } from "../src/api";

let sent: { url: string; init: RequestInit | undefined }[] = [];
let answer: () => Response | Promise<Response>;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

beforeEach(() => {
  sent = [];
  answer = () => json({});
  vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
    sent.push({ url, init });
    return Promise.resolve(answer());
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const problemOf = async (p: Promise<unknown>): Promise<ApiProblem> => {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiProblem);
  return e as ApiProblem;
};

describe("requests", () => {
  it("GETs a site, a ticket and a page of sites with no headers, parameters encoded, blank choices left out", async () => {
    await getSite("BHMSXDK5");
    await getTicket("0123456789AB");
    await getSite("A/B?C");
    await listSites({ region: "430523", item: "", q: "托育", limit: 20, offset: 0 });
    await listSites({});
    expect(sent.map((s) => s.url)).toEqual([
      "/api/v1/public/sites/BHMSXDK5",
      "/api/v1/public/tickets/0123456789AB",
      "/api/v1/public/sites/A%2FB%3FC",
      `/api/v1/public/sites?region=430523&q=${encodeURIComponent("托育")}&limit=20&offset=0`,
      "/api/v1/public/sites",
    ]);
    // a GET as the page's Link: rel=preload asks it (no headers, fetch's default credentials)
    expect(sent[0]!.init).toBeUndefined();
  });

  it("sends a suggestion as JSON without a blank phone, and with a photo as multipart", async () => {
    answer = () => json({ ticket: "0123456789AB", state: "pending", stateLabel: "待审核", receivedOn: "2024-09-30", dueOn: "2024-10-14", lookup: "/api/v1/public/tickets/0123456789AB" }, 201);
    const created = await sendFeedback("BHMSXDK5", { kind: "question", text: "请问何时开园？", phone: "", photo: null });
    expect(created.ticket).toBe("0123456789AB");
    expect(sent[0]!.url).toBe("/api/v1/public/sites/BHMSXDK5/feedback");
    expect(sent[0]!.init).toMatchObject({ method: "POST", headers: { "Content-Type": "application/json" } });
    expect(JSON.parse(String(sent[0]!.init?.body))).toEqual({ kind: "question", text: "请问何时开园？" });

    const photo = new File([new Uint8Array([137, 80, 78, 71])], "a.png", { type: "image/png" });
    await sendFeedback("BHMSXDK5", { kind: "suggestion", text: "希望增加周末托管服务。", phone: "13812345678", photo });
    const form = sent[1]!.init?.body;
    expect(form).toBeInstanceOf(FormData);
    // no Content-Type of ours: fetch writes multipart/form-data with its boundary
    expect(sent[1]!.init?.headers).toBeUndefined();
    expect([...(form as FormData).keys()]).toEqual(["kind", "text", "phone", "photo"]);
    expect((form as FormData).get("photo")).toBeInstanceOf(File);
  });

  it("rates as JSON and answers the satisfaction now", async () => {
    const satisfaction = { satisfied: 1, basically_satisfied: 0, dissatisfied: 0, total: 1, satisfactionRate: 100 };
    answer = () => json({ rating: "satisfied", satisfaction }, 201);
    expect(await sendRating("BHMSXDK5", "satisfied")).toEqual({ rating: "satisfied", satisfaction });
    expect(sent[0]).toMatchObject({ url: "/api/v1/public/sites/BHMSXDK5/rating", init: { method: "POST", body: '{"rating":"satisfied"}' } });
  });
});

describe("errors", () => {
  it("a failed network is status 0 with a sentence for the citizen", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    const e = await problemOf(getSite("BHMSXDK5"));
    expect(e).toMatchObject({ status: 0, code: "Network", message: "网络连接失败，请检查网络后重试" });
  });

  it("an error answer keeps its status, code, field problems, other fields and Retry-After", async () => {
    const problems = [{ path: "$.text", message: "must be at least 5 characters" }];
    answer = () => json({ error: { code: "VALIDATION_FAILED", message: "invalid input", params: { n: 1 }, problems } }, 400);
    expect(await problemOf(sendFeedback("BHMSXDK5", { kind: "question", text: "短" }))).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      message: "invalid input",
      problems,
      extra: { params: { n: 1 } },
      retryAfter: null,
    });
    answer = () => json({ error: { code: "RATE_LIMITED", message: "too many requests", problems: [] } }, 429, { "Retry-After": "42" });
    expect(await problemOf(sendRating("BHMSXDK5", "satisfied"))).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfter: 42 });
  });

  it("an answer that is not the API's error (a proxy's page) is still a problem with its status", async () => {
    answer = () => new Response("<html>Bad Gateway</html>", { status: 502, headers: { "Retry-After": "soon" } });
    expect(await problemOf(getTicket("0123456789AB"))).toMatchObject({ status: 502, code: "Http", message: "HTTP 502", problems: [], retryAfter: null });
  });
});
