// The real API server (apps/api/dist/server.js) on a fresh embedded database seeded with the demo
// data, serving the built console at /admin/, on a free port. Shared by the browser tests and the
// benchmark, so both measure exactly what `npm start` serves.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const adminDist = join(repoRoot, "apps", "admin", "dist");
const serverEntry = join(repoRoot, "apps", "api", "dist", "server.js");

/**
 * Starts the server and resolves once it listens.
 * @param {{ timeoutMs?: number, env?: Record<string, string> }} [options] env: settings on top of the clean environment (e.g. REQUIRE_2FA)
 * @returns {Promise<{ url: string, dataDir: string, log: () => string, stop: () => Promise<void> }>}
 */
export async function startServer({ timeoutMs = 120_000, env: extra = {} } = {}) {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: build the API first (pnpm turbo run build --filter=@minsheng/admin...)`);
  if (!existsSync(join(adminDist, "index.html"))) throw new Error(`${adminDist} is missing: build the console first (pnpm -F @minsheng/admin build)`);
  const dataDir = mkdtempSync(join(tmpdir(), "ms-admin-e2e-"));
  // A clean environment for the child: its own embedded database, the demo seed, a random port.
  const env = { ...process.env, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "test", REQUIRE_2FA: "off" };
  for (const k of ["DATABASE_URL", "SEED_BUNDLE", "ADMIN_USERNAME", "ADMIN_PASSWORD", "SECURITY_ADMIN_USERNAME", "SECURITY_ADMIN_PASSWORD", "AUDIT_ADMIN_USERNAME", "AUDIT_ADMIN_PASSWORD", "ALLOWED_ORIGINS"]) delete env[k];
  // the demo, as `npm start` asks for it
  env.SEED = "demo";
  Object.assign(env, extra);
  const child = spawn(process.execPath, [serverEntry], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((res) => child.once("exit", (code) => res(code)));

  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = () => {
      const m = /http:\/\/([\d.]+):(\d+)\/api\/v1\/health/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        res(`http://${m[1]}:${m[2]}`);
      }
    };
    child.stdout.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`the server exited (${code}) before listening:\n${output}`));
    });
  });

  return {
    url,
    dataDir,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
