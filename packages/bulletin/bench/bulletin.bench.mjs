#!/usr/bin/env node
// One city's monthly bulletin (.docx + .xlsx) from the bundle file: seed 003's fixture
// (邵阳 2024-09, plans hn2024 + sy2024). Goal: ≤ 2 s. Run after `pnpm build`.
//   node bench/bulletin.bench.mjs [--runs 10]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { composeBulletin, renderDocx, renderXlsx } from "../dist/index.js";

const GOAL_MS = 2000;
const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "..", "..", "..", "fixtures", "shaoyang-2024.bundle.json");
const { values } = parseArgs({ options: { runs: { type: "string", default: "10" } } });
const runs = Math.max(1, Number(values.runs));

async function once() {
  const t0 = performance.now();
  // Reading and parsing the file is part of the job, as the CLI does it.
  const bundle = JSON.parse(readFileSync(fixture, "utf8"));
  const model = composeBulletin({ bundle, period: "2024-09", region: "430500", plans: ["hn2024", "sy2024"], issueNo: 7, date: "2024-10-09" });
  const t1 = performance.now();
  const docx = await renderDocx(model);
  const t2 = performance.now();
  const xlsx = await renderXlsx(model);
  const t3 = performance.now();
  return { compose: t1 - t0, docx: t2 - t1, xlsx: t3 - t2, total: t3 - t0, bytes: docx.length + xlsx.length };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cold = await once(); // first run in a fresh process: JIT warm-up included
const sinceStart = performance.now(); // process start → first bulletin done (Node start-up and imports included)
const samples = [];
for (let i = 0; i < runs; i++) samples.push(await once());
const m = (k) => median(samples.map((s) => s[k]));
const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(`bulletin (邵阳 2024-09, plans hn2024 + sy2024, 34 projects; .docx + .xlsx ${(cold.bytes / 1024).toFixed(0)} KiB)`);
console.log(`  first run (cold):   ${fmt(cold.total)}  (compose ${fmt(cold.compose)}, docx ${fmt(cold.docx)}, xlsx ${fmt(cold.xlsx)})`);
console.log(`  process start → first bulletin: ${fmt(sinceStart)}`);
console.log(`  median of ${runs} warm: ${fmt(m("total"))}  (compose ${fmt(m("compose"))}, docx ${fmt(m("docx"))}, xlsx ${fmt(m("xlsx"))})`);
console.log(`  goal ≤ ${GOAL_MS} ms: cold ${(cold.total / GOAL_MS).toFixed(3)} × goal, warm ${(m("total") / GOAL_MS).toFixed(3)} × goal — ${cold.total <= GOAL_MS ? "met" : "MISSED"}`);
process.exitCode = cold.total <= GOAL_MS ? 0 : 1;
