import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/server.ts", "src/client.ts", "src/ops.ts"],
  format: ["esm"],
  // Declarations only for the typed client (`@minsheng/api/client`), which the web apps import.
  dts: { entry: ["src/client.ts"] },
  sourcemap: true,
  clean: true,
  target: "node20",
});
