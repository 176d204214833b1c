import type { Database } from "@minsheng/db";
import type { Principal } from "../auth/principal.js";
import type { TwoFactorPolicy } from "../auth/roles.js";
import type { RegionDirectory } from "./regions.js";
import type { RateLimiter } from "./rate-limit.js";
import type { SiteSecrets } from "./secrets.js";
import type { FileStorage } from "./storage.js";

export interface ApiConfig {
  /** production: Secure + __Host- cookies, HSTS */
  production: boolean;
  /** extra origins allowed to send cookie-authenticated writes (besides the API's own) */
  allowedOrigins: string[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** consecutive failed sign-ins (password or code) of one username that lock it, for lockoutMinutes */
  lockoutThreshold: number;
  lockoutMinutes: number;
  /** failed sign-ins from one client address within signInAddressMinutes, after which it is refused (429) until then */
  signInFailuresPerAddress: number;
  signInAddressMinutes: number;
  /** REQUIRE_2FA: who must sign in with a TOTP code (staff by default in production, off for the demo) */
  require2fa: TwoFactorPolicy;
  /** AUDIT_RETENTION_MONTHS: audit entries older than this are pruned (anchored); at least 6 */
  auditRetentionMonths: number;
  /** PHONE_RETENTION_DAYS: citizens' phone numbers are purged this many days after the feedback is closed */
  phoneRetentionDays: number;
  /** largest evidence file accepted, bytes */
  maxUploadBytes: number;
  /** monthly figures are due by this day of the following month (China time); later they are missing */
  reportDeadlineDay: number;
  version: string;
  /** PUBLIC_BASE_URL: where the 码上通 pages live (QR codes encode `<base>/p/<code>`); never the request's Host (lib/public-url.ts) */
  publicBaseUrl: string;
  /** TRUST_PROXY: take the client address from X-Forwarded-For (set by our own reverse proxy) */
  trustProxy: boolean;
  /** FEEDBACK_AUTO_APPROVE: citizens' feedback is open at once instead of waiting in the moderation queue */
  feedbackAutoApprove: boolean;
  /** largest photo a citizen may attach to feedback, bytes */
  maxFeedbackPhotoBytes: number;
}

export const defaultConfig: ApiConfig = {
  production: false,
  allowedOrigins: [],
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  lockoutThreshold: 5,
  lockoutMinutes: 15,
  signInFailuresPerAddress: 20,
  signInAddressMinutes: 15,
  require2fa: "off",
  auditRetentionMonths: 12,
  phoneRetentionDays: 180,
  maxUploadBytes: 20 * 1024 * 1024,
  reportDeadlineDay: 5,
  version: "0.1.0",
  publicBaseUrl: "http://127.0.0.1:8787",
  trustProxy: false,
  feedbackAutoApprove: false,
  maxFeedbackPhotoBytes: 5 * 1024 * 1024,
};

/** What every route can reach: injected, so tests swap the database, storage or clock. */
export interface Deps {
  db: Database;
  storage: FileStorage;
  regions: RegionDirectory;
  config: ApiConfig;
  now: () => Date;
  /** keys of the public side (sealed phones, site codes); an ephemeral one when absent (tests) */
  secrets?: SiteSecrets;
  /** rate limits of the public side; in-memory token buckets when absent */
  rateLimiter?: RateLimiter;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    principal: Principal | null;
  };
}
