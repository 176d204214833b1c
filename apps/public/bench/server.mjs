/**
 * Starts the real API server (apps/api/dist/server.js) the way `npm start` does, on a free
 * loopback port with a temporary DATA_DIR and the demo seed, serving the built 码上通 site.
 * Shared by the browser test (e2e/public.test.ts) and the benchmark (bench/size.mjs).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const publicDist = join(repoRoot, "apps", "public", "dist");
const serverJs = join(repoRoot, "apps", "api", "dist", "server.js");

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (s.address());
      s.close(() => done(port));
    });
  });
}

/**
 * @typedef {{ base: string, port: number, child: import("node:child_process").ChildProcess, log: () => string, stop: () => Promise<void> }} RunningServer
 */

/**
 * @param {Record<string, string>} [env] extra settings, e.g. { TRUST_PROXY: "1" }
 * @returns {Promise<RunningServer>}
 */
export async function startServer(env = {}) {
  for (const [what, path] of [
    ["the API (pnpm -F @minsheng/api build)", serverJs],
    ["the 码上通 site (pnpm -F @minsheng/public build)", join(publicDist, "index.html")],
  ])
    if (!existsSync(path)) throw new Error(`build ${what} first: ${path} is missing`);
  const dataDir = mkdtempSync(join(tmpdir(), "ms-public-"));
  const port = await freePort();
  let out = "";
  const child = spawn(process.execPath, [serverJs], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: "", SEED: "demo", NODE_ENV: "", TRUST_PROXY: "", FEEDBACK_AUTO_APPROVE: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (b) => (out += b.toString()));
  child.stderr.on("data", (b) => (out += b.toString()));
  const base = `http://127.0.0.1:${port}`;
  let stopping = false;
  child.once("exit", (status, signal) => {
    if (!stopping) console.error(`the API server exited early (${status ?? signal}):\n${out}`);
  });
  const stop = async () => {
    stopping = true;
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((done) => setTimeout(done, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  // A fresh embedded database loads seed 003 on first start: allow it time on a busy machine.
  const deadline = Date.now() + 170_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the API server exited (${child.exitCode}):\n${out}`);
    }
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok && out.includes("API on http")) return { base, port, child, log: () => out, stop };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 300));
  }
  await stop();
  throw new Error(`the API server did not start in time:\n${out}`);
}
