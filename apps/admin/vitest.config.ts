import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["e2e/**/*.test.ts", "src/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 90_000, fileParallelism: false },
});
