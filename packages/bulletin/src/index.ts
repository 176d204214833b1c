/**
 * @minsheng/bulletin: the monthly bulletin (通报 / 工作专报) generated from the data —
 * `composeBulletin` builds a plain model (pure), `renderDocx` prints it as a GB/T 9704-style
 * Word document, `renderXlsx` its annex tables as a workbook.
 */
export * from "./model.js";
export * from "./format.js";
export { childRates, regionLabel, scopeWord, childrenWord, planLevelLabel } from "./regions.js";
export { BulletinOptions, composeBulletin, type ComposeInput } from "./compose.js";
export { renderDocx, type DocxOptions } from "./docx.js";
export { renderXlsx } from "./xlsx.js";
