#!/usr/bin/env node
/**
 * minsheng-bulletin: writes a month's bulletin as .docx and .xlsx from a bundle file.
 *
 *   minsheng-bulletin --bundle fixtures/shaoyang-2024.bundle.json --period 2024-09 --region 430500 \
 *     --plans hn2024,sy2024 --issue 7 --date 2024-10-09 --out artifacts/bulletin
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { composeBulletin } from "./compose.js";
import { renderDocx } from "./docx.js";
import { renderXlsx } from "./xlsx.js";

const USAGE = `usage: minsheng-bulletin --bundle FILE --period YYYY-MM --region CODE --plans ID[,ID…] --issue N --date YYYY-MM-DD --out DIR
  [--title TEXT] [--masthead TEXT] [--issuer TEXT] [--seal TEXT] [--campaign TEXT]
  [--sections FILE.json]   narrative text: {"重要新闻": "…", "部门动态": "…", "区县动态": "…", "工作简讯": "…", "经验交流": "…", "存在问题": "…", "工作打算": "…"}
  [--scoring FILE.json]    unit scoring: {"scheme": {…}, "occurrences": [...], "history": [...]}
  [--fast 80] [--slow schedule|PERCENT] [--summary-lagging own|all|none] [--name BASENAME] [--json]`;

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        bundle: { type: "string" },
        period: { type: "string" },
        region: { type: "string" },
        plans: { type: "string" },
        issue: { type: "string" },
        date: { type: "string" },
        out: { type: "string" },
        title: { type: "string" },
        masthead: { type: "string" },
        issuer: { type: "string" },
        seal: { type: "string" },
        campaign: { type: "string" },
        sections: { type: "string" },
        scoring: { type: "string" },
        fast: { type: "string" },
        slow: { type: "string" },
        "summary-lagging": { type: "string" },
        name: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const missing = ["bundle", "period", "region", "plans", "issue", "date", "out"].filter((k) => typeof values[k] !== "string");
  if (missing.length > 0) {
    console.error(`missing ${missing.map((m) => `--${m}`).join(", ")}\n${USAGE}`);
    return 2;
  }
  const str = (k: string) => values[k] as string | undefined;
  const readJson = async (file: string) => JSON.parse(await readFile(file, "utf8")) as unknown;
  const issueNo = Number(str("issue"));
  const fast = str("fast");
  const slow = str("slow");
  const started = performance.now();
  const model = composeBulletin({
    bundle: await readJson(str("bundle")!),
    period: str("period")!,
    region: str("region")!,
    plans: str("plans")!
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    issueNo,
    date: str("date")!,
    ...(str("title") ? { title: str("title") } : {}),
    ...(str("masthead") ? { masthead: str("masthead") } : {}),
    ...(str("issuer") ? { issuer: str("issuer") } : {}),
    ...(str("seal") ? { seal: str("seal") } : {}),
    ...(str("campaign") ? { campaign: str("campaign") } : {}),
    ...(str("sections") ? { sections: (await readJson(str("sections")!)) as Record<string, string> } : {}),
    ...(str("scoring") ? { scoring: (await readJson(str("scoring")!)) as never } : {}),
    ...(fast !== undefined || slow !== undefined
      ? { thresholds: { ...(fast !== undefined ? { fast: Number(fast) } : {}), ...(slow !== undefined ? { slow: slow === "schedule" ? "schedule" : Number(slow) } : {}) } }
      : {}),
    ...(str("summary-lagging") ? { summaryLagging: str("summary-lagging") as "own" | "all" | "none" } : {}),
  });
  const [docx, xlsx] = await Promise.all([renderDocx(model), renderXlsx(model)]);
  const outDir = resolve(str("out")!);
  await mkdir(outDir, { recursive: true });
  const base = str("name") ?? `bulletin-${model.region}-${model.period}-${String(issueNo).padStart(3, "0")}`;
  const written = [join(outDir, `${base}.docx`), join(outDir, `${base}.xlsx`)];
  await writeFile(written[0]!, docx);
  await writeFile(written[1]!, xlsx);
  if (values.json) {
    written.push(join(outDir, `${base}.json`));
    await writeFile(written[2]!, `${JSON.stringify(model, null, 2)}\n`);
  }
  const ms = performance.now() - started;
  for (const f of written) console.log(f);
  console.error(`${model.masthead.title} ${model.masthead.issue}: ${model.annexes.map((a) => `${a.label} ${a.rows.length} 行`).join("，")} (${ms.toFixed(0)} ms)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e as { _tag?: string; message?: string };
    console.error(err._tag ? `${err._tag}: ${err.message}` : e);
    process.exit(1);
  },
);
