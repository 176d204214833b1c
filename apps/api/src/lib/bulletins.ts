import { createHash } from "node:crypto";
import { type BulletinModel, composeBulletin, type ComposeInput, preloadRenderers, renderDocx, renderXlsx } from "@minsheng/bulletin";
import { canonicalJson, type Queryable } from "@minsheng/db";
import type { DisclosureContent } from "@minsheng/domain";
import { preparedPlans } from "./plan-cache.js";

/**
 * 通报 from live data: the plans asked (each with the plans it links to) exported from the
 * database as one bundle — verified and reduced figures only, as every published number — and
 * composed by @minsheng/bulletin, with what the project sites hold for rule 6 (lib/compliance.ts).
 * An issued bulletin keeps the composed model (see routes/bulletins.ts).
 */

/** Composed bulletins per database, by options and data version (composing is deterministic). */
const composed = new WeakMap<Queryable, Map<string, Promise<BulletinModel>>>();
const MAX_COMPOSED = 16;

/**
 * Composes the bulletin from live data (throws the bulletin package's typed errors for bad options).
 * The .docx and the .xlsx asked at once (the console's two links), or a preview followed by its
 * downloads, compose once while the data version stays.
 */
export async function composeLive(
  db: Queryable,
  options: Omit<ComposeInput, "bundle" | "disclosureContent">,
  disclosureContent?: DisclosureContent,
): Promise<{ model: BulletinModel; version: string }> {
  const { model: prepared, version } = await preparedPlans(db, options.plans);
  // Site content does not move the data version: it is part of the key (sets made lists).
  const contentKey = disclosureContent ? createHash("sha256").update(JSON.stringify(disclosureContent, (_k, v) => (v instanceof Set ? [...v].sort() : v))).digest("hex") : "";
  const key = `${version}|${contentKey}|${canonicalJson(options)}`;
  let cache = composed.get(db);
  if (!cache) composed.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return { model: await hit, version };
  const model = Promise.resolve().then(() => composeBulletin({ ...options, bundle: prepared, ...(disclosureContent ? { disclosureContent } : {}) }));
  if (cache.size >= MAX_COMPOSED) cache.delete(cache.keys().next().value!);
  cache.set(key, model);
  // Bad options are answered each time, not kept.
  model.catch(() => cache.get(key) === model && cache.delete(key));
  return { model: await model, version };
}

let warming: Promise<void> | undefined;
/**
 * Loads the .docx/.xlsx renderers and prints a small bulletin once, in the background, so that the
 * first real download pays neither for loading docx and exceljs nor for their first, unoptimised
 * run. Started after the first bulletin request that is not itself a download (the console's
 * bulletin page asks for its draft and preview first); a server may call it after start. Once per process.
 */
export function warmRenderers(): Promise<void> {
  warming ??= (async () => {
    await preloadRenderers();
    const model = composeBulletin({ bundle: warmBundle(), plans: ["warm"], region: "990000", period: "2024-01", issueNo: 1, date: "2024-02-01" });
    await renderDocx(model);
    await renderXlsx(model);
  })().catch(() => {
    // Only a warm-up: a failure here shows up again, with its cause, on a real request.
  });
  return warming;
}

let soon = false;
/**
 * After a console sign-in: warm the renderers a few seconds later, once the first page's own
 * requests (the dashboard's evaluations) are answered, so they do not wait behind it. Once per process.
 */
export function warmRenderersSoon(delayMs = 4000): void {
  if (soon) return;
  soon = true;
  setTimeout(() => void warmRenderers(), delayMs).unref();
}

/** A one-county plan with one indicator: enough to run every part of both renderers once. */
const warmBundle = () => ({
  format: "minsheng.bundle/v1",
  regions: [
    { code: "990000", name: "示例市", level: "city", parent: null },
    { code: "990001", name: "示例县", level: "county", parent: "990000" },
  ],
  units: [{ id: "warm-u", name: "示例单位", region: "990000" }],
  plans: [{ id: "warm", year: 2024, level: "city", region: "990000", title: "示例", schedule: "linear-monthly" }],
  items: [{ id: "warm-i", plan: "warm", no: 1, title: "示例实事" }],
  projects: [{ id: "warm-p", item: "warm-i", no: 1, title: "示例项目", leadUnit: "warm-u" }],
  indicators: [{ id: "warm-p-a", project: "warm-p", name: "示例指标", unit: "个", kind: "quantity", aggregation: "sum" }],
  targets: [{ indicator: "warm-p-a", region: "990001", value: 10 }],
  progress: [{ indicator: "warm-p-a", region: "990001", period: "2024-01", value: 1 }],
  disclosure: [],
});

export type BulletinFormat = "json" | "docx" | "xlsx";

export const mediaTypes: Record<Exclude<BulletinFormat, "json">, string> = {
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The .docx (whole bulletin) or the .xlsx (its annex tables) of a model. */
export const renderBulletin = (model: BulletinModel, format: "docx" | "xlsx"): Promise<Buffer> => (format === "docx" ? renderDocx(model) : renderXlsx(model));

/** A download name: 邵阳市2024-09通报第7期.docx (附件 for the workbook). */
export const bulletinFilename = (model: BulletinModel, format: "docx" | "xlsx") =>
  `${model.regionName}${model.period}通报第${model.masthead.issueNo}期${format === "xlsx" ? "附件" : ""}.${format}`;

/** sha256 of the canonical JSON of a model: what was issued, checkable later. */
export const modelHash = (model: BulletinModel) => createHash("sha256").update(canonicalJson(model)).digest("hex");
