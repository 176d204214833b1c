import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Descriptions, Drawer, Empty, Form, Input, InputNumber, message, Radio, Row, Select, Space, Spin, Table, Tabs, Tag, Typography } from "antd";
import type { InferResponseType } from "hono/client";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { chineseDate } from "@minsheng/domain/calendar";
import { reportStateLabel } from "@minsheng/domain/labels";
import { ApiProblem, api, errorText, problemsToFields, read, sections } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import EvidenceList from "../EvidenceList";
import { fmt, monthsOf, type ReportRow, type ReportState, stateColor, useReport } from "../reports";

const TABS: { key: ReportState | "missing"; label: string }[] = [
  { key: "submitted", label: reportStateLabel.submitted },
  { key: "reduced", label: reportStateLabel.reduced },
  { key: "verified", label: reportStateLabel.verified },
  { key: "returned", label: reportStateLabel.returned },
  { key: "missing", label: "逾期未报" },
];

/** 核验: the reviewer's queue, decided reports (reported vs verified) and reports missing after the deadline. */
export default function Review() {
  const [params, setParams] = useSearchParams();
  const plans = usePlans();
  const years = useMemo(() => [...new Set((plans.data ?? []).map((p) => p.year))].sort(), [plans.data]);
  const tab = (params.get("tab") ?? "submitted") as ReportState | "missing";
  const period = params.get("period") ?? "";
  const [open, setOpen] = useState<number | null>(null);
  const [notice, noticeHolder] = message.useMessage();
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  const list = useQuery({
    queryKey: ["reports", { state: tab, period }],
    enabled: tab !== "missing",
    queryFn: async () => read(api.reports.$get({ query: { state: tab as ReportState, limit: "1000", offset: "0", ...(period ? { period } : {}) } })),
  });
  const missing = useQuery({
    queryKey: ["reports-missing", period],
    enabled: tab === "missing",
    queryFn: async () => read(api.reports.missing.$get({ query: period ? { period } : {} })),
  });
  const rows = (list.data?.reports ?? []).filter((r) => r.source === "report");
  const decided = tab === "verified" || tab === "reduced";

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      {noticeHolder}
      <Card size="small">
        <Space>
          <span>月份</span>
          <Select
            style={{ width: 160 }}
            value={period}
            onChange={(v) => set("period", v)}
            data-testid="review-period"
            options={[{ value: "", label: tab === "missing" ? "上月（默认）" : "全部月份" }, ...years.flatMap(monthsOf).map((m) => ({ value: m, label: chineseDate(m) }))]}
          />
        </Space>
      </Card>
      <Card size="small">
        <Tabs activeKey={tab} onChange={(k) => set("tab", k)} items={TABS.map((t) => ({ key: t.key, label: t.label }))} data-testid="review-tabs" />
        {tab === "missing" ? (
          <Missing data={missing.data} loading={missing.isLoading} error={missing.error} />
        ) : (
          <>
            {list.isError && <Alert type="error" title={errorText(list.error)} />}
            <Table<ReportRow>
              size="small"
              loading={list.isLoading}
              dataSource={rows}
              rowKey="id"
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              data-testid="review-queue"
              locale={{ emptyText: <Empty description={tab === "submitted" ? "没有待核验的填报" : "无"} /> }}
              onRow={(r) => ({ onDoubleClick: () => setOpen(r.id) })}
              columns={[
                { title: "月份", dataIndex: "period", width: 90 },
                { title: "项目 · 指标", render: (_, r) => `${r.project.title} · ${r.indicator.name}`, ellipsis: true },
                { title: "地区", render: (_, r) => r.region.name, width: 100 },
                { title: "上报累计", align: "right", width: 120, render: (_, r) => `${fmt(r.reportedValue)} ${r.indicator.unit}` },
                ...(decided
                  ? [
                      {
                        title: "核定累计",
                        align: "right" as const,
                        width: 160,
                        render: (_: unknown, r: ReportRow) =>
                          r.state === "reduced" ? (
                            <Typography.Text type="danger">
                              {fmt(r.verifiedValue)}（核减 {fmt(r.reportedValue - (r.verifiedValue ?? 0))}）
                            </Typography.Text>
                          ) : (
                            fmt(r.verifiedValue)
                          ),
                      },
                    ]
                  : []),
                { title: "上月核定", align: "right", width: 110, render: (_, r) => (r.previous ? fmt(r.previous.value) : "—") },
                { title: "环比", width: 90, render: (_, r) => (r.fall ? <Tag color="volcano">环比下降</Tag> : null) },
                { title: "佐证", dataIndex: "evidenceCount", width: 60, align: "right" },
                ...(tab === "submitted" ? [] : [{ title: "理由", dataIndex: "reviewReason", ellipsis: true }]),
                {
                  title: "操作",
                  width: 80,
                  render: (_, r) => (
                    <Button type="link" size="small" onClick={() => setOpen(r.id)} data-testid={`review-${r.id}`}>
                      {tab === "submitted" ? "核验" : "查看"}
                    </Button>
                  ),
                },
              ]}
            />
          </>
        )}
      </Card>
      {open !== null && <ReviewPanel key={open} id={open} notify={(t) => notice.success(t)} onClose={() => setOpen(null)} />}
    </Space>
  );
}

type MissingAnswer = InferResponseType<typeof api.reports.missing.$get, 200>;

function Missing({ data, loading, error }: { data: MissingAnswer | undefined; loading: boolean; error: unknown }) {
  if (error) return <Alert type="error" title={errorText(error)} />;
  if (loading || !data) return <Spin />;
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Typography.Text>
        {data.period} 的填报截止于 {data.deadline}。
        {data.pastDeadline ? `截止后仍有 ${data.total} 项未提交：` : "尚未到截止日期，暂不统计逾期未报。"}
      </Typography.Text>
      <Table
        size="small"
        data-testid="missing"
        dataSource={data.missing}
        rowKey={(g) => `${g.unit.id}:${g.region.code}`}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: "责任单位", render: (_, g) => g.unit.name, width: 160 },
          { title: "地区", render: (_, g) => g.region.name, width: 100 },
          { title: "未提交指标", render: (_, g) => g.indicators.map((i) => <Tag key={i.id}>{i.name}</Tag>) },
        ]}
      />
    </Space>
  );
}

interface Decision {
  action: "verify" | "reduce" | "return";
  verifiedValue?: number;
  reason?: string;
}

/** One report: evidence on the left, the figure and the decision on the right. */
function ReviewPanel({ id, notify, onClose }: { id: number; notify: (t: string) => void; onClose: () => void }) {
  const me = useSignedIn();
  const qc = useQueryClient();
  const report = useReport(id);
  const r = report.data;
  const [form] = Form.useForm<Decision>();
  const action = Form.useWatch("action", form) ?? "verify";
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; conflict: boolean } | null>(null);
  const canAudit = sections.some((s) => s.key === "audit" && s.allow(me.role));

  const decide = async (body: { action: "verify" } | { action: "reopen" } | { action: "reduce"; verifiedValue: number; reason: string } | { action: "return"; reason: string }) => {
    if (!r) return;
    setBusy(true);
    setError(null);
    try {
      const after = await read(api.reports[":id"].review.$post({ param: { id: String(id) }, json: { ...body, version: r.version } }));
      await Promise.all([qc.invalidateQueries({ queryKey: ["report", id] }), qc.invalidateQueries({ queryKey: ["reports"] }), qc.invalidateQueries({ queryKey: ["progress"] }), qc.invalidateQueries({ queryKey: ["bundle"] })]);
      notify(`${after.stateLabel}：${r.indicator.name} · ${r.region.name}`);
      form.resetFields();
    } catch (e) {
      // the version seen is stale, or another reviewer acted first (reports/service.ts)
      if (e instanceof ApiProblem && (e.code === "REPORT_VERSION_STALE" || e.code === "REPORT_REVIEWED_MEANWHILE")) {
        setError({ text: "该填报已被他人处理或修改。请重新载入，核对最新数据后再核验。", conflict: true });
        return;
      }
      const { fields, rest } = problemsToFields(e, ["verifiedValue", "reason", "action"]);
      form.setFields(fields.map((f) => ({ name: f.name as keyof Decision, errors: f.errors })));
      setError(rest.length ? { text: rest.join("；"), conflict: false } : null);
    } finally {
      setBusy(false);
    }
  };

  const onFinish = (v: Decision) => {
    if (v.action === "verify") return decide({ action: "verify" });
    if (v.action === "reduce") return decide({ action: "reduce", verifiedValue: v.verifiedValue!, reason: v.reason ?? "" });
    return decide({ action: "return", reason: v.reason ?? "" });
  };

  return (
    <Drawer open onClose={onClose} size={1180} title={r ? `${r.project.title} · ${r.indicator.name}` : "核验"} data-testid="review-panel">
      {report.isError && <Alert type="error" title={errorText(report.error)} />}
      {!r ? (
        <Spin />
      ) : (
        <Row gutter={24}>
          <Col span={13}>
            <Typography.Title level={5}>佐证材料（{r.evidence.length}）</Typography.Title>
            <EvidenceList evidence={r.evidence} width={580} />
          </Col>
          <Col span={11}>
            <Descriptions size="small" column={1} bordered data-testid="review-figure">
              <Descriptions.Item label="地区 / 月份">
                {r.region.name} · {r.period}
              </Descriptions.Item>
              <Descriptions.Item label="状态">
                <Tag color={stateColor[r.state]} data-testid="review-state">
                  {r.stateLabel}
                </Tag>
              </Descriptions.Item>
              <Descriptions.Item label="上报累计">
                <b data-testid="reported-value">
                  {fmt(r.reportedValue)} {r.indicator.unit}
                </b>
              </Descriptions.Item>
              {r.verifiedValue !== null && (
                <Descriptions.Item label="核定累计">
                  <b data-testid="verified-value" style={{ color: r.state === "reduced" ? "#cf1322" : undefined }}>
                    {fmt(r.verifiedValue)} {r.indicator.unit}
                  </b>
                  {r.state === "reduced" && <Typography.Text type="danger">（核减 {fmt(r.reportedValue - r.verifiedValue)}）</Typography.Text>}
                </Descriptions.Item>
              )}
              <Descriptions.Item label="上月核定累计">{r.previous ? `${fmt(r.previous.value)}（${r.previous.period}）` : "—"}</Descriptions.Item>
              {r.fall && (
                <Descriptions.Item label="环比下降">
                  <Tag color="volcano">环比下降</Tag>
                  {r.fallReason ?? ""}
                </Descriptions.Item>
              )}
              <Descriptions.Item label="进展情况">
                <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginBottom: 0 }}>{r.narrative || "—"}</Typography.Paragraph>
              </Descriptions.Item>
              {r.reviewReason && <Descriptions.Item label="核验意见">{r.reviewReason}</Descriptions.Item>}
              <Descriptions.Item label="填报 / 核验">
                {r.updatedBy ?? "—"} {r.submittedAt ? `于 ${new Date(r.submittedAt).toLocaleString("zh-CN")} 提交` : ""}
                {r.reviewedBy ? `；${r.reviewedBy} 核验` : ""}
              </Descriptions.Item>
            </Descriptions>
            {canAudit && (
              <Link to={`/audit?entity=report&id=${r.id}`} style={{ display: "inline-block", margin: "8px 0" }}>
                查看修改历史
              </Link>
            )}
            {error && (
              <Alert
                type="error"
                showIcon
                style={{ margin: "12px 0" }}
                data-testid="review-error"
                title={error.conflict ? "核验冲突" : "操作未完成"}
                description={error.text}
                action={
                  error.conflict ? (
                    <Button
                      size="small"
                      data-testid="reload-report"
                      onClick={async () => {
                        setError(null);
                        form.resetFields();
                        await report.refetch();
                      }}
                    >
                      重新载入
                    </Button>
                  ) : undefined
                }
              />
            )}
            {r.source === "import" ? (
              <Alert type="info" style={{ marginTop: 12 }} title="导入的正式数据视为已核验，只能通过重新导入修改" />
            ) : r.state === "submitted" ? (
              <Form form={form} layout="vertical" initialValues={{ action: "verify" }} onFinish={onFinish} style={{ marginTop: 12 }} disabled={busy}>
                <Form.Item name="action" label="核验结论">
                  <Radio.Group
                    optionType="button"
                    data-testid="review-action"
                    options={[
                      { value: "verify", label: "核验通过" },
                      { value: "reduce", label: "核减" },
                      { value: "return", label: "退回" },
                    ]}
                  />
                </Form.Item>
                {action === "reduce" && (
                  <Form.Item
                    name="verifiedValue"
                    label={`核定累计值（${r.indicator.unit}，须低于上报的 ${fmt(r.reportedValue)}）`}
                    rules={[
                      { required: true, message: "请填写核定后的累计值" },
                      { type: "number", min: 0, message: "核定值不能为负数" },
                      { validator: (_, v: number | undefined) => (v === undefined || v === null || v < r.reportedValue ? Promise.resolve() : Promise.reject(new Error(`核减后的值须低于上报值 ${fmt(r.reportedValue)}；全部认可请选"核验通过"`))) },
                    ]}
                  >
                    <InputNumber style={{ width: 220 }} data-testid="verified-input" />
                  </Form.Item>
                )}
                {action !== "verify" && (
                  <Form.Item name="reason" label={action === "reduce" ? "核减理由" : "退回理由"} rules={[{ required: true, whitespace: true, min: 2, message: "请说明理由（至少 2 个字）" }]}>
                    <Input.TextArea rows={3} maxLength={2000} data-testid="review-reason" />
                  </Form.Item>
                )}
                <Button type="primary" htmlType="submit" loading={busy} data-testid="review-submit">
                  确认{action === "verify" ? "核验通过" : action === "reduce" ? "核减" : "退回"}
                </Button>
              </Form>
            ) : r.state === "verified" || r.state === "reduced" ? (
              <Button style={{ marginTop: 12 }} loading={busy} onClick={() => decide({ action: "reopen" })} data-testid="reopen">
                撤回核验结论（重新核验）
              </Button>
            ) : null}
          </Col>
        </Row>
      )}
    </Drawer>
  );
}
