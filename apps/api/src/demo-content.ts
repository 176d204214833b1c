/**
 * Demo 码上通 content for a first `npm start`: a few of 邵阳县's project sites get a policy document
 * (政策文件), localised requirements (本地化更新), work updates (工作动态) and citizens' suggestions,
 * one answered and one waiting, so the public pages and the console's inbox show what a working
 * month looks like. Everything goes through the API as the county task force would do it, so the
 * same checks, audit entries and counters apply as for real data.
 */
import type { Hono } from "hono";
import type { AppEnv } from "./lib/context.js";
import { DEMO_PASSWORD } from "./seed.js";

const ORIGIN = "http://localhost";

interface SiteSummary {
  code: string;
  project: { title: string };
}

const updates = (title: string): { text: string; date: string }[] => [
  { date: "2024-08-20", text: `${title}：县专班会同责任单位开展现场调度，明确建设节点和责任人，倒排工期推进。` },
  { date: "2024-09-25", text: `${title}：主体建设基本完成，正在开展设施设备验收和资料归档，9 月底前报送进展数据。` },
];

/** Seeds the demo content through `app` as the demo county staff account; returns the tickets created. */
export async function seedDemoContent(app: Hono<AppEnv>): Promise<string[]> {
  const call = async (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set("origin", ORIGIN);
    if (init.cookie) headers.set("cookie", init.cookie);
    if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    const res = await app.request(`${ORIGIN}/api/v1${path}`, { ...init, headers });
    if (!res.ok) throw new Error(`demo content: ${init.method ?? "GET"} ${path} answered ${res.status}: ${await res.text()}`);
    return res;
  };
  const login = await call("/auth/login", { method: "POST", body: JSON.stringify({ username: "county", password: DEMO_PASSWORD }) });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const list = (await (await call("/public/sites?region=430523&limit=200")).json()) as { sites: SiteSummary[] };
  const sites = list.sites.slice(0, 3);
  const tickets: string[] = [];
  for (const [i, site] of sites.entries()) {
    const post = (body: unknown) => call(`/sites/${site.code}/content`, { method: "POST", cookie, body: JSON.stringify(body) });
    await post({
      kind: "policy",
      title: "湖南省人民政府办公厅关于印发《2024年湖南省重点民生实事实施方案》的通知",
      issuer: "湖南省人民政府办公厅",
      date: "2024-02-28",
      text: `明确“${site.project.title}”的年度目标任务、责任单位和完成时限。`,
    });
    await post({
      kind: "localised",
      title: "邵阳县建设内容和建设要求",
      text: `结合本县实际，“${site.project.title}”按省市下达任务分解到乡镇（街道），实行周调度、月通报，建设标准不低于省定要求，接受群众监督。`,
    });
    for (const u of updates(site.project.title)) await post({ kind: "update", ...u });
    if (i > 1) continue;
    const text =
      i === 0
        ? "建议在项目点位公示牌上写明开放时间和咨询电话，方便群众了解和使用。"
        : "想了解这个项目什么时候能完工，附近居民什么时候可以用上？";
    const created = (await (
      await call(`/public/sites/${site.code}/feedback`, { method: "POST", body: JSON.stringify({ kind: i === 0 ? "suggestion" : "question", text }) })
    ).json()) as { ticket: string; id?: number };
    tickets.push(created.ticket);
    // The county task force moderates (when moderation is on) and, for the first one, answers.
    const inbox = (await (await call(`/feedback?site=${site.code}`, { cookie })).json()) as { feedback: { id: number; ticket?: string; state: string; version?: number }[] };
    const mine = inbox.feedback.find((f) => f.ticket === created.ticket);
    if (!mine) continue;
    if (mine.state === "pending") await call(`/feedback/${mine.id}/moderate`, { method: "POST", cookie, body: JSON.stringify({ action: "approve" }) });
    if (i === 0)
      await call(`/feedback/${mine.id}/answer`, {
        method: "POST",
        cookie,
        body: JSON.stringify({ answer: "感谢您的建议。我们已在公示牌上补充开放时间和咨询电话，并将在各点位统一更新。" }),
      });
  }
  await call("/auth/logout", { method: "POST", cookie });
  return tickets;
}
