import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Empty, Form, Input, Result, Select, Space, Table, Tag, Typography } from "antd";
import type { InferResponseType } from "hono/client";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { chineseDate } from "@minsheng/domain/calendar";
import { reportStateLabel } from "@minsheng/domain/labels";
import { api, errorText, read } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import { fmt, monthsOf, type ReportRow, stateColor } from "../reports";

type Entry = InferResponseType<typeof api.audit.history.$get, 200>["entries"][number];

const entities = [
  { value: "report", label: "填报数据" },
  { value: "user", label: "用户" },
  { value: "plan", label: "计划（导入）" },
  { value: "evidence", label: "佐证材料" },
  { value: "api_token", label: "接口令牌" },
];

const actionLabel: Record<string, string> = {
  "report.save": "保存草稿",
  "report.submit": "提交核验",
  "report.verify": "核验通过",
  "report.reduce": "核减",
  "report.return": "退回",
  "report.reopen": "撤回核验结论",
  "evidence.add": "上传佐证",
  "evidence.delete": "删除佐证",
  "user.create": "创建用户",
  "user.update": "修改用户",
  "token.create": "创建令牌",
  "token.revoke": "吊销令牌",
  "bundle.import": "导入计划",
  "auth.login": "登录",
  "auth.login_failed": "登录失败",
  "auth.logout": "退出",
  "auth.totp_enabled": "启用双因素",
  "authz.denied": "拒绝访问",
};

const fieldLabel: Record<string, string> = {
  state: "状态",
  reportedValue: "上报值",
  verifiedValue: "核定值",
  narrative: "进展情况",
  fallReason: "下降原因",
  reviewReason: "核验意见",
  version: "版本",
  indicator: "指标",
  region: "地区",
  period: "月份",
  filename: "文件",
  mediaType: "类型",
  size: "大小",
  sha256: "SHA-256",
  evidence: "佐证编号",
  role: "角色",
  unit: "单位",
  disabled: "停用",
  displayName: "姓名",
  display_name: "姓名",
  password: "密码",
  username: "用户名",
};
const stateName: Readonly<Record<string, string>> = reportStateLabel;

const show = (key: string, v: unknown): string => {
  if (v === null || v === undefined || v === "") return "—";
  if (key === "state" && typeof v === "string") return stateName[v] ?? v;
  if (typeof v === "number") return fmt(v);
  if (typeof v === "boolean") return v ? "是" : "否";
  if (typeof v === "string") return v.length > 80 ? `${v.slice(0, 80)}…` : v;
  return JSON.stringify(v);
};

/** What an entry changed: every field whose value differs between before and after. */
export function changesOf(before: unknown, after: unknown): { key: string; from: unknown; to: unknown }[] {
  const b = before && typeof before === "object" ? (before as Record<string, unknown>) : {};
  const a = after && typeof after === "object" ? (after as Record<string, unknown>) : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => k !== "version" && k !== "password_hash");
  return keys.filter((k) => JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null) && k in a).map((k) => ({ key: k, from: b[k], to: a[k] }));
}

/** The columns shared by the log and a record's history. */
function entryColumns(onRecord?: (entity: string, id: string) => void) {
  return [
    { title: "序号", dataIndex: "seq", width: 70 },
    { title: "时间", dataIndex: "at", width: 170, render: (at: string) => new Date(at).toLocaleString("zh-CN") },
    { title: "操作人", dataIndex: "actor", width: 150 },
    { title: "操作", dataIndex: "action", width: 120, render: (a: string) => <Tag data-action={a}>{actionLabel[a] ?? a}</Tag> },
    ...(onRecord
      ? [
          {
            title: "对象",
            width: 160,
            render: (_: unknown, e: Entry) =>
              historyEntities.has(e.entity) ? (
                <a onClick={() => onRecord(e.entity, e.entityId)}>
                  {entityLabel(e.entity)} {e.entityId}
                </a>
              ) : (
                `${entityLabel(e.entity)} ${e.entityId}`
              ),
          },
        ]
      : []),
    {
      title: "变更",
      render: (_: unknown, e: Entry) => {
        const changes = changesOf(e.before, e.after);
        if (changes.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
        return (
          <Space orientation="vertical" size={0}>
            {changes.map((c) => (
              <span key={c.key}>
                <Typography.Text type="secondary">{fieldLabel[c.key] ?? c.key}：</Typography.Text>
                {e.before ? (
                  <>
                    <Typography.Text delete>{show(c.key, c.from)}</Typography.Text> → {show(c.key, c.to)}
                  </>
                ) : (
                  show(c.key, c.to)
                )}
              </span>
            ))}
          </Space>
        );
      },
    },
    { title: "哈希", dataIndex: "hash", width: 110, render: (h: string) => <Typography.Text code title={h}>{h.slice(0, 10)}</Typography.Text> },
  ];
}

const entityLabel = (e: string) => entities.find((x) => x.value === e)?.label ?? (e === "request" ? "请求" : e);
const historyEntities = new Set(entities.map((e) => e.value));

/**
 * 审计: who changed what when, for any figure or record; for the audit administrator (三员分立)
 * also the whole log with filters and the hash-chain check.
 */
export default function Audit() {
  const me = useSignedIn();
  const auditor = me.role === "audit_admin";
  const [params, setParams] = useSearchParams();
  const entity = params.get("entity") ?? "report";
  const id = params.get("id") ?? "";
  const [form] = Form.useForm<{ entity: string; id: string }>();
  useEffect(() => form.setFieldsValue({ entity, id }), [entity, id, form]);

  const history = useQuery({
    queryKey: ["audit-history", entity, id],
    enabled: id !== "",
    staleTime: 0,
    queryFn: async () => read(api.audit.history.$get({ query: { entity, id } })),
  });
  const chain = useMutation({ mutationFn: async () => read(api.audit.verify.$get()) });
  const look = (e: string, i: string) => setParams({ entity: e, id: i.trim() });

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      {auditor && (
        <Card title="审计链校验" size="small" extra={<Typography.Text type="secondary">每条记录含上一条的哈希，任何改动都会使其后的校验失败</Typography.Text>}>
          <Space align="start" size="large">
            <Button type="primary" onClick={() => chain.mutate()} loading={chain.isPending} data-testid="verify-chain">
              校验审计链
            </Button>
            {chain.isError && <Alert type="error" title={errorText(chain.error)} />}
            {chain.data && (
              <div data-testid="chain-result" data-ok={String(chain.data.ok)}>
                {chain.data.ok ? (
                  <Result status="success" style={{ padding: 0 }} title="审计链完整" subTitle={`共 ${chain.data.entries} 条记录，逐条哈希校验通过（${new Date().toLocaleString("zh-CN")}）`} />
                ) : (
                  <Result status="error" style={{ padding: 0 }} title={`审计链在第 ${chain.data.brokenAt} 条记录处断裂`} subTitle={`共 ${chain.data.entries} 条；原因：${chain.data.reason ?? "未知"}`} />
                )}
              </div>
            )}
          </Space>
        </Card>
      )}
      {auditor && <AuditLog onRecord={look} />}
      <Card title="查询修改历史" size="small">
        <Form form={form} layout="inline" initialValues={{ entity, id }} onFinish={(v) => look(v.entity, v.id)}>
          <Form.Item name="entity" label="对象">
            <Select style={{ width: 160 }} options={entities} />
          </Form.Item>
          <Form.Item name="id" label="编号" rules={[{ required: true, whitespace: true, message: "请输入编号" }]}>
            <Input style={{ width: 220 }} placeholder="如填报编号 12" data-testid="audit-id" />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="audit-lookup">
            查询
          </Button>
        </Form>
        {entity === "report" && !auditor && <ReportFinder onPick={(r) => look("report", String(r))} />}
      </Card>
      {id !== "" && (
        <Card title={`${entityLabel(entity)} ${id} 的修改历史`} size="small">
          {history.isError ? (
            <Alert type="error" title={errorText(history.error)} />
          ) : (
            <Table<Entry>
              size="small"
              loading={history.isLoading}
              dataSource={history.data?.entries ?? []}
              rowKey="seq"
              pagination={false}
              data-testid="audit-history"
              locale={{ emptyText: <Empty description="没有记录" /> }}
              columns={entryColumns()}
            />
          )}
        </Card>
      )}
    </Space>
  );
}

const actionFilters = [
  { value: "", label: "全部操作" },
  { value: "auth.", label: "登录与认证" },
  { value: "authz.denied", label: "拒绝访问" },
  { value: "user.", label: "用户与权限" },
  { value: "token.", label: "接口令牌" },
  { value: "report.", label: "填报与核验" },
  { value: "evidence.", label: "佐证材料" },
  { value: "bundle.", label: "计划导入" },
];

/** The whole log, newest first, filtered by action, actor and time (the audit administrator's). */
function AuditLog({ onRecord }: { onRecord: (entity: string, id: string) => void }) {
  const [filter, setFilter] = useState<{ action: string; actor: string; from: string; to: string }>({ action: "", actor: "", from: "", to: "" });
  const [page, setPage] = useState(1);
  const size = 20;
  const log = useQuery({
    queryKey: ["audit-log", filter, page],
    staleTime: 0,
    queryFn: async () =>
      read(
        api.audit.log.$get({
          query: {
            limit: String(size),
            offset: String((page - 1) * size),
            ...(filter.action ? { action: filter.action } : {}),
            ...(filter.actor ? { actor: filter.actor } : {}),
            ...(filter.from ? { from: new Date(`${filter.from}T00:00:00+08:00`).toISOString() } : {}),
            ...(filter.to ? { to: new Date(`${filter.to}T23:59:59.999+08:00`).toISOString() } : {}),
          },
        }),
      ),
  });
  const set = (k: keyof typeof filter, v: string) => {
    setFilter({ ...filter, [k]: v });
    setPage(1);
  };
  return (
    <Card title="审计日志" size="small">
      <Space wrap style={{ marginBottom: 8 }}>
        <Select style={{ width: 140 }} value={filter.action} onChange={(v) => set("action", v)} options={actionFilters} data-testid="log-action" />
        <Input.Search allowClear placeholder="操作人，如 user:city" style={{ width: 220 }} onSearch={(v) => set("actor", v.trim())} />
        <span>自</span>
        <Input type="date" style={{ width: 150 }} value={filter.from} onChange={(e) => set("from", e.target.value)} />
        <span>至</span>
        <Input type="date" style={{ width: 150 }} value={filter.to} onChange={(e) => set("to", e.target.value)} />
      </Space>
      {log.isError && <Alert type="error" title={errorText(log.error)} />}
      <Table<Entry>
        size="small"
        loading={log.isLoading}
        dataSource={log.data?.entries ?? []}
        rowKey="seq"
        data-testid="audit-log"
        pagination={{ current: page, pageSize: size, total: log.data?.total ?? 0, onChange: setPage, showSizeChanger: false, showTotal: (t) => `共 ${t} 条` }}
        columns={entryColumns(onRecord)}
      />
    </Card>
  );
}

/** Finds a figure by month (and state): its report number opens the history. */
function ReportFinder({ onPick }: { onPick: (id: number) => void }) {
  const plans = usePlans();
  const years = [...new Set((plans.data ?? []).map((p) => p.year))].sort();
  const [period, setPeriod] = useState<string>("");
  const [page, setPage] = useState(1);
  const size = 10;
  const list = useQuery({
    queryKey: ["reports", { audit: true, period, page }],
    enabled: period !== "",
    queryFn: async () => read(api.reports.$get({ query: { period, limit: String(size), offset: String((page - 1) * size) } })),
  });
  return (
    <div style={{ marginTop: 16 }}>
      <Space style={{ marginBottom: 8 }}>
        <span>按月份查找填报数据</span>
        <Select
          style={{ width: 160 }}
          value={period || undefined}
          placeholder="选择月份"
          onChange={(v) => {
            setPeriod(v);
            setPage(1);
          }}
          options={years.flatMap(monthsOf).map((m) => ({ value: m, label: chineseDate(m) }))}
          data-testid="audit-period"
        />
      </Space>
      {period !== "" && (
        <Table<ReportRow>
          size="small"
          loading={list.isLoading}
          dataSource={list.data?.reports ?? []}
          rowKey="id"
          pagination={{ current: page, pageSize: size, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: "编号", dataIndex: "id", width: 70 },
            { title: "项目 · 指标", render: (_, r) => `${r.project.title} · ${r.indicator.name}`, ellipsis: true },
            { title: "地区", render: (_, r) => r.region.name, width: 100 },
            { title: "上报", align: "right", render: (_, r) => fmt(r.reportedValue), width: 100 },
            { title: "核定", align: "right", render: (_, r) => fmt(r.verifiedValue), width: 100 },
            { title: "状态", render: (_, r) => <Tag color={stateColor[r.state]}>{r.stateLabel}</Tag>, width: 90 },
            { title: "来源", render: (_, r) => (r.source === "import" ? "导入" : "填报"), width: 70 },
            {
              title: "",
              width: 90,
              render: (_, r) => (
                <Button type="link" size="small" onClick={() => onPick(r.id)}>
                  查看历史
                </Button>
              ),
            },
          ]}
        />
      )}
    </div>
  );
}
