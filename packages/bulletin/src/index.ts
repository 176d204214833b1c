/**
 * @minsheng/bulletin: the monthly bulletin (通报 / 工作专报) generated from the data —
 * `composeBulletin` builds a plain model (pure), `renderDocx` prints it as a GB/T 9704-style
 * Word document, `renderXlsx` its annex tables as a workbook.
 */
import type { DocxOptions, LetterDoc } from "./docx.js";
import type { BulletinModel } from "./model.js";

export * from "./model.js";
export * from "./format.js";
export { childRates, regionLabel, scopeWord, childrenWord, planLevelLabel } from "./regions.js";
export { BulletinOptions, composeBulletin, type ComposeInput, SummaryOptions, summarizePlan } from "./compose.js";
export type { DocxOptions, LetterDoc } from "./docx.js";

// The renderers pull in `docx` and `exceljs` (~0.4 s to load): loaded on first use, so that
// importing the package (the API does at start) does not pay for them.
let renderers: Promise<[typeof import("./docx.js"), typeof import("./xlsx.js")]> | undefined;
function load() {
  if (!renderers) {
    renderers = Promise.all([import("./docx.js"), import("./xlsx.js")]);
    // A failed load is tried again on the next call.
    renderers.catch(() => (renderers = undefined));
  }
  return renderers;
}

/** Loads the renderers' modules (once); call it ahead of the first download to take the load off it. */
export const preloadRenderers = (): Promise<void> => load().then(() => undefined);

/** Prints the bulletin model as a .docx (GB/T 9704-style layout). */
export async function renderDocx(model: BulletinModel, options: DocxOptions = {}): Promise<Buffer> {
  return (await load())[0].renderDocx(model, options);
}

/** Prints the bulletin's tables as an .xlsx workbook. */
export async function renderXlsx(model: BulletinModel): Promise<Buffer> {
  return (await load())[1].renderXlsx(model);
}

/** Prints an issued letter (督办函件) as a .docx in the bulletin's 公文 layout. */
export async function renderLetterDocx(letter: LetterDoc): Promise<Buffer> {
  return (await load())[0].renderLetterDocx(letter);
}
