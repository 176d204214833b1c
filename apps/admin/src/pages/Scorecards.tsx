import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Card, Col, DatePicker, Empty, Form, Input, InputNumber, List, Modal, Popconfirm, Row, Select, Space, Spin, Table, Tag, Typography } from "antd";
import { lazy, Suspense, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { periodYear } from "@minsheng/domain/calendar";
import { api, currentPeriod, errorText, isStaff, problemsToFields, read } from "../api";
import { useSignedIn } from "../auth";
import { monthOptions } from "../figures";
import { useScopeChoices } from "../maishangtong";

const ScoreTrend = lazy(() => import("./ScoreTrend"));

/** The month before the current one: the last month that can be issued. */
const lastMonth = (now: string) => {
  const y = periodYear(now);
  const m = Number(now.slice(5));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
};

/** 考评: the month's unit ranking with each line explained, adjustments, issue, trend, warnings and interviews, quality shortfalls. */
export default function Scorecards() {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const scope = useScopeChoices(me);
  const [params, setParams] = useSearchParams();
  const now = currentPeriod();
  const region = params.get("region") ?? me.region ?? "430500";
  const period = params.get("period") ?? lastMonth(now);
  const year = periodYear(period);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  const query = { region, period };
  const card = useQuery({ queryKey: ["scorecard", region, period], queryFn: () => read(api.scorecards.$get({ query })) });
  const trend = useQuery({ queryKey: ["scorecard-trend", region, year], queryFn: () => read(api.scorecards.trend.$get({ query: { region, year: String(year) } })) });
  const quality = useQuery({ queryKey: ["quality", region, period], queryFn: () => read(api.quality.$get({ query })) });
  const notices = useQuery({ queryKey: ["scorecard-warnings", region], queryFn: () => read(api.scorecards.warnings.$get({ query: { region } })) });
  const c = card.data;
  // A unit sees its own card opened.
  const [open, setOpen] = useState<string[]>(me.unit ? [me.unit] : []);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small">
        <Space wrap>
          <span>月份</span>
          <Select style={{ width: 120 }} value={period} onChange={(v: string) => set("period", v)} options={monthOptions(year)} data-testid="scorecard-period" />
          <Select style={{ width: 110 }} value={year} onChange={(v: number) => set("period", `${v}-${period.slice(5)}`)} options={[year - 1, year, year + 1].map((y) => ({ value: y, label: `${y} 年` }))} />
          <span>地区</span>
          {scope.staff && scope.regions.length > 0 ? (
            <Select showSearch optionFilterProp="label" style={{ width: 180 }} value={region} onChange={(v: string) => set("region", v)} options={scope.regions} data-testid="scorecard-region" />
          ) : (
            <Tag>{scope.names.get(region) ?? region}</Tag>
          )}
          {c && (c.issued ? <Tag color="green" data-testid="scorecard-state">已印发 {c.issuedAt?.slice(0, 10)}</Tag> : <Tag color="gold" data-testid="scorecard-state">预览（未印发）</Tag>)}
          {staff && c && !c.issued && <IssueButton region={region} period={period} disabled={period >= now} />}
          {staff && c && !c.issued && <AdjustButton region={region} period={period} units={c.units.map((u) => ({ value: u.unit, label: u.name }))} />}
        </Space>
      </Card>

      {card.isError && <Alert type="error" showIcon title={errorText(card.error)} />}
      <Card title={`${period.slice(0, 4)} 年 ${Number(period.slice(5))} 月责任单位考评排名`} size="small" extra={<Typography.Text type="secondary">百分制，反向扣分、正向加分；得分相同并列</Typography.Text>}>
        <Table
          size="small"
          rowKey="unit"
          loading={card.isLoading}
          dataSource={c?.units ?? []}
          pagination={false}
          data-testid="scorecard-table"
          expandable={{
            expandedRowKeys: open,
            onExpandedRowsChange: (keys) => setOpen(keys as string[]),
            expandedRowRender: (u) => <UnitLines region={region} period={period} unit={u.unit} />,
          }}
          rowClassName={(u) => (c?.warnings.some((w) => w.unit === u.unit) ? "scorecard-warned" : "")}
          columns={[
            { title: "排名", dataIndex: "rank", width: 70, render: (r: number) => <b data-testid="rank">{r}</b> },
            { title: "责任单位", dataIndex: "name" },
            { title: "得分", dataIndex: "score", width: 90, render: (s: number) => <b data-testid="score">{s}</b> },
            {
              title: "扣分 / 加分",
              render: (_: unknown, u) =>
                u.lines.length === 0 ? (
                  <Typography.Text type="secondary">无</Typography.Text>
                ) : (
                  <Space wrap size={4}>
                    {u.lines.map((l) => (
                      <Tag key={l.rule} color={l.points < 0 ? "red" : "green"}>
                        {l.label} {l.count} 项 {l.points > 0 ? "+" : ""}
                        {l.points}
                      </Tag>
                    ))}
                  </Space>
                ),
            },
          ]}
        />
        {c && c.warnings.length > 0 && (
          <Alert
            style={{ marginTop: 12 }}
            type="warning"
            showIcon
            data-testid="scorecard-warnings"
            title={`连续排名后列，下发预警通知并约谈：${c.warnings.map((w) => `${c.units.find((u) => u.unit === w.unit)?.name ?? w.unit}（${w.months.map((m) => `${Number(m.slice(5))}月`).join("、")}）`).join("；")}`}
          />
        )}
      </Card>

      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card title="得分走势" size="small">
            {trend.data ? (
              <Suspense fallback={<Spin />}>
                <ScoreTrend months={trend.data.months} />
              </Suspense>
            ) : (
              <Spin />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title="项目质效短板（报送进度与验收进度差距超过限值）" size="small">
            <List
              size="small"
              loading={quality.isLoading}
              data-testid="quality-shortfalls"
              dataSource={quality.data?.shortfalls ?? []}
              locale={{ emptyText: `无（限值 ${quality.data?.maxGap ?? 10} 个百分点）` }}
              renderItem={(s) => (
                <List.Item>
                  <span>
                    <b>{s.name}</b>：{s.indicators.join("、")}
                  </span>
                  <Tag color="red">{s.count} 项</Tag>
                </List.Item>
              )}
            />
            <Table
              size="small"
              rowKey={(r) => `${r.indicator}|${r.region}`}
              style={{ marginTop: 8 }}
              pagination={{ pageSize: 5, hideOnSinglePage: true }}
              dataSource={(quality.data?.rows ?? []).filter((r) => !r.withinLimit)}
              columns={[
                { title: "指标", render: (_: unknown, r) => `${r.indicatorName}（${r.regionName}）` },
                { title: "报送", dataIndex: "reportedRate", render: (v: number) => `${v}%` },
                { title: "验收", dataIndex: "verifiedRate", render: (v: number) => `${v}%` },
                { title: "差距", dataIndex: "gap", render: (v: number) => <Tag color="red">{v}</Tag> },
              ]}
            />
          </Card>
        </Col>
      </Row>

      <Card title="预警通知与约谈" size="small">
        <Table
          size="small"
          rowKey="id"
          loading={notices.isLoading}
          data-testid="notices"
          dataSource={notices.data?.notices ?? []}
          locale={{ emptyText: <Empty description="无预警通知" /> }}
          columns={[
            { title: "月份", dataIndex: "period" },
            { title: "责任单位", dataIndex: "unitName" },
            { title: "连续后列月份", dataIndex: "months", render: (m: string[]) => m.join("、") },
            { title: "预警通知", dataIndex: "state", render: (s: string) => <Tag>{s === "draft" ? "草稿" : s === "issued" ? "已下发" : "已办结"}</Tag> },
            { title: "约谈", render: (_: unknown, n) => (n.interview.heldOn ? `${n.interview.heldOn} · ${n.interview.people}` : <Typography.Text type="secondary">待约谈</Typography.Text>) },
            { title: "整改承诺", render: (_: unknown, n) => n.interview.commitments || "—" },
            { title: "", render: (_: unknown, n) => (staff ? <InterviewButton notice={n} /> : null) },
          ]}
        />
      </Card>
    </Space>
  );
}

/** One unit's lines with the records behind each count, linked to where they are. */
function UnitLines({ region, period, unit }: { region: string; period: string; unit: string }) {
  const detail = useQuery({
    queryKey: ["scorecard-unit", region, period, unit],
    queryFn: () => read(api.scorecards.units[":unit"].$get({ param: { unit }, query: { region, period } })),
  });
  if (detail.isLoading) return <Spin />;
  if (detail.isError) return <Alert type="error" showIcon title={errorText(detail.error)} />;
  const lines = detail.data?.unit.lines ?? [];
  if (lines.length === 0) return <Typography.Text type="secondary">本月无扣分、加分事项（计至 {detail.data?.asOf}）</Typography.Text>;
  return (
    <div data-testid={`unit-lines-${unit}`}>
      {lines.map((l) => (
        <div key={l.rule} style={{ marginBottom: 8 }}>
          <b>
            {l.label}：{l.count} 项，{l.points > 0 ? "+" : ""}
            {l.points} 分
          </b>
          <ul style={{ margin: "4px 0 0 16px", padding: 0 }}>
            {l.items.map((it, i) => (
              <li key={i}>{it.link ? <Link to={it.link}>{it.text}</Link> : it.text}</li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function IssueButton({ region, period, disabled }: { region: string; period: string; disabled: boolean }) {
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const issue = useMutation({
    mutationFn: () => read(api.scorecards.issue.$post({ json: { region, period } })),
    onSuccess: (r) => {
      message.success(r.warnings.length ? `已印发，${r.warnings.length} 个单位下发预警通知` : "已印发");
      void qc.invalidateQueries({ queryKey: ["scorecard"] });
      void qc.invalidateQueries({ queryKey: ["scorecard-trend"] });
      void qc.invalidateQueries({ queryKey: ["scorecard-warnings"] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <Popconfirm title="印发后本月考评冻结，不再随数据更正变化。确认印发？" onConfirm={() => issue.mutate()} disabled={disabled}>
      <Button type="primary" loading={issue.isPending} disabled={disabled} data-testid="scorecard-issue">
        印发本月考评
      </Button>
    </Popconfirm>
  );
}

function AdjustButton({ region, period, units }: { region: string; period: string; units: { value: string; label: string }[] }) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ unit: string; points: number; reason: string }>();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const save = useMutation({
    mutationFn: (v: { unit: string; points: number; reason: string }) => read(api.scorecards.adjustments.$post({ json: { region, period, ...v } })),
    onSuccess: () => {
      setOpen(false);
      form.resetFields();
      message.success("已调整");
      void qc.invalidateQueries({ queryKey: ["scorecard"] });
      void qc.invalidateQueries({ queryKey: ["scorecard-unit"] });
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["unit", "points", "reason"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="scorecard-adjust">
        人工调整
      </Button>
      <Modal title="人工调整加减分（须写明理由，留痕审计）" open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={save.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="unit" label="责任单位" rules={[{ required: true, message: "请选择责任单位" }]}>
            <Select options={units} showSearch optionFilterProp="label" />
          </Form.Item>
          <Form.Item name="points" label="分值（正数加分，负数扣分）" rules={[{ required: true, message: "请填写分值" }]}>
            <InputNumber min={-100} max={100} step={0.5} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="reason" label="理由" rules={[{ required: true, min: 2, message: "请写明理由" }]}>
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

type Notice = Awaited<ReturnType<typeof loadNotices>>["notices"][number];
const loadNotices = (region: string) => read(api.scorecards.warnings.$get({ query: { region } }));

function InterviewButton({ notice }: { notice: Notice }) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ heldOn?: { format(f: string): string } | null; people: string; notes: string; commitments: string; followUp: string }>();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const iv = notice.interview;
  const save = useMutation({
    mutationFn: (v: { heldOn: string | null; people: string; notes: string; commitments: string; followUp: string }) =>
      read(api.scorecards.interviews[":id"].$put({ param: { id: String(iv.id) }, json: { version: iv.version, ...v } })),
    onSuccess: () => {
      setOpen(false);
      message.success("约谈记录已保存");
      void qc.invalidateQueries({ queryKey: ["scorecard-warnings"] });
    },
    onError: (e) => message.error(errorText(e)),
  });
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        约谈记录
      </Button>
      <Modal title={`约谈记录 · ${notice.unitName}`} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={save.isPending} destroyOnHidden>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ people: iv.people, notes: iv.notes, commitments: iv.commitments, followUp: iv.followUp }}
          onFinish={(v) => save.mutate({ heldOn: v.heldOn ? v.heldOn.format("YYYY-MM-DD") : iv.heldOn, people: v.people ?? "", notes: v.notes ?? "", commitments: v.commitments ?? "", followUp: v.followUp ?? "" })}
        >
          <Form.Item name="heldOn" label={`约谈日期${iv.heldOn ? `（已记 ${iv.heldOn}）` : ""}`}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="people" label="参加人员">
            <Input maxLength={500} />
          </Form.Item>
          <Form.Item name="notes" label="约谈情况">
            <Input.TextArea rows={3} />
          </Form.Item>
          <Form.Item name="commitments" label="整改承诺">
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="followUp" label="跟踪问效">
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
