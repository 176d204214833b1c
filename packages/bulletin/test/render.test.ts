import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { renderDocx, renderXlsx } from "../src/index.js";
import { compose, openDocx, paragraphsOfXml } from "./helpers.js";

const model = compose({ seal: "（邵阳市人力资源和社会保障局代章）", sections: { 工作打算: "一是强化组织领导，盯紧看牢工作进度。" } });

describe("renderDocx", async () => {
  const buffer = await renderDocx(model);
  const docx = await openDocx(buffer);
  const text = docx.paragraphs.join("\n");

  it("is a Word document holding the bulletin's text and the fixture's figures", () => {
    expect(buffer.subarray(0, 2).toString()).toBe("PK");
    expect(docx.paragraphs.slice(0, 3)).toEqual(["邵阳市实施民生可感行动工作专报", "第 7 期", "邵阳市实施民生可感行动工作专班办公室\t2024年10月9日"]);
    expect(text).toContain("关于全市 1-9 月实施民生可感行动工作推进情况的通报");
    expect(text).toContain("11 个项目已提前完成全年目标任务");
    expect(text).toContain("13 个项目按序时进度正常推进");
    expect(text).toContain("88.46%");
    expect(text).toContain("全市新增普惠性托位 3450 个，完成率 88.46%。其中，邵阳县未达序时，进度为 45.56%。");
    expect(text).toContain("隆回县（5.4783 分）");
    expect(text).toContain("“化解超期安置 3200 户”1 个指标未达序时");
    expect(text).toContain("一、工作推进情况");
    expect(text).toContain("一是强化组织领导，盯紧看牢工作进度。");
    expect(text).toContain("附件：1. 全市 1-9 月实施民生可感行动工作进度表（省定重点民生实事）");
    expect(text).toContain("（邵阳市人力资源和社会保障局代章）");
    expect(docx.paragraphs).toContain("附件 1");
    expect(docx.paragraphs).toContain("附件 2");
  });

  it("lays the page out per GB/T 9704: A4, margins 37/35/28/26 mm, 仿宋_GB2312 三号 body with fallbacks", () => {
    expect(docx.document).toContain('<w:pgSz w:w="11906" w:h="16838"');
    // 37 mm = 2098 twips, 26 mm = 1474, 35 mm = 1984, 28 mm = 1587
    expect(docx.document).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(docx.document).toContain('w:eastAsia="仿宋_GB2312"');
    expect(docx.document).toContain('w:eastAsia="黑体"');
    expect(docx.document).toContain('w:eastAsia="方正小标宋简体"');
    expect(docx.document).toContain('w:eastAsia="楷体_GB2312"');
    expect(docx.document).toContain('<w:sz w:val="32"/>'); // 三号 16 pt
    expect(docx.fontTable).toContain('<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>');
    expect(docx.fontTable).toContain('<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>');
    // the red line of the masthead
    expect(docx.document).toMatch(/<w:bottom w:val="single" w:color="E60012"/);
  });

  it("numbers the pages — N — in the footer, odd pages right and even pages left", () => {
    expect(docx.settings).toContain("evenAndOddHeaders");
    expect(docx.footers).toHaveLength(2);
    for (const f of docx.footers) {
      expect(f).toContain("PAGE");
      expect(paragraphsOfXml(f).join("")).toMatch(/^— +—$/);
    }
    expect(docx.footers.some((f) => f.includes('<w:jc w:val="right"/>'))).toBe(true);
    expect(docx.footers.some((f) => f.includes('<w:jc w:val="left"/>'))).toBe(true);
  });

  it("merges the item cells of annex 1 vertically (item 3 spans its three projects)", () => {
    const tables = docx.document.split("<w:tbl>").slice(1);
    expect(tables).toHaveLength(2);
    const rows = tables[0]!.split("</w:tr>").slice(0, -1);
    expect(rows).toHaveLength(25); // header + 24 projects
    const at = rows.findIndex((r) => paragraphsOfXml(r).includes("提高困难群体救助标准"));
    expect(rows[at]).toContain('<w:vMerge w:val="restart"/>');
    for (const k of [1, 2]) {
      expect(paragraphsOfXml(rows[at + k]!)[0]).toMatch(/^[⑥⑦]/);
      expect(rows[at + k]!.match(/<w:vMerge w:val="continue"\/>/g)).toHaveLength(2);
    }
    expect(paragraphsOfXml(rows[0]!)).toEqual(["序号", "实事名称", "项目名称", "进展情况"]);
    expect(rows[0]).toContain("<w:tblHeader/>");
    expect(paragraphsOfXml(tables[1]!.split("</w:tr>")[0]!)).toEqual(["序号", "实事名称", "进展情况"]);
  });
});

describe("renderXlsx", async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await renderXlsx(model)) as never);
  const annex1 = wb.getWorksheet("附件1 hn2024")!;
  const annex2 = wb.getWorksheet("附件2 sy2024")!;
  const header = (ws: ExcelJS.Worksheet) => (ws.getRow(2).values as unknown[]).slice(1);
  const rowOf = (ws: ExcelJS.Worksheet, projectText: string) => {
    for (let r = 3; r <= ws.rowCount; r++) if (String(ws.getCell(r, 3).value).startsWith(projectText)) return ws.getRow(r);
    throw new Error(`no row ${projectText}`);
  };

  it("has one sheet per annex and the detail sheets", () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(["附件1 hn2024", "附件2 sy2024", "指标明细", "信息公开"]);
    expect(annex1.getCell("A1").value).toBe("附件 1  全市 1-9 月实施民生可感行动工作进度表（省定重点民生实事）");
    expect(header(annex1)).toEqual(["序号", "实事名称", "项目名称", "进展情况", "项目进度", "序时进度", "状态"]);
    expect(header(annex2)).toEqual(["序号", "实事名称", "进展情况", "项目进度", "序时进度", "状态"]);
    expect(annex1.rowCount).toBe(2 + 24);
    expect(annex2.rowCount).toBe(2 + 10);
  });

  it("keeps the same rows as the document, rates as numbers in a percent format", () => {
    const r = rowOf(annex1, "④普惠性托育");
    expect(r.getCell(4).value).toBe("全市新增普惠性托位 3450 个，完成率 88.46%。其中，邵阳县未达序时，进度为 45.56%。");
    expect(r.getCell(5).value).toBeCloseTo(0.8846, 10);
    expect(typeof r.getCell(5).value).toBe("number");
    expect(r.getCell(5).numFmt).toBe("0.00%");
    expect(r.getCell(6).value).toBe(0.75);
    expect(r.getCell(7).value).toBe("按序时推进");
    expect(rowOf(annex1, "②家庭教育").getCell(7).value).toBe("已完成");
  });

  it("merges the item cells (item 3 over its three projects) and styles the header", () => {
    const first = rowOf(annex1, "⑤提高城乡低保标准").number;
    const merges = (annex1.model as unknown as { merges: string[] }).merges;
    expect(merges).toContain(`A${first}:A${first + 2}`);
    expect(merges).toContain(`B${first}:B${first + 2}`);
    expect(annex1.getCell(`A${first + 1}`).isMerged).toBe(true);
    expect(annex1.getCell(`A${first + 1}`).master.address).toBe(`A${first}`);
    expect(annex1.getCell(`A${first}`).value).toBe(3);
    expect(annex1.getCell(`B${first}`).value).toBe("提高困难群体救助标准");
    const h = annex1.getCell("A2");
    expect(h.font?.bold).toBe(true);
    expect((h.fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFD9D9D9");
    expect(annex1.getColumn(4).width).toBe(70);
    expect(annex1.getColumn(1).width).toBe(7);
  });

  it("lists every indicator with its target, actual and rate as numbers", () => {
    const ws = wb.getWorksheet("指标明细")!;
    expect(ws.rowCount).toBe(2 + 28 + 14);
    let found = false;
    ws.eachRow((row, n) => {
      if (n > 2 && row.getCell(4).value === "新增普惠性托位") {
        found = true;
        expect([row.getCell(6).value, row.getCell(7).value]).toEqual([3900, 3450]);
        expect(row.getCell(8).value).toBeCloseTo(0.8846, 10);
        expect(row.getCell(8).numFmt).toBe("0.00%");
        expect(row.getCell(12).value).toBe("邵阳县 45.56%");
      }
    });
    expect(found).toBe(true);
    const d = wb.getWorksheet("信息公开")!;
    expect([d.getCell("B5").value, d.getCell("E5").value, d.getCell("G5").value]).toEqual(["隆回县", 5.4783, "较好"]);
  });
});
