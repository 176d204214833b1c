import { chinaDate } from "@minsheng/domain/calendar";
import { letterKindLabel, OBSERVER_BACKGROUNDS, OBSERVER_GROUPS } from "@minsheng/domain/labels";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Card, DatePicker, Form, Image, Input, Modal, Radio, Segmented, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useState } from "react";
import { api, currentPeriod, errorText, problemsToFields, read } from "../api";
import { useSignedIn } from "../auth";
import { useScopeChoices } from "../maishangtong";
import { type Board, daysLeft, type LetterRow, type ObservationRow, useLetters, useObservations } from "../supervision";
import LetterDrawer, { letterStateColor } from "./LetterDrawer";

const KINDS = ["reminder", "work_notice", "notice", "assignment", "warning"] as const;
type Kind = (typeof KINDS)[number];
interface LetterFields {
  kind: Kind;
  toType: "region" | "unit";
  unit?: string;
  region?: string;
  subject: string;
  body: string;
  dueOn: { format(f: string): string };
}
const letterBody = (v: LetterFields) => ({
  kind: v.kind,
  to: v.toType === "unit" ? { unit: v.unit } : { region: v.region },
  subject: v.subject,
  body: v.body,
  dueOn: v.dueOn.format("YYYY-MM-DD"),
});

/** The fields of a letter (a new one, or one made from a filing). */
function LetterFormItems({ regions, units }: { regions: { value: string; label: string }[]; units: { value: string; label: string }[] }) {
  return (
    <>
      <Form.Item name="kind" label="函件类型" initialValue="work_notice" rules={[{ required: true }]}>
        <Select options={KINDS.map((k) => ({ value: k, label: letterKindLabel[k] }))} data-testid="letter-kind" />
      </Form.Item>
      <Form.Item name="toType" label="主送" initialValue="region">
        <Radio.Group options={[{ value: "region", label: "下级地区专班" }, { value: "unit", label: "责任单位" }]} />
      </Form.Item>
      <Form.Item noStyle shouldUpdate>
        {({ getFieldValue }) =>
          getFieldValue("toType") === "unit" ? (
            <Form.Item name="unit" label="责任单位" rules={[{ required: true, message: "请选择责任单位" }]}>
              <Select showSearch optionFilterProp="label" options={units} data-testid="letter-unit" />
            </Form.Item>
          ) : (
            <Form.Item name="region" label="地区" rules={[{ required: true, message: "请选择地区" }]}>
              <Select showSearch optionFilterProp="label" options={regions} data-testid="letter-region" />
            </Form.Item>
          )
        }
      </Form.Item>
      <Form.Item name="subject" label="标题" rules={[{ required: true, min: 2, message: "请填写标题" }]}>
        <Input data-testid="letter-subject" />
      </Form.Item>
      <Form.Item name="body" label="正文" rules={[{ required: true, min: 2, message: "请填写正文" }]}>
        <Input.TextArea rows={5} data-testid="letter-body" />
      </Form.Item>
      <Form.Item name="dueOn" label="整改期限" rules={[{ required: true, message: "请选择整改期限" }]}>
        <DatePicker data-testid="letter-due" />
      </Form.Item>
    </>
  );
}

/** 督办: the task force's inbox of observers' filings, the letters board and the observers' registry. */
export default function Supervision() {
  const [tab, setTab] = useState("inbox");
  return (
    <Card>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: "inbox", label: "观察信息分办", children: <Inbox /> },
          { key: "letters", label: "督办函件", children: <LettersBoard /> },
          { key: "observers", label: "观察员名册与“四个一”", children: <Observers /> },
        ]}
      />
    </Card>
  );
}

function Inbox() {
  const me = useSignedIn();
  const scope = useScopeChoices(me);
  const [state, setState] = useState<"submitted" | "no_action" | "forwarded" | "letter">("submitted");
  const list = useObservations({ state });
  const [sorting, setSorting] = useState<{ row: ObservationRow; action: "none" | "forward" | "letter" } | null>(null);
  const [letterId, setLetterId] = useState<number | null>(null);
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Segmented
        value={state}
        onChange={(v) => setState(v as typeof state)}
        options={[
          { value: "submitted", label: "待分办" },
          { value: "letter", label: "已发函" },
          { value: "forwarded", label: "已转办" },
          { value: "no_action", label: "不予交办" },
        ]}
        data-testid="inbox-filter"
      />
      {list.isError && <Alert type="error" title={errorText(list.error)} />}
      <Table
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data ?? []}
        pagination={{ pageSize: 20 }}
        data-testid="inbox"
        columns={[
          { title: "报送日期", dataIndex: "filedOn", width: 110 },
          { title: "类型", dataIndex: "kindLabel", width: 100 },
          { title: "观察员", render: (_, r) => r.observer.name, width: 100 },
          { title: "地区 / 项目", render: (_, r) => `${r.regionName}${r.projectTitle ? ` · ${r.projectTitle}` : ""}` },
          {
            title: "内容",
            render: (_, r) => (
              <>
                <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }} style={{ marginBottom: 4 }}>
                  {r.text}
                </Typography.Paragraph>
                {r.card && <div>信息采集卡：{r.card.filter((c) => c.ok === false).map((c) => c.item).join("；") || "各项正常"}</div>}
                <Image.PreviewGroup>
                  {r.photos.map((p) => (
                    <Image key={p.id} src={p.href} width={48} height={48} style={{ objectFit: "cover", marginRight: 4 }} />
                  ))}
                </Image.PreviewGroup>
              </>
            ),
          },
          {
            title: state === "submitted" ? "分办" : "结果",
            width: 220,
            render: (_, r) =>
              r.state === "submitted" ? (
                <Space wrap>
                  <Button size="small" onClick={() => setSorting({ row: r, action: "letter" })} data-testid={`triage-letter-${r.id}`}>
                    发函
                  </Button>
                  <Button size="small" onClick={() => setSorting({ row: r, action: "forward" })}>
                    转办
                  </Button>
                  <Button size="small" onClick={() => setSorting({ row: r, action: "none" })}>
                    不予交办
                  </Button>
                </Space>
              ) : r.outcome.letter ? (
                <a onClick={() => setLetterId(r.outcome.letter!.id)}>
                  {r.outcome.letter.number ?? "草稿"} · {r.outcome.letter.stateLabel}
                </a>
              ) : (
                <span>{r.outcome.to ? `转 ${r.outcome.to.name}` : r.outcome.reason}</span>
              ),
          },
        ]}
      />
      {sorting && <TriageModal row={sorting.row} action={sorting.action} regions={scope.regions.filter((x) => x.value !== me.region)} units={scope.units} onClose={(id) => (setSorting(null), id && setLetterId(id))} />}
      <LetterDrawer id={letterId} onClose={() => setLetterId(null)} />
    </Space>
  );
}

function TriageModal(props: { row: ObservationRow; action: "none" | "forward" | "letter"; regions: { value: string; label: string }[]; units: { value: string; label: string }[]; onClose: (letterId?: number) => void }) {
  const [form] = Form.useForm();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const title = { none: "不予交办", forward: "转责任单位或下级专班", letter: "发函督办（生成草稿）" }[props.action];
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      const json =
        props.action === "none"
          ? { action: "none" as const, reason: v.reason }
          : props.action === "forward"
            ? { action: "forward" as const, reason: v.reason, to: v.toType === "unit" ? { unit: v.unit } : { region: v.region } }
            : { action: "letter" as const, letter: letterBody(v) };
      const res = await read(api.observations[":id"].triage.$post({ param: { id: String(props.row.id) }, json }));
      await qc.invalidateQueries({ queryKey: ["observations"] });
      await qc.invalidateQueries({ queryKey: ["letters"] });
      props.onClose(res.letterId ?? undefined);
    } catch (e) {
      const { fields, rest } = problemsToFields(e, ["reason", "subject", "body", "dueOn"]);
      form.setFields(fields);
      setError(rest.join("；") || null);
    }
  };
  return (
    <Modal open title={title} onOk={submit} onCancel={() => props.onClose()} okText="确定" cancelText="取消" width={640}>
      <Typography.Paragraph type="secondary">{props.row.text}</Typography.Paragraph>
      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ subject: props.row.projectTitle ? `关于${props.row.projectTitle}有关问题的工作提示函` : "", body: `民生实事观察员反映：${props.row.text}\n请认真核实，限期整改，并报送整改情况及佐证材料。` }}>
        {props.action === "letter" ? (
          <LetterFormItems regions={props.regions} units={props.units} />
        ) : (
          <>
            {props.action === "forward" && (
              <>
                <Form.Item name="toType" label="转给" initialValue="unit">
                  <Radio.Group options={[{ value: "unit", label: "责任单位" }, { value: "region", label: "下级地区专班" }]} />
                </Form.Item>
                <Form.Item noStyle shouldUpdate>
                  {({ getFieldValue }) =>
                    getFieldValue("toType") === "unit" ? (
                      <Form.Item name="unit" label="责任单位" rules={[{ required: true }]}>
                        <Select showSearch optionFilterProp="label" options={props.units} />
                      </Form.Item>
                    ) : (
                      <Form.Item name="region" label="地区" rules={[{ required: true }]}>
                        <Select showSearch optionFilterProp="label" options={props.regions} />
                      </Form.Item>
                    )
                  }
                </Form.Item>
              </>
            )}
            <Form.Item name="reason" label={props.action === "none" ? "理由" : "说明"} rules={props.action === "none" ? [{ required: true, min: 2, message: "请填写理由" }] : []}>
              <Input.TextArea rows={3} data-testid="triage-reason" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

const boardLabel: Record<Board, string> = { draft: "草稿", waiting: "待办理", overdue: "已逾期", closed: "已销号" };

export function LettersBoard() {
  const me = useSignedIn();
  const scope = useScopeChoices(me);
  const [board, setBoard] = useState<Board>("waiting");
  const letters = useLetters({ state: board });
  const all = useLetters({});
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const today = chinaDate(Date.now());
  const counts: Record<Board, number> = { draft: 0, waiting: 0, overdue: 0, closed: 0 };
  for (const l of all.data ?? []) {
    if (l.state === "draft") counts.draft++;
    else if (l.state === "accepted") counts.closed++;
    else counts.waiting++;
    if (l.overdue && l.state !== "accepted") counts.overdue++;
  }
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space wrap>
        <Segmented
          value={board}
          onChange={(v) => setBoard(v as Board)}
          options={(Object.keys(boardLabel) as Board[]).map((b) => ({ value: b, label: <span style={{ color: b === "overdue" && counts.overdue ? "#cf1322" : undefined }}>{`${boardLabel[b]}（${counts[b]}）`}</span> }))}
          data-testid="letters-board"
        />
        <Button type="primary" onClick={() => setCreating(true)} data-testid="letter-new">
          起草函件
        </Button>
      </Space>
      {letters.isError && <Alert type="error" title={errorText(letters.error)} />}
      <LetterTable rows={letters.data ?? []} loading={letters.isLoading} today={today} onOpen={setOpen} />
      <LetterDrawer id={open} onClose={() => setOpen(null)} />
      {creating && <NewLetterModal regions={scope.regions.filter((x) => x.value !== me.region)} units={scope.units} onClose={(id) => (setCreating(false), id && setOpen(id))} />}
    </Space>
  );
}

export function LetterTable({ rows, loading, today, onOpen }: { rows: LetterRow[]; loading: boolean; today: string; onOpen: (id: number) => void }) {
  return (
    <Table
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={rows}
      pagination={{ pageSize: 20 }}
      onRow={(r) => ({ onClick: () => onOpen(r.id), style: { cursor: "pointer" } })}
      data-testid="letters"
      columns={[
        { title: "文号", dataIndex: "number", render: (v: string | null) => v ?? <Tag>草稿</Tag>, width: 200 },
        { title: "类型", dataIndex: "kind", render: (k: Kind) => letterKindLabel[k], width: 110 },
        { title: "标题", dataIndex: "subject" },
        { title: "主送", render: (_, r) => r.to.name, width: 160 },
        {
          title: "整改期限",
          width: 170,
          render: (_, r) => {
            const left = daysLeft(r.dueOn, today);
            return (
              <span>
                {r.dueOn}{" "}
                {r.state === "accepted" ? null : r.overdue ? <Tag color="red">逾期 {-left} 天</Tag> : r.state !== "draft" && left <= 3 ? <Tag color="orange">剩 {left} 天</Tag> : null}
              </span>
            );
          },
        },
        { title: "状态", render: (_, r) => <Tag color={letterStateColor[r.state]}>{r.stateLabel}</Tag>, width: 120 },
      ]}
    />
  );
}

function NewLetterModal({ regions, units, onClose }: { regions: { value: string; label: string }[]; units: { value: string; label: string }[]; onClose: (id?: number) => void }) {
  const [form] = Form.useForm();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      const res = await read(api.letters.$post({ json: letterBody(v) }));
      await qc.invalidateQueries({ queryKey: ["letters"] });
      onClose(res.id);
    } catch (e) {
      const { fields, rest } = problemsToFields(e, ["subject", "body", "dueOn", "kind"]);
      form.setFields(fields);
      setError(rest.join("；") || null);
    }
  };
  return (
    <Modal open title="起草督办函件" onOk={submit} onCancel={() => onClose()} okText="保存草稿" cancelText="取消" width={640}>
      {error && <Alert type="error" title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical">
        <LetterFormItems regions={regions} units={units} />
      </Form>
    </Modal>
  );
}

function Observers() {
  const me = useSignedIn();
  const scope = useScopeChoices(me);
  const [period, setPeriod] = useState(currentPeriod());
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const registry = useQuery({ queryKey: ["observers"], queryFn: async () => (await read(api.observers.$get({ query: {} }))).observers });
  const duties = useQuery({ queryKey: ["observer-duties", period], queryFn: async () => (await read(api.observers.duties.$get({ query: { period } }))).observers });
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm();
  const dutyOf = new Map((duties.data ?? []).map((d) => [d.id, d]));
  const months = (m: string[]) => (m.length === 0 ? <Tag color="green">齐全</Tag> : <Tag color="red">缺 {m.map((x) => `${Number(x.slice(5))}月`).join("、")}</Tag>);
  const add = async () => {
    const v = await form.validateFields();
    try {
      await read(api.observers.$post({ json: { ...v, userId: v.userId ? Number(v.userId) : undefined } }));
      message.success("已登记");
      setAdding(false);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ["observers"] });
      await qc.invalidateQueries({ queryKey: ["observer-duties"] });
    } catch (e) {
      const { fields, rest } = problemsToFields(e, ["name", "background", "region", "group", "term", "since", "userId"]);
      form.setFields(fields);
      if (rest.length) message.error(rest.join("；"));
    }
  };
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space>
        <span>截至月份</span>
        <Input style={{ width: 120 }} value={period} onChange={(e) => /^\d{4}-(0[1-9]|1[0-2])$/.test(e.target.value) && setPeriod(e.target.value)} data-testid="duty-period" />
        <Button onClick={() => setAdding(true)}>登记观察员</Button>
        <Typography.Text type="secondary">“四个一”：每月反映 1 条信息、提出 1 条建议；每年参加 1 次专项检查、写出 1 篇调研材料</Typography.Text>
      </Space>
      <Table
        rowKey="id"
        loading={registry.isLoading}
        dataSource={registry.data ?? []}
        pagination={false}
        data-testid="observers"
        columns={[
          { title: "小组", dataIndex: "group", width: 120 },
          { title: "姓名", dataIndex: "name", width: 100 },
          { title: "身份", dataIndex: "background", width: 120 },
          { title: "地区", dataIndex: "regionName", width: 110 },
          { title: "聘期", render: (_, r) => r.term || `${r.since} 起`, width: 150 },
          { title: "账号", dataIndex: "username", render: (v: string | null) => v ?? <Tag>未关联</Tag>, width: 110 },
          { title: "每月信息", render: (_, r) => (dutyOf.get(r.id) ? months(dutyOf.get(r.id)!.missingInformation) : null) },
          { title: "每月建议", render: (_, r) => (dutyOf.get(r.id) ? months(dutyOf.get(r.id)!.missingSuggestion) : null) },
          { title: "年度检查", render: (_, r) => (dutyOf.get(r.id)?.inspectionDue ? <Tag color="orange">未参加</Tag> : <Tag color="green">已参加</Tag>), width: 100 },
          { title: "年度材料", render: (_, r) => (dutyOf.get(r.id)?.reportDue ? <Tag color="orange">未报送</Tag> : <Tag color="green">已报送</Tag>), width: 100 },
          { title: "履职", render: (_, r) => (dutyOf.get(r.id)?.short ? <Tag color="red">未达标</Tag> : <Tag color="green">达标</Tag>), width: 80 },
        ]}
      />
      <Modal open={adding} title="登记观察员" onOk={add} onCancel={() => setAdding(false)} okText="登记" cancelText="取消">
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="姓名" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="background" label="身份" initialValue="人大代表">
            <Select options={OBSERVER_BACKGROUNDS.map((x) => ({ value: x, label: x }))} />
          </Form.Item>
          <Form.Item name="region" label="地区" rules={[{ required: true }]} initialValue={me.region ?? undefined}>
            <Select showSearch optionFilterProp="label" options={scope.regions} />
          </Form.Item>
          <Form.Item name="group" label="小组" rules={[{ required: true }]} initialValue="民生保障组">
            <Select options={OBSERVER_GROUPS.map((x) => ({ value: x, label: x }))} />
          </Form.Item>
          <Form.Item name="since" label="聘任月份（自该月起履行“四个一”）" initialValue={currentPeriod()} rules={[{ pattern: /^\d{4}-(0[1-9]|1[0-2])$/, message: "格式如 2026-06" }]}>
            <Input placeholder="YYYY-MM" />
          </Form.Item>
          <Form.Item name="term" label="聘期">
            <Input placeholder="如 2026年1月—2027年12月" />
          </Form.Item>
          <Form.Item name="userId" label="观察员账号 ID（可选）">
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
