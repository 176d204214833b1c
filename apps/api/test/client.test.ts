import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { type ApiClient, createClient } from "../src/client.js";
import { DEMO_PASSWORD } from "../src/seed.js";
import { type Harness, makeHarness, ORIGIN } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
}, 120_000);
afterAll(() => h?.dispose());

/** app.request as a browser's fetch on our own page: keeps the session cookie, sends our Origin. */
function browserLike(): typeof fetch {
  let cookie: string | null = null;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    headers.set("origin", ORIGIN);
    if (cookie) headers.set("cookie", cookie);
    const res = await h.app.request(request.url, { method: request.method, headers, body: request.body, duplex: "half" } as RequestInit);
    const set = res.headers.get("set-cookie");
    if (set) cookie = set.split(";")[0]!;
    return res;
  }) as typeof fetch;
}

describe("createClient (@minsheng/api/client)", () => {
  it("signs in and reads a plan's progress with typed answers", async () => {
    const api: ApiClient = createClient(ORIGIN, browserLike());
    const login = await api.auth.login.$post({ json: { username: "city", password: DEMO_PASSWORD } });
    expect(login.status).toBe(200);

    const me = await api.auth.me.$get();
    if (!me.ok) throw new Error(`me: ${me.status}`);
    const who = await me.json();
    expectTypeOf(who.region).toEqualTypeOf<string | null>();
    expect(who).toMatchObject({ username: "city", role: "staff_city", region: "430500" });

    const res = await api.plans[":planId"].progress.$get({ param: { planId: "hn2024" }, query: { period: "2024-09", region: "430500" } });
    expect(res.status).toBe(200);
    if (!res.ok) throw new Error(`progress: ${res.status}`);
    const progress = await res.json();
    expectTypeOf(progress.counts.completed).toEqualTypeOf<number>();
    expectTypeOf(progress.projects[0]!.status).toEqualTypeOf<"completed" | "on_schedule" | "behind">();
    expect(progress.period).toBe("2024-09");
    expect(progress.region).toBe("430500");
    // seed 003: 11 completed and 13 on-schedule province projects (see fixtures/*.expected.json)
    expect(progress.counts).toEqual({ completed: 11, on_schedule: 13, behind: 0 });
  });

  it("builds URLs under /api/v1 and answers errors with the common body", async () => {
    const api = createClient(ORIGIN, browserLike());
    expect(api.plans[":planId"].progress.$url({ param: { planId: "hn2024" }, query: { period: "2024-09", region: "430500" } }).href).toBe(
      `${ORIGIN}/api/v1/plans/hn2024/progress?period=2024-09&region=430500`,
    );
    const anonymous = await api.plans.$get();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "NOT_SIGNED_IN" } });
  });
});
