import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openTestDatabase } from "@minsheng/db";
import { createApp } from "../src/app.js";
import { defaultConfig, type ApiConfig, type Deps } from "../src/lib/context.js";
import { RegionDirectory } from "../src/lib/regions.js";
import { MemoryStorage } from "../src/lib/storage.js";
import { DEMO_PASSWORD, seedDemo } from "../src/seed.js";

export const ORIGIN = "http://localhost";
export const fixturePath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "fixtures", "shaoyang-2024.bundle.json");

/** A response whose JSON tests read freely (the shapes are asserted, not assumed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, "json"> & { json(): Promise<any> };

export interface Harness {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  storage: MemoryStorage;
  /** a mutable clock for session timeouts and deadlines */
  clock: { now: Date };
  login(username: string, password?: string): Promise<string>;
  /** request with the session cookie and our Origin (as a browser on our page sends it) */
  call(cookie: string | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  dispose(): Promise<void>;
}

/** One seeded database per test file (PGlite in memory, or a schema on DATABASE_URL's server). */
export async function makeHarness(config: Partial<ApiConfig> = {}): Promise<Harness> {
  const db = await openTestDatabase();
  await seedDemo(db, fixturePath);
  const storage = new MemoryStorage();
  const clock = { now: new Date("2024-10-08T02:00:00Z") };
  const deps: Deps = { db, storage, regions: new RegionDirectory(db), config: { ...defaultConfig, publicBaseUrl: ORIGIN, ...config }, now: () => clock.now };
  const app = createApp(deps);
  const call: Harness["call"] = (cookie, method, path, body, headers = {}) => {
    const h: Record<string, string> = { origin: ORIGIN, ...headers };
    if (cookie) h.cookie = cookie;
    let payload: RequestInit["body"];
    if (body instanceof FormData || typeof body === "string") payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h["content-type"] = "application/json";
    }
    return Promise.resolve(app.request(`${ORIGIN}${path}`, { method, headers: h, body: payload }));
  };
  return {
    app,
    deps,
    storage,
    clock,
    call,
    async login(username, password = DEMO_PASSWORD) {
      const res = await call(null, "POST", "/api/v1/auth/login", { username, password });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers.get("set-cookie")!;
      return cookie.split(";")[0]!;
    },
    dispose: () => db.dispose(),
  };
}
