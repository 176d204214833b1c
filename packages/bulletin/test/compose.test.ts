import { BundleInvalid, InvalidInput, PreparedBundle, UnknownPlan, UnknownRegion, parseBundle, satisfactionBallot, supervisionSentence } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { describe, expect, it } from "vitest";
import { chineseDate, chineseNumber, circled, composeBulletin, formatNumber, formatPercent, regionLabel } from "../src/index.js";
import { baseInput, compose, loadFixture } from "./helpers.js";

describe("composeBulletin on seed 003's fixture (邵阳 2024-09)", () => {
  const model = compose();
  const [province, city] = model.summaries;

  it("writes the province-plan sentence as seed 003 does, from the data", () => {
    expect(province!.text).toBe(
      "截至 9 月底，全市省定十大重点民生实事 24 个项目进展顺利，11 个项目已提前完成全年目标任务，13 个项目按序时进度正常推进，" +
        "其中，“市县两级应急广播建设工程”中市本级的“应急广播建设形象进度”指标未达序时。",
    );
    expect(province).toMatchObject({ countBy: "project", total: 24, completed: 11, onSchedule: 13, behind: 0, annexNo: 1 });
    expect(province!.laggingNamed.map((l) => [l.regionName, l.rate])).toEqual([["市本级", 60]]);
  });

  it("counts the city plan by indicator; the data gives 7 / 6 / 1 where seed 003 prints 4 / 9 / 1", () => {
    // Seed 003: "14 个指标中，4 个指标已完成全年目标任务，9 个指标按序时推进，“化解超期安置 3200 户”1 个指标未达序时".
    // The fixture's figures put 7 indicators at or over 100% (失业人员再就业 140.44%, 适老化 118.41%, 助餐 100%,
    // 无障碍 107.31%, 托位 104.86%, 燃气管网 103.05% and 106.41%): the data wins.
    expect(city).toMatchObject({ countBy: "indicator", total: 14, completed: 7, onSchedule: 6, behind: 1, behindNames: ["化解超期安置 3200 户"] });
    expect(city!.text).toBe(
      "截至 9 月底，全市市定十大重点民生实事 14 个指标中，7 个指标已完成全年目标任务，6 个指标按序时推进，“化解超期安置 3200 户”1 个指标未达序时。",
    );
  });

  it("puts the summaries in section 一 with their annex references", () => {
    const s = model.sections[0]!;
    expect(s.heading).toBe("一、工作推进情况");
    expect(s.blocks).toMatchObject([
      { lead: "（一）省定重点民生实事。", text: expect.stringContaining("（详情见附件 1）") },
      { lead: "（二）市定重点民生实事。", text: expect.stringContaining("（详情见附件 2）") },
    ]);
  });

  it("builds the title block, title and signature", () => {
    expect(model.masthead).toEqual({
      title: "邵阳市实施民生可感行动工作专报",
      issue: "第 7 期",
      issueNo: 7,
      issuer: "邵阳市实施民生可感行动工作专班办公室",
      date: "2024年10月9日",
    });
    expect(model.title).toBe("关于全市 1-9 月实施民生可感行动工作推进情况的通报");
    expect(model.salutation).toBe("各县市区工作专班，市直责任单位：");
    expect(model.signature).toEqual({ issuer: "邵阳市实施民生可感行动工作专班办公室", date: "2024年10月9日" });
    expect(model.attachments).toEqual([
      "全市 1-9 月实施民生可感行动工作进度表（省定重点民生实事）",
      "全市 1-9 月实施民生可感行动工作进度表（市定重点民生实事）",
    ]);
  });

  it("builds annex 1: one row per project, item cells spanning their projects, progress text from the figures", () => {
    const a = model.annexes[0]!;
    expect(a.label).toBe("附件 1");
    expect(a.columns).toEqual(["no", "item", "project", "progress"]);
    expect(a.rows).toHaveLength(24);
    expect(a.rows.map((r) => r.itemRowSpan)).toEqual([2, 0, 2, 0, 3, 0, 0, 3, 0, 0, 1, 3, 0, 0, 3, 0, 0, 2, 0, 2, 0, 3, 0, 0]);
    const row = (no: number) => a.rows.find((r) => r.projectNo === no)!;
    expect(row(4)).toMatchObject({
      projectMark: "④",
      projectTitle: "普惠性托育“护蕾”行动",
      progress: 88.46,
      status: "on_schedule",
      progressText: "全市新增普惠性托位 3450 个，完成率 88.46%。其中，邵阳县未达序时，进度为 45.56%。",
    });
    expect(row(5)).toMatchObject({ itemNo: 3, itemTitle: "提高困难群体救助标准", itemRowSpan: 3 });
    expect(row(3).progressText).toBe("全市新生儿疾病免费筛查与诊断 25719 人，完成率 91.63%。");
    expect(row(17).progressText).toBe("全市应急广播建设形象进度为 88%。其中，市本级未达序时，进度为 60%。");
    expect(row(21).progressText).toBe("全市开工建设保障性租赁住房 1771 套，完成率 78.57%。其中，邵东市未达序时，进度为 38.69%。");
    expect(row(22).progressText).toContain("全市农村公路提质改造 467.036 公里，完成率 93.78%，其中，洞口县未达序时，进度为 74.51%；");
    expect(row(22).progressText).toContain("普通国省道安全设施精细化提升 138.943 公里，完成率 111.15%");
    // Completed projects say so.
    for (const r of a.rows.filter((r) => r.status === "completed")) expect(r.progressText).toMatch(/完成全年目标任务。$/);
    expect(a.rows.filter((r) => r.status === "completed")).toHaveLength(11);
    expect(row(8).progressText).toBe("全市“两癌”免费检查 95456 人，完成率 100.64%，已完成全年目标任务。");
  });

  it("builds annex 2 without the 项目名称 column (every item one project of the same title), linked indicators marked", () => {
    const a = model.annexes[1]!;
    expect(a.columns).toEqual(["no", "item", "progress"]);
    expect(a.rows).toHaveLength(10);
    expect(a.rows[0]!.progressText).toBe("此指标纳入省定重点民生实事统一调度。全市“徐特立项目”建成投用进度为 94.44%。");
    const p07 = a.rows.find((r) => r.projectNo === 7)!;
    expect(p07.status).toBe("behind");
    expect(p07.progressText).toMatch(/^全市化解超期安置 917 户，完成率 28.66%，未达序时（序时进度 75%）。其中，/);
    expect(a.indicators.find((i) => i.indicator === "sy2024-p10-a")).toMatchObject({ rate: 76.66, target: 60000, actual: 45994 });
  });

  it("groups the disclosure scores 好 / 较好 / 较差 with names and scores as seed 003 prints them", () => {
    const d = model.disclosure!;
    expect(d.good.map((s) => s.name)).toEqual(["洞口县", "邵阳县"]);
    expect(d.fair.map((s) => `${s.name}（${s.score} 分）`)).toEqual(["隆回县（5.4783 分）", "绥宁县（5.1429 分）", "新宁县（4.9565 分）", "新邵县（4.9091 分）"]);
    expect(d.poor.map((s) => [s.name, s.score])).toEqual([
      ["北塔区", 3],
      ["双清区", 2.5714],
      ["大祥区", 1.8],
      ["武冈市", 1.6364],
      ["邵东市", 1.3043],
      ["城步苗族自治县", 1.2],
    ]);
    expect(d.text).toContain("洞口县、邵阳县完成情况好，已得满分；隆回县（5.4783 分）、绥宁县（5.1429 分）、新宁县（4.9565 分）、新邵县（4.9091 分）完成情况较好；");
    expect(d.text).toContain("北塔区（3 分）、双清区（2.5714 分）、大祥区（1.8 分）、武冈市（1.6364 分）、邵东市（1.3043 分）、城步苗族自治县（1.2 分）完成较差。");
    const problems = model.sections.find((s) => s.key === "存在问题")!;
    expect(problems.blocks.some((b) => b.type === "paragraph" && b.text === d.text)).toBe(true);
  });

  it("groups fast and lagging indicators seed-002 style, naming counties above / below the lines", () => {
    const g = model.groups;
    expect(g.fast).toBe(80);
    expect(g.slow).toBe("schedule");
    const p04 = g.fastEntries.find((e) => e.indicator === "hn2024-p04-a")!;
    expect(p04.below.map((k) => [k.name, k.rate])).toEqual([["邵阳县", 45.56]]);
    expect(p04.text).toBe("普惠性托育“护蕾”行动，全市总进度完成 88.46%，除邵阳县外，其余县市区完成率均达到 80% 以上；邵阳县（45.56%）进度滞后。");
    // completed and linked indicators are not "fast"; every entry is at or over 80%
    for (const e of g.fastEntries) {
      expect(e.rate).toBeGreaterThanOrEqual(80);
      expect(e.status).not.toBe("completed");
    }
    expect(g.slowEntries.map((e) => e.indicator)).toEqual(["sy2024-p07-a"]);
    expect(g.slowEntries[0]!.below.map((k) => k.name)).toEqual(["双清区", "大祥区", "北塔区", "邵东市"]);
    expect(g.regionEntries.map((e) => e.indicator)).toEqual(["hn2024-p21-a"]);
    const section = model.sections.find((s) => s.key === "groups")!;
    expect(section.heading).toBe("二、项目进展快慢情况");
    expect(section.blocks[0]).toMatchObject({ lead: "一是部分项目指标进展较快。", text: expect.stringMatching(/^1、建成县域普通高中“徐特立项目”，全市总进度完成 94.44%/) });
  });

  it("uses configurable thresholds", () => {
    const m = compose({ thresholds: { fast: 90, slow: 80 } });
    expect(m.groups.fastEntries.every((e) => e.rate >= 90)).toBe(true);
    expect(m.groups.fastEntries.map((e) => e.indicator)).toContain("hn2024-p01-a");
    expect(m.groups.fastEntries.map((e) => e.indicator)).not.toContain("hn2024-p04-a");
    // under 80% where asked: 化解超期安置 28.66, 二次供水 76.66, 一卡通 76, 防灾 75, 数字政务 75, 老旧小区投资 79.58, 保租房 78.57
    expect(m.groups.slowEntries.map((e) => e.indicator).sort()).toEqual(
      ["hn2024-p16-a", "hn2024-p18-a", "hn2024-p19-a", "hn2024-p20-b", "hn2024-p21-a", "sy2024-p07-a", "sy2024-p10-a"].sort(),
    );
    const p11 = compose({ thresholds: { fast: 85 } }).groups.fastEntries.find((e) => e.indicator === "hn2024-p11-a")!;
    expect(p11.text).toMatch(/完成率(均)?达到 85% 以上/);
    expect(m.groups.slowEntries.find((e) => e.indicator === "sy2024-p07-a")!.text).toContain("完成率 80% 以下");
  });

  it("names every lagging indicator-region in the summary when asked", () => {
    const m = compose({ summaryLagging: "all" });
    expect(m.summaries[0]!.laggingNamed.map((l) => l.regionName).sort()).toEqual(["市本级", "洞口县", "邵东市", "邵阳县"].sort());
    expect(m.summaries[0]!.text).toContain("“普惠性托育‘护蕾’行动”中邵阳县的“新增普惠性托位”指标");
    expect(compose({ summaryLagging: "none" }).summaries[0]!.text).not.toContain("其中");
  });

  it("is pure: the same input gives the same plain-data model", () => {
    const again = compose();
    expect(again).toEqual(model);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});

describe("names and figures come from the data, not from the fixture's wording", () => {
  it("follows renamed regions, projects, indicators and changed figures", () => {
    const b = loadFixture();
    b.regions.find((r) => r.code === "430523")!.name = "测试县";
    b.regions.find((r) => r.code === "430501")!.name = "邵阳市本级";
    b.projects.find((p) => p.id === "hn2024-p04")!.title = "托育测试项目";
    b.indicators.find((i) => i.id === "hn2024-p04-a")!.name = "新增托位测试";
    b.indicators.find((i) => i.id === "hn2024-p17-a")!.name = "广播测试指标";
    b.regions.find((r) => r.code === "430500")!.name = "测试市";
    const m = composeBulletin(baseInput({ bundle: b }));
    const row = m.annexes[0]!.rows.find((r) => r.projectNo === 4)!;
    expect(row.progressText).toBe("全市新增托位测试 3450 个，完成率 88.46%。其中，测试县未达序时，进度为 45.56%。");
    expect(m.summaries[0]!.text).toContain("中市本级的“广播测试指标”指标未达序时");
    expect(m.masthead.title).toBe("测试市实施民生可感行动工作专报");
    expect(m.disclosure!.good.map((s) => s.name)).toEqual(["洞口县", "测试县"]);
  });

  it("reports a plan with a project behind schedule without 进展顺利", () => {
    const b = loadFixture();
    // 邵东市's 保障性租赁住房 figure in September drops far enough to pull the city under 75%.
    for (const f of b.progress) if (f.indicator === "hn2024-p21-a" && f.period === "2024-09" && f.region === "430582") f.value = 0;
    const m = composeBulletin(baseInput({ bundle: b, plans: ["hn2024"] }));
    const s = m.summaries[0]!;
    expect(s.behind).toBe(1);
    expect(s.text).toContain("24 个项目中，11 个项目已提前完成全年目标任务，12 个项目按序时进度正常推进，“保障性租赁住房建设”1 个项目未达序时");
    // and the drop is a month-on-month fall (环比下降), flagged under 存在问题
    expect(m.falls.some((f) => f.indicator === "hn2024-p21-a" && f.regionName === "邵东市" && f.value === 0)).toBe(true);
    const problems = m.sections.find((x) => x.key === "存在问题")!;
    expect(problems.blocks[0]).toMatchObject({ lead: "（一）个别项目进度核减。", text: expect.stringContaining("邵东市“保障性租赁住房建设”的“开工建设保障性租赁住房”由") });
    expect(problems.blocks[0]).toMatchObject({ text: expect.stringContaining("环比下降") });
  });

  it("says 已完成 rather than 已提前完成 in December", () => {
    const m = compose({ period: "2024-12", plans: ["hn2024"] });
    expect(m.summaries[0]!.text).toMatch(/^截至 12 月底，全市省定十大重点民生实事/);
    expect(m.summaries[0]!.text).not.toContain("提前");
    expect(m.title).toBe("关于全市 1-12 月实施民生可感行动工作推进情况的通报");
  });

  it("accepts a prepared bundle (reuse across bulletins)", () => {
    const parsed = parseBundle(loadFixture());
    if (Either.isLeft(parsed)) throw parsed.left;
    const prepared = new PreparedBundle(parsed.right);
    expect(composeBulletin(baseInput({ bundle: prepared }))).toEqual(compose());
  });
});

describe("narrative sections, titles and the unit ranking", () => {
  it("adds the editable sections in order, numbered, with 存在问题 after the generated problems and 工作打算 last", () => {
    const m = compose({
      title: "关于全市重点民生实事推进情况的通报",
      seal: "（邵阳市人力资源和社会保障局代章）",
      sections: {
        部门动态: "市交通运输局：坚持质量为先。\n\n二段。",
        工作打算: ["一是强化组织领导。", "二是强化协调联动。"],
        存在问题: "新闻宣传力度不足。",
        重要新闻: "省专班来邵调研。",
      },
    });
    expect(m.title).toBe("关于全市重点民生实事推进情况的通报");
    expect(m.signature.seal).toBe("（邵阳市人力资源和社会保障局代章）");
    expect(m.sections.map((s) => s.heading)).toEqual(["一、工作推进情况", "二、项目进展快慢情况", "三、重要新闻", "四、部门动态", "五、存在问题", "六、工作打算"]);
    expect(m.sections[3]!.blocks).toEqual([
      { type: "paragraph", text: "市交通运输局：坚持质量为先。" },
      { type: "paragraph", text: "二段。" },
    ]);
    expect(m.sections[4]!.blocks.at(-1)).toEqual({ type: "paragraph", text: "新闻宣传力度不足。" });
  });

  it("ranks the units when scoring data is given, and warns units in the bottom group two months running", () => {
    const scheme = {
      rules: [
        { id: "behind", label: "未达序时指标", points: -2 },
        { id: "article", label: "刊发经验文章", points: 1 },
      ],
    };
    const m = compose({
      scoring: {
        scheme,
        units: ["edu", "wjw", "mz", "zj", "rs"],
        occurrences: [
          { unit: "zj", rule: "behind", count: 2 },
          { unit: "wjw", rule: "behind", count: 1 },
          { unit: "mz", rule: "behind", count: 1 },
          { unit: "edu", rule: "article", count: 1 },
        ],
        history: [
          {
            period: "2024-08",
            scores: [
              { unit: "edu", score: 100, rank: 1, lines: [] },
              { unit: "rs", score: 100, rank: 1, lines: [] },
              { unit: "wjw", score: 98, rank: 3, lines: [] },
              { unit: "mz", score: 99, rank: 3, lines: [] },
              { unit: "zj", score: 96, rank: 5, lines: [] },
            ],
          },
        ],
      },
    });
    const r = m.ranking!;
    expect(r.rows.map((x) => [x.rank, x.name, x.score])).toEqual([
      [1, "市教育局", 101],
      [2, "市人力资源和社会保障局", 100],
      [3, "市民政局", 98],
      [3, "市卫生健康委员会", 98],
      [5, "市住房和城乡建设局", 96],
    ]);
    expect(r.rows[4]!.detail).toBe("未达序时指标 2 次 -4");
    expect(r.bottom.sort()).toEqual(["mz", "wjw", "zj"]);
    expect(r.warnings.sort()).toEqual(["mz", "wjw", "zj"]);
    expect(r.text).toContain("市教育局以 101 分排名第一");
    expect(r.text).toContain("连续 2 个月排名后 3 位，将发送预警通知并进行约谈");
    const s = m.sections.find((x) => x.key === "ranking")!;
    expect(s.heading).toBe("三、责任单位考评情况");
    expect(s.blocks[1]).toMatchObject({ type: "table", columns: ["排名", "责任单位", "得分", "加减分情况"] });
  });
});

describe("the deputies' satisfaction ballot (rule 14)", () => {
  const rate = (satisfied: number, basically_satisfied: number, dissatisfied: number) => formatPercent(satisfactionBallot({ satisfied, basically_satisfied, dissatisfied }).satisfactionRate!);
  it("adds a section with each project's rate and the 不满意 > 1/2 flag, exactly half not flagged", () => {
    const m = compose({
      satisfaction: [
        {
          date: "2024-12-20",
          projects: [
            { title: "城区学校周边护学通道", unit: "市教育局", satisfied: 20, basically_satisfied: 6, dissatisfied: 2 },
            { title: "新建公办幼儿园", unit: "市教育局", satisfied: 5, basically_satisfied: 2, dissatisfied: 7 },
            { title: "农村饮水安全", unit: "市水利局", satisfied: 3, basically_satisfied: 1, dissatisfied: 5 },
          ],
        },
      ],
    });
    const section = m.sections.find((s) => s.key === "satisfaction")!;
    expect(section.heading).toBe("三、代表满意度测评情况");
    expect(section.blocks[0]).toEqual({ type: "paragraph", text: `${chineseDate("2024-12-20")}，人大代表对 3 个民生实事项目进行了满意度测评。其中“农村饮水安全”不满意票超过有效票的半数，须限期整改。` });
    expect(section.blocks[1]).toMatchObject({
      type: "table",
      rows: [
        ["城区学校周边护学通道", "市教育局", 20, 6, 2, rate(20, 6, 2), ""],
        ["新建公办幼儿园", "市教育局", 5, 2, 7, rate(5, 2, 7), ""],
        ["农村饮水安全", "市水利局", 3, 1, 5, rate(3, 1, 5), "是"],
      ],
    });
    expect(compose().sections.some((s) => s.key === "satisfaction")).toBe(false);
  });
});

describe("errors", () => {
  it("throws the domain's typed errors", () => {
    expect(() => compose({ plans: ["nope"] })).toThrow(UnknownPlan);
    expect(() => compose({ region: "999999" })).toThrow(UnknownRegion);
    expect(() => compose({ date: "2024-02-30" })).toThrow(InvalidInput);
    expect(() => compose({ issueNo: 0 })).toThrow(InvalidInput);
    expect(() => compose({ period: "2024-13" })).toThrow(InvalidInput);
    expect(() => compose({ bundle: { format: "nope" } })).toThrow(BundleInvalid);
    expect(() => compose({ scoring: { scheme: { rules: [] }, occurrences: [] } })).toThrow(InvalidInput);
    try {
      compose({ date: "2024/10/09", plans: [] });
    } catch (e) {
      expect((e as InvalidInput).problems.map((p) => p.path).sort()).toEqual(["$.date", "$.plans"]);
    }
  });
});

describe("formatting helpers", () => {
  it("prints figures as the bulletins do", () => {
    expect(formatPercent(112.5)).toBe("112.5%");
    expect(formatPercent(100)).toBe("100%");
    expect(formatPercent(88.46)).toBe("88.46%");
    expect(formatNumber(467.036)).toBe("467.036");
    expect(formatNumber(25719)).toBe("25719");
    expect(circled(1)).toBe("①");
    expect(circled(20)).toBe("⑳");
    expect(circled(21)).toBe("㉑");
    expect(circled(24)).toBe("㉔");
    expect(circled(36)).toBe("㊱");
    expect(chineseNumber(10)).toBe("十");
    expect(chineseNumber(12)).toBe("十二");
    expect(chineseNumber(24)).toBe("二十四");
    expect(chineseDate("2024-10-09")).toBe("2024年10月9日");
  });

  it("labels regions among their siblings", () => {
    const regions = new Map(loadFixture().regions.map((r) => [r.code, { ...r, parent: r.parent ?? null }]));
    expect(regionLabel(regions, "430501")).toBe("市本级");
    expect(regionLabel(regions, "430591")).toBe("经开区");
    expect(regionLabel(regions, "430529")).toBe("城步苗族自治县");
  });
});

describe("other levels", () => {
  it("reports a county with its own scope words, and a province naming a city's own part in full", () => {
    const county = compose({ region: "430523", plans: ["hn2024"] });
    expect(county.summaries[0]!.text).toMatch(/^截至 9 月底，全县省定十大重点民生实事 /);
    expect(county.salutation).toBe("各乡镇（街道）工作专班，县直责任单位：");
    expect(county.annexes[0]!.rows.find((r) => r.projectNo === 4)!.progressText).toBe("全县新增普惠性托位 164 个，完成率 45.56%，未达序时（序时进度 75%）。");
    const province = compose({ region: "430000", plans: ["hn2024"], summaryLagging: "all" });
    expect(province.summaries[0]!.text).toMatch(/^截至 9 月底，全省省定十大重点民生实事 /);
    expect(province.summaries[0]!.laggingNamed.map((l) => l.regionName)).toContain("邵阳市本级");
    expect(province.salutation).toBe("各市州工作专班，省直责任单位：");
    expect(compose({ region: "430000", plans: ["hn2024"] }).summaries[0]!.laggingNamed).toEqual([]);
  });
});

describe("督办情况 (rules 11-12)", () => {
  it("adds the month's supervision paragraph from the counts, after the progress sections; none without filings or letters", () => {
    const counts = { filings: 40, lettersIssued: 5, lettersAnswered: 3, lettersOverdue: 1 };
    const m = composeBulletin(baseInput({ supervision: counts }));
    const keys = m.sections.map((s) => s.key);
    const section = m.sections.find((s) => s.key === "supervision")!;
    expect(section.heading).toMatch(/、督办情况$/);
    expect(section.blocks).toEqual([{ type: "paragraph", text: supervisionSentence(counts) }]);
    expect(keys.indexOf("supervision")).toBeGreaterThan(keys.indexOf("groups"));
    const quiet = composeBulletin(baseInput({ supervision: { filings: 0, lettersIssued: 0, lettersAnswered: 0, lettersOverdue: 0 } }));
    expect(quiet.sections.map((s) => s.key)).toEqual(compose().sections.map((s) => s.key));
  });
});
