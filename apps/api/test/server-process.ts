import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built server (node dist/server.js), as `npm start` runs it. */
export const serverJs = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "server.js");

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  log: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
/** Kills what a test file started and left running (afterAll). */
export const killServerProcesses = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
};

/**
 * Starts the real server on `dataDir` (the embedded database, the demo as `npm start` asks for it,
 * unless `extraEnv` says otherwise) and waits until it listens; rejects with its output and exit
 * code when it exits first.
 */
export function startServerProcess(dataDir: string, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const { DATABASE_URL: _none, ...env } = process.env;
  const proc = spawn(process.execPath, [serverJs], {
    env: { ...env, DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", BACKUP_INTERVAL_HOURS: "6", SEED: "demo", NODE_ENV: "test", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /API on (http:\/\/[\d.]+:\d+)\//.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({ proc, url: m[1]!, log: () => out, exited });
      } else if (proc.exitCode !== null) {
        clearInterval(timer);
        reject(Object.assign(new Error(`server exited ${proc.exitCode}: ${out.slice(-800)}`), { log: out, code: proc.exitCode }));
      }
    }, 50);
  });
}
