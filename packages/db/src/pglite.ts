import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { NodeFS } from "@electric-sql/pglite/nodefs";

/**
 * Creating an embedded PGlite instance, tuned for a fast start (BENCHMARKS.md, issue 3: server
 * start). Used in this thread by connection.ts and on a worker thread by pglite-worker.ts.
 */

/**
 * V8 moves a WebAssembly function to its optimising compiler once it has run "1.8 MB of code"
 * (--wasm-tiering-budget). Starting PostgreSQL passes that mark in hundreds of functions that run
 * only at start-up, and their optimising compiles (~0.6 s of CPU) then compete with the start on a
 * 2-core machine. V8 gives each function of an instance the budget current when the instance is
 * made, so it is raised (×55) while one is created and put back to V8's default after: what stays
 * hot is optimised a little later, the rest never. 1e9 slowed the 110k-row import by ~10 %; 1e8
 * starts as fast and imports as fast as the default (BENCHMARKS.md, issue 3). A budget given on the
 * command line is left alone.
 */
const tieringBudgetFromCli = process.execArgv.some((a) => a.startsWith("--wasm-tiering-budget") || a.startsWith("--wasm_tiering_budget"));
const V8_DEFAULT_TIERING_BUDGET = 1_800_000;
const STARTUP_TIERING_BUDGET = 100_000_000;
let creating = 0;

/**
 * PostgreSQL's WebAssembly (8.7 MB) and its file bundle (6 MB), read at once and compiled on V8's
 * background threads from the moment the first PGlite database opens: not queued in libuv's
 * thread pool behind the hundreds of module files a starting server reads meanwhile. Once per process.
 */
let engine: { wasm: Promise<CompiledWasm>; fsBundle: Blob } | undefined;
type CompiledWasm = NonNullable<PGliteOptions["pgliteWasmModule"]>;
/** Node's global; its types come with the "DOM" lib, which this package does not use. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> };
function pgliteEngine(): { wasm: Promise<CompiledWasm>; fsBundle: Blob } {
  if (!engine) {
    const require = createRequire(import.meta.url);
    // Each function is validated when first compiled (V8 compiles them lazily anyway), not all
    // 8.7 MB up front: ~40 ms of CPU less per start. The module is PGlite's own, not untrusted input.
    if (!process.execArgv.some((a) => /^--(no-)?wasm[-_]lazy[-_]validation/.test(a))) setFlagsFromString("--wasm-lazy-validation");
    const wasm = WebAssembly.compile(readFileSync(require.resolve("@electric-sql/pglite/pglite.wasm")));
    const fsBundle = new Blob([readFileSync(require.resolve("@electric-sql/pglite/pglite.data"))]);
    const loaded = { wasm, fsBundle };
    // a failed compile is tried again by the next open
    wasm.catch(() => {
      if (engine === loaded) engine = undefined;
    });
    engine = loaded;
  }
  return engine;
}

/**
 * Settings on PostgreSQL's command line, over postgresql.conf (existing folders keep theirs).
 * shared_buffers: PGlite's shared memory is zero-filled at every start, ~1 ms per MB; 128 MB (the
 * default) cost ~100-200 ms of each start, 32 MB ~20 ms, and still holds the working set of an
 * installation (the Shaoyang fixture's whole database is ~40 MB; the rest comes from the OS cache).
 */
const START_SETTINGS = ["-c", "shared_buffers=32MB"];

/** `dataDir`: a folder, or undefined for memory. */
export async function createPglite(dataDir: string | undefined): Promise<PGlite> {
  const { wasm, fsBundle } = pgliteEngine();
  if (!tieringBudgetFromCli && creating++ === 0) setFlagsFromString(`--wasm-tiering-budget=${STARTUP_TIERING_BUDGET}`);
  try {
    return await PGlite.create({
      pgliteWasmModule: await wasm,
      fsBundle,
      startParams: [...PGlite.defaultStartParams, ...START_SETTINGS],
      ...(dataDir === undefined ? {} : { dataDir, fs: new NodeFS(dataDir) }),
    });
  } finally {
    if (!tieringBudgetFromCli && --creating === 0) setFlagsFromString(`--wasm-tiering-budget=${V8_DEFAULT_TIERING_BUDGET}`);
  }
}

