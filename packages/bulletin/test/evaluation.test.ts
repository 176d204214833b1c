// The evaluation in the bulletin: the platform's ranking as 大祥区's 专报 prints it, the warnings,
// the 项目质效 shortfalls (seed 003's wording) and the at-risk list (rule 16, the domain's atRisk).
import { atRisk, parseBundle, PreparedBundle } from "@minsheng/domain";
import { Either } from "@minsheng/domain";
import { describe, expect, it } from "vitest";
import { renderDocx } from "../src/index.js";
import { compose, loadFixture, openDocx } from "./helpers.js";

const scorecard = {
  units: [
    { unit: "edu", name: "市教育局", score: 100, rank: 1, lines: [] },
    { unit: "mz", name: "市民政局", score: 100, rank: 1, lines: [] },
    { unit: "wjw", name: "市卫生健康委员会", score: 97, rank: 3, lines: [{ rule: "lagging", label: "指标未达序时进度", count: 1, points: -3 }] },
    { unit: "cl", name: "市残疾人联合会", score: 96, rank: 4, lines: [{ rule: "late_report", label: "迟报或漏报月度数据", count: 2, points: -4 }] },
  ],
  warnings: [{ unit: "cl", months: ["2024-08", "2024-09"] }],
  bottom: 2,
  consecutiveMonths: 2,
};

describe("the evaluation in the bulletin", () => {
  it("prints the ranking (ties share a rank), the bottom group and the warnings", () => {
    const m = compose({ scorecard });
    expect(m.ranking!.rows.map((r) => [r.rank, r.name, r.score])).toEqual([[1, "市教育局", 100], [1, "市民政局", 100], [3, "市卫生健康委员会", 97], [4, "市残疾人联合会", 96]]);
    expect(m.ranking!.rows[3]!.detail).toBe("迟报或漏报月度数据 2 项 -4");
    expect(m.ranking!.bottom).toEqual(["wjw", "cl"]);
    expect(m.ranking!.text).toContain("市教育局、市民政局以 100 分排名第一");
    expect(m.ranking!.text).toContain("市残疾人联合会连续 2 个月排名后 2 位，下发《预警通知》并进行约谈");
    const section = m.sections.find((s) => s.key === "ranking")!;
    expect(section.heading).toMatch(/责任单位考评情况$/);
  });

  it("names the units whose evidence does not match, as seed 003 does", () => {
    const m = compose({ quality: { maxGap: 10, shortfalls: [{ unit: "edu", name: "市教育局", indicators: ["建成县域普通高中“徐特立项目”", "提质改造“爱晚”老年学校"] }] } });
    expect(m.quality!.text).toBe(
      "主要问题是项目验收的佐证资料和项目进度不匹配（报送进度与验收进度差距超过 10 个百分点）。如，市教育局负责的“建成县域普通高中‘徐特立项目’”、“提质改造‘爱晚’老年学校”。",
    );
    const problems = m.sections.find((s) => s.key === "存在问题")!;
    expect(problems.blocks.some((b) => b.type === "paragraph" && b.lead?.includes("项目质效存在短板"))).toBe(true);
  });

  it("lists what atRisk finds, plan by plan, only when asked", async () => {
    const model = new PreparedBundle(Either.getOrThrow(parseBundle(loadFixture())));
    const want = ["hn2024", "sy2024"].flatMap((plan) => atRisk(model, { period: "2024-09", region: "430500", plan }));
    const m = compose({ risks: true });
    expect(m.risks!.map((r) => [r.indicator, r.region, r.text])).toEqual(want.map((r) => [r.indicator, r.region, r.text]));
    expect(want.length).toBeGreaterThan(0);
    expect(m.sections.find((s) => s.key === "risks")!.heading).toMatch(/进度预警情况$/);
    expect(compose().risks).toBeUndefined();
    expect(compose().sections.some((s) => s.key === "risks")).toBe(false);
    const { paragraphs } = await openDocx(await renderDocx(compose({ risks: true, scorecard })));
    expect(paragraphs.some((p: string) => p.includes("进度预警情况"))).toBe(true);
    expect(paragraphs.some((p: string) => p.includes(want[0]!.text))).toBe(true);
  });
});
