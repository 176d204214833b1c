import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Input, InputNumber, Modal, Popconfirm, Radio, Row, Select, Space, Spin, Table, Tag, Typography } from "antd";
import { lazy, Suspense, useMemo, useState } from "react";
import type { InferResponseType } from "hono/client";
import { useSearchParams } from "react-router";
import { periodYear } from "@minsheng/domain/calendar";
import { planLevelLabel } from "@minsheng/domain/labels";
import { api, currentPeriod, errorText, type Role, read } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import { circled, problemsForForm, scheduleText, suggestId } from "../plan-forms";
import { ScheduleInput, scheduleRule } from "./ScheduleInput";

const TargetsDrawer = lazy(() => import("./TargetsDrawer"));
const BundleImport = lazy(() => import("./BundleImport"));

/** A plan's outline as the editor reads it (GET /plans/:planId/outline), typed from the route. */
type Outline = InferResponseType<(typeof api.plans)[":planId"]["outline"]["$get"], 200>;
type PlanRec = Outline["plan"];
type ItemRec = Outline["items"][number];
type ProjectRec = Outline["projects"][number];
type IndicatorRec = Outline["indicators"][number];

type Kind = "plan" | "item" | "project" | "indicator";
/** What the record modal edits: a new record under `parent`, or an existing one. */
type Editing = { kind: Kind; mode: "create"; parent: string } | { kind: Kind; mode: "edit"; record: PlanRec | ItemRec | ProjectRec | IndicatorRec };

interface TreeRow {
  key: string;
  kind: Exclude<Kind, "plan">;
  label: string;
  detail?: string;
  record: ItemRec | ProjectRec | IndicatorRec;
  children?: TreeRow[];
}

const levelLabel: Readonly<Record<string, string>> = planLevelLabel;
const kindLabel: Record<Kind, string> = { plan: "计划", item: "实事", project: "项目", indicator: "指标" };
const mayEdit = (r: Role) => r === "admin" || r === "staff_province" || r === "staff_city";
const ID_RULES = [
  { required: true, message: "请输入编号" },
  { max: 64, message: "最多 64 个字符" },
  { pattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, message: "只能包含字母、数字和 - _ . :，且以字母或数字开头" },
];
const titleRules = (what: string, max = 200) => [
  { required: true, whitespace: true, message: `请输入${what}` },
  { max, message: `最多 ${max} 个字` },
];

const useOutline = (planId: string | undefined) =>
  useQuery({
    queryKey: ["outline", planId],
    enabled: !!planId,
    queryFn: async () => read(api.plans[":planId"].outline.$get({ param: { planId: planId! } })),
  });

/** 计划管理: plans, items, projects, indicators, targets per region, schedules; bundle import and export. */
export default function Plans() {
  const me = useSignedIn();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const plans = usePlans();
  const planId = params.get("plan") ?? plans.data?.[0]?.id;
  const outline = useOutline(planId);
  const o = outline.data;
  const [editing, setEditing] = useState<Editing | null>(null);
  const [targetsOf, setTargetsOf] = useState<string | null>(null);
  const editable = o?.plan.editable ?? false;

  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ["outline"] });
    await qc.invalidateQueries({ queryKey: ["plans"] });
    await qc.invalidateQueries({ queryKey: ["bundle"] });
    await qc.invalidateQueries({ queryKey: ["progress"] });
  };

  const remove = async (kind: Exclude<Kind, "plan">, r: { id: string; version: number }) => {
    try {
      const args = { param: { id: r.id }, query: { version: String(r.version) } };
      if (kind === "item") await read(api.items[":id"].$delete(args));
      else if (kind === "project") await read(api.projects[":id"].$delete(args));
      else await read(api.indicators[":id"].$delete(args));
      message.success(`已删除${kindLabel[kind]} ${r.id}`);
      await refresh();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const unitName = useMemo(() => new Map((o?.units ?? []).map((u) => [u.id, u.name])), [o]);
  const tree: TreeRow[] = useMemo(() => {
    if (!o) return [];
    return o.items.map((item) => ({
      key: `i:${item.id}`,
      kind: "item" as const,
      label: `${item.no}. ${item.title}`,
      record: item,
      children: o.projects
        .filter((p) => p.item === item.id)
        .map((p) => ({
          key: `p:${p.id}`,
          kind: "project" as const,
          label: `${circled(p.no)} ${p.title}`,
          detail: `牵头单位：${unitName.get(p.leadUnit) ?? p.leadUnit}`,
          record: p,
          children: o.indicators
            .filter((i) => i.project === p.id)
            .map((i) => ({
              key: `x:${i.id}`,
              kind: "indicator" as const,
              label: i.name,
              detail: [`${i.kind === "milestone" ? "形象进度" : "数量"} · ${i.unit} · ${i.aggregation === "mean" ? "取平均" : "求和"}`, i.linkedTo ? `纳入统一调度 ← ${i.linkedTo}` : "", i.schedule ? scheduleText(i.schedule) : ""]
                .filter(Boolean)
                .join(" · "),
              record: i,
            })),
        })),
    }));
  }, [o, unitName]);

  if (plans.isLoading) return <Spin />;
  const planOptions = (plans.data ?? []).map((p) => ({ value: p.id, label: `${p.title}（${p.id}）` }));

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small">
        <Space wrap>
          <span>计划</span>
          <Select style={{ width: 420 }} value={planId} options={planOptions} onChange={(v) => setParams({ plan: v })} showSearch optionFilterProp="label" data-testid="plans-select" />
          {mayEdit(me.role) && (
            <Button type="primary" onClick={() => setEditing({ kind: "plan", mode: "create", parent: "" })} data-testid="plan-create">
              新建计划
            </Button>
          )}
          {planId && (
            <Button href={`/api/v1/bundles/${encodeURIComponent(planId)}`} download={`${planId}.bundle.json`} data-testid="plan-export">
              导出数据包
            </Button>
          )}
        </Space>
      </Card>

      {outline.isError && <Alert type="error" title={errorText(outline.error)} />}
      {outline.isLoading && <Spin />}
      {o && (
        <>
          <Card
            size="small"
            title={o.plan.title}
            extra={
              editable ? (
                <Space>
                  <Button onClick={() => setEditing({ kind: "plan", mode: "edit", record: o.plan })} data-testid="plan-edit">
                    编辑计划
                  </Button>
                  <Button onClick={() => setEditing({ kind: "item", mode: "create", parent: o.plan.id })} data-testid="item-create">
                    新增实事
                  </Button>
                </Space>
              ) : (
                <Tag>只读：由 {o.plan.region} 专班维护</Tag>
              )
            }
          >
            <Descriptions size="small" column={4}>
              <Descriptions.Item label="编号">{o.plan.id}</Descriptions.Item>
              <Descriptions.Item label="年度">{o.plan.year}</Descriptions.Item>
              <Descriptions.Item label="层级">{levelLabel[o.plan.level]}</Descriptions.Item>
              <Descriptions.Item label="序时进度">{scheduleText(o.plan.schedule)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={`实事 ${o.items.length} 项 · 项目 ${o.projects.length} 个 · 指标 ${o.indicators.length} 个`}>
            {tree.length === 0 ? (
              <Empty description="尚无实事" />
            ) : (
              <Table<TreeRow>
                size="small"
                pagination={false}
                dataSource={tree}
                rowKey="key"
                expandable={{ defaultExpandAllRows: true }}
                data-testid="plan-tree"
                onRow={(r) => ({ "data-id": r.record.id }) as React.HTMLAttributes<HTMLElement>}
                columns={[
                  {
                    title: "名称",
                    dataIndex: "label",
                    render: (t: string, r) => (
                      <span>
                        {r.kind === "item" ? <b>{t}</b> : t}
                        {r.detail && (
                          <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                            {r.detail}
                          </Typography.Text>
                        )}
                      </span>
                    ),
                  },
                  { title: "编号", dataIndex: ["record", "id"], width: 150, render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
                  {
                    title: "操作",
                    width: 300,
                    render: (_: unknown, r) => (
                      <Space size={4} wrap>
                        {r.kind === "indicator" && (
                          <Button size="small" type="link" onClick={() => setTargetsOf(r.record.id)} data-testid={`targets-${r.record.id}`}>
                            目标分解
                          </Button>
                        )}
                        {editable && (
                          <>
                            <Button size="small" type="link" onClick={() => setEditing({ kind: r.kind, mode: "edit", record: r.record })}>
                              编辑
                            </Button>
                            {r.kind !== "indicator" && (
                              <Button size="small" type="link" onClick={() => setEditing({ kind: r.kind === "item" ? "project" : "indicator", mode: "create", parent: r.record.id })}>
                                {r.kind === "item" ? "新增项目" : "新增指标"}
                              </Button>
                            )}
                            <Popconfirm
                              title={`删除${kindLabel[r.kind]}“${r.label}”？`}
                              description={r.kind === "indicator" ? "其目标任务一并删除；已有填报数据的指标不能删除。" : "其下的项目、指标和目标一并删除；已有填报数据的不能删除。"}
                              onConfirm={() => remove(r.kind, r.record)}
                            >
                              <Button size="small" type="link" danger>
                                删除
                              </Button>
                            </Popconfirm>
                          </>
                        )}
                      </Space>
                    ),
                  },
                ]}
              />
            )}
          </Card>
        </>
      )}

      {me.role === "admin" && (
        <Suspense fallback={<Spin />}>
          <BundleImport />
        </Suspense>
      )}

      {editing && (o !== undefined || editing.kind === "plan") && (
        <RecordModal
          editing={editing}
          outline={o}
          me={me}
          onClose={() => setEditing(null)}
          onSaved={async (id) => {
            setEditing(null);
            if (editing.kind === "plan" && editing.mode === "create") setParams({ plan: id });
            message.success("已保存");
            await refresh();
          }}
        />
      )}
      <Suspense fallback={null}>{targetsOf && <TargetsDrawer indicatorId={targetsOf} onClose={() => setTargetsOf(null)} />}</Suspense>
    </Space>
  );
}

const FIELDS: Record<Kind, string[]> = {
  plan: ["id", "year", "level", "region", "title", "schedule"],
  item: ["id", "no", "title"],
  project: ["id", "no", "title", "leadUnit"],
  indicator: ["id", "name", "unit", "kind", "aggregation", "linkedTo", "schedule"],
};

/** The form of one record: create or edit; bad input is refused at the field (here, then by the API). */
function RecordModal({ editing, outline, me, onClose, onSaved }: { editing: Editing; outline: Outline | undefined; me: { role: Role; region: string | null }; onClose: () => void; onSaved: (id: string) => void }) {
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { kind } = editing;
  const creating = editing.mode === "create";
  const record: Readonly<Record<string, unknown>> | null = editing.mode === "edit" ? editing.record : null;

  // Indicators of other plans to link to (纳入省定统一调度), loaded only for the indicator form.
  const plans = usePlans();
  const others = (plans.data ?? []).filter((p) => p.id !== outline?.plan.id);
  const linkable = useQueries({
    queries: others.map((p) => ({
      queryKey: ["outline", p.id],
      enabled: kind === "indicator",
      queryFn: async () => read(api.plans[":planId"].outline.$get({ param: { planId: p.id } })),
    })),
  });
  const linkOptions = linkable.flatMap((q) =>
    (q.data?.indicators ?? []).map((i) => ({ value: i.id, label: `${q.data!.plan.title.replace(/^\d{4}年/, "")} · ${i.name}（${i.id}）` })),
  );

  const initial = useMemo(() => {
    if (record) return { ...record, linkedTo: record.linkedTo ?? undefined };
    const taken = new Set<string>([...(outline?.items ?? []), ...(outline?.projects ?? []), ...(outline?.indicators ?? [])].map((r) => r.id));
    const parent = editing.mode === "create" ? editing.parent : "";
    if (kind === "plan") {
      const level = me.role === "staff_province" ? "province" : "city";
      // next year in China (the plan being drawn up)
      const year = periodYear(currentPeriod()) + 1;
      return { year, level, region: me.region ?? "", schedule: "linear-monthly", id: "", title: `${year}年重点民生实事` };
    }
    if (kind === "item") {
      const no = Math.max(0, ...(outline?.items ?? []).map((i) => i.no)) + 1;
      return { no, id: suggestId("item", parent, no, taken) };
    }
    if (kind === "project") {
      const no = Math.max(0, ...(outline?.projects ?? []).map((p) => p.no)) + 1;
      return { no, id: suggestId("project", outline!.plan.id, no, taken), leadUnit: undefined };
    }
    return { id: suggestId("indicator", parent, 0, taken), kind: "quantity", aggregation: "sum", schedule: null };
  }, [record, outline, kind, editing, me]);

  const submit = async (values: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      let id = String(values.id ?? record?.id ?? "");
      if (creating) {
        const parent = (editing as { parent: string }).parent;
        const body = { ...values } as Record<string, unknown>;
        if (kind === "indicator") {
          if (body.linkedTo === undefined || body.linkedTo === null || body.linkedTo === "") delete body.linkedTo;
          if (body.schedule === null) delete body.schedule;
        }
        const json = body as never;
        const created: { id: string } =
          kind === "plan"
            ? await read(api.plans.$post({ json }))
            : kind === "item"
              ? await read(api.plans[":planId"].items.$post({ param: { planId: parent }, json }))
              : kind === "project"
                ? await read(api.items[":id"].projects.$post({ param: { id: parent }, json }))
                : await read(api.projects[":id"].indicators.$post({ param: { id: parent }, json }));
        id = created.id;
      } else {
        // only what changed, with the version read
        const patch: Record<string, unknown> = { version: record!.version };
        for (const f of FIELDS[kind]) {
          if (f === "id" || !(f in values)) continue;
          const v = f === "linkedTo" ? (values[f] ?? null) : values[f];
          if (JSON.stringify(v) !== JSON.stringify(record![f] ?? (f === "linkedTo" ? null : undefined))) patch[f] = v;
        }
        const json = patch as never;
        const param = { id };
        if (kind === "plan") await read(api.plans[":planId"].$patch({ param: { planId: id }, json }));
        else if (kind === "item") await read(api.items[":id"].$patch({ param, json }));
        else if (kind === "project") await read(api.projects[":id"].$patch({ param, json }));
        else await read(api.indicators[":id"].$patch({ param, json }));
      }
      onSaved(id);
    } catch (e) {
      const { fields, rest } = problemsForForm(e, FIELDS[kind]);
      form.setFields(fields.map((f) => ({ name: f.name, errors: f.errors })));
      if (rest.length > 0) setError(rest.join("；"));
    } finally {
      setBusy(false);
    }
  };

  const kindValue = Form.useWatch("kind", form);
  return (
    <Modal
      open
      title={`${creating ? "新增" : "编辑"}${kindLabel[kind]}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="保存"
      confirmLoading={busy}
      destroyOnHidden
      width={kind === "plan" || kind === "indicator" ? 680 : 520}
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={submit} data-testid={`${kind}-form`} requiredMark={false}>
        <Row gutter={12}>
          <Col span={kind === "plan" ? 12 : 16}>
            <Form.Item label="编号" name="id" rules={ID_RULES} extra={creating ? "保存后不可修改" : undefined}>
              <Input disabled={!creating} data-testid="field-id" />
            </Form.Item>
          </Col>
          {(kind === "item" || kind === "project") && (
            <Col span={8}>
              <Form.Item label="序号" name="no" rules={[{ required: true, message: "请输入序号" }, { type: "number", min: 1, max: kind === "item" ? 99 : 999, message: `应为 1-${kind === "item" ? 99 : 999}` }]}>
                <InputNumber precision={0} style={{ width: "100%" }} data-testid="field-no" />
              </Form.Item>
            </Col>
          )}
          {kind === "plan" && (
            <Col span={12}>
              <Form.Item label="年度" name="year" rules={[{ required: true, message: "请输入年度" }, { type: "number", min: 2000, max: 2100, message: "应为 2000-2100" }]}>
                <InputNumber precision={0} style={{ width: "100%" }} data-testid="field-year" />
              </Form.Item>
            </Col>
          )}
        </Row>
        {kind === "plan" && creating && (
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item label="层级" name="level" rules={[{ required: true, message: "请选择层级" }]}>
                <Select options={Object.entries(levelLabel).map(([value, label]) => ({ value, label }))} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item label="发布地区（行政区划代码）" name="region" rules={[{ required: true, message: "请输入地区代码" }, { pattern: /^\d{6,12}$/, message: "应为 6-12 位数字" }]}>
                <Input disabled={me.region !== null} data-testid="field-region" />
              </Form.Item>
            </Col>
          </Row>
        )}
        {kind === "indicator" ? (
          <>
            <Row gutter={12}>
              <Col span={16}>
                <Form.Item label="指标名称" name="name" rules={titleRules("指标名称")}>
                  <Input data-testid="field-name" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item label="计量单位" name="unit" rules={titleRules("计量单位", 20)}>
                  <Input placeholder="人、户、公里、%" data-testid="field-unit" />
                </Form.Item>
              </Col>
            </Row>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item label="类型" name="kind" rules={[{ required: true }]}>
                  <Radio.Group
                    options={[{ value: "quantity", label: "数量" }, { value: "milestone", label: "形象进度（%）" }]}
                    onChange={(e) => form.setFieldsValue(e.target.value === "milestone" ? { aggregation: "mean", unit: form.getFieldValue("unit") || "%" } : { aggregation: "sum" })}
                  />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item label="向上汇总" name="aggregation" rules={[{ required: true }]} extra={kindValue === "milestone" ? "形象进度一般取下级平均" : undefined}>
                  <Radio.Group options={[{ value: "sum", label: "求和" }, { value: "mean", label: "取平均" }]} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item label="纳入统一调度（完成数取自其他计划的指标，目标仍按本计划）" name="linkedTo">
              <Select allowClear showSearch optionFilterProp="label" options={linkOptions} placeholder="不关联" loading={linkable.some((q) => q.isLoading)} data-testid="field-linkedTo" />
            </Form.Item>
            <Form.Item label="序时进度" name="schedule" rules={[scheduleRule]}>
              <ScheduleInput allowInherit />
            </Form.Item>
          </>
        ) : (
          <Form.Item label={kind === "plan" ? "计划名称" : kind === "item" ? "实事名称" : "项目名称"} name="title" rules={titleRules("名称")}>
            <Input data-testid="field-title" />
          </Form.Item>
        )}
        {kind === "project" && (
          <Form.Item label="牵头单位" name="leadUnit" rules={[{ required: true, message: "请选择牵头单位" }]}>
            <Select showSearch optionFilterProp="label" options={(outline?.units ?? []).map((u) => ({ value: u.id, label: `${u.name}（${u.id}）` }))} data-testid="field-leadUnit" />
          </Form.Item>
        )}
        {kind === "plan" && (
          <Form.Item label="序时进度" name="schedule" rules={[scheduleRule]}>
            <ScheduleInput />
          </Form.Item>
        )}
        {error && <Alert type="error" title={error} data-testid="form-error" />}
      </Form>
    </Modal>
  );
}
