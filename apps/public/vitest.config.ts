import { vitestConfig } from "@minsheng/vitest-config";

// Unit tests render components to strings (no DOM needed); the browser test drives the built site
// served by the real API server.
export default vitestConfig({
  include: ["test/**/*.test.ts", "test/**/*.test.tsx", "e2e/**/*.test.ts"],
  testTimeout: 120_000,
  hookTimeout: 180_000,
});
