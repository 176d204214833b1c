import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoContent } from "../src/demo-content.js";
import { type Harness, makeHarness } from "./harness.js";

describe("demo 码上通 content for a first start", () => {
  let h: Harness;
  let tickets: string[];
  beforeAll(async () => {
    h = await makeHarness();
    tickets = await seedDemoContent(h.app);
  });
  afterAll(() => h.dispose());

  it("publishes policy documents, localised requirements and work updates on 邵阳县's sites", async () => {
    const list = await (await h.call(null, "GET", "/api/v1/public/sites?region=430523&limit=200")).json();
    const first = list.sites[0];
    const page = await (await h.call(null, "GET", `/api/v1/public/sites/${first.code}`)).json();
    const text = JSON.stringify(page);
    expect(text).toContain("湖南省人民政府办公厅");
    expect(text).toContain("邵阳县建设内容和建设要求");
    expect(text).toContain("主体建设基本完成");
  });

  it("leaves one suggestion answered and one waiting in the county's inbox", async () => {
    expect(tickets).toHaveLength(2);
    const answered = await (await h.call(null, "GET", `/api/v1/public/tickets/${tickets[0]}`)).json();
    expect(JSON.stringify(answered)).toContain("公示牌上补充开放时间");
    const waiting = await (await h.call(null, "GET", `/api/v1/public/tickets/${tickets[1]}`)).json();
    expect(JSON.stringify(waiting)).not.toContain("感谢您的建议");
    const cookie = await h.login("county");
    const inbox = await (await h.call(cookie, "GET", "/api/v1/feedback?region=430523&state=open")).json();
    expect(inbox.feedback.map((f: { ticket: string }) => f.ticket)).toContain(tickets[1]);
  });

  it("goes through the audit log like any user's work", async () => {
    const { rows } = await h.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'content.create'");
    expect(rows[0]!.n).toBe(12);
  });
});
