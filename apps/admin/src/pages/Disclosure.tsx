import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Card, Col, Form, InputNumber, Row, Select, Space, Switch, Table, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { openingPeriod, periodYear } from "@minsheng/domain/calendar";
import { api, bandColor, currentPeriod, errorText, problemsToFields, read } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import { monthOptions, scoreText } from "../figures";
import { type Checklist, type ComplianceReport, cleanQuery, type Obligation, obligationLabel, useChecklist, useScopeChoices } from "../maishangtong";

const OBLIGATIONS: Obligation[] = ["policyDocument", "localisedContent", "monthlyWorkUpdate", "answeredInTime"];
type NonCompliant = ComplianceReport["nonCompliant"][number];

/** 信息公开考核: rule 6 from what the sites published — each county's score and band, what each project misses, the checklist. */
export default function Disclosure() {
  const me = useSignedIn();
  const scope = useScopeChoices(me);
  const plans = usePlans();
  const [params, setParams] = useSearchParams();
  const plan = params.get("plan") ?? undefined;
  const years = useMemo(() => [...new Set((plans.data ?? []).map((p) => p.year))].sort((a, b) => b - a), [plans.data]);
  const now = currentPeriod();
  const year = (plan ? plans.data?.find((p) => p.id === plan)?.year : undefined) ?? Number(params.get("year") ?? years[0] ?? periodYear(now));
  // The signed-in user's own region (as the dashboard); a system admin's: the region of the year's first plan.
  const home = me.region ?? plans.data?.find((p) => p.year === year)?.region ?? "430000";
  const region = params.get("region") ?? home;
  // The current month in that year; another year's: December (the page does not ask for its latest report).
  const period = params.get("period") ?? openingPeriod(year, now, "");
  const focus = params.get("focus") ?? undefined;
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v === undefined || v === "") next.delete(k);
    else next.set(k, v);
    setParams(next, { replace: true });
  };

  const report = useQuery({
    queryKey: ["compliance", period, region, plan ?? ""],
    enabled: !plans.isLoading,
    queryFn: async () => read(api.disclosure.compliance.$get({ query: cleanQuery({ period, region, plan }) })),
  });
  const r = report.data;
  const regionName = (code: string) => r?.scores.find((s) => s.region === code)?.name ?? scope.names.get(code) ?? code;
  // the scores group sites by child region: a focused one shows every site at or below it
  const missing = (r?.nonCompliant ?? []).filter((x) => !focus || scope.within(x.region, focus));

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small">
        <Space wrap>
          <span>计划</span>
          <Select
            allowClear
            placeholder="当年全部计划"
            style={{ width: 340 }}
            value={plan}
            onChange={(v?: string) => set({ plan: v, focus: undefined })}
            options={(plans.data ?? []).map((p) => ({ value: p.id, label: p.title }))}
            data-testid="disclosure-plan"
          />
          {!plan && years.length > 1 && (
            <Select style={{ width: 110 }} value={year} onChange={(v: number) => set({ year: String(v), period: undefined })} options={years.map((y) => ({ value: y, label: `${y} 年` }))} />
          )}
          <span>月份</span>
          <Select style={{ width: 120 }} value={period} onChange={(v: string) => set({ period: v })} options={monthOptions(year)} data-testid="disclosure-period" />
          <span>地区</span>
          {scope.staff && scope.regions.length > 0 ? (
            <Select
              showSearch
              optionFilterProp="label"
              style={{ width: 180 }}
              value={region}
              onChange={(v: string) => set({ region: v, focus: undefined })}
              options={scope.regions}
              data-testid="disclosure-region"
            />
          ) : (
            <Tag>{regionName(region)}</Tag>
          )}
          {region !== home && (
            <Button size="small" onClick={() => set({ region: undefined, focus: undefined })}>
              返回本辖区
            </Button>
          )}
        </Space>
      </Card>
      {report.isError && <Alert type="error" title={errorText(report.error)} />}
      {r && (
        <Row gutter={16}>
          <Col xs={24} xl={10}>
            <Card
              title="信息公开得分（满分 6 分）"
              extra={
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  截至 {r.asOf}
                </Typography.Text>
              }
            >
              <Table
                size="small"
                pagination={false}
                rowKey="region"
                dataSource={r.scores}
                data-testid="disclosure-scores"
                onRow={(s) => ({ onClick: () => set({ focus: focus === s.region ? undefined : s.region }), style: { cursor: "pointer", background: focus === s.region ? "#e6f4ff" : undefined } })}
                columns={[
                  { title: "排名", render: (_: unknown, __, i) => i + 1, width: 56 },
                  { title: "地区", dataIndex: "name" },
                  { title: "合规 / 应公开", render: (_: unknown, s) => `${s.compliant} / ${s.total}` },
                  { title: "得分", dataIndex: "score", align: "right", render: (x: number) => scoreText(x) },
                  { title: "等次", dataIndex: "band", render: (b: string, s) => <Tag color={bandColor[b]}>{s.bandLabel}</Tag> },
                  { title: "依据", render: (_: unknown, s) => (s.sources.record === 0 ? "公开内容" : s.sources.content === 0 ? "导入记录" : `内容 ${s.sources.content} · 记录 ${s.sources.record}`) },
                ]}
              />
              <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
                得分 = 6 × 合规项目 ÷ 应公开项目；好 = 满分，较好 ≥ 满分的 80%，较差低于 80%。按公开内容评价 {r.sources.content} 个项目点位，沿用导入考核记录 {r.sources.record} 个。点击地区查看其不合规项目。
              </Typography.Paragraph>
            </Card>
          </Col>
          <Col xs={24} xl={14}>
            <Card
              title={`不合规项目${focus ? ` · ${regionName(focus)}` : ""}（${missing.length}）`}
              extra={
                focus && (
                  <Button size="small" onClick={() => set({ focus: undefined })}>
                    显示全部
                  </Button>
                )
              }
            >
              <Table<NonCompliant>
                size="small"
                rowKey={(x) => `${x.project}@${x.region}`}
                dataSource={missing}
                data-testid="disclosure-missing"
                pagination={{ pageSize: 15, showSizeChanger: false }}
                columns={[
                  { title: "地区", dataIndex: "regionName", width: 90 },
                  { title: "项目", dataIndex: "projectTitle" },
                  { title: "点位", dataIndex: "code", width: 110, render: (c: string | null) => (c ? <Typography.Text code style={{ whiteSpace: "nowrap" }}>{c}</Typography.Text> : "—") },
                  {
                    title: "缺少的公开义务",
                    render: (_: unknown, x) =>
                      x.missed === null ? (
                        <Tag>导入考核记录：不合规</Tag>
                      ) : (
                        x.missed.map((m) => (
                          <Tag key={m.obligation} color="red" style={{ marginBottom: 2 }}>
                            {m.label}
                          </Tag>
                        ))
                      ),
                  },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
      <ChecklistCard admin={me.role === "admin"} />
    </Space>
  );

}

/** The rule 6 checklist in force; admins change it. */
function ChecklistCard({ admin }: { admin: boolean }) {
  const checklist = useChecklist();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Checklist>();
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    if (checklist.data) form.setFieldsValue(checklist.data);
  }, [checklist.data, form]);
  const save = useMutation({
    mutationFn: async (v: Checklist) => read(api.disclosure.checklist.$put({ json: { ...v, holidays: [...(v.holidays ?? [])].sort(), workdays: [...(v.workdays ?? [])].sort() } })),
    onSuccess: () => {
      setErrors([]);
      message.success("考核清单已保存，得分与答复期限按新设置计算");
      void qc.invalidateQueries({ queryKey: ["disclosure-checklist"] });
      void qc.invalidateQueries({ queryKey: ["compliance"] });
      void qc.invalidateQueries({ queryKey: ["feedback"] });
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["replyWorkingDays", ...OBLIGATIONS]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      setErrors(rest);
    },
  });
  const c = checklist.data;
  return (
    <Card title="考核清单（信息公开指标）" data-testid="checklist">
      {checklist.isError && <Alert type="error" title={errorText(checklist.error)} />}
      {c && !admin && (
        <Space orientation="vertical">
          {OBLIGATIONS.map((o) => (
            <span key={o}>
              {c[o] ? <Tag color="green">计入</Tag> : <Tag>不计入</Tag>} {obligationLabel[o]}
            </span>
          ))}
          <span>群众意见建议答复期限：收到后 {c.replyWorkingDays} 个工作日</span>
          {(c.holidays.length > 0 || c.workdays.length > 0) && (
            <Typography.Text type="secondary">
              节假日 {c.holidays.length} 天，调休上班 {c.workdays.length} 天
            </Typography.Text>
          )}
        </Space>
      )}
      {c && admin && (
        <Form form={form} layout="vertical" initialValues={c} onFinish={(v) => save.mutate(v)} style={{ maxWidth: 720 }}>
          {errors.length > 0 && <Alert type="error" title={errors.join("；")} style={{ marginBottom: 12 }} />}
          <Row gutter={16}>
            {OBLIGATIONS.map((o) => (
              <Col span={12} key={o}>
                <Form.Item name={o} label={obligationLabel[o]} valuePropName="checked">
                  <Switch checkedChildren="计入" unCheckedChildren="不计入" />
                </Form.Item>
              </Col>
            ))}
          </Row>
          <Form.Item name="replyWorkingDays" label="答复期限（工作日）" rules={[{ required: true, message: "请填写答复期限" }]}>
            <InputNumber min={1} max={60} precision={0} style={{ width: 120 }} data-testid="reply-days" />
          </Form.Item>
          <Form.Item name="holidays" label="法定节假日（工作日放假，YYYY-MM-DD）">
            <Select mode="tags" tokenSeparators={[",", "，", " "]} placeholder="如 2024-10-01" open={false} />
          </Form.Item>
          <Form.Item name="workdays" label="调休上班日（周末上班，YYYY-MM-DD）">
            <Select mode="tags" tokenSeparators={[",", "，", " "]} placeholder="如 2024-10-12" open={false} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="checklist-save">
            保存考核清单
          </Button>
        </Form>
      )}
    </Card>
  );
}
