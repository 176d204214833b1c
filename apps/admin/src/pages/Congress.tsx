import { candidateSourceLabel, congressLevelLabel, lookbackConclusionLabel, satisfactionLabel } from "@minsheng/domain/labels";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Card, Descriptions, Empty, Form, Input, InputNumber, Modal, Popconfirm, Radio, Select, Space, Steps, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { api, errorText, isStaff, problemsToFields, read } from "../api";
import { useSignedIn } from "../auth";
import { FilterBar, FilterSelect, useUrlFilters } from "../filters";
import { useScopeChoices } from "../maishangtong";

/**
 * 票决与测评: a region's year around its plan (rules 13-15) — 征集 → 初选 → 票决 → 实施 → 测评 → 回头看.
 * Staff run every step; units propose as departments and answer for their projects; observers who
 * are deputies propose, vote and rate on a tablet, and ask at the look-back.
 */

const fetchCandidates = (region: string, year: number) => read(api.candidates.$get({ query: { region, year: String(year) } }));
const fetchVotes = (region: string, year: number) => read(api.votes.$get({ query: { region, year: String(year) } }));
const fetchBallots = (region: string, year: number) => read(api.satisfaction.$get({ query: { region, year: String(year) } }));
const fetchFollowups = (region: string, year: number) => read(api.followups.$get({ query: { region, year: String(year) } }));
const fetchLookbacks = (region: string, year: number) => read(api.lookback.$get({ query: { region, year: String(year) } }));
type CandidateRow = Awaited<ReturnType<typeof fetchCandidates>>["candidates"][number];
type VoteRow = Awaited<ReturnType<typeof fetchVotes>>["votes"][number];
type BallotRow = Awaited<ReturnType<typeof fetchBallots>>["ballots"][number];
type FollowedRow = Awaited<ReturnType<typeof fetchFollowups>>["projects"][number];
type LookbackRow = Awaited<ReturnType<typeof fetchLookbacks>>["lookbacks"][number];

const STEPS = [
  { key: "collect", title: "征集" },
  { key: "screen", title: "初选" },
  { key: "vote", title: "票决" },
  { key: "implement", title: "实施" },
  { key: "rate", title: "测评" },
  { key: "lookback", title: "回头看" },
] as const;
type StepKey = (typeof STEPS)[number]["key"];

const stateColor: Record<string, string> = { pending: "orange", proposed: "blue", adopted: "green", declined: "red", merged: "default", rejected: "default" };

export default function Congress() {
  const me = useSignedIn();
  const scope = useScopeChoices(me);
  const { params, set } = useUrlFilters();
  const thisYear = new Date().getFullYear();
  const region = params.get("region") ?? me.region ?? "430500";
  const year = Number(params.get("year") ?? thisYear + 1) || thisYear + 1;
  const step = (params.get("step") ?? "collect") as StepKey;
  const current = Math.max(0, STEPS.findIndex((s) => s.key === step));
  const years = Array.from({ length: 6 }, (_, i) => thisYear + 1 - i);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <FilterBar>
        {scope.regions.length > 0 && (
          <FilterSelect searchable placeholder="地区" width={200} value={region} options={scope.regions} onChange={(v) => set({ region: v })} testId="congress-region" />
        )}
        <Select value={year} style={{ width: 120 }} onChange={(v: number) => set({ year: String(v) })} options={years.map((y) => ({ value: y, label: `${y} 年` }))} data-testid="congress-year" />
        <Typography.Text type="secondary">项目的确定由代表选、进度由代表督、成效由代表评</Typography.Text>
      </FilterBar>
      <Card>
        <Steps current={current} onChange={(i) => set({ step: STEPS[i]!.key })} items={STEPS.map((s) => ({ title: s.title }))} data-testid="congress-steps" />
      </Card>
      {step === "collect" && <Collect region={region} year={year} />}
      {step === "screen" && <Screen region={region} year={year} units={scope.units} />}
      {step === "vote" && <Votes region={region} year={year} />}
      {step === "implement" && <Implement region={region} year={year} />}
      {step === "rate" && <Rate region={region} year={year} />}
      {step === "lookback" && <Lookback region={region} year={year} />}
    </Space>
  );
}

function useCandidates(region: string, year: number) {
  return useQuery({ queryKey: ["candidates", region, year], queryFn: () => fetchCandidates(region, year) });
}
function useVotes(region: string, year: number) {
  return useQuery({ queryKey: ["votes", region, year], queryFn: () => fetchVotes(region, year) });
}

/** Invalidate every list of the page after a change. */
function useDone() {
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  return (text: string) => {
    message.success(text);
    for (const key of ["candidates", "votes", "satisfaction", "lookback"]) void qc.invalidateQueries({ queryKey: [key] });
  };
}

// ---------------------------------------------------------------------------------------------
// 征集: proposals from citizens (码上通), departments and deputies; moderation and merging

function Collect({ region, year }: { region: string; year: number }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const done = useDone();
  const list = useCandidates(region, year);
  const [form] = Form.useForm<{ title: string; description?: string; source: "public" | "department" | "deputy" }>();
  const sources = staff ? (["department", "deputy", "public"] as const) : me.role === "observer" ? (["deputy"] as const) : (["department"] as const);
  const propose = useMutation({
    mutationFn: (v: { title: string; description?: string; source: "public" | "department" | "deputy" }) =>
      read(api.candidates.$post({ json: { year, region, title: v.title, description: v.description ?? "", source: v.source } })),
    onSuccess: () => {
      form.resetFields();
      done("已提交项目建议");
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["title", "description", "source"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  const moderate = useMutation({
    mutationFn: (v: { id: number; decision: "approve" | "reject"; reason?: string }) => read(api.candidates[":id"].moderate.$post({ param: { id: String(v.id) }, json: { decision: v.decision, ...(v.reason ? { reason: v.reason } : {}) } })),
    onSuccess: (_, v) => done(v.decision === "approve" ? "已通过审核，转入初选" : "已标记为不予受理"),
    onError: (e) => message.error(errorText(e)),
  });
  const merge = useMutation({
    mutationFn: (v: { id: number; into: number }) => read(api.candidates[":id"].merge.$post({ param: { id: String(v.id) }, json: { into: v.into } })),
    onSuccess: () => done("已合并"),
    onError: (e) => message.error(errorText(e)),
  });
  const rows = list.data?.candidates ?? [];
  const mergeTargets = rows.filter((c) => c.state === "proposed" || c.state === "adopted");
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card title={`提出 ${year} 年民生实事项目建议`} size="small">
        <Form form={form} layout="inline" initialValues={{ source: sources[0] }} onFinish={(v) => propose.mutate(v)} data-testid="propose-form">
          <Form.Item name="title" rules={[{ required: true, min: 2, message: "请填写项目名称（至少 2 个字）" }]}>
            <Input placeholder="项目名称" style={{ width: 240 }} />
          </Form.Item>
          <Form.Item name="description">
            <Input placeholder="建设内容和地点" style={{ width: 320 }} />
          </Form.Item>
          <Form.Item name="source">
            <Select style={{ width: 120 }} options={sources.map((s) => ({ value: s, label: candidateSourceLabel[s] }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={propose.isPending}>
            提交
          </Button>
        </Form>
      </Card>
      {list.isError && <Alert type="error" title={errorText(list.error)} />}
      <Card title="项目建议清单" size="small">
        <Table<CandidateRow>
          size="small"
          rowKey="id"
          loading={list.isFetching}
          dataSource={rows}
          data-testid="candidates"
          pagination={{ pageSize: 20, showTotal: (t) => `共 ${t} 条` }}
          columns={[
            { title: "编号", dataIndex: "id", width: 64 },
            { title: "项目", dataIndex: "title", render: (t: string, c) => <Space orientation="vertical" size={0}><span>{t}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.description}</Typography.Text></Space> },
            { title: "地区", render: (_: unknown, c) => c.region.name },
            { title: "来源", dataIndex: "sourceLabel", render: (s: string) => <Tag>{s}</Tag> },
            { title: "状态", dataIndex: "state", render: (s: string, c) => <Tag color={stateColor[s]}>{c.stateLabel}{c.mergedInto ? ` → ${c.mergedInto}` : ""}</Tag> },
            { title: "查询码", dataIndex: "ticket", render: (t: string | null) => (t ? <Typography.Text code>{t}</Typography.Text> : null) },
            {
              title: "操作",
              render: (_: unknown, c) =>
                !staff ? null : c.state === "pending" ? (
                  <Space>
                    <a onClick={() => moderate.mutate({ id: c.id, decision: "approve" })}>通过</a>
                    <a onClick={() => Modal.confirm({ title: "不予受理", content: "将标记为不予受理（如广告、无关内容）", onOk: () => moderate.mutateAsync({ id: c.id, decision: "reject", reason: "不属于项目建议" }) })}>不予受理</a>
                  </Space>
                ) : c.state === "proposed" && mergeTargets.length > 1 ? (
                  <Select
                    size="small"
                    placeholder="合并到…"
                    style={{ width: 160 }}
                    options={mergeTargets.filter((t) => t.id !== c.id).map((t) => ({ value: t.id, label: `${t.id} ${t.title}` }))}
                    onChange={(into: number) => merge.mutate({ id: c.id, into })}
                  />
                ) : null,
            },
          ]}
        />
      </Card>
    </Space>
  );
}

// ---------------------------------------------------------------------------------------------
// 初选: feasibility, adopted or declined with a reason

function Screen({ region, year, units }: { region: string; year: number; units: { value: string; label: string }[] }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const done = useDone();
  const list = useCandidates(region, year);
  const [open, setOpen] = useState<CandidateRow | null>(null);
  const [form] = Form.useForm<{ decision: "adopt" | "decline"; reason?: string; cost?: number; funding?: string; leadUnit?: string }>();
  const screen = useMutation({
    mutationFn: (v: { decision: "adopt" | "decline"; reason?: string; cost?: number; funding?: string; leadUnit?: string }) =>
      read(api.candidates[":id"].screen.$post({ param: { id: String(open!.id) }, json: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== "")) as typeof v })),
    onSuccess: (_, v) => {
      setOpen(null);
      form.resetFields();
      done(v.decision === "adopt" ? "已采纳为候选项目" : "已不予采纳，理由将通过查询码告知提出人");
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["decision", "reason", "cost", "funding", "leadUnit"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  const rows = (list.data?.candidates ?? []).filter((c) => c.state === "proposed" || c.state === "adopted" || c.state === "declined");
  return (
    <Card title="政府初选（可行性论证）" size="small">
      <Table<CandidateRow>
        size="small"
        rowKey="id"
        loading={list.isFetching}
        dataSource={rows}
        data-testid="screening"
        pagination={false}
        columns={[
          { title: "编号", dataIndex: "id", width: 64 },
          { title: "项目", dataIndex: "title" },
          { title: "来源", dataIndex: "sourceLabel" },
          { title: "估算投资（万元）", render: (_: unknown, c) => c.screening?.cost ?? "" },
          { title: "资金来源", render: (_: unknown, c) => c.screening?.funding ?? "" },
          { title: "牵头单位", render: (_: unknown, c) => c.screening?.leadUnit?.name ?? "" },
          { title: "结果", render: (_: unknown, c) => <Space><Tag color={stateColor[c.state]}>{c.stateLabel}</Tag>{c.screening?.reason}</Space> },
          { title: "操作", render: (_: unknown, c) => (staff && c.state === "proposed" ? <a onClick={() => setOpen(c)}>初选</a> : null) },
        ]}
      />
      <Modal open={open !== null} title={open ? `初选：${open.title}` : ""} onCancel={() => setOpen(null)} onOk={() => form.submit()} confirmLoading={screen.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ decision: "adopt" }} onFinish={(v) => screen.mutate(v)}>
          <Form.Item name="decision" label="初选结果">
            <Radio.Group options={[{ value: "adopt", label: "采纳为候选项目" }, { value: "decline", label: "不予采纳" }]} />
          </Form.Item>
          <Form.Item name="cost" label="估算投资（万元）">
            <InputNumber min={0} style={{ width: "100%" }} />
          </Form.Item>
          <Form.Item name="funding" label="资金来源">
            <Input />
          </Form.Item>
          <Form.Item name="leadUnit" label="牵头单位">
            <Select allowClear showSearch optionFilterProp="label" options={units} />
          </Form.Item>
          <Form.Item name="reason" label="理由（不予采纳时必填，提出人凭查询码可见）">
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// 票决: sessions, the tellers' counts or the deputies' tablets, the result, publication, the plan

function Votes({ region, year }: { region: string; year: number }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const done = useDone();
  const votes = useVotes(region, year);
  const candidates = useCandidates(region, year);
  const adopted = (candidates.data?.candidates ?? []).filter((c) => c.state === "adopted" && c.region.code === region);
  const [form] = Form.useForm<{ level: "province" | "city" | "county" | "township"; date: string; entitled: number; present: number; seats: number; candidates: number[] }>();
  const create = useMutation({
    mutationFn: (v: { level: "province" | "city" | "county" | "township"; date: string; entitled: number; present: number; seats: number; candidates: number[] }) => read(api.votes.$post({ json: { region, ...v } })),
    onSuccess: () => {
      form.resetFields();
      done("已发起票决");
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["level", "date", "entitled", "present", "seats", "candidates"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      {staff && (
        <Card title="发起票决（人民代表大会）" size="small">
          <Form form={form} layout="inline" initialValues={{ level: "city" }} onFinish={(v) => create.mutate(v)} data-testid="vote-form">
            <Form.Item name="level" label="层级">
              <Select style={{ width: 140 }} options={Object.entries(congressLevelLabel).map(([value, label]) => ({ value, label }))} />
            </Form.Item>
            <Form.Item name="date" label="日期" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: "YYYY-MM-DD" }]}>
              <Input placeholder={`${year}-01-10`} style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="entitled" label="应到" rules={[{ required: true }]}>
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item name="present" label="实到" rules={[{ required: true }]}>
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item name="seats" label="应选" rules={[{ required: true }]}>
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item name="candidates" label="候选项目" rules={[{ required: true }]}>
              <Select mode="multiple" style={{ minWidth: 320 }} options={adopted.map((c) => ({ value: c.id, label: c.title }))} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              发起
            </Button>
          </Form>
        </Card>
      )}
      {votes.isError && <Alert type="error" title={errorText(votes.error)} />}
      {(votes.data?.votes ?? []).length === 0 && !votes.isFetching && <Card><Empty description="本年度尚无票决" /></Card>}
      {(votes.data?.votes ?? []).map((v) => (
        <VoteCard key={v.id} vote={v} staff={staff} deputy={me.role === "observer"} />
      ))}
    </Space>
  );
}

function VoteCard({ vote, staff, deputy }: { vote: VoteRow; staff: boolean; deputy: boolean }) {
  const { message } = AntApp.useApp();
  const done = useDone();
  const [tallying, setTallying] = useState(false);
  const [voting, setVoting] = useState(false);
  const [counts, setCounts] = useState<Record<number, { for: number; against: number; abstain: number }>>({});
  const [choices, setChoices] = useState<Record<number, "for" | "against" | "abstain">>({});
  const id = { param: { id: String(vote.id) } };
  const tally = useMutation({
    mutationFn: () => read(api.votes[":id"].tally.$post({ ...id, json: { counts: vote.candidates.map((c) => ({ candidate: c.id, ...(counts[c.id] ?? { for: 0, against: 0, abstain: 0 }) })) } })),
    onSuccess: () => (setTallying(false), done("已录入票数")),
    onError: (e) => message.error(errorText(e)),
  });
  const ballot = useMutation({
    mutationFn: () => read(api.votes[":id"].ballots.$post({ ...id, json: { choices: vote.candidates.map((c) => ({ candidate: c.id, choice: choices[c.id] ?? "abstain" })) } })),
    onSuccess: () => (setVoting(false), done("投票成功")),
    onError: (e) => message.error(errorText(e)),
  });
  const publish = useMutation({ mutationFn: () => read(api.votes[":id"].publish.$post(id)), onSuccess: () => done("结果已公布并冻结"), onError: (e) => message.error(errorText(e)) });
  const plan = useMutation({
    mutationFn: () => read(api.votes[":id"].plan.$post(id)),
    onSuccess: (r) => done(`已纳入计划 ${r.plan}：新增 ${r.items.length} 项实事${r.created ? "（新建计划）" : ""}`),
    onError: (e) => message.error(errorText(e)),
  });
  const r = vote.result;
  const rows = vote.candidates.map((c) => ({ ...c, ...(r.candidates.find((x) => x.id === c.id) ?? { for: 0, against: 0, abstain: 0, carried: false }), elected: r.elected.includes(c.id), runoff: r.runoff.includes(c.id) }));
  const set = (cid: number, k: "for" | "against" | "abstain", n: number | null) => setCounts((s) => ({ ...s, [cid]: { ...(s[cid] ?? { for: 0, against: 0, abstain: 0 }), [k]: n ?? 0 } }));
  return (
    <Card
      size="small"
      data-testid={`vote-${vote.id}`}
      title={`${vote.date} ${congressLevelLabel[vote.level]}票决`}
      extra={
        <Space>
          {vote.frozenAt ? <Tag color="green">已公布</Tag> : <Tag>未公布</Tag>}
          {!r.valid && <Tag color="red">出席不足三分之二，票决无效</Tag>}
          {staff && !vote.frozenAt && vote.method !== "ballots" && <Button size="small" onClick={() => setTallying(true)}>录入票数</Button>}
          {deputy && !vote.frozenAt && vote.method !== "counts" && <Button size="small" onClick={() => setVoting(true)}>投票</Button>}
          {staff && !vote.frozenAt && vote.method && (
            <Popconfirm title="公布后结果冻结，不能再更改" onConfirm={() => publish.mutate()}>
              <Button size="small" type="primary">公布结果</Button>
            </Popconfirm>
          )}
          {staff && vote.frozenAt && !vote.plan && r.elected.length > 0 && (
            <Button size="small" type="primary" loading={plan.isPending} onClick={() => plan.mutate()} data-testid="into-plan">
              一键纳入计划
            </Button>
          )}
          {vote.plan && <Tag color="blue">已纳入计划 {vote.plan}</Tag>}
        </Space>
      }
    >
      <Descriptions size="small" column={4} items={[
        { key: "e", label: "应到代表", children: vote.entitled },
        { key: "p", label: "实到代表", children: vote.present },
        { key: "s", label: "应选项目", children: vote.seats },
        { key: "m", label: "计票方式", children: vote.method === "counts" ? "计票员录入" : vote.method === "ballots" ? "代表逐人投票" : "未计票" },
      ]} />
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={rows}
        columns={[
          { title: "候选项目", dataIndex: "title" },
          { title: "牵头单位", render: (_: unknown, c) => c.leadUnit?.name ?? "" },
          { title: "赞成", dataIndex: "for" },
          { title: "反对", dataIndex: "against" },
          { title: "弃权", dataIndex: "abstain" },
          { title: "过半数", render: (_: unknown, c) => (c.carried ? <Tag color="green">通过</Tag> : <Tag>未过半</Tag>) },
          { title: "结果", render: (_: unknown, c) => (c.elected ? <Tag color="blue">当选</Tag> : c.runoff ? <Tag color="orange">末位同票，须另行表决</Tag> : null) },
        ]}
      />
      <Modal open={tallying} title="录入票数（纸质选票）" onCancel={() => setTallying(false)} onOk={() => tally.mutate()} confirmLoading={tally.isPending} width={640} destroyOnHidden>
        <Typography.Paragraph type="secondary">每个项目的赞成、反对、弃权合计不能超过实到代表 {vote.present} 人。</Typography.Paragraph>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={vote.candidates}
          columns={[
            { title: "候选项目", dataIndex: "title" },
            ...(["for", "against", "abstain"] as const).map((k) => ({
              title: { for: "赞成", against: "反对", abstain: "弃权" }[k],
              render: (_: unknown, c: VoteRow["candidates"][number]) => <InputNumber min={0} max={vote.present} value={counts[c.id]?.[k] ?? 0} onChange={(n) => set(c.id, k, n)} data-testid={`count-${c.id}-${k}`} />,
            })),
          ]}
        />
      </Modal>
      <Modal open={voting} title="代表投票（每人一次，无记名）" onCancel={() => setVoting(false)} onOk={() => ballot.mutate()} confirmLoading={ballot.isPending} destroyOnHidden>
        {vote.candidates.map((c) => (
          <div key={c.id} style={{ marginBottom: 8 }}>
            <div>{c.title}</div>
            <Radio.Group value={choices[c.id]} onChange={(e) => setChoices((s) => ({ ...s, [c.id]: e.target.value as "for" | "against" | "abstain" }))} options={[{ value: "for", label: "赞成" }, { value: "against", label: "反对" }, { value: "abstain", label: "弃权" }]} />
          </div>
        ))}
      </Modal>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// 实施: the elected projects in the plan, followed through the year — deputies ask, the lead unit answers

function Implement({ region, year }: { region: string; year: number }) {
  const list = useQuery({ queryKey: ["followups", region, year], queryFn: () => fetchFollowups(region, year) });
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Alert type="info" title="当选项目纳入年度计划后，在“计划管理”中设置指标与目标，由牵头单位按月填报进度；代表在此向牵头单位提问，单位答复。" />
      {list.isError && <Alert type="error" title={errorText(list.error)} />}
      {(list.data?.projects ?? []).length === 0 && !list.isFetching && <Card><Empty description="尚无纳入计划的票决项目" /></Card>}
      {(list.data?.projects ?? []).map((f) => (
        <FollowupCard key={f.project} followed={f} />
      ))}
    </Space>
  );
}

function FollowupCard({ followed }: { followed: FollowedRow }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const qc = useQueryClient();
  const [question, setQuestion] = useState("");
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const done = (text: string) => (message.success(text), void qc.invalidateQueries({ queryKey: ["followups"] }));
  const ask = useMutation({ mutationFn: () => read(api.followups.$post({ json: { project: followed.project, question } })), onSuccess: () => (setQuestion(""), done("已提问")), onError: (e) => message.error(errorText(e)) });
  const answer = useMutation({
    mutationFn: (id: number) => read(api.followups[":id"].answer.$post({ param: { id: String(id) }, json: { answer: answers[id] ?? "" } })),
    onSuccess: () => done("已答复"),
    onError: (e) => message.error(errorText(e)),
  });
  const mayAnswer = staff || (me.role === "reporter" && (me.unit === null || me.unit === followed.leadUnit.id));
  return (
    <Card size="small" title={`${followed.title}（${followed.leadUnit.name}）`} extra={followed.plan && <Tag color="blue">计划 {followed.plan} · 项目 {followed.project}</Tag>}>
      {followed.questions.length === 0 && <Typography.Text type="secondary">暂无代表提问</Typography.Text>}
      {followed.questions.map((q) => (
        <div key={q.id} style={{ margin: "8px 0" }}>
          <Typography.Text strong>问：</Typography.Text>
          {q.question}
          <br />
          <Typography.Text strong>答：</Typography.Text>
          {q.answer ??
            (mayAnswer ? (
              <Space.Compact style={{ width: 420 }}>
                <Input value={answers[q.id] ?? ""} onChange={(e) => setAnswers((s) => ({ ...s, [q.id]: e.target.value }))} placeholder="单位答复" />
                <Button onClick={() => answer.mutate(q.id)}>答复</Button>
              </Space.Compact>
            ) : (
              <Typography.Text type="secondary">待答复</Typography.Text>
            ))}
        </div>
      ))}
      {(staff || me.role === "observer") && (
        <Space.Compact style={{ width: 480, marginTop: 8 }}>
          <Input value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="代表向牵头单位提问" />
          <Button onClick={() => ask.mutate()} disabled={question.trim().length < 2}>
            提问
          </Button>
        </Space.Compact>
      )}
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// 测评: the deputies' satisfaction ballot (rule 14)

function Rate({ region, year }: { region: string; year: number }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const done = useDone();
  const ballots = useQuery({ queryKey: ["satisfaction", region, year], queryFn: () => fetchBallots(region, year) });
  const votes = useVotes(region, year);
  const projects = (votes.data?.votes ?? []).flatMap((v) => v.candidates.filter((c) => c.project !== null).map((c) => ({ value: c.project!, label: c.title })));
  const [form] = Form.useForm<{ date: string; projects: string[] }>();
  const create = useMutation({
    mutationFn: (v: { date: string; projects: string[] }) => read(api.satisfaction.$post({ json: { region, year, ...v } })),
    onSuccess: () => (form.resetFields(), done("已发起满意度测评")),
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["date", "projects"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      {staff && (
        <Card title="发起满意度测评（年底，代表逐项测评）" size="small">
          <Form form={form} layout="inline" onFinish={(v) => create.mutate(v)}>
            <Form.Item name="date" label="日期" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: "YYYY-MM-DD" }]}>
              <Input placeholder={`${year}-12-20`} style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="projects" label="测评项目" rules={[{ required: true }]}>
              <Select mode="multiple" style={{ minWidth: 320 }} options={projects} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              发起
            </Button>
          </Form>
        </Card>
      )}
      {ballots.isError && <Alert type="error" title={errorText(ballots.error)} />}
      {(ballots.data?.ballots ?? []).map((b) => (
        <BallotCard key={b.id} ballot={b} staff={staff} deputy={me.role === "observer"} />
      ))}
    </Space>
  );
}

function BallotCard({ ballot, staff, deputy }: { ballot: BallotRow; staff: boolean; deputy: boolean }) {
  const { message } = AntApp.useApp();
  const done = useDone();
  const id = { param: { id: String(ballot.id) } };
  const [entering, setEntering] = useState(false);
  const [rating, setRating] = useState(false);
  const [counts, setCounts] = useState<Record<string, { satisfied: number; basically_satisfied: number; dissatisfied: number }>>({});
  const [ratings, setRatings] = useState<Record<string, "satisfied" | "basically_satisfied" | "dissatisfied">>({});
  const enter = useMutation({
    mutationFn: () => read(api.satisfaction[":id"].counts.$post({ ...id, json: { counts: ballot.projects.map((p) => ({ project: p.project, ...(counts[p.project] ?? { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 }) })) } })),
    onSuccess: () => (setEntering(false), done("已录入测评票数")),
    onError: (e) => message.error(errorText(e)),
  });
  const rate = useMutation({
    mutationFn: () => read(api.satisfaction[":id"].ballots.$post({ ...id, json: { ratings: ballot.projects.map((p) => ({ project: p.project, rating: ratings[p.project] ?? "satisfied" })) } })),
    onSuccess: () => (setRating(false), done("测评成功")),
    onError: (e) => message.error(errorText(e)),
  });
  const publish = useMutation({ mutationFn: () => read(api.satisfaction[":id"].publish.$post(id)), onSuccess: () => done("测评结果已公布"), onError: (e) => message.error(errorText(e)) });
  const set = (project: string, k: "satisfied" | "basically_satisfied" | "dissatisfied", n: number | null) =>
    setCounts((s) => ({ ...s, [project]: { ...(s[project] ?? { satisfied: 0, basically_satisfied: 0, dissatisfied: 0 }), [k]: n ?? 0 } }));
  return (
    <Card
      size="small"
      title={`${ballot.date} 满意度测评`}
      data-testid={`ballot-${ballot.id}`}
      extra={
        <Space>
          {ballot.frozenAt ? <Tag color="green">已公布</Tag> : <Tag>未公布</Tag>}
          {staff && !ballot.frozenAt && ballot.method !== "ballots" && <Button size="small" onClick={() => setEntering(true)}>录入票数</Button>}
          {deputy && !ballot.frozenAt && ballot.method !== "counts" && <Button size="small" onClick={() => setRating(true)}>测评</Button>}
          {staff && !ballot.frozenAt && ballot.method && (
            <Popconfirm title="公布后结果冻结，并在码上通和通报中公开" onConfirm={() => publish.mutate()}>
              <Button size="small" type="primary">公布结果</Button>
            </Popconfirm>
          )}
        </Space>
      }
    >
      <Table
        size="small"
        rowKey="project"
        pagination={false}
        dataSource={ballot.projects}
        columns={[
          { title: "项目", dataIndex: "title" },
          { title: "牵头单位", render: (_: unknown, p) => p.leadUnit.name },
          { title: satisfactionLabel.satisfied, dataIndex: "satisfied" },
          { title: satisfactionLabel.basically_satisfied, dataIndex: "basically_satisfied" },
          { title: satisfactionLabel.dissatisfied, dataIndex: "dissatisfied" },
          { title: "有效票", dataIndex: "total" },
          { title: "满意率", render: (_: unknown, p) => (p.satisfactionRate === null ? "—" : `${p.satisfactionRate.toFixed(2)}%`) },
          { title: "", render: (_: unknown, p) => (p.flagged ? <Tag color="red">不满意超过半数，须整改</Tag> : null) },
        ]}
      />
      <Modal open={entering} title="录入测评票数" onCancel={() => setEntering(false)} onOk={() => enter.mutate()} confirmLoading={enter.isPending} width={680} destroyOnHidden>
        <Table
          size="small"
          rowKey="project"
          pagination={false}
          dataSource={ballot.projects}
          columns={[
            { title: "项目", dataIndex: "title" },
            ...(["satisfied", "basically_satisfied", "dissatisfied"] as const).map((k) => ({
              title: satisfactionLabel[k],
              render: (_: unknown, p: BallotRow["projects"][number]) => <InputNumber min={0} value={counts[p.project]?.[k] ?? 0} onChange={(n) => set(p.project, k, n)} />,
            })),
          ]}
        />
      </Modal>
      <Modal open={rating} title="代表测评（每人一次，无记名）" onCancel={() => setRating(false)} onOk={() => rate.mutate()} confirmLoading={rate.isPending} destroyOnHidden>
        {ballot.projects.map((p) => (
          <div key={p.project} style={{ marginBottom: 8 }}>
            <div>{p.title}</div>
            <Radio.Group value={ratings[p.project]} onChange={(e) => setRatings((s) => ({ ...s, [p.project]: e.target.value as "satisfied" | "basically_satisfied" | "dissatisfied" }))} options={(["satisfied", "basically_satisfied", "dissatisfied"] as const).map((k) => ({ value: k, label: satisfactionLabel[k] }))} />
          </div>
        ))}
      </Modal>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// 回头看: last year's projects — the unit's assessment, deputies' questions, answers, the conclusion

function Lookback({ region, year }: { region: string; year: number }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const done = useDone();
  const list = useQuery({ queryKey: ["lookback", region, year], queryFn: () => fetchLookbacks(region, year) });
  const votes = useVotes(region, year);
  const projects = (votes.data?.votes ?? []).flatMap((v) => v.candidates.filter((c) => c.project !== null).map((c) => ({ value: c.project!, label: c.title })));
  const [form] = Form.useForm<{ project: string; assessment: string }>();
  const open = useMutation({
    mutationFn: (v: { project: string; assessment: string }) => read(api.lookback.$post({ json: v })),
    onSuccess: () => (form.resetFields(), done("已提交成效评估")),
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["project", "assessment"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      {(staff || me.role === "reporter") && (
        <Card title={`回头看：${year} 年项目成效评估（次年 3—4 月）`} size="small">
          <Form form={form} layout="inline" onFinish={(v) => open.mutate(v)}>
            <Form.Item name="project" label="项目" rules={[{ required: true }]}>
              <Select style={{ minWidth: 240 }} options={projects} showSearch optionFilterProp="label" />
            </Form.Item>
            <Form.Item name="assessment" label="成效评估" rules={[{ required: true, min: 2 }]}>
              <Input.TextArea rows={1} style={{ width: 360 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={open.isPending}>
              提交
            </Button>
          </Form>
        </Card>
      )}
      {list.isError && <Alert type="error" title={errorText(list.error)} />}
      {(list.data?.unmet ?? []).length > 0 && (
        <Alert type="warning" title={`未达到预期 ${list.data!.unmet.length} 项`} description={list.data!.unmet.map((l) => `${l.project.title}：${l.followUp ?? ""}`).join("；")} />
      )}
      {(list.data?.lookbacks ?? []).map((l) => (
        <LookbackCard key={l.id} record={l} />
      ))}
    </Space>
  );
}

function LookbackCard({ record }: { record: LookbackRow }) {
  const me = useSignedIn();
  const staff = isStaff(me.role);
  const { message } = AntApp.useApp();
  const done = useDone();
  const [question, setQuestion] = useState("");
  const [answers, setAnswers] = useState<Record<number, string>>({});
  const [conclusion, setConclusion] = useState<"met" | "mostly_met" | "not_met">("met");
  const [followUp, setFollowUp] = useState("");
  const id = { param: { id: String(record.id) } };
  const ask = useMutation({ mutationFn: () => read(api.lookback[":id"].questions.$post({ ...id, json: { question } })), onSuccess: () => (setQuestion(""), done("已提问")), onError: (e) => message.error(errorText(e)) });
  const answer = useMutation({
    mutationFn: (q: number) => read(api.lookback.questions[":id"].answer.$post({ param: { id: String(q) }, json: { answer: answers[q] ?? "" } })),
    onSuccess: () => done("已答复"),
    onError: (e) => message.error(errorText(e)),
  });
  const conclude = useMutation({
    mutationFn: () => read(api.lookback[":id"].conclude.$post({ ...id, json: { conclusion, ...(followUp.trim() ? { followUp: followUp.trim() } : {}) } })),
    onSuccess: () => done("已作出结论"),
    onError: (e) => message.error(errorText(e)),
  });
  const mayAnswer = staff || (me.role === "reporter" && (me.unit === null || me.unit === record.project.leadUnit.id));
  return (
    <Card size="small" title={`${record.project.title}（${record.project.leadUnit.name}）`} extra={record.conclusion ? <Tag color={record.conclusion === "not_met" ? "red" : "green"}>{record.conclusionLabel}</Tag> : <Tag>待结论</Tag>}>
      <Descriptions size="small" column={1} items={[{ key: "a", label: "成效评估", children: record.assessment }, ...(record.followUp ? [{ key: "f", label: "后续整改", children: record.followUp }] : [])]} />
      {record.questions.map((q) => (
        <div key={q.id} style={{ margin: "8px 0" }}>
          <Typography.Text strong>问：</Typography.Text>
          {q.question}
          <br />
          <Typography.Text strong>答：</Typography.Text>
          {q.answer ??
            (mayAnswer && !record.conclusion ? (
              <Space.Compact style={{ width: 420 }}>
                <Input value={answers[q.id] ?? ""} onChange={(e) => setAnswers((s) => ({ ...s, [q.id]: e.target.value }))} placeholder="单位答复" />
                <Button onClick={() => answer.mutate(q.id)}>答复</Button>
              </Space.Compact>
            ) : (
              <Typography.Text type="secondary">待答复</Typography.Text>
            ))}
        </div>
      ))}
      {!record.conclusion && (staff || me.role === "observer") && (
        <Space.Compact style={{ width: 480, marginTop: 8 }}>
          <Input value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="代表提问" />
          <Button onClick={() => ask.mutate()} disabled={question.trim().length < 2}>
            提问
          </Button>
        </Space.Compact>
      )}
      {!record.conclusion && staff && (
        <Space style={{ marginTop: 8, display: "flex" }}>
          <Select value={conclusion} onChange={setConclusion} style={{ width: 140 }} options={(["met", "mostly_met", "not_met"] as const).map((k) => ({ value: k, label: lookbackConclusionLabel[k] }))} />
          <Input value={followUp} onChange={(e) => setFollowUp(e.target.value)} placeholder="后续整改措施（未达到时必填）" style={{ width: 320 }} />
          <Button type="primary" onClick={() => conclude.mutate()}>
            作出结论
          </Button>
        </Space>
      )}
    </Card>
  );
}
