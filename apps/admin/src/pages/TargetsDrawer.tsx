import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Drawer, InputNumber, Select, Space, Spin, Table, Tag, Tooltip, Typography } from "antd";
import { useMemo, useState } from "react";
import type { InferResponseType } from "hono/client";
import { ApiProblem, api, errorText, problemLine, read } from "../api";
import { applyEdits, changedTargets, type SplitNode } from "../plan-split";

/** An indicator's targets over a region and its children (GET and PUT /indicators/:id/targets answer the same). */
type TargetTree = InferResponseType<(typeof api.indicators)[":id"]["targets"]["$get"], 200>;

const num = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toLocaleString("zh-CN", { maximumFractionDigits: 6 }));

/**
 * 目标分解: an indicator's targets over a region and its children, each region's own target beside
 * its children's total; 自我加压 (children given more) and 未分解完 (given less) marked while typing.
 * Editable cells are the regions the caller may set (the API decides); one save sends every change
 * with the version read, and a 409 shows what changed meanwhile.
 */
export default function TargetsDrawer({ indicatorId, onClose }: { indicatorId: string | null; onClose: () => void }) {
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [root, setRoot] = useState<string | undefined>(undefined);
  const [depth, setDepth] = useState(1);
  const [edits, setEdits] = useState<Map<string, number | null>>(new Map());
  const [rowErrors, setRowErrors] = useState<Map<string, string>>(new Map());
  const [conflict, setConflict] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const key = ["targets", indicatorId, root ?? "", depth] as const;
  const tree = useQuery({
    queryKey: key,
    enabled: indicatorId !== null,
    queryFn: async () =>
      read(api.indicators[":id"].targets.$get({ param: { id: indicatorId! }, query: { ...(root ? { region: root } : {}), depth: String(depth) } })),
  });
  const data = tree.data;
  const nodes = useMemo(() => (data ? applyEdits(data.rows, edits, data.indicator.aggregation) : []), [data, edits]);
  const changes = data ? changedTargets(data.rows, edits) : [];

  const reset = () => {
    setEdits(new Map());
    setRowErrors(new Map());
    setConflict(null);
  };
  const close = () => {
    reset();
    setRoot(undefined);
    onClose();
  };
  const drill = (region: string) => {
    if (changes.length > 0) return void message.warning("请先保存或放弃本页的修改");
    reset();
    setRoot(region);
  };

  const save = async () => {
    if (!data) return;
    setSaving(true);
    setRowErrors(new Map());
    setConflict(null);
    try {
      const body = changes.map((c) => ({ region: c.region, value: c.value, ...(c.version !== null ? { version: c.version } : {}) }));
      const next: TargetTree = await read(
        api.indicators[":id"].targets.$put({ param: { id: data.indicator.id }, query: { ...(root ? { region: root } : {}), depth: String(depth) }, json: { targets: body } }),
      );
      qc.setQueryData(key, next);
      await qc.invalidateQueries({ queryKey: ["progress"] });
      await qc.invalidateQueries({ queryKey: ["bundle"] });
      setEdits(new Map());
      message.success(`已保存 ${body.length} 个地区的目标任务`);
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 400) {
        // $.targets[i].value → the region of row i
        const errs = new Map<string, string>();
        const rest: string[] = [];
        for (const p of e.problems) {
          const m = /^\$\.targets\[(\d+)\]\.?(.*)$/.exec(p.path);
          const region = m ? changes[Number(m[1])]?.region : undefined;
          if (region) errs.set(region, p.message);
          else rest.push(problemLine(p));
        }
        setRowErrors(errs);
        if (rest.length) setConflict(rest.join("；"));
      } else if (e instanceof ApiProblem && e.status === 409) {
        // reloaded here already: the message's own advice to reload is left out
        setConflict(`${e.message.replace(/，请刷新后重试$/, "")}。已重新载入最新数据，您的修改仍保留，请核对后再保存。`);
        await tree.refetch();
      } else setConflict(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open={indicatorId !== null}
      onClose={close}
      size={900}
      destroyOnHidden
      title={data ? `目标分解 · ${data.indicator.name}（${data.indicator.unit}）` : "目标分解"}
      extra={
        <Space>
          <span>展开层级</span>
          <Select size="small" value={depth} onChange={setDepth} options={[1, 2, 3].map((d) => ({ value: d, label: `${d} 级` }))} disabled={changes.length > 0} />
        </Space>
      }
      footer={
        <Space style={{ justifyContent: "space-between", width: "100%" }}>
          <Typography.Text type="secondary">
            {changes.length > 0 ? `${changes.length} 处未保存的修改` : "合计按指标的汇总方式计算（数量求和、形象进度取平均）；上级有本级目标时以本级目标为准"}
          </Typography.Text>
          <Space>
            <Button onClick={reset} disabled={changes.length === 0}>
              放弃修改
            </Button>
            <Button type="primary" onClick={save} loading={saving} disabled={changes.length === 0} data-testid="targets-save">
              保存
            </Button>
          </Space>
        </Space>
      }
    >
      {tree.isLoading && <Spin />}
      {tree.isError && (
        <Alert
          type="error"
          title={errorText(tree.error)}
          action={
            root ? (
              <Button size="small" onClick={() => setRoot(undefined)}>
                回到起点
              </Button>
            ) : undefined
          }
        />
      )}
      {data && (
        <Space orientation="vertical" style={{ width: "100%" }}>
          {data.indicator.linkedTo && <Alert type="info" title={`纳入省定统一调度：完成数取自 ${data.indicator.linkedTo}，目标任务按本计划设定`} />}
          {conflict && <Alert type="warning" showIcon title={conflict} data-testid="targets-conflict" />}
          <Space data-testid="targets-root">
            <Typography.Text strong>{data.rows[0]?.name} 及下级</Typography.Text>
            {root && data.rows[0]?.parent && (
              <Button size="small" onClick={() => drill(data.rows[0]!.parent!)}>
                上一级
              </Button>
            )}
            {root && (
              <Button size="small" onClick={() => drill("")}>
                回到起点
              </Button>
            )}
          </Space>
          <Table<SplitNode>
            size="small"
            pagination={false}
            dataSource={nodes}
            expandable={{ defaultExpandAllRows: true }}
            rowKey="key"
            data-testid="targets-table"
            onRow={(r) => ({ "data-region": r.region }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: "地区",
                dataIndex: "name",
                render: (name: string, r) =>
                  r.depth > 0 && r.hasChildren ? (
                    <Tooltip title="以此地区为起点分解">
                      <a onClick={() => drill(r.region)}>{name}</a>
                    </Tooltip>
                  ) : (
                    name
                  ),
              },
              {
                title: "本级目标",
                dataIndex: "own",
                width: 190,
                render: (own: number | null, r) =>
                  r.editable ? (
                    <div>
                      <InputNumber
                        style={{ width: 160 }}
                        min={0}
                        max={data.indicator.kind === "milestone" ? 100 : undefined}
                        value={own}
                        placeholder="未分配"
                        status={rowErrors.has(r.region) ? "error" : undefined}
                        onChange={(v) => setEdits(new Map(edits).set(r.region, v === null || v === undefined ? null : Number(v)))}
                        data-testid={`target-${r.region}`}
                      />
                      {rowErrors.has(r.region) && <div style={{ color: "#cf1322", fontSize: 12 }}>{rowErrors.get(r.region)}</div>}
                    </div>
                  ) : (
                    num(own)
                  ),
              },
              { title: "下级合计", dataIndex: "childrenTotal", align: "right", render: num },
              { title: "采用目标", dataIndex: "effective", align: "right", render: (v: number | null) => <b>{num(v)}</b> },
              { title: "差额（下级−本级）", dataIndex: "difference", align: "right", render: (v: number | null) => (v === null ? "" : v > 0 ? `+${num(v)}` : num(v)) },
              {
                title: "标记",
                render: (_: unknown, r) => (
                  <Space size={4}>
                    {r.pressure && <Tag color="orange">自我加压</Tag>}
                    {r.shortfall && <Tag color="gold">未分解完</Tag>}
                    {r.edited && <Tag color="blue">未保存</Tag>}
                  </Space>
                ),
              },
            ]}
          />
        </Space>
      )}
    </Drawer>
  );
}
