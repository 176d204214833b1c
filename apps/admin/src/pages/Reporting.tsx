import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Drawer, Empty, Form, Input, InputNumber, Select, Space, Spin, Statistic, Table, Tag, Typography, Upload, message } from "antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { chineseDate, periodYear } from "@minsheng/domain/calendar";
import { reportStateLabel } from "@minsheng/domain/labels";
import { api, currentPeriod, errorText, problemsToFields, read, sections } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import EvidenceList from "../EvidenceList";
import { chinaToday, defaultPeriod, fmt, monthsOf, type ReportRow, stateColor, type Task, uploadEvidence, useReport } from "../reports";

/**
 * What the editor works on: one indicator × region for the month, with or without a report yet
 * (a row of the page, from a task or a report: the parts both answers share, typed from them).
 */
type Target = Pick<Task, "indicator" | "project" | "region" | "previous"> & { target: Task["target"] | null; reportId: number | null };

const fromTask = (t: Task): Target => ({ indicator: t.indicator, project: t.project, region: t.region, target: t.target, previous: t.previous, reportId: t.report?.id ?? null });
const fromReport = (r: ReportRow): Target => ({ indicator: r.indicator, project: r.project, region: r.region, target: null, previous: r.previous, reportId: r.id });

interface Values {
  value: number | null;
  narrative?: string;
  fallReason?: string;
}
const FIELDS = ["value", "narrative", "fallReason", "indicator", "region", "period"];

/** 填报: this month's tasks (what is due, what is missing), the reports made, and the editor. */
export default function Reporting() {
  const [params, setParams] = useSearchParams();
  const plans = usePlans();
  const years = useMemo(() => [...new Set((plans.data ?? []).map((p) => p.year))].sort(), [plans.data]);
  const period = params.get("period") ?? (plans.data ? defaultPeriod(years) : null);
  const year = periodYear(period ?? "") || periodYear(currentPeriod());
  const [editing, setEditing] = useState<Target | null>(null);
  const [filter, setFilter] = useState("");
  // Messages live here, not in the drawer: "已提交" must outlive the drawer it closes.
  const [notice, noticeHolder] = message.useMessage();

  const tasks = useQuery({
    queryKey: ["report-tasks", period],
    enabled: !!period,
    queryFn: async () => read(api.reports.tasks.$get({ query: { period: period! } })),
  });
  const reports = useQuery({
    queryKey: ["reports", { period }],
    enabled: !!period,
    queryFn: async () => read(api.reports.$get({ query: { period: period!, limit: "1000", offset: "0" } })),
  });
  const made = (reports.data?.reports ?? []).filter((r) => r.source === "report");
  const shownTasks = (tasks.data?.tasks ?? []).filter((t) => !filter || `${t.project.title} ${t.indicator.name} ${t.unit.name} ${t.region.name}`.includes(filter));
  const overdue = tasks.data ? chinaToday() > tasks.data.deadline : false;

  if (plans.isLoading || !period) return <Spin />;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      {noticeHolder}
      <Card size="small">
        <Space wrap size="large">
          <Space>
            <span>填报月份</span>
            <Select
              style={{ width: 140 }}
              value={period}
              data-testid="report-period"
              onChange={(v) => setParams({ period: v }, { replace: true })}
              options={[...new Set([...years, year])].flatMap((y) => monthsOf(y)).map((m) => ({ value: m, label: chineseDate(m) }))}
            />
          </Space>
          {tasks.data && (
            <>
              <Statistic title="待填报 / 待重报" value={tasks.data.tasks.length} suffix="项" styles={{ content: { fontSize: 20, color: tasks.data.tasks.length ? "#cf1322" : "#389e0d" } }} />
              <Statistic title="已提交" value={made.filter((r) => r.state !== "draft" && r.state !== "returned").length} suffix="项" styles={{ content: { fontSize: 20 } }} />
              <Space>
                <span>截止日期</span>
                <Tag color={overdue ? "red" : "blue"} data-testid="deadline">
                  {tasks.data.deadline}
                  {overdue ? "（已逾期）" : ""}
                </Tag>
              </Space>
            </>
          )}
        </Space>
      </Card>
      {tasks.isError && <Alert type="error" title={errorText(tasks.error)} />}
      <Card
        title={`${chineseDate(period)} 待填报任务`}
        size="small"
        extra={<Input.Search allowClear placeholder="按项目、指标或单位筛选" style={{ width: 260 }} onSearch={(v) => setFilter(v.trim())} data-testid="task-filter" />}
      >
        <Table<Task>
          size="small"
          loading={tasks.isLoading}
          dataSource={shownTasks}
          rowKey={(t) => `${t.indicator.id}:${t.region.code}`}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="tasks"
          locale={{ emptyText: <Empty description="本月没有待填报的任务" /> }}
          columns={[
            { title: "项目", render: (_, t) => t.project.title, ellipsis: true },
            { title: "指标", render: (_, t) => `${t.indicator.name}（${t.indicator.unit}）` },
            { title: "地区", render: (_, t) => t.region.name, width: 100 },
            { title: "牵头单位", render: (_, t) => t.unit.name, width: 120, ellipsis: true },
            { title: "全年目标", align: "right", render: (_, t) => fmt(t.target), width: 100 },
            { title: "上月核定累计", align: "right", render: (_, t) => (t.previous ? `${fmt(t.previous.value)}（${t.previous.period}）` : "—"), width: 150 },
            {
              title: "状态",
              width: 90,
              render: (_, t) => (t.report ? <Tag color={stateColor[t.report.state]}>{reportStateLabel[t.report.state === "returned" ? "returned" : "draft"]}</Tag> : <Tag>未填报</Tag>),
            },
            {
              title: "操作",
              width: 90,
              render: (_, t) => (
                <Button type="link" size="small" onClick={() => setEditing(fromTask(t))} data-testid={`fill-${t.indicator.id}-${t.region.code}`}>
                  {t.report ? "继续填报" : "填报"}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card title="本月填报记录" size="small">
        <Table<ReportRow>
          size="small"
          loading={reports.isLoading}
          dataSource={made}
          rowKey="id"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="my-reports"
          columns={[
            { title: "指标", render: (_, r) => `${r.project.title} · ${r.indicator.name}`, ellipsis: true },
            { title: "地区", render: (_, r) => r.region.name, width: 100 },
            { title: "上报累计", align: "right", render: (_, r) => `${fmt(r.reportedValue)} ${r.indicator.unit}`, width: 120 },
            { title: "核定累计", align: "right", render: (_, r) => (r.verifiedValue === null ? "—" : `${fmt(r.verifiedValue)} ${r.indicator.unit}`), width: 120 },
            { title: "状态", render: (_, r) => <Tag color={stateColor[r.state]}>{r.stateLabel}</Tag>, width: 90 },
            { title: "环比", render: (_, r) => (r.fall ? <Tag color="volcano">环比下降</Tag> : null), width: 90 },
            { title: "佐证", dataIndex: "evidenceCount", width: 60, align: "right" },
            {
              title: "操作",
              width: 80,
              render: (_, r) => (
                <Button type="link" size="small" onClick={() => setEditing(fromReport(r))}>
                  {r.state === "draft" || r.state === "returned" ? "编辑" : "查看"}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {editing && <ReportEditor key={`${editing.indicator.id}:${editing.region.code}:${period}`} target={editing} period={period} notify={(t) => notice.success(t)} onClose={() => setEditing(null)} />}
    </Space>
  );
}

/** The drawer for one figure: cumulative value, 进展情况, the fall reason when needed, evidence, save and submit. */
function ReportEditor({ target, period, notify, onClose }: { target: Target; period: string; notify: (text: string) => void; onClose: () => void }) {
  const me = useSignedIn();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [reportId, setReportId] = useState<number | null>(target.reportId);
  const report = useReport(reportId);
  const r = report.data;
  const editable = !r || r.state === "draft" || r.state === "returned";
  const [busy, setBusy] = useState<"save" | "submit" | null>(null);
  // Files dropped together or one after another upload one at a time: the first may create the draft.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [uploading, setUploading] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [fallAsked, setFallAsked] = useState(false);
  const value = Form.useWatch("value", form);
  const previous = r?.previous ?? target.previous;
  const falls = previous !== null && typeof value === "number" && value < previous.value;
  const milestone = target.indicator.kind === "milestone";
  const canAudit = sections.some((s) => s.key === "audit" && s.allow(me.role));

  // Fill the form from the saved report once it is read (and after each save).
  useEffect(() => {
    if (r) form.setFieldsValue({ value: r.reportedValue, narrative: r.narrative, fallReason: r.fallReason ?? undefined });
    if (r?.fallReason) setFallAsked(true);
  }, [r?.id, r?.version]); // eslint-disable-line react-hooks/exhaustive-deps

  const refresh = async (id: number) => {
    await Promise.all([
      qc.invalidateQueries({ queryKey: ["report", id] }),
      qc.invalidateQueries({ queryKey: ["report-tasks"] }),
      qc.invalidateQueries({ queryKey: ["reports"] }),
    ]);
  };

  /** Shows the API's problems at their fields; the rest above the buttons. */
  const fail = (e: unknown) => {
    if (e && typeof e === "object" && "errorFields" in e) return; // antd already marked the fields
    const { fields, rest } = problemsToFields(e, FIELDS);
    if (fields.some((f) => f.name === "fallReason")) setFallAsked(true);
    // The field may only now be rendered: set its error on the next tick.
    setTimeout(() => form.setFields(fields.map((f) => ({ name: f.name as keyof Values, errors: f.errors }))), 0);
    setError(rest.length ? rest.join("；") : fields.length ? null : errorText(e));
  };

  /** PUT /reports: creates or updates the draft; answers the saved report. */
  const save = async () => {
    const v = await form.validateFields();
    const saved = await read(
      api.reports.$put({
        json: {
          indicator: target.indicator.id,
          region: target.region.code,
          period,
          value: v.value ?? 0,
          narrative: v.narrative ?? "",
          ...(v.fallReason ? { fallReason: v.fallReason } : {}),
          ...(r ? { version: r.version } : {}),
        },
      }),
    );
    setReportId(saved.id);
    await refresh(saved.id);
    return saved;
  };

  const run = async (what: "save" | "submit") => {
    setBusy(what);
    setError(null);
    try {
      const saved = await save();
      if (what === "save") {
        notify("草稿已保存");
        return;
      }
      const fallReason = form.getFieldValue("fallReason") as string | undefined;
      await read(api.reports[":id"].submit.$post({ param: { id: String(saved.id) }, json: { version: saved.version, ...(fallReason ? { fallReason } : {}) } }));
      await refresh(saved.id);
      notify("已提交核验");
      onClose();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };

  const enqueue = (file: File) => {
    setUploading((n) => n + 1);
    queue.current = queue.current.then(() => upload(file)).finally(() => setUploading((n) => n - 1));
    return queue.current;
  };

  const upload = async (file: File) => {
    setFileError(null);
    try {
      let id = reportId;
      if (id === null) {
        // Evidence hangs on a report: save the draft first.
        try {
          id = (await save()).id;
        } catch (e) {
          fail(e);
          setFileError("请先填写本月累计完成值：上传前会先保存草稿");
          return;
        }
      }
      await uploadEvidence(id, file);
      await refresh(id);
      notify(`已上传 ${file.name}`);
    } catch (e) {
      setFileError(errorText(e));
    }
  };

  const remove = async (evidenceId: string) => {
    try {
      await read(api.evidence[":id"].$delete({ param: { id: evidenceId } }));
      if (reportId !== null) await refresh(reportId);
    } catch (e) {
      setFileError(errorText(e));
    }
  };

  return (
    <Drawer open onClose={onClose} size={760} title={`${target.project.title} · ${target.indicator.name}`} data-testid="report-editor" destroyOnHidden>
      <Spin spinning={report.isLoading}>
        <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
          <Descriptions.Item label="地区">{target.region.name}</Descriptions.Item>
          <Descriptions.Item label="月份">{period}</Descriptions.Item>
          <Descriptions.Item label="计量单位">{target.indicator.unit}</Descriptions.Item>
          <Descriptions.Item label="全年目标">{target.target === null ? "—" : fmt(target.target)}</Descriptions.Item>
          <Descriptions.Item label="上月核定累计">{previous ? `${fmt(previous.value)}（${previous.period}）` : "—"}</Descriptions.Item>
          <Descriptions.Item label="状态">{r ? <Tag color={stateColor[r.state]} data-testid="report-state">{r.stateLabel}</Tag> : <Tag>未填报</Tag>}</Descriptions.Item>
          {r && r.verifiedValue !== null && (
            <Descriptions.Item label="核定累计" span={2}>
              {fmt(r.verifiedValue)}
              {r.state === "reduced" && <Typography.Text type="danger">（上报 {fmt(r.reportedValue)}，核减 {fmt(r.reportedValue - r.verifiedValue)}）</Typography.Text>}
            </Descriptions.Item>
          )}
        </Descriptions>
        {r?.state === "returned" && <Alert type="error" showIcon style={{ marginBottom: 16 }} title="核验员已退回，请修改后重新提交" description={r.reviewReason} />}
        {r?.state === "reduced" && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={reportStateLabel.reduced} description={r.reviewReason} />}
        {r && canAudit && (
          <Link to={`/audit?entity=report&id=${r.id}`} style={{ display: "inline-block", marginBottom: 12 }}>
            查看修改历史
          </Link>
        )}
        <Form form={form} layout="vertical" disabled={!editable} onValuesChange={() => setError(null)}>
          <Form.Item
            label={`本月累计完成值（${target.indicator.unit}，全年累计）`}
            name="value"
            rules={[
              { required: true, message: "请填写本月累计完成值" },
              { type: "number", min: 0, message: "累计完成值不能为负数" },
              ...(milestone ? [{ type: "number" as const, max: 100, message: "形象进度为百分比，不能超过 100" }] : []),
            ]}
          >
            <InputNumber style={{ width: 240 }} data-testid="value" />
          </Form.Item>
          {falls && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              data-testid="fall-warning"
              title={`环比下降：本月累计 ${fmt(value as number)} 低于 ${previous!.period} 核定的 ${fmt(previous!.value)}，请说明原因`}
            />
          )}
          <Form.Item label="进展情况" name="narrative" extra="提交核验时必填：本月工作进展、存在问题和下步打算">
            <Input.TextArea rows={4} maxLength={5000} showCount data-testid="narrative" />
          </Form.Item>
          {(falls || fallAsked) && (
            <Form.Item label="下降原因" name="fallReason" rules={falls ? [{ required: true, whitespace: true, min: 2, message: "累计值低于上月核定值，请说明原因（至少 2 个字）" }] : []}>
              <Input.TextArea rows={2} maxLength={2000} data-testid="fall-reason" />
            </Form.Item>
          )}
          <Form.Item label="佐证材料" validateStatus={fileError ? "error" : undefined} help={fileError ?? "图片、PDF、Word、Excel；拖入或点击上传（提交后不能再改）"}>
            <Upload.Dragger
              multiple
              showUploadList={false}
              accept=".jpg,.jpeg,.png,.gif,.webp,.pdf,.doc,.docx,.xls,.xlsx"
              disabled={!editable}
              customRequest={({ file, onSuccess }) => {
                void enqueue(file as File).then(() => onSuccess?.(null));
              }}
              data-testid="evidence-drop"
            >
              <p style={{ margin: "8px 0" }}>{uploading > 0 ? `上传中（${uploading} 个文件）…` : "将佐证材料拖到此处，或点击选择文件"}</p>
            </Upload.Dragger>
          </Form.Item>
        </Form>
        <EvidenceList evidence={r?.evidence ?? []} width={700} onDelete={editable ? (e) => remove(e.id) : undefined} />
        {error && <Alert type="error" showIcon style={{ marginTop: 16 }} title={error} data-testid="editor-error" />}
        {editable && (
          <Space style={{ marginTop: 16 }}>
            <Button onClick={() => run("save")} loading={busy === "save"} disabled={uploading > 0 || (busy !== null && busy !== "save")} data-testid="save-draft">
              保存草稿
            </Button>
            <Button type="primary" onClick={() => run("submit")} loading={busy === "submit"} disabled={uploading > 0 || (busy !== null && busy !== "submit")} data-testid="submit-report">
              提交核验
            </Button>
          </Space>
        )}
      </Spin>
    </Drawer>
  );
}
