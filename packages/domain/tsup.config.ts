import { defineConfig } from "tsup";

// One entry per light subpath (package.json "exports"): a web app importing
// `@minsheng/domain/labels` gets that module and what it imports, not zod or Effect. Shared code
// goes to chunks, so each rule is still defined once in the output too.
export default defineConfig({
  entry: ["src/index.ts", "src/labels.ts", "src/calendar.ts", "src/round.ts", "src/rational.ts", "src/split.ts", "src/feedback-rules.ts", "src/schedule-rules.ts", "src/error-codes.ts", "src/effect.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
