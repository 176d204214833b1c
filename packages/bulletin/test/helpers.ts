import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bundle } from "@minsheng/domain";
import JSZip from "jszip";
import { composeBulletin, type ComposeInput } from "../src/index.js";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const fixturePath = join(repoRoot, "fixtures", "shaoyang-2024.bundle.json");

/** A fresh copy of the fixture bundle (tests may edit it). */
export const loadFixture = (): Bundle => JSON.parse(readFileSync(fixturePath, "utf8")) as Bundle;

export const baseInput = (over: Partial<ComposeInput> = {}): ComposeInput => ({
  bundle: loadFixture(),
  period: "2024-09",
  region: "430500",
  plans: ["hn2024", "sy2024"],
  issueNo: 7,
  date: "2024-10-09",
  ...over,
});

export const compose = (over: Partial<ComposeInput> = {}) => composeBulletin(baseInput(over));

const decode = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

/** The text of each paragraph of a WordprocessingML part, runs joined. */
export function paragraphsOfXml(xml: string): string[] {
  return xml
    .split(/<\/w:p>/)
    .map((p) => [...p.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:tab\/>/g)].map((m) => (m[1] === undefined ? "\t" : decode(m[1]))).join(""))
    .filter((t) => t.length > 0);
}

export async function openDocx(buffer: Buffer) {
  const zip = await JSZip.loadAsync(buffer);
  const part = async (name: string) => (await zip.file(name)?.async("string")) ?? "";
  const document = await part("word/document.xml");
  const footers = await Promise.all(Object.keys(zip.files).filter((f) => /^word\/footer\d*\.xml$/.test(f)).map(part));
  return { zip, document, footers, fontTable: await part("word/fontTable.xml"), settings: await part("word/settings.xml"), paragraphs: paragraphsOfXml(document) };
}
