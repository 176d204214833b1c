import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { ApiError } from "./errors.js";

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

/** Injected (Deps.rateLimiter) so tests can swap it and a cluster can share one (e.g. Redis). */
export interface RateLimiter {
  take(rule: RateRule, client: string): RateDecision;
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
 * In-memory token buckets, one per rule and client, on the injected clock. Full buckets are
 * forgotten when the map grows large, so memory stays bounded under many clients.
 */
export class TokenBucketLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly nowMs: () => number = () => Date.now(),
    private readonly maxEntries = 50_000,
  ) {}

  take(rule: RateRule, client: string): RateDecision {
    const now = this.nowMs();
    const key = `${rule.name}\u0000${client}`;
    const rate = rule.capacity / (rule.perSeconds * 1000);
    const b = this.buckets.get(key) ?? { tokens: rule.capacity, at: now };
    b.tokens = Math.min(rule.capacity, b.tokens + Math.max(0, now - b.at) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(key, b);
      if (this.buckets.size > this.maxEntries) this.prune(now);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this.buckets.set(key, b);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000)) };
  }

  private prune(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.at > 3_600_000) this.buckets.delete(key);
  }
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

/** Takes a token or answers 429 with Retry-After. */
export function enforceRate(c: Context, limiter: RateLimiter, rule: RateRule, client: string): void {
  const d = limiter.take(rule, client);
  if (d.allowed) return;
  c.header("Retry-After", String(d.retryAfterSeconds));
  throw new ApiError("TooManyRequests", `too many requests; try again in ${d.retryAfterSeconds} s`, [], { retryAfter: d.retryAfterSeconds });
}
