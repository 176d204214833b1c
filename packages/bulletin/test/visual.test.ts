/**
 * A look at the document as printed: the .docx through LibreOffice to PDF, the PDF through
 * pdftoppm to PNG pages in artifacts/bulletin/ (gitignored) for a person to look at. Needs
 * soffice and pdftoppm (Debian: apt-get install -y libreoffice-writer-nogui poppler-utils
 * fonts-noto-cjk); skipped with a message where they are missing.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderDocx } from "../src/index.js";
import { compose, repoRoot } from "./helpers.js";

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const tools = { soffice: has("soffice"), pdftoppm: has("pdftoppm"), pdftotext: has("pdftotext") };
const missing = Object.entries(tools)
  .filter(([, ok]) => !ok)
  .map(([name]) => name);
const SKIP =
  `skipped: ${missing.join(", ")} not found — install with ` +
  "`apt-get update && apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk` to render the bulletin to PNG";

/**
 * The GB2312 fonts are Windows fonts; map them to the Simplified Chinese Noto fonts so the
 * preview uses Chinese (not Japanese) glyph forms.
 */
function fontConfig(dir: string): string {
  const prefer = (family: string, fonts: string[]) =>
    `<alias binding="same"><family>${family}</family><prefer>${fonts.map((f) => `<family>${f}</family>`).join("")}</prefer></alias>`;
  const serif = ["Noto Serif CJK SC", "Noto Sans CJK SC"];
  const sans = ["Noto Sans CJK SC"];
  const file = join(dir, "fonts.conf");
  writeFileSync(
    file,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>` +
      ["仿宋_GB2312", "仿宋", "方正小标宋简体", "宋体", "楷体_GB2312", "楷体"].map((f) => prefer(f, serif)).join("") +
      ["黑体", "SimHei"].map((f) => prefer(f, sans)).join("") +
      `</fontconfig>`,
  );
  return file;
}

describe("rendered pages (LibreOffice → PDF → PNG)", () => {
  it("prints the bulletin to PNG pages in artifacts/bulletin/", { timeout: 180_000 }, async (ctx) => {
    if (missing.length > 0) {
      console.warn(`[bulletin] ${SKIP}`);
      ctx.skip(SKIP);
      return;
    }
    const outDir = join(repoRoot, "artifacts", "bulletin");
    mkdirSync(outDir, { recursive: true });
    for (const f of readdirSync(outDir)) if (/^bulletin-page-\d+\.png$|^bulletin\.(docx|pdf)$/.test(f)) rmSync(join(outDir, f));
    const work = mkdtempSync(join(tmpdir(), "bulletin-render-"));
    try {
      const docx = join(outDir, "bulletin.docx");
      writeFileSync(docx, await renderDocx(compose({ seal: "（邵阳市人力资源和社会保障局代章）" })));
      const env = { ...process.env, FONTCONFIG_FILE: fontConfig(work), HOME: work };
      const conv = spawnSync("soffice", [`-env:UserInstallation=file://${work}/profile`, "--headless", "--convert-to", "pdf", "--outdir", outDir, docx], {
        env,
        encoding: "utf8",
        timeout: 150_000,
      });
      expect(conv.status, conv.stderr).toBe(0);
      const pdf = join(outDir, "bulletin.pdf");
      const text = spawnSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" }).stdout.replace(/\s+/g, "");
      expect(text).toContain("88.46%");
      expect(text).toContain("隆回县（5.4783分）");
      expect(text).toContain("—1—");
      const png = spawnSync("pdftoppm", ["-r", "80", "-png", pdf, join(outDir, "bulletin-page")], { env, encoding: "utf8" });
      expect(png.status, png.stderr).toBe(0);
      const pages = readdirSync(outDir).filter((f) => f.startsWith("bulletin-page-"));
      expect(pages.length).toBeGreaterThanOrEqual(4);
      console.log(`bulletin rendered: ${pages.length} pages in ${outDir}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
