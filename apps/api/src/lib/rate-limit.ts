import { isIPv6 } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Queryable } from "@minsheng/db";
import type { Context } from "hono";
import { CodedError } from "./errors.js";

/** A token bucket: `capacity` requests at once, refilled at `perSeconds` ÷ `capacity` a second. */
export interface RateRule {
  /** the bucket's name, e.g. "feedback" */
  name: string;
  capacity: number;
  /** seconds to refill the whole bucket */
  perSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  /** whole seconds until one more request would be allowed (0 when allowed) */
  retryAfterSeconds: number;
}

/**
 * Injected (Deps.rateLimiter) so tests can swap it. A stand-in may answer at once; the real one
 * asks the database.
 */
export interface RateLimiter {
  take(rule: RateRule, client: string): RateDecision | Promise<RateDecision>;
}

/** The public side's limits per client. */
export const publicRateRules = {
  /** 5 suggestions at once, then one every 2 minutes */
  feedback: { name: "feedback", capacity: 5, perSeconds: 600 },
  /** 20 ratings at once, refilled over an hour */
  rating: { name: "rating", capacity: 20, perSeconds: 3600 },
  /** ticket look-ups: 60 at once, one a second after */
  ticket: { name: "ticket", capacity: 60, perSeconds: 60 },
} satisfies Record<string, RateRule>;

/**
 * The bucket's tokens now, before this take: what was left plus the refill since (never past the
 * capacity; a clock behind the last take refills nothing). $3 capacity, $4 now (ms), $5 tokens per ms.
 */
const REFILLED = "least($3::float8, b.tokens + greatest(0, $4::bigint - b.at_ms) * $5::float8)";
/** A whole token, give or take the floating-point error of adding up refills. */
const ONE = "0.999999999";
const LEFT = `(${REFILLED} - CASE WHEN ${REFILLED} >= ${ONE} THEN 1 ELSE 0 END)`;
/**
 * One take, atomic in one statement: every instance on the database shares the bucket. A client
 * with no row has a full bucket; `full_at` is when the bucket would be full again (the row then
 * means nothing and may be pruned).
 */
const TAKE = `INSERT INTO rate_buckets AS b (rule, client, tokens, at_ms, full_at, allowed)
VALUES ($1, $2, $3::float8 - 1, $4::bigint, $4::bigint + ceil(1 / $5::float8)::bigint, true)
ON CONFLICT (rule, client) DO UPDATE SET
  allowed = ${REFILLED} >= ${ONE},
  tokens = ${LEFT},
  at_ms = greatest(b.at_ms, $4::bigint),
  full_at = greatest(b.at_ms, $4::bigint) + ceil(($3::float8 - ${LEFT}) / $5::float8)::bigint
RETURNING tokens, allowed`;

/**
 * Token buckets in the database (table rate_buckets), one per rule and client, on the injected
 * clock, so that N instances on one database limit a client once, not N times. A refusal is also
 * remembered here until the bucket could hold a token again (other instances only ever take
 * tokens), so a flood from one client costs one statement per refill, not one per request.
 * Buckets full again are pruned once a minute.
 */
export class DatabaseRateLimiter implements RateLimiter {
  private readonly refusedUntil = new Map<string, number>();
  private prunedAt = -Infinity;

  constructor(
    private readonly db: Queryable,
    private readonly nowMs: () => number = () => Date.now(),
    private readonly maxRemembered = 50_000,
  ) {}

  async take(rule: RateRule, client: string): Promise<RateDecision> {
    const now = this.nowMs();
    const key = `${rule.name}\u0000${client}`;
    const rate = rule.capacity / (rule.perSeconds * 1000);
    const until = this.refusedUntil.get(key);
    if (until !== undefined) {
      if (now < until) return refused(until - now);
      this.refusedUntil.delete(key);
    }
    if (now - this.prunedAt >= 60_000) {
      this.prunedAt = now;
      // Best effort: a failed prune is tried again a minute later.
      await this.db.query("DELETE FROM rate_buckets WHERE full_at <= $1", [now]).catch(() => {});
    }
    const { rows } = await this.db.query<{ tokens: number; allowed: boolean }>(TAKE, [rule.name, client, rule.capacity, now, rate]);
    const row = rows[0]!;
    if (row.allowed) return { allowed: true, retryAfterSeconds: 0 };
    const waitMs = (1 - Number(row.tokens)) / rate;
    if (this.refusedUntil.size >= this.maxRemembered) this.refusedUntil.clear();
    this.refusedUntil.set(key, now + waitMs);
    return refused(waitMs);
  }
}

const refused = (waitMs: number): RateDecision => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });

/**
 * Whom a limit counts: an IPv6 client by its /64 (one subscriber's line gets a whole /64 and may
 * use any address in it), an IPv4 client (also when written IPv4-mapped, ::ffff:a.b.c.d) by its address.
 */
export function subscriberOf(address: string): string {
  const a = address.trim().replace(/^\[|\]$/g, "").split("%")[0]!.toLowerCase();
  if (!isIPv6(a)) return address;
  const [head, tail] = a.includes("::") ? (a.split("::") as [string, string]) : [a, undefined];
  const groups = (part: string | undefined): string[] =>
    !part ? [] : part.split(":").flatMap((g) => {
      if (!g.includes(".")) return [g];
      const [w, x, y, z] = g.split(".").map(Number) as [number, number, number, number];
      return [((w << 8) | x).toString(16), ((y << 8) | z).toString(16)];
    });
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t].map((g) => parseInt(g, 16));
  if (all.slice(0, 5).every((g) => g === 0) && all[5] === 0xffff) return `${all[6]! >> 8}.${all[6]! & 255}.${all[7]! >> 8}.${all[7]! & 255}`;
  return `${all.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/**
 * The client's address: the last X-Forwarded-For entry (the one our own reverse proxy appended)
 * when TRUST_PROXY is set, else the socket's address. Never a header the client controls alone.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = (c.req.header("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const last = forwarded[forwarded.length - 1];
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // not served by @hono/node-server (tests call app.request directly)
  }
}

/** The key a client's limits are counted under: its address (see `clientAddress`), an IPv6 one by its /64. */
export const clientKey = (c: Context, trustProxy: boolean): string => subscriberOf(clientAddress(c, trustProxy));

/** Takes a token or answers 429 with Retry-After. */
export async function enforceRate(c: Context, limiter: RateLimiter, rule: RateRule, client: string): Promise<void> {
  const d = await limiter.take(rule, client);
  if (d.allowed) return;
  c.header("Retry-After", String(d.retryAfterSeconds));
  throw new CodedError("TOO_MANY_REQUESTS", { retryAfter: d.retryAfterSeconds }, `too many requests; try again in ${d.retryAfterSeconds} s`, [], { retryAfter: d.retryAfterSeconds });
}
