// Helpers the API's benchmarks share: the real server in a child process, and timing.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const serverJs = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "server.js");

/** Starts `node dist/server.js` with exactly `env` and resolves once it listens ({ proc, url, exited, log }). */
/** BENCH_NODE_ARGS passes node flags to the server(s), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a run. */
export function startServer(env) {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, serverJs], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  const exited = new Promise((r) => proc.once("exit", r));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /API on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearInterval(t);
        resolve({ proc, url: m[1], exited, log: () => out });
      }
      else if (proc.exitCode !== null) {
        clearInterval(t);
        reject(new Error(out));
      }
    }, 50);
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds `fn` takes. */
export const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
