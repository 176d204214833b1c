import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/auth/password.js";
import { dataVersion, preparedPlans } from "../src/lib/plan-cache.js";
import { publicPageCache } from "../src/public/public-cache.js";
import { type Harness, makeHarness } from "./harness.js";

// Deadline day (issue 16, point 4; apps/api/bench/deadline.mjs). A reporter's draft, evidence and
// submission count in no published figure, so they must leave the data version, and with it the
// prepared plans (dashboards, bulletins, every public site page), alone: before migration 11 each
// save moved it, and under a thousand reporters the public pages exported the province plan again
// on nearly every read. A review that makes the figure count moves it, and the figure shows.
// The same for the rendered public pages: signing in, a draft, evidence and a submission are
// declared `keepsPublicPages`, so they leave the cached pages (here and in other instances) alone;
// before, every successful write dropped them all, and each read made its page again.
//
// And an office behind one address (NAT) signing in at once: while more of its sign-ins are being
// checked than the address's failure limit, the next is refused for a few seconds, but the address
// is not blocked for the throttle's 15 minutes: only failures block it.

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.dispose());

// a PNG as the sniffer knows one (signature and IHDR)
const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

describe("the data version on a deadline day", () => {
  it("stays through a reporter's save, evidence and submission; moves when the figure is verified", async () => {
    const db = h.deps.db;
    const v0 = await dataVersion(db);
    const pages = publicPageCache(db);
    const g0 = pages.generation;
    const { model: before } = await preparedPlans(db, ["hn2024"]);

    const reporter = await h.login("reporter");
    const saved = await h.call(reporter, "PUT", "/api/v1/reports", { indicator: "hn2024-p02-a", region: "430523", period: "2024-10", value: 100000, narrative: "截止日前填报" });
    expect(saved.status).toBe(201);
    const { id } = await saved.json();
    const form = new FormData();
    form.append("file", new File([png], "现场照片.png", { type: "image/png" }));
    expect((await h.call(reporter, "POST", `/api/v1/reports/${id}/evidence`, form)).status).toBe(201);
    const submitted = await h.call(reporter, "POST", `/api/v1/reports/${id}/submit`, {});
    expect(submitted.status).toBe(200);
    const { version } = await submitted.json();

    expect(await dataVersion(db)).toBe(v0);
    expect((await preparedPlans(db, ["hn2024"])).model).toBe(before);
    expect(pages.generation).toBe(g0);

    const reviewer = await h.login("reviewer");
    expect(pages.generation).toBe(g0);
    expect((await h.call(reviewer, "POST", `/api/v1/reports/${id}/review`, { action: "verify", version })).status).toBe(200);
    expect(pages.generation).toBeGreaterThan(g0);
    const v1 = await dataVersion(db);
    expect(BigInt(v1)).toBeGreaterThan(BigInt(v0));
    const { model: after } = await preparedPlans(db, ["hn2024"]);
    expect(after).not.toBe(before);
    expect(after.bundle.progress).toContainEqual(expect.objectContaining({ indicator: "hn2024-p02-a", region: "430523", period: "2024-10" }));

    // reopening it (it stops counting) moves the version again
    const reopened = await h.call(reviewer, "POST", `/api/v1/reports/${id}/review`, { action: "reopen", version: version + 1 });
    expect(reopened.status).toBe(200);
    expect(BigInt(await dataVersion(db))).toBeGreaterThan(BigInt(v1));
  });
});

describe("many sign-ins from one address at once (deadline day)", () => {
  it("refuses those past the limit for a few seconds but does not block the address; failures still do", async () => {
    const config = h.deps.config;
    const saved = { trustProxy: config.trustProxy, limit: config.signInFailuresPerAddress };
    config.trustProxy = true;
    config.signInFailuresPerAddress = 3;
    try {
      const password = "Deadline2026office";
      const hash = await hashPassword(password);
      const names = Array.from({ length: 16 }, (_, i) => `office-reporter-${i}`);
      await h.deps.db.query(
        "INSERT INTO users (username, display_name, password_hash, role, region, unit) SELECT u, u, $2, 'reporter', '430523', NULL FROM unnest($1::text[]) AS t(u)",
        [names, hash],
      );
      const login = (username: string, pw = password) => h.call(null, "POST", "/api/v1/auth/login", { username, password: pw }, { "x-forwarded-for": "10.16.4.1" });
      const answers = await Promise.all(names.map((n) => login(n)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
      for (const r of answers.filter((r) => r.status === 429)) expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(5);
      // all checked: the address is not blocked, everyone refused signs in now
      for (const [i, r] of answers.entries()) if (r.status === 429) expect((await login(names[i]!)).status).toBe(200);
      // three wrong passwords from the address do block it
      for (const n of names.slice(0, 3)) expect((await login(n, "wrong-password-1")).status).toBe(401);
      const blocked = await login(names[3]!);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(60);
    } finally {
      config.trustProxy = saved.trustProxy;
      config.signInFailuresPerAddress = saved.limit;
    }
  });
});
