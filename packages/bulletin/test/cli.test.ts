import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixturePath, openDocx } from "./helpers.js";

// The CLI is tested as installed: the built bin (turbo builds before it tests).
const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const out = mkdtempSync(join(tmpdir(), "bulletin-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const base = ["--bundle", fixturePath, "--period", "2024-09", "--region", "430500", "--plans", "hn2024,sy2024", "--issue", "7", "--date", "2024-10-09"];

describe("minsheng-bulletin CLI", () => {
  it("is built", () => expect(existsSync(cli), `${cli} is missing: run \`pnpm --filter @minsheng/bulletin build\` first`).toBe(true));

  it("writes the .docx and .xlsx of a month's bulletin", async () => {
    const sections = join(out, "sections.json");
    writeFileSync(sections, JSON.stringify({ 工作打算: "一是强化组织领导。" }));
    const r = run([...base, "--out", out, "--sections", sections, "--seal", "（代章）"]);
    expect(r.status, r.stderr).toBe(0);
    const files = r.stdout.trim().split("\n");
    expect(files).toEqual([join(out, "bulletin-430500-2024-09-007.docx"), join(out, "bulletin-430500-2024-09-007.xlsx")]);
    const docx = await openDocx(readFileSync(files[0]!));
    expect(docx.paragraphs).toContain("第 7 期");
    expect(docx.paragraphs.join("\n")).toContain("一是强化组织领导。");
    expect(readFileSync(files[1]!).subarray(0, 2).toString()).toBe("PK");
    expect(r.stderr).toContain("附件 1 24 行，附件 2 10 行");
  });

  it("explains what is missing or wrong", () => {
    const missing = run(["--bundle", fixturePath]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing --period, --region, --plans, --issue, --date, --out");
    const wrong = run([...base.slice(0, 6), "--plans", "nope", "--issue", "7", "--date", "2024-10-09", "--out", out]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("UnknownPlan: unknown plan nope");
  });
});
