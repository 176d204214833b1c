import { createHash } from "node:crypto";
import { type BulletinModel, composeBulletin, type ComposeInput, renderDocx, renderXlsx } from "@minsheng/bulletin";
import { canonicalJson, type Queryable } from "@minsheng/db";
import { preparedPlans } from "./plan-cache.js";

/**
 * 通报 from live data: the plans asked (each with the plans it links to) exported from the
 * database as one bundle — verified and reduced figures only, as every published number — and
 * composed by @minsheng/bulletin. An issued bulletin keeps the composed model (see routes/bulletins.ts).
 */

/** Composes the bulletin from live data (throws the bulletin package's typed errors for bad options). */
export async function composeLive(db: Queryable, options: Omit<ComposeInput, "bundle">): Promise<{ model: BulletinModel; version: string }> {
  const { model, version } = await preparedPlans(db, options.plans);
  return { model: composeBulletin({ ...options, bundle: model }), version };
}

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
