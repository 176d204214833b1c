// Shared vitest settings. Tests that open databases share instances, so keep one
// worker pool per package and generous timeouts for first-time WASM start-up.
import { defineConfig } from "vitest/config";

/** @param {import("vitest/config").UserConfig["test"]} [test] */
export function vitestConfig(test = {}) {
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ["default"],
      ...test,
    },
  });
}
