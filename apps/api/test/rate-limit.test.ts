/**
 * Rate limits shared through the database (issue 16): every instance on one database takes from
 * the same bucket, each take is atomic, emptied buckets refuse without asking the database again,
 * full buckets are pruned; IPv6 clients are counted by their /64 (issue 10, point 7).
 */
import type { Database, Queryable } from "@minsheng/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseRateLimiter, publicRateRules, subscriberOf } from "../src/lib/rate-limit.js";
import { type Harness, makeHarness } from "./harness.js";
import { body, siteCode } from "./sites-helpers.js";

describe("subscriberOf", () => {
  it("counts an IPv6 client by its /64, in any spelling, and an IPv4 one (also IPv4-mapped) by its address", () => {
    const net = subscriberOf("2001:db8:1:2::1");
    expect(net).toBe("2001:db8:1:2::/64");
    for (const a of ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0DB8:0001:0002:0:0:0:9", "[2001:db8:1:2::abcd]", "2001:db8:1:2::7%eth0"])
      expect(subscriberOf(a)).toBe(net);
    expect(subscriberOf("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(subscriberOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(subscriberOf("1::2:3:4:5:6:7")).toBe("1:0:2:3::/64");
    expect(subscriberOf("::1")).toBe("0:0:0:0::/64");
    expect(subscriberOf("2001:db8:1:2:3:4:192.0.2.1")).toBe(net);
    expect(subscriberOf("192.0.2.1")).toBe("192.0.2.1");
    expect(subscriberOf("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(subscriberOf("::ffff:c000:201")).toBe("192.0.2.1");
    expect(subscriberOf("unknown")).toBe("unknown");
  });
});

let h: Harness;
let site = "";
let db: Database;
beforeAll(async () => {
  h = await makeHarness({ trustProxy: true });
  db = h.deps.db;
  const county = await h.login("county");
  site = await siteCode(h, county, "hn2024-p04", "430523");
}, 120_000);
afterAll(() => h?.dispose());

describe("the shared limiter", () => {
  const rule = { name: "test", capacity: 5, perSeconds: 600 };

  it("is one bucket for every limiter on the database (one per instance), refilled with time", async () => {
    let now = 1_000_000;
    const a = new DatabaseRateLimiter(db, () => now);
    const b = new DatabaseRateLimiter(db, () => now);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await (i % 2 ? a : b).take(rule, "client-1")).allowed);
    expect(answers).toEqual([true, true, true, true, true]);
    const refused = await a.take(rule, "client-1");
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 120 });
    expect((await b.take(rule, "client-1")).allowed).toBe(false);
    expect((await a.take(rule, "client-2")).allowed).toBe(true); // another client, another bucket
    now += 60_000;
    expect(await b.take(rule, "client-1")).toEqual({ allowed: false, retryAfterSeconds: 60 });
    now += 60_000;
    expect((await a.take(rule, "client-1")).allowed).toBe(true); // one token refilled…
    expect((await b.take(rule, "client-1")).allowed).toBe(false); // …and taken
  });

  it("takes atomically: of many takes at once, exactly the capacity succeed", async () => {
    const limiters = Array.from({ length: 4 }, () => new DatabaseRateLimiter(db, () => 5_000_000));
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => limiters[i % 4]!.take(rule, "burst")));
    expect(answers.filter((d) => d.allowed)).toHaveLength(5);
  });

  it("refuses a flood without asking the database again until a token could be back", async () => {
    let statements = 0;
    const counting: Queryable = {
      query: (sql, params) => {
        statements++;
        return db.query(sql, params);
      },
    };
    let now = 9_000_000;
    const limiter = new DatabaseRateLimiter(counting, () => now);
    for (let i = 0; i < 5; i++) expect((await limiter.take(rule, "flood")).allowed).toBe(true);
    expect((await limiter.take(rule, "flood")).allowed).toBe(false);
    const asked = statements;
    for (let i = 0; i < 100; i++) expect((await limiter.take(rule, "flood")).allowed).toBe(false);
    expect(statements).toBe(asked);
    now += 120_000;
    expect((await limiter.take(rule, "flood")).allowed).toBe(true);
    expect(statements).toBeGreaterThan(asked);
  });

  it("prunes buckets that are full again", async () => {
    let now = 20_000_000;
    const limiter = new DatabaseRateLimiter(db, () => now);
    await limiter.take(rule, "prune-me"); // full again 120 s later
    await limiter.take({ ...rule, name: "slow", perSeconds: 36_000 }, "keep-me"); // 2 h later
    const count = async (client: string) => Number((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM rate_buckets WHERE client = $1", [client])).rows[0]!.n);
    expect(await count("prune-me")).toBe(1);
    now += 121_000;
    await limiter.take(rule, "someone-else");
    expect(await count("prune-me")).toBe(0);
    expect(await count("keep-me")).toBe(1);
  });
});

describe("limits through the API", () => {
  const suggest = (ip: string, n: number) =>
    h.call(null, "POST", `/api/v1/public/sites/${site}/feedback`, { kind: "suggestion", text: `IPv6 限流测试第${n}条：希望增加托育名额` }, { "x-forwarded-for": ip });

  it("counts every address of one IPv6 /64 as one client", async () => {
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await suggest(`2001:db8:77:1::${i.toString(16)}`, i)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const refused = await suggest("2001:db8:77:1:aaaa:bbbb:cccc:dddd", 7);
    expect(refused.status).toBe(429);
    expect((await body(refused)).error).toMatchObject({ code: "TOO_MANY_REQUESTS", params: { retryAfter: expect.any(Number) } });
    // the neighbouring /64 is another subscriber
    expect((await suggest("2001:db8:77:2::1", 8)).status).toBe(201);
    // and a refusal is counted in the shared table, not in this process
    const { rows } = await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM rate_buckets WHERE rule = $1", [publicRateRules.feedback.name]);
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(2);
  });
});
