/**
 * The pages rendered to HTML strings (no DOM needed): what a citizen sees for a given answer of
 * the API, and that nothing a citizen or a unit typed can become markup or a script link.
 */
import { renderToString } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import type { SiteView, TicketView as Ticket } from "../src/api";
import { renderPage } from "../src/entry-server";
import { FeedbackForm } from "../src/pages/FeedbackForm";
import { ProjectView } from "../src/pages/Project";
import { TicketView } from "../src/pages/Ticket";

const ATTACK = `<img src=x onerror="alert(1)"><script>alert(2)</script>`;

function site(over: Partial<SiteView> = {}): SiteView {
  return {
    code: "BHMSXDK5",
    url: "http://localhost/p/BHMSXDK5",
    project: { id: "hn2024-p04", no: 4, title: "普惠性托育“护蕾”行动" },
    item: { id: "hn2024-i02", no: 2, title: "提高优生优育水平" },
    plan: { id: "hn2024", title: "2024年省定重点民生实事", year: 2024 },
    unit: { name: "市卫生健康委员会" },
    region: { code: "430523", name: "邵阳县", path: ["湖南省", "邵阳市", "邵阳县"] },
    location: "塘渡口镇",
    contact: "0739-1234567",
    targets: [{ indicator: "i1", name: "新增托位", unit: "个", target: 3450 }],
    progress: {
      period: "2024-09",
      progress: 45.56,
      due: 75,
      status: "behind",
      statusLabel: "未达序时",
      indicators: [{ id: "i1", name: "新增托位", unit: "个", kind: "quantity", target: 3450, actual: 1572, rate: 45.56, due: 75, status: "behind", statusLabel: "未达序时" }],
    },
    timeline: [{ id: 1, date: "2024-09-20", text: `托育中心主体完工\n${ATTACK}`, publishedAt: "2024-09-21T00:00:00Z", photos: [{ id: "f1", url: "/api/v1/public/files/f1" }] }],
    policies: [
      { id: 2, title: "托育服务实施方案", issuer: "县卫健局", date: "2024-03-01", url: "javascript:alert(3)", text: "方案全文", files: [] },
      { id: 3, title: "托育补贴办法", issuer: "县财政局", date: null, url: "https://www.shaoyang.gov.cn/a.html", text: "", files: [{ id: "f2", filename: "办法.pdf", mediaType: "application/pdf", size: 2048, url: "/api/v1/public/files/f2" }] },
    ],
    localised: [{ id: 4, title: "本地化要求", text: "每个乡镇至少一处托育点", publishedAt: "2024-04-02T00:00:00Z", files: [] }],
    suggestions: [{ kind: "suggestion", kindLabel: "建议", text: ATTACK, receivedOn: "2024-10-08", answer: "已协调开设周末托管班。", answeredOn: "2024-10-09" }],
    counts: { suggestionsReceived: 2, suggestionsAnswered: 1, processingRate: 0.5 },
    satisfaction: { satisfied: 1, basically_satisfied: 1, dissatisfied: 1, total: 3, satisfactionRate: 66.67 },
    rectifications: [],
    ...over,
  };
}

describe("the project page", () => {
  it("shows the project, its unit, place, target and the verified figures with status and schedule", () => {
    const html = renderToString(<ProjectView site={site()} />);
    for (const text of ["普惠性托育“护蕾”行动", "提高优生优育水平", "市卫生健康委员会", "湖南省 · 邵阳市 · 邵阳县", "塘渡口镇", "0739-1234567"]) expect(html).toContain(text);
    expect(html).toContain("新增托位 3,450 个");
    expect(html).toMatch(/data-testid="progress"[^>]*>45\.56%</);
    expect(html).toMatch(/data-testid="actual"[^>]*>1,572 个</);
    expect(html).toContain("未达序时");
    expect(html).toContain("截至2024年9月");
    expect(html).toContain("序时进度 75%");
    // the bar: filled to the progress, the marker at the schedule line
    expect(html).toMatch(/class="bar-fill bar-behind" style="width:\s*45\.56%/);
    expect(html).toMatch(/class="bar-marker" style="left:\s*75%/);
    expect(html).toContain('aria-label="完成进度 45.56%，序时进度 75%"');
  });

  it("shows the timeline with photos, documents, localised content, answers and satisfaction", () => {
    const html = renderToString(<ProjectView site={site()} />);
    expect(html).toContain('<img src="/api/v1/public/files/f1" alt="工作动态照片 1"');
    expect(html).toContain("托育服务实施方案");
    expect(html).toContain('href="https://www.shaoyang.gov.cn/a.html"');
    expect(html).toContain("办法.pdf");
    expect(html).toContain("2 KB");
    expect(html).toContain("每个乡镇至少一处托育点");
    expect(html).toContain("已协调开设周末托管班。");
    expect(html).toContain("收到 2 条，已答复 1 条，处理率 50%");
    expect(html).toContain("共 3 人评价：满意 1，基本满意 1，不满意 1；满意度 66.67%");
    for (const label of ["满意", "基本满意", "不满意"]) expect(html).toContain(`>${label}</button>`);
  });

  it("renders typed text as text: no tag, no script, no javascript: link", () => {
    const html = renderToString(<ProjectView site={site()} />);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;>&lt;script>alert(2)&lt;/script>");
    expect(html).not.toContain("javascript:");
  });

  it("says so when nothing is verified or published yet", () => {
    const empty = site({
      progress: { period: null, progress: null, due: null, status: null, statusLabel: null, indicators: [] },
      timeline: [],
      policies: [],
      localised: [],
      suggestions: [],
      counts: { suggestionsReceived: 0, suggestionsAnswered: 0, processingRate: 1 },
      satisfaction: { satisfied: 0, basically_satisfied: 0, dissatisfied: 0, total: 0, satisfactionRate: null },
    });
    const html = renderToString(<ProjectView site={empty} />);
    for (const text of ["暂无核验后的进度数据", "暂无工作动态", "暂无公开的政策文件", "暂无本地化内容", "暂未收到意见建议", "暂无评价"]) expect(html).toContain(text);
  });
});

describe("the suggestion form", () => {
  it("labels every field for screen readers and offers the four kinds", () => {
    const html = renderToString(<FeedbackForm code="BHMSXDK5" />);
    for (const id of ["fb-text", "fb-phone", "fb-photo"]) {
      expect(html).toContain(`for="${id}"`);
      expect(html).toContain(`id="${id}"`);
    }
    for (const kind of ["suggestion", "complaint", "question", "praise"]) expect(html).toContain(`value="${kind}"`);
    for (const label of ["建议", "投诉", "咨询", "表扬"]) expect(html).toContain(label);
    expect(html).toContain('maxlength="2000"');
    expect(html).toContain('accept="image/jpeg,image/png,image/gif,image/webp"');
  });
});

describe("the ticket page", () => {
  const base: Ticket = {
    ticket: "0A1B2C3D4E5F",
    site: { code: "BHMSXDK5", project: "普惠性托育“护蕾”行动", region: "邵阳县" },
    kind: "complaint",
    kindLabel: "投诉",
    text: ATTACK,
    state: "open",
    stateLabel: "办理中",
    receivedOn: "2024-10-08",
    dueOn: "2024-10-15",
    answer: null,
    answeredOn: null,
  };

  it("shows the status and the deadline while unanswered, the answer once answered", () => {
    const open = renderToString(<TicketView t={base} />);
    expect(open).toContain("办理中");
    expect(open).toContain("将在 2024年10月15日 前答复");
    expect(open).toContain('href="/p/BHMSXDK5"');
    expect(open).not.toContain("<script");
    const answered = renderToString(<TicketView t={{ ...base, state: "answered", stateLabel: "已答复", answer: "已督促施工单位整改。", answeredOn: "2024-10-10" }} />);
    expect(answered).toMatch(/data-testid="answer"[\s\S]*已督促施工单位整改。/);
    expect(answered).toContain("2024年10月10日 答复");
    const rejected = renderToString(<TicketView t={{ ...base, state: "rejected", stateLabel: "不予受理" }} />);
    expect(rejected).toContain("不予受理");
    expect(rejected).not.toContain("答复期限");
  });
});

describe("server rendering", () => {
  it("renders a project page the server knows, with its title and data, and nothing else", async () => {
    const asked: string[] = [];
    const getSite = async (code: string) => (asked.push(code), code === "BHMSXDK5" ? site() : null);
    const page = await renderPage("/p/bhmsxdk5", getSite);
    expect(page?.title).toBe("普惠性托育“护蕾”行动 · 邵阳县 · 码上通");
    expect(page?.root).toContain("<h1>普惠性托育“护蕾”行动</h1>");
    expect(page?.root).toMatch(/data-testid="progress"[^>]*>45\.56%</);
    expect(page?.root).not.toContain("<script");
    expect(page?.data.code).toBe("BHMSXDK5");
    expect(await renderPage("/p/ZZZZZZZZ", getSite)).toBeNull();
    expect(await renderPage("/p/abc", getSite)).toBeNull(); // not 8 characters: not even asked
    expect(await renderPage("/", getSite)).toBeNull();
    expect(await renderPage("/s/0A1B2C3D4E5F", getSite)).toBeNull();
    expect(asked).toEqual(["BHMSXDK5", "ZZZZZZZZ"]);
  });
});
