import { defineConfig } from "tsup";

export default defineConfig({
  // connection: what a server needs to open the database, without the domain rules (zod, effect),
  // so the embedded database starts while the rest loads (apps/api/src/server.ts).
  // pglite-worker: the entry of the worker thread that runs PGlite for a server (connection.ts).
  entry: ["src/index.ts", "src/connection.ts", "src/pglite-worker.ts"],
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node20",
});
