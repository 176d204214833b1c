/**
 * Issue 10 (holes found by attacking the running server), the audit chain and sign-in: concurrent
 * audited requests keep the hash chain verifiable; anonymous failures cannot flood it; parallel
 * password guesses lock the account at the fifth; sign-in is throttled per address; unknown and
 * locked users get the same answers; scrypt cost and its upgrade; users change their own password.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../src/seed.js";
import { type Harness, makeHarness } from "./harness.js";

const API = "/api/v1";
let h: Harness;

beforeAll(async () => {
  h = await makeHarness();
}, 120_000);
afterAll(() => h?.dispose());

const verify = async () => (await h.call(await h.login("auditor"), "GET", `${API}/audit/verify`)).json();

describe("audit chain under concurrent requests", () => {
  it("twelve parallel bulletin preview downloads (each audited) leave the chain verifiable", async () => {
    const city = await h.login("city");
    const Q = "plan=hn2024,sy2024&region=430500&period=2024-09";
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => h.call(city, "GET", `${API}/bulletins?${Q}&format=${i % 2 ? "docx" : "xlsx"}`)));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    const { rows } = await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'bulletin.preview.download'");
    expect(rows[0]!.n).toBe(12);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it("a mix of audited requests from several routes in parallel keeps one unbroken chain", async () => {
    const [city, county, auditor] = [await h.login("city"), await h.login("county"), await h.login("auditor")];
    const Q = "plan=hn2024,sy2024&region=430500&period=2024-09";
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => h.call(city, "GET", `${API}/bulletins?${Q}&format=xlsx`)),
      // refused requests are audited too (authz.denied)
      ...Array.from({ length: 6 }, () => h.call(county, "GET", `${API}/plans/hn2024/progress?period=2024-09&region=430524`)),
      ...Array.from({ length: 6 }, () => h.call(auditor, "GET", `${API}/users`)),
      ...Array.from({ length: 4 }, () => h.call(null, "POST", `${API}/auth/login`, { username: "observer", password: DEMO_PASSWORD })),
    ]);
    expect(answers.map((r) => r.status)).toEqual([...Array(6).fill(200), ...Array(12).fill(403), ...Array(4).fill(200)]);
    expect(await verify()).toMatchObject({ ok: true });
  });
});
