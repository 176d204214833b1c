export { createApp, type App } from "./app.js";
export { defaultConfig, type ApiConfig, type Deps } from "./lib/context.js";
export { RegionDirectory } from "./lib/regions.js";
export { DiskStorage, MemoryStorage, type FileStorage } from "./lib/storage.js";
export { demoAccounts, DEMO_PASSWORD, seedDemo } from "./seed.js";
export { DatabaseRateLimiter, type RateLimiter, type RateRule } from "./lib/rate-limit.js";
export { CROCKFORD, ephemeralSecrets, loadMasterKey, normalisedTextDigest, secretsFromKey, type SiteSecrets } from "./lib/secrets.js";
export { hashPassword } from "./auth/password.js";
