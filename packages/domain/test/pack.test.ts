// The package as an outsider gets it: `pnpm pack`, `npm install <tarball>` in an empty folder,
// evaluate the seed-003 fixture through `import { evaluateBundle } from "@minsheng/domain"` and
// type-check against the installed declarations (scripts/pack-check.mjs; needs dist/ and the
// npm registry). turbo runs this package's `build` before its `test`.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "pack-check.mjs");

it("packs, installs with npm and works from outside the workspace", { timeout: 180_000 }, () => {
  const result = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 175_000 });
  const output = `${result.stdout ?? ""}\n${result.stderr ?? ""}`;
  expect(result.error, output).toBeUndefined();
  expect(result.status, output).toBe(0);
  expect(result.stdout).toContain("✓ pack-check passed");
});
