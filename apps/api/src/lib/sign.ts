import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
// pdfkit costs ~0.5 s to load, qrcode ~50 ms: imported when first used, not at server start.
const qrcode = async () => (await import("qrcode")).default;

/**
 * What a project site prints: its QR code (SVG for designers, a PNG at print resolution) and the
 * A4 site sign (公示牌) as PDF. The Chinese font is Noto Sans SC (SIL Open Font License 1.1),
 * shipped in the npm package @expo-google-fonts/noto-sans-sc and read from node_modules: nothing is
 * fetched at run time, and the PDF embeds only the glyphs it uses.
 */

/** Side of the PNG in pixels: 1240 px is 10.5 cm at 300 dpi. */
export const QR_PNG_PIXELS = 1240;

const qrOptions = { errorCorrectionLevel: "M" as const, margin: 4 };

export const qrSvg = async (url: string): Promise<string> => (await qrcode()).toString(url, { ...qrOptions, type: "svg" });

export const qrPng = async (url: string, pixels = QR_PNG_PIXELS): Promise<Buffer> => (await qrcode()).toBuffer(url, { ...qrOptions, type: "png", width: pixels });

const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | null = null;

/** The font files, read once. */
export function signFonts(): { regular: Buffer; bold: Buffer } {
  fonts ??= {
    regular: readFileSync(require.resolve("@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf")),
    bold: readFileSync(require.resolve("@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf")),
  };
  return fonts;
}

export interface SignContent {
  code: string;
  url: string;
  planTitle: string;
  itemTitle: string;
  projectTitle: string;
  /** 责任单位 */
  unit: string;
  /** 湖南省 邵阳市 邵阳县 · 具体地点 */
  location: string;
  /** "新增普惠性托位：300 个" … */
  targets: string[];
  contact: string;
}

const RED = "#b71c1c";
const INK = "#1a1a1a";
const GREY = "#555555";

/** The A4 site sign (公示牌) as PDF bytes. */
export async function signPdf(s: SignContent): Promise<Buffer> {
  const { default: PDFDocument } = await import("pdfkit");
  const { regular, bold } = signFonts();
  const png = await qrPng(s.url);
  const doc = new PDFDocument({
    size: "A4",
    margin: 0,
    info: { Title: `${s.projectTitle} · 项目公示牌`, Subject: s.planTitle, Author: s.unit, Creator: "民生实事平台 码上通" },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });
  doc.registerFont("regular", regular);
  doc.registerFont("bold", bold);

  const W = doc.page.width;
  const H = doc.page.height;
  const M = 48;
  const inner = W - 2 * M;

  // Header band
  doc.rect(0, 0, W, 110).fill(RED);
  doc.fillColor("#ffffff").font("bold").fontSize(30).text("重点民生实事项目公示牌", M, 26, { width: inner, align: "center" });
  doc.font("regular").fontSize(12).text(s.planTitle, M, 72, { width: inner, align: "center" });

  // Project
  let y = 136;
  doc.fillColor(INK).font("bold").fontSize(24).text(s.projectTitle, M, y, { width: inner, align: "center" });
  y = doc.y + 18;
  doc.moveTo(M, y).lineTo(W - M, y).lineWidth(1).strokeColor(RED).stroke();
  y += 16;

  const labelWidth = 84;
  const row = (label: string, value: string) => {
    doc.font("bold").fontSize(13).fillColor(RED).text(label, M, y, { width: labelWidth });
    doc.font("regular").fontSize(13).fillColor(INK).text(value || "—", M + labelWidth, y, { width: inner - labelWidth, lineGap: 3 });
    y = Math.max(doc.y, y + 18) + 10;
  };
  row("所属实事", s.itemTitle);
  row("责任单位", s.unit);
  row("实施地点", s.location);
  const targets = s.targets.length > 6 ? [...s.targets.slice(0, 5), `等 ${s.targets.length} 项指标`] : s.targets;
  row("目标任务", targets.length > 0 ? targets.join("\n") : "—");
  row("联系方式", s.contact);
  row("项目编码", s.code);

  // QR code, centred in the space left above the footer
  const footerTop = H - 70;
  const qrSide = Math.max(130, Math.min(210, footerTop - 64 - (y + 10)));
  const qrY = Math.max(y + 10, footerTop - qrSide - 60);
  const qrX = (W - qrSide) / 2;
  doc.rect(qrX - 6, qrY - 6, qrSide + 12, qrSide + 12).lineWidth(1.5).strokeColor(RED).stroke();
  doc.image(png, qrX, qrY, { width: qrSide, height: qrSide });
  doc.font("bold").fontSize(14).fillColor(INK).text("扫码查看项目进展、政策文件，提出意见建议", M, qrY + qrSide + 14, { width: inner, align: "center" });
  doc.font("regular").fontSize(10).fillColor(GREY).text(s.url, M, doc.y + 4, { width: inner, align: "center" });

  // Footer
  doc.rect(0, footerTop, W, 70).fill("#f5f5f5");
  doc.font("regular").fontSize(10).fillColor(GREY).text("码上通 · 现场亮码，接受群众监督。意见建议将在规定时限内答复。", M, footerTop + 26, { width: inner, align: "center" });

  doc.end();
  await done;
  return Buffer.concat(chunks);
}
