/**
 * renderDocx: the bulletin as a Word document in the layout of GB/T 9704-2012 (党政机关公文格式):
 * A4, margins 37/35/28/26 mm, body 仿宋_GB2312 三号 at 22 lines a page, 黑体 first-level and
 * 楷体_GB2312 second-level headings, the title in 方正小标宋简体, a red masthead (版头) with the
 * issuing office, 第 N 期 and the date over a red line, page numbers "— 1 —" in 宋体 四号 (odd
 * pages right, even pages left, one character in), and the annex tables with merged item cells.
 * Each font names a fallback (w:altName) for machines without the GB2312 fonts.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  Tab,
  TabStopType,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from "docx";
import { type AnnexColumn, type AnnexTable, annexColumnLabel, type Block, type BulletinModel, type TableBlock } from "./model.js";

/** 1 mm in twentieths of a point (twips). */
const MM = 1440 / 25.4;
const mm = (v: number) => Math.round(v * MM);

export const PAGE = {
  width: mm(210),
  height: mm(297),
  top: mm(37),
  bottom: mm(35),
  left: mm(28),
  right: mm(26),
};
/** width of the type area (版心): 156 mm */
const TEXT_WIDTH = PAGE.width - PAGE.left - PAGE.right;

export const FONTS = {
  body: { name: "仿宋_GB2312", fallback: "仿宋" },
  heading: { name: "黑体", fallback: "SimHei" },
  kai: { name: "楷体_GB2312", fallback: "楷体" },
  title: { name: "方正小标宋简体", fallback: "宋体" },
  pageNumber: { name: "宋体", fallback: "SimSun" },
} as const;
type FontKey = keyof typeof FONTS;

/** Sizes in points: 三号 16, 四号 14, 小四 12, 二号 22, 小二 18. */
const PT = { body: 16, pageNumber: 14, table: 12, title: 22, annexTitle: 18 };
/** 22 lines in the 225 mm of the type area: an exact line pitch of ≈ 28.95 pt. */
const LINE = Math.round(mm(297 - 37 - 35) / 22);
const RED = "E60012";

const font = (key: FontKey) => {
  const f = FONTS[key].name;
  return { ascii: f, eastAsia: f, hAnsi: f, cs: f };
};

const run = (text: string, key: FontKey = "body", pt = PT.body, extra: { bold?: boolean; color?: string } = {}) =>
  new TextRun({ text, font: font(key), size: pt * 2, ...extra });

const bodySpacing = { line: LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 };
/** first-line indent of two characters of the body size */
const INDENT_2 = PT.body * 20 * 2;

function bodyParagraph(
  children: TextRun[],
  options: { indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType]; keepNext?: boolean } = {},
) {
  return new Paragraph({
    children,
    ...(options.keepNext ? { keepNext: true } : {}),
    alignment: options.align ?? AlignmentType.JUSTIFIED,
    spacing: bodySpacing,
    indent: options.indent === false ? undefined : { firstLine: INDENT_2 },
  });
}

function blockParagraphs(block: Block): Array<Paragraph | Table> {
  if (block.type === "table") return [smallTable(block)];
  const children: TextRun[] = [];
  if (block.lead) children.push(block.leadStyle === "kai" ? run(block.lead, "kai") : run(block.lead, "body", PT.body, { bold: true }));
  if (block.text) children.push(run(block.text));
  return [bodyParagraph(children)];
}

const thin = { style: BorderStyle.SINGLE, size: 4, color: "000000" };
const cellBorders = { top: thin, bottom: thin, left: thin, right: thin };

function cell(text: string, width: number, options: { header?: boolean; rowSpan?: number; align?: "center" | "left" } = {}) {
  const paragraphs = text.split("\n").map(
    (line) =>
      new Paragraph({
        children: [options.header ? run(line, "heading", PT.table) : run(line, "body", PT.table)],
        // Left, not justified: justified CJK cells spread a short last line letter by letter.
        alignment: options.align === "left" ? AlignmentType.LEFT : AlignmentType.CENTER,
        spacing: { line: 300, lineRule: LineRuleType.AT_LEAST, before: 0, after: 0 },
      }),
  );
  return new TableCell({
    children: paragraphs,
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    borders: cellBorders,
    margins: { top: 40, bottom: 40, left: 80, right: 80 },
    ...(options.rowSpan && options.rowSpan > 1 ? { rowSpan: options.rowSpan } : {}),
    ...(options.header ? { shading: { type: ShadingType.CLEAR, color: "auto", fill: "D9D9D9" } } : {}),
  });
}

function smallTable(block: TableBlock): Table {
  const weights = block.columns.map((c, i) => (i === block.columns.length - 1 ? 3 : c.length <= 2 ? 1 : 2));
  const sum = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor((TEXT_WIDTH * w) / sum));
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    rows: [
      new TableRow({ tableHeader: true, children: block.columns.map((c, i) => cell(c, widths[i]!, { header: true })) }),
      ...block.rows.map(
        (row) =>
          new TableRow({
            cantSplit: true,
            children: row.map((v, i) => cell(String(v), widths[i]!, { align: i === row.length - 1 ? "left" : "center" })),
          }),
      ),
    ],
  });
}

/** Shares of the type area per annex column (seed 003's 附件1 proportions). */
const ANNEX_WEIGHT: Record<AnnexColumn, number> = { no: 8, item: 16, project: 23, progress: 53 };

/** Without the 项目名称 column the item titles are the projects' (seed 003's 附件2): give them room. */
const ANNEX_WEIGHT_NO_PROJECT: Record<AnnexColumn, number> = { no: 8, item: 32, project: 0, progress: 60 };

function annexTable(annex: AnnexTable): Table {
  const weight = annex.columns.includes("project") ? ANNEX_WEIGHT : ANNEX_WEIGHT_NO_PROJECT;
  const total = annex.columns.reduce((a, c) => a + weight[c], 0);
  const widths = annex.columns.map((c) => Math.floor((TEXT_WIDTH * weight[c]) / total));
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: annex.columns.map((c, i) => cell(annexColumnLabel[c], widths[i]!, { header: true })),
  });
  // Item titles that run over two lines read better left-aligned, the whole column alike.
  const itemWidth = widths[annex.columns.indexOf("item")] ?? 0;
  const itemAlign = annex.rows.some((r) => textWidth(r.itemTitle, PT.table) > itemWidth * 1.6) ? "left" : "center";
  const rows = annex.rows.map((r) => {
    const cells: TableCell[] = [];
    annex.columns.forEach((c, i) => {
      const w = widths[i]!;
      if (c === "no" || c === "item") {
        // merged over the item's projects: only the item's first row carries the cell
        if (r.itemRowSpan === 0) return;
        if (c === "no") cells.push(cell(String(r.itemNo), w, { rowSpan: r.itemRowSpan }));
        else cells.push(cell(r.itemTitle, w, { rowSpan: r.itemRowSpan, align: itemAlign }));
      } else if (c === "project") cells.push(cell(`${r.projectMark}${r.projectTitle}`, w, { align: "left" }));
      else cells.push(cell(r.progressText, w, { align: "left" }));
    });
    return new TableRow({ cantSplit: true, children: cells });
  });
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    rows: [header, ...rows],
  });
}

/** Approximate printed width of a string in twips at `pt` (CJK full width, ASCII half). */
const textWidth = (s: string, pt: number) => [...s].reduce((w, ch) => w + ((ch.codePointAt(0) ?? 0) < 0x2000 ? 0.5 : 1), 0) * pt * 20;

function masthead(model: BulletinModel): Paragraph[] {
  const { masthead: m } = model;
  // The red title fills the type area at most, between 22 and 42 pt.
  const chars = textWidth(m.title, 1) / 20;
  const titlePt = Math.max(22, Math.min(42, Math.floor(((TEXT_WIDTH / 20) * 0.98) / Math.max(chars, 1))));
  return [
    new Paragraph({
      children: [run(m.title, "title", titlePt, { color: RED })],
      alignment: AlignmentType.CENTER,
      spacing: { before: 0, after: 240, line: Math.round(titlePt * 20 * 1.25), lineRule: LineRuleType.EXACT },
    }),
    new Paragraph({ children: [run(m.issue)], alignment: AlignmentType.CENTER, spacing: { ...bodySpacing, after: 120 } }),
    new Paragraph({
      children: [run(m.issuer), new TextRun({ children: [new Tab()] }), run(m.date)],
      tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
      spacing: { ...bodySpacing, after: 360 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: RED, space: 6 } },
    }),
  ];
}

function signature(model: BulletinModel): Paragraph[] {
  const { issuer, seal, date } = model.signature;
  // GB/T 9704 7.3.5.2: the date ends four characters from the right, the issuer centred above it.
  const dateRight = PT.body * 20 * 4;
  const dateCentre = TEXT_WIDTH - dateRight - textWidth(date, PT.body) / 2;
  const rightOf = (s: string) => Math.max(0, Math.round(TEXT_WIDTH - (dateCentre + textWidth(s, PT.body) / 2)));
  const line = (s: string, right: number) =>
    new Paragraph({ children: [run(s)], alignment: AlignmentType.RIGHT, spacing: bodySpacing, indent: { right } });
  return [
    bodyParagraph([run("")], { indent: false }),
    bodyParagraph([run("")], { indent: false }),
    line(issuer, rightOf(issuer)),
    ...(seal ? [line(seal, rightOf(seal))] : []),
    line(date, dateRight),
  ];
}

function attachments(model: BulletinModel): Paragraph[] {
  if (model.attachments.length === 0) return [];
  const label = "附件：";
  const hanging = textWidth(label, PT.body) + textWidth("1. ", PT.body);
  return [
    bodyParagraph([run("")], { indent: false }),
    ...model.attachments.map(
      (a, i) =>
        new Paragraph({
          children: [run(`${i === 0 ? label : ""}${i + 1}. ${a}`)],
          spacing: bodySpacing,
          alignment: AlignmentType.LEFT,
          indent: { left: INDENT_2 + hanging, hanging: i === 0 ? hanging : hanging - textWidth(label, PT.body) },
        }),
    ),
  ];
}

/**
 * The document title in lines: the author's own line breaks ("\n") when given; else, when it
 * is too long for one line, a break at a phrase boundary (before the last 工作… or 的通报) so that
 * no line ends inside a word (GB/T 9704 7.3.1: 回行时要做到词意完整).
 */
function documentTitleLines(title: string, pt: number): string[] {
  if (title.includes("\n")) return title.split("\n").map((l) => l.trim()).filter(Boolean);
  if (textWidth(title, pt) <= TEXT_WIDTH) return [title];
  const candidates = [title.lastIndexOf("工作"), title.lastIndexOf("的通报"), title.lastIndexOf("情况")].filter((i) => i > 0);
  for (const i of candidates) {
    const a = title.slice(0, i);
    const b = title.slice(i);
    if (textWidth(a, pt) <= TEXT_WIDTH && textWidth(b, pt) <= TEXT_WIDTH) return [a, b];
  }
  return [title];
}

const linesRuns = (lines: string[], key: FontKey, pt: number): TextRun[] =>
  lines.map((l, i) => new TextRun({ text: l, font: font(key), size: pt * 2, ...(i > 0 ? { break: 1 } : {}) }));

/**
 * A title too long for one line breaks before its closing parenthetical, as seed 003 prints
 * "…工作进度表" over "（省定重点民生实事）", rather than wherever the line happens to end.
 */
function titleLines(title: string, pt: number): TextRun[] {
  const m = /^(.+?)(（[^（）]+）)$/.exec(title);
  if (!m || textWidth(title, pt) <= TEXT_WIDTH) return [run(title, "title", pt)];
  return [run(m[1]!, "title", pt), new TextRun({ text: m[2]!, break: 1, font: font("title"), size: pt * 2 })];
}

function annexPages(model: BulletinModel): Array<Paragraph | Table> {
  return model.annexes.flatMap((a) => [
    new Paragraph({ children: [run(a.label, "heading")], pageBreakBefore: true, spacing: bodySpacing }),
    new Paragraph({
      children: titleLines(a.title, PT.annexTitle),
      alignment: AlignmentType.CENTER,
      spacing: { before: 240, after: 240, line: Math.round(PT.annexTitle * 20 * 1.5), lineRule: LineRuleType.AT_LEAST },
    }),
    annexTable(a),
  ]);
}

const pageNumberFooter = (side: "odd" | "even") =>
  new Footer({
    children: [
      new Paragraph({
        alignment: side === "odd" ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: side === "odd" ? { right: PT.pageNumber * 20 } : { left: PT.pageNumber * 20 },
        children: [new TextRun({ children: ["— ", PageNumber.CURRENT, " —"], font: font("pageNumber"), size: PT.pageNumber * 2 })],
      }),
    ],
  });

/** fontTable.xml naming each font with its fallback (w:altName), so Word substitutes sensibly. */
function fontTable(): string {
  const fonts = Object.values(FONTS)
    .map(
      (f) =>
        `<w:font w:name="${f.name}"><w:altName w:val="${f.fallback}"/><w:charset w:val="86"/><w:family w:val="${f.name.includes("黑") ? "swiss" : "roman"}"/><w:pitch w:val="variable"/></w:font>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${fonts}</w:fonts>`;
}

export interface DocxOptions {
  /** document properties: the author shown by Word (default: the issuer) */
  creator?: string;
}

/** Prints the bulletin model as a .docx (GB/T 9704-style layout). */
export async function renderDocx(model: BulletinModel, options: DocxOptions = {}): Promise<Buffer> {
  const body: Array<Paragraph | Table> = [
    ...masthead(model),
    new Paragraph({
      children: linesRuns(documentTitleLines(model.title, PT.title), "title", PT.title),
      alignment: AlignmentType.CENTER,
      spacing: { before: 240, after: 240, line: Math.round(PT.title * 20 * 1.5), lineRule: LineRuleType.EXACT },
    }),
    bodyParagraph([run(model.salutation)], { indent: false }),
    bodyParagraph([run(model.intro)]),
  ];
  for (const section of model.sections) {
    // a heading never ends a page (keep with next)
    body.push(bodyParagraph([run(section.heading, "heading")], { keepNext: true }));
    for (const block of section.blocks) body.push(...blockParagraphs(block));
  }
  body.push(...attachments(model), ...signature(model), ...annexPages(model));

  const doc = new Document({
    creator: options.creator ?? model.masthead.issuer,
    title: model.title,
    description: `${model.masthead.title} ${model.masthead.issue}`,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: font("body"), size: PT.body * 2 },
          paragraph: { spacing: bodySpacing },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right, header: mm(15), footer: mm(22) },
          },
        },
        footers: { default: pageNumberFooter("odd"), even: pageNumberFooter("even") },
        children: body,
      },
    ],
  });
  return Packer.toBuffer(doc, false, [{ path: "word/fontTable.xml", data: fontTable() }]);
}

/** A letter (督办函件, rule 11) as it is printed once issued. */
export interface LetterDoc {
  /** 发文字号, e.g. 邵民专班函〔2026〕15号 */
  number: string;
  kind: "reminder" | "work_notice" | "notice" | "assignment" | "warning";
  /** the issuing region's name: 邵阳市 → 邵阳市打好重点民生保障仗工作专班 */
  issuerName: string;
  /** 主送: the unit or region's task force */
  addressee: string;
  subject: string;
  body: string;
  dueOn: string;
  issuedOn: string;
}

const letterKindTitle: Record<LetterDoc["kind"], string> = { reminder: "温馨提示函", work_notice: "工作提示函", notice: "提醒函", assignment: "交办函", warning: "预警通知" };
const chineseDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** Prints an issued letter in the bulletin's 公文 layout: red masthead, 发文字号, title, 主送, body, deadline, signature. */
export async function renderLetterDocx(letter: LetterDoc): Promise<Buffer> {
  const issuer = `${letter.issuerName}打好重点民生保障仗工作专班`;
  const children: Paragraph[] = [
    new Paragraph({ children: [run(issuer, "title", 26, { color: RED })], alignment: AlignmentType.CENTER, spacing: { before: 0, after: 240 } }),
    new Paragraph({
      children: [run(letter.number)],
      alignment: AlignmentType.CENTER,
      spacing: { before: 120, after: 240 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: RED, space: 6 } },
    }),
    new Paragraph({ children: [run(letter.subject, "title", PT.title)], alignment: AlignmentType.CENTER, spacing: { before: 240, after: 240 } }),
    bodyParagraph([run(`${letter.addressee}：`)], { indent: false }),
    ...letter.body.split(/\n+/).filter((l) => l.trim()).map((line) => bodyParagraph([run(line.trim())])),
    bodyParagraph([run(`请于${chineseDate(letter.dueOn)}前完成整改，并将整改情况及佐证材料报送${issuer}办公室。`)]),
    bodyParagraph([run("")], { indent: false }),
    bodyParagraph([run(issuer)], { align: AlignmentType.RIGHT, indent: false }),
    bodyParagraph([run(chineseDate(letter.issuedOn))], { align: AlignmentType.RIGHT, indent: false }),
  ];
  const doc = new Document({
    creator: issuer,
    title: `${letterKindTitle[letter.kind]} ${letter.number}`,
    styles: { default: { document: { run: { font: font("body"), size: PT.body * 2 }, paragraph: { spacing: bodySpacing } } } },
    sections: [
      {
        properties: { page: { size: { width: PAGE.width, height: PAGE.height }, margin: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right, header: mm(15), footer: mm(22) } } },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc, false, [{ path: "word/fontTable.xml", data: fontTable() }]);
}
