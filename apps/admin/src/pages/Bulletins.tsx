import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Empty, Form, Input, InputNumber, Popconfirm, Row, Select, Space, Spin, Table, Tabs, Tag, Typography, message } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { openingPeriod, periodMonth, periodsOfYear, periodYear } from "@minsheng/domain/calendar";
import { statusLabel } from "@minsheng/domain/labels";
import type { InferRequestType, InferResponseType } from "hono/client";
import { ApiProblem, api, currentPeriod, errorText, read } from "../api";
import { useSignedIn } from "../auth";
import { useBundle, usePlans } from "../data";
import { readJson } from "../files";
import { statusCountText } from "../figures";

/** The narrative sections of a bulletin, in the order it prints them (packages/bulletin NARRATIVE_SECTIONS). */
const SECTIONS = ["重要新闻", "部门动态", "区县动态", "工作简讯", "经验交流", "存在问题", "工作打算"] as const;

/** The draft of a region, month and plans (GET /bulletins/draft), typed from the route; its content is what the form edits. */
type DraftAnswer = InferResponseType<typeof api.bulletins.draft.$get, 200>;
type Content = NonNullable<DraftAnswer["draft"]>["content"];
/** The query of the bulletin's own operations: the plans (comma-separated), region and month. */
type Key = InferRequestType<typeof api.bulletins.draft.$get>["query"];

const months = periodsOfYear;
const localKey = (region: string, period: string, plans: string) => `bulletin-draft:${region}:${period}:${plans}`;

/** 通报: pick plans, region and month; preview from live data; write the narrative (saved as you type); issue 第 N 期; download issued ones again. */
export default function Bulletins() {
  const me = useSignedIn();
  const [params, setParams] = useSearchParams();
  const plans = usePlans();
  const year = plans.data?.[0]?.year ?? periodYear(currentPeriod());
  // 省定 first, as seed 003 prints them
  const order = (ids: string[]) => [...ids].sort((a, b) => ["province", "city", "county"].indexOf(plans.data?.find((p) => p.id === a)?.level ?? "") - ["province", "city", "county"].indexOf(plans.data?.find((p) => p.id === b)?.level ?? ""));
  const defaultPlans = (plans.data ?? []).filter((p) => p.year === year && (p.level === "province" || p.level === "city")).map((p) => p.id);
  const selectedPlans = order(params.get("plans")?.split(",").filter(Boolean) ?? defaultPlans);
  const planKey = selectedPlans.join(",");
  const bundle = useBundle(selectedPlans[0]);
  const regionTree = bundle.data?.regions;
  const parent = useMemo(() => new Map((regionTree ?? []).map((r) => [r.code, r.parent])), [regionTree]);
  const within = (code: string, ancestor: string) => {
    for (let c: string | null | undefined = code; c; c = parent.get(c)) if (c === ancestor) return true;
    return false;
  };
  const regionChoices = (regionTree ?? []).filter((r) => r.level !== "city_self" && (!me.region || within(r.code, me.region)));
  // The user's own region (a province user: the first city, as the city bulletins are the usual ones); without one, the plan's.
  const region =
    params.get("region") ??
    (me.region && me.region !== "430000" ? me.region : regionChoices.find((r) => r.level === "city")?.code ?? me.region ?? bundle.data?.plans[0]?.region);
  const latest = useMemo(() => (bundle.data?.progress ?? []).reduce((m, p) => (p.period > m ? p.period : m), ""), [bundle.data]);
  const period = params.get("period") ?? openingPeriod(year, currentPeriod(), latest);
  const tab = params.get("tab") ?? "compose";
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) next.set(k, v);
    setParams(next, { replace: true });
  };
  const ready = selectedPlans.length > 0 && !!region;

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small">
        <Space wrap>
          <span>计划</span>
          <Select
            mode="multiple"
            style={{ minWidth: 320 }}
            value={selectedPlans}
            onChange={(v: string[]) => set({ plans: order(v).join(",") })}
            options={(plans.data ?? []).map((p) => ({ value: p.id, label: p.title }))}
            data-testid="bulletin-plans"
          />
          <span>地区</span>
          <Select style={{ width: 180 }} value={region} onChange={(v: string) => set({ region: v })} options={regionChoices.map((r) => ({ value: r.code, label: r.name }))} showSearch={{ optionFilterProp: "label" }} data-testid="bulletin-region" />
          <span>月份</span>
          <Select style={{ width: 120 }} value={period} onChange={(v: string) => set({ period: v })} options={months(year).map((m) => ({ value: m, label: `1-${periodMonth(m)} 月` }))} data-testid="bulletin-period" />
        </Space>
      </Card>
      <Tabs
        activeKey={tab}
        onChange={(k) => set({ tab: k })}
        items={[
          { key: "compose", label: "编写与签发", children: ready ? <Compose key={`${region}|${period}|${planKey}`} plans={planKey} region={region} period={period} onIssued={() => set({ tab: "issued" })} /> : <Spin /> },
          { key: "issued", label: "已签发", children: <Issued region={me.region ? undefined : region} /> },
        ]}
      />
    </Space>
  );
}

function Compose({ plans, region, period, onIssued }: { plans: string; region: string; period: string; onIssued: () => void }) {
  const [notice, holder] = message.useMessage();
  const client = useQueryClient();
  const [form] = Form.useForm<Content>();
  const key: Key = { plan: plans, region, period };
  const q = `plan=${plans}&region=${region}&period=${period}`;
  const draft = useQuery({ queryKey: ["bulletin-draft", q], queryFn: () => read(api.bulletins.draft.$get({ query: key })) });
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [saving, setSaving] = useState<"idle" | "saving" | "saved" | "conflict" | "error">("idle");
  const [saveError, setSaveError] = useState<string | null>(null);
  const [issueError, setIssueError] = useState<string | null>(null);
  const [issuing, setIssuing] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [previewTick, setPreviewTick] = useState(0);

  // Fill the form once: the server's draft, or what this browser kept when a save did not get through.
  useEffect(() => {
    if (!draft.data) return;
    const local = localStorage.getItem(localKey(region, period, plans));
    const server = draft.data.draft;
    const kept = local ? (JSON.parse(local) as { content: Content; version?: number }) : null;
    const useLocal = kept && (!server || (kept.version ?? 0) >= server.version);
    form.setFieldsValue(useLocal ? kept.content : server?.content ?? { issueNo: draft.data.nextIssueNo, date: draft.data.today });
    setVersion(server?.version);
    if (useLocal && JSON.stringify(kept.content) !== JSON.stringify(server?.content)) scheduleSave();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft.data]);

  const save = async () => {
    const content = form.getFieldsValue(true) as Content;
    localStorage.setItem(localKey(region, period, plans), JSON.stringify({ content, version }));
    setSaving("saving");
    try {
      const res = await read(api.bulletins.draft.$put({ json: { plans: plans.split(","), region, period, content, ...(version ? { version } : {}) } }));
      setVersion(res.draft.version);
      localStorage.setItem(localKey(region, period, plans), JSON.stringify({ content, version: res.draft.version }));
      setSaving("saved");
      setSaveError(null);
      setPreviewTick((t) => t + 1);
    } catch (e) {
      setSaving(e instanceof ApiProblem && e.status === 409 ? "conflict" : "error");
      setSaveError(errorText(e));
    }
  };
  function scheduleSave() {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), 1200);
  }
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const preview = useQuery({
    queryKey: ["bulletin-preview", q, previewTick],
    placeholderData: keepPreviousData,
    enabled: draft.isSuccess,
    queryFn: () => readJson(api.bulletins.$get({ query: key })),
  });

  const issue = async () => {
    setIssueError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    const c = form.getFieldsValue(true) as Content;
    setIssuing(true);
    try {
      if (timer.current) clearTimeout(timer.current);
      await save();
      const body = {
        plans: plans.split(","),
        region,
        period,
        // both required by the form's rules (validated above); a gap is the API's 400 all the same
        issueNo: c.issueNo!,
        date: c.date!,
        ...(c.title?.trim() ? { title: c.title.trim() } : {}),
        ...(c.masthead?.trim() ? { masthead: c.masthead.trim() } : {}),
        ...(c.issuer?.trim() ? { issuer: c.issuer.trim() } : {}),
        ...(c.seal?.trim() ? { seal: c.seal.trim() } : {}),
        sections: c.sections ?? {},
        ...(c.thresholds?.fast !== undefined && c.thresholds.fast !== null ? { thresholds: { fast: c.thresholds.fast } } : {}),
      };
      const issued = await read(api.bulletins.$post({ json: body }));
      localStorage.removeItem(localKey(region, period, plans));
      notice.success(`已签发第 ${issued.issueNo} 期`);
      await client.invalidateQueries({ queryKey: ["bulletin-issues"] });
      await client.invalidateQueries({ queryKey: ["bulletin-draft", q] });
      onIssued();
    } catch (e) {
      const next = e instanceof ApiProblem && e.status === 409 ? "（请改用下一期号）" : "";
      setIssueError(`${errorText(e)}${next}`);
    } finally {
      setIssuing(false);
    }
  };

  const m = preview.data;
  const file = (format: "docx" | "xlsx") => api.bulletins.$url({ query: { ...key, format } }).href;
  const savedLabel = { idle: null, saving: <Tag>保存中…</Tag>, saved: <Tag color="green">草稿已保存</Tag>, conflict: <Tag color="red">他人已修改草稿</Tag>, error: <Tag color="orange">未保存（已存于本机）</Tag> }[saving];

  return (
    <Row gutter={16}>
      {holder}
      <Col xs={24} xl={10}>
        <Card size="small" title={<Space>通报内容 {savedLabel}</Space>} data-testid="bulletin-editor">
          {draft.data?.draft?.issueId && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={`本月已签发（编号 ${draft.data.draft.issueId}），以下为签发时的内容；如需再发，请改用新期号`} />}
          {saving === "conflict" && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 12 }}
              title="草稿已被他人修改。您输入的内容仍保存在本机；点“载入最新”将以服务器版本为准。"
              description={saveError}
              action={
                <Button size="small" onClick={() => { localStorage.removeItem(localKey(region, period, plans)); void draft.refetch(); setSaving("idle"); }}>
                  载入最新
                </Button>
              }
            />
          )}
          <Form form={form} layout="vertical" onValuesChange={scheduleSave} disabled={draft.isLoading}>
            <Space wrap>
              <Form.Item label="期号（第 N 期）" name="issueNo" rules={[{ required: true, message: "请填写期号" }]}>
                <InputNumber min={1} max={9999} data-testid="issue-no" />
              </Form.Item>
              <Form.Item label="印发日期" name="date" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: "格式：2024-10-09" }]}>
                <Input style={{ width: 130 }} placeholder="2024-10-09" data-testid="issue-date" />
              </Form.Item>
              <Form.Item label="进展较快线（%）" name={["thresholds", "fast"]}>
                <InputNumber min={0} max={1000} placeholder="80" />
              </Form.Item>
            </Space>
            <Form.Item label="标题（留空按默认）" name="title">
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item label="代章（可选）" name="seal">
              <Input maxLength={200} placeholder="（邵阳市人力资源和社会保障局代章）" />
            </Form.Item>
            {SECTIONS.map((s) => (
              <Form.Item key={s} label={s} name={["sections", s]} extra={s === "工作打算" ? "每行一段" : undefined}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 10 }} maxLength={20000} data-testid={`section-${s}`} />
              </Form.Item>
            ))}
          </Form>
          {issueError && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={issueError} data-testid="issue-error" />}
          <Popconfirm title="签发后数据将冻结，之后的数据更正不影响本期通报。确认签发？" onConfirm={() => void issue()} okText="签发" cancelText="取消">
            <Button type="primary" loading={issuing} data-testid="issue-bulletin">
              签发
            </Button>
          </Popconfirm>
        </Card>
      </Col>
      <Col xs={24} xl={14}>
        <Card
          size="small"
          title="预览（实时数据）"
          extra={
            <Space>
              <a href={file("docx")} download data-testid="download-docx">下载 Word</a>
              <a href={file("xlsx")} download data-testid="download-xlsx">下载 Excel 附件</a>
            </Space>
          }
        >
          {preview.isError && <Alert type="error" showIcon title={errorText(preview.error)} />}
          {preview.isLoading && <Spin />}
          {m && (
            <div data-testid="bulletin-preview">
              <Typography.Title level={4} style={{ color: "#E60012", textAlign: "center", marginBottom: 0 }}>{m.masthead.title}</Typography.Title>
              <Typography.Paragraph style={{ textAlign: "center" }}>{m.masthead.issue}　{m.masthead.date}</Typography.Paragraph>
              <Typography.Title level={5} style={{ textAlign: "center" }}>{m.title}</Typography.Title>
              <Typography.Paragraph>{m.salutation}</Typography.Paragraph>
              <Typography.Paragraph style={{ textIndent: "2em" }}>{m.intro}</Typography.Paragraph>
              {m.sections.map((s) => (
                <div key={s.key}>
                  <Typography.Text strong>{s.heading}</Typography.Text>
                  {s.blocks.map((b, i) =>
                    b.type === "paragraph" ? (
                      <Typography.Paragraph key={i} style={{ textIndent: "2em", marginTop: 8 }}>
                        {b.lead && <Typography.Text strong>{b.lead}</Typography.Text>}
                        {b.text}
                      </Typography.Paragraph>
                    ) : (
                      <Table
                        key={i}
                        size="small"
                        bordered
                        pagination={false}
                        rowKey={(_, j) => String(j)}
                        dataSource={b.rows.map((r) => Object.fromEntries(r.map((v, j) => [String(j), v])))}
                        columns={b.columns.map((c, j) => ({ title: c, dataIndex: String(j) }))}
                      />
                    ),
                  )}
                </div>
              ))}
              {m.annexes.map((a) => (
                <div key={a.label}>
                  <Typography.Text strong>{a.label}　{a.title}</Typography.Text>
                  <Table
                    size="small"
                    bordered
                    pagination={false}
                    rowKey={(r) => `${r.itemNo}-${r.projectMark}`}
                    dataSource={a.rows}
                    columns={[
                      { title: "序号", dataIndex: "itemNo", width: 56, onCell: (r) => ({ rowSpan: r.itemRowSpan }) },
                      { title: "实事名称", dataIndex: "itemTitle", width: 160, onCell: (r) => ({ rowSpan: r.itemRowSpan }) },
                      { title: "项目名称", render: (_, r) => `${r.projectMark}${r.projectTitle}`, width: 200 },
                      { title: "进展情况", dataIndex: "progressText", render: (t: string, r) => <span>{t} <Tag color={r.statusLabel === statusLabel.behind ? "red" : r.statusLabel === statusLabel.completed ? "green" : "blue"}>{r.statusLabel}</Tag></span> },
                    ]}
                  />
                </div>
              ))}
            </div>
          )}
          {!m && !preview.isLoading && !preview.isError && <Empty />}
        </Card>
      </Col>
    </Row>
  );
}

function Issued({ region }: { region: string | undefined }) {
  const issues = useQuery({
    queryKey: ["bulletin-issues", region ?? ""],
    queryFn: () => read(api.bulletins.issues.$get({ query: region ? { region } : {} })),
  });
  if (issues.isError) return <Alert type="error" showIcon title={errorText(issues.error)} />;
  return (
    <Table
      size="small"
      loading={issues.isLoading}
      rowKey="id"
      dataSource={issues.data?.issues ?? []}
      data-testid="bulletin-issues"
      columns={[
        { title: "期号", render: (_, i) => `${i.date.slice(0, 4)} 年第 ${i.issueNo} 期`, width: 130 },
        { title: "地区", render: (_, i) => i.region.name, width: 100 },
        { title: "月份", dataIndex: "period", width: 90 },
        { title: "标题", dataIndex: "title" },
        { title: "概况", render: (_, i) => i.summaries.map((s) => <div key={s.plan}>{s.planTitle}：{statusCountText({ completed: s.completed, on_schedule: s.onSchedule, behind: s.behind }, { separator: "，", zeros: true })}</div>) },
        { title: "签发", render: (_, i) => <span>{i.issuedBy.replace(/^user:/, "")}<br />{new Date(i.issuedAt).toLocaleString("zh-CN")}</span>, width: 170 },
        {
          title: "下载",
          width: 150,
          render: (_, i) => (
            <Space>
              <a href={i.href.docx} download>Word</a>
              <a href={i.href.xlsx} download>Excel</a>
            </Space>
          ),
        },
      ]}
    />
  );
}
