import { Alert, Breadcrumb, Card, Col, Empty, List, Row, Select, Space, Spin, Statistic, Tag, Tooltip, Typography } from "antd";
import { lazy, Suspense, useMemo } from "react";
import { useSearchParams } from "react-router";
import { openingPeriod } from "@minsheng/domain/calendar";
import { useQuery } from "@tanstack/react-query";
import { api, bandColor, bandLabel, currentPeriod, errorText, read, statusColor, statusLabel } from "../api";
import { useSignedIn } from "../auth";
import { type Evaluation, useBundle, useChildProgress, usePlans, useProgress } from "../data";
import { countStatuses, cumulativeMonthOptions, duePercent, ratePercent, scoreText, statusCountText } from "../figures";

// antd's Table (with its tree, select and pagination code: ~85 KB gzipped) draws the two tables below
// the fold. It is fetched as this page starts, beside the data, instead of before the first render
// (issue 4: initial JS of login + dashboard ≤ 350 KB; apps/admin/bench/size.mjs).
const tableModule = import("antd/es/table");
// lazy() keeps no type parameter: each table gets antd's Table instantiated for its rows
const DisclosureTable = lazy(() => tableModule.then((m) => ({ default: m.default<Evaluation["disclosure"][number]> })));
const DrillTable = lazy(() => tableModule.then((m) => ({ default: m.default<Row> })));

// ECharts (~170 KB gzipped) is code-split too, and fetched as the page starts so it is parsed while the
// figures load rather than after them.
const countyChartModule = import("./CountyChart");
const CountyChart = lazy(() => countyChartModule);
// 督办 (rules 11-12): the task forces' tile; other staff (the system admin) hold no supervision permission
const SupervisionTile = lazy(() => import("./SupervisionTile"));


interface Row {
  key: string;
  level: "item" | "project" | "indicator" | "region";
  label: string;
  target?: number;
  actual?: number;
  rate?: number;
  due?: number;
  status?: string;
  unit?: string;
  /** an item row: its projects by status */
  note?: string;
  /** a region row: drilling into it makes it the dashboard's region */
  region?: string;
  children?: Row[];
}

/** 总览: counts, the county chart, lagging regions, disclosure, falls and the drill-down. */
export default function Dashboard() {
  const me = useSignedIn();
  const [params, setParams] = useSearchParams();
  const plans = usePlans();
  // The newest year's plans first (the list is newest first); the province's plan of that year if any.
  const newest = plans.data?.[0]?.year;
  const planId =
    params.get("plan") ?? plans.data?.find((p) => p.year === newest && p.level === "province")?.id ?? plans.data?.[0]?.id;
  const plan = plans.data?.find((p) => p.id === planId);
  const bundle = useBundle(planId);
  const b = bundle.data;
  const names = useMemo(() => new Map((b?.regions ?? []).map((r) => [r.code, r.name])), [b]);
  // The signed-in user's own region; without one (a system admin), the plan's own region.
  const region = params.get("region") ?? me.region ?? plan?.region;
  const latest = useMemo(() => (b?.progress ?? []).reduce((m, p) => (p.period > m ? p.period : m), ""), [b]);
  const year = plan?.year ?? b?.plans.find((p) => p.id === planId)?.year;
  // The current month in the plan's own year; another year: its last reported month (December without one).
  const now = currentPeriod();
  const period = params.get("period") ?? (year === undefined ? now : openingPeriod(year, now, latest));
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    if (planId && !next.get("plan")) next.set("plan", planId);
    setParams(next, { replace: true });
  };

  /** Drill down into a region (or back up): the dashboard's region changes, the indicator stays. */
  const drill = (code: string) => set("region", code);

  // Regions holding a target somewhere below: the selectable area and the chart's bars.
  const withTargets = useMemo(() => {
    const parent = new Map((b?.regions ?? []).map((r) => [r.code, r.parent]));
    const s = new Set<string>();
    for (const t of b?.targets ?? []) for (let c: string | null | undefined = t.region; c; c = parent.get(c)) s.add(c);
    return s;
  }, [b]);
  const children = useMemo(() => (b?.regions ?? []).filter((r) => r.parent === region && withTargets.has(r.code)).map((r) => r.code), [b, region, withTargets]);
  const sources = (ev?: Evaluation) => (ev?.disclosure ?? []).reduce((t, d) => ({ content: t.content + d.sources.content, record: t.record + d.sources.record }), { content: 0, record: 0 });
  // Not before the bundle: until then the period is a guess (December), an evaluation thrown away.
  const evaluation = useProgress(planId, period, b ? region : undefined);
  const childEvals = useChildProgress(planId, period, children);
  const ev = evaluation.data;
  // rule 16: what is about to fall behind, beside what already has
  const risks = useQuery({
    queryKey: ["risks", planId, period, region],
    enabled: !!planId && !!region && !!b,
    queryFn: () => read(api.plans[":planId"].risks.$get({ param: { planId: planId! }, query: { period, region: region! } })),
  });
  const indicatorsHere = useMemo(() => (b?.indicators ?? []).filter((i) => ev?.indicators.some((r) => r.indicator === i.id && r.region === region)), [b, ev, region]);
  const indicatorId = params.get("indicator") ?? indicatorsHere.find((i) => !i.linkedTo)?.id;
  const ind = (id: string) => b?.indicators.find((i) => i.id === id);
  const proj = (id: string) => b?.projects.find((p) => p.id === id);

  const childResults = childEvals.map((q, i) => ({ region: children[i]!, data: q.data }));
  const bars = childResults
    .map(({ region: code, data }) => {
      const r = data?.indicators.find((x) => x.indicator === indicatorId && x.region === code);
      return r ? { code, name: names.get(code) ?? code, rate: r.rate, status: r.status, actual: r.actual, target: r.target } : null;
    })
    .filter((x) => x !== null)
    // ranked: best rate first (seed 003 ranks counties this way)
    .sort((x, y) => y.rate - x.rate || x.code.localeCompare(y.code));
  const due = ev?.indicators.find((x) => x.indicator === indicatorId)?.due ?? 0;

  const tree: Row[] = useMemo(() => {
    if (!b || !ev) return [];
    const items = b.items.filter((i) => i.plan === planId).sort((x, y) => x.no - y.no);
    return items
      .map((item): Row | null => {
        const projects = b.projects
          .filter((p) => p.item === item.id)
          .sort((x, y) => x.no - y.no)
          .map((p): Row | null => {
            const pr = ev.projects.find((x) => x.project === p.id);
            if (!pr) return null;
            const indicators = ev.indicators
              .filter((r) => r.project === p.id && r.region === region)
              .map((r): Row => ({
                key: `i:${r.indicator}`,
                level: "indicator",
                label: `${ind(r.indicator)?.name ?? r.indicator}${r.linked ? "（纳入省定统一调度）" : ""}`,
                unit: ind(r.indicator)?.unit,
                target: r.target,
                actual: r.actual,
                rate: r.rate,
                due: r.due,
                status: r.status,
                children: childResults
                  .map(({ region: code, data }) => {
                    const c = data?.indicators.find((x) => x.indicator === r.indicator && x.region === code);
                    return c ? ({ key: `r:${r.indicator}:${code}`, level: "region", region: code, label: names.get(code) ?? code, unit: ind(r.indicator)?.unit, target: c.target, actual: c.actual, rate: c.rate, due: c.due, status: c.status } as Row) : null;
                  })
                  .filter((x): x is Row => x !== null),
              }))
              .map((r) => (r.children && r.children.length === 0 ? { ...r, children: undefined } : r));
            return { key: `p:${p.id}`, level: "project", label: p.title, rate: pr.progress, due: pr.due, status: pr.status, children: indicators };
          })
          .filter((x): x is Row => x !== null);
        const note = statusCountText(countStatuses(projects.map((x) => x.status)));
        return projects.length ? { key: `t:${item.id}`, level: "item", label: `${item.no}. ${item.title}`, note, children: projects } : null;
      })
      .filter((x): x is Row => x !== null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [b, ev, planId, region, childEvals.map((q) => q.dataUpdatedAt).join()]);

  // The way back up: the current region's ancestors within the caller's area.
  const regionPath: string[] = [];
  for (let c: string | null | undefined = region; c; c = me.region === c ? null : b?.regions.find((r) => r.code === c)?.parent) regionPath.unshift(c);

  if (plans.isLoading || bundle.isLoading) return <Spin />;
  if (bundle.isError) return <Alert type="error" title={errorText(bundle.error)} />;
  if (!planId || year === undefined || !region) return <Empty description="暂无可查看的计划" />;
  const disclosureSources = sources(ev);
  const areaOptions = [...withTargets].filter((c) => !me.region || c === me.region || b?.regions.some((r) => r.code === c && r.parent === me.region) || c === region).map((c) => ({ value: c, label: names.get(c) ?? c }));

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small">
        <Space wrap>
          <span>计划</span>
          <Select style={{ width: 360 }} value={planId} onChange={(v) => set("plan", v)} options={(plans.data ?? []).map((p) => ({ value: p.id, label: p.title }))} data-testid="plan" />
          <span>地区</span>
          <Select style={{ width: 180 }} value={region} onChange={(v) => set("region", v)} options={areaOptions} showSearch optionFilterProp="label" data-testid="region" />
          <span>月份</span>
          <Select style={{ width: 120 }} value={period} onChange={(v) => set("period", v)} options={cumulativeMonthOptions(year)} data-testid="period" />
        </Space>
      </Card>
      {me.role.startsWith("staff_") && (
        <Suspense fallback={null}>
          <SupervisionTile />
        </Suspense>
      )}
      <Breadcrumb
        data-testid="drill-path"
        items={[
          { title: b?.plans.find((p) => p.id === planId)?.title ?? planId },
          ...regionPath.map((c) => ({ title: c === region ? <b>{names.get(c) ?? c}</b> : <a onClick={() => drill(c)}>{names.get(c) ?? c}</a> })),
        ]}
      />
      {evaluation.isError && <Alert type="error" title={errorText(evaluation.error)} />}
      {ev && (
        <>
          <Card>
            {/* the bulletin's own sentence (工作推进情况), composed by the API with the bulletin's function */}
            <Typography.Paragraph style={{ fontSize: 16, marginBottom: 12 }} data-testid="summary">
              {ev.summary.text}
            </Typography.Paragraph>
            <Row gutter={16}>
              <Col span={6}><Statistic title={statusLabel.completed} value={ev.counts.completed} styles={{ content: { color: "#389e0d" } }} /></Col>
              <Col span={6}><Statistic title={statusLabel.on_schedule} value={ev.counts.on_schedule} styles={{ content: { color: "#1677ff" } }} /></Col>
              <Col span={6}><Statistic title={statusLabel.behind} value={ev.counts.behind} styles={{ content: { color: "#cf1322" } }} /></Col>
              <Col span={6}><Statistic title="序时进度" value={ev.projects[0]?.due ?? 0} suffix="%" /></Col>
            </Row>
          </Card>
          <Row gutter={16}>
            <Col xs={24} xl={16}>
              <Card
                title="各县市区完成率排名（点击进入该地区）"
                extra={
                  <Select
                    style={{ width: 320 }}
                    value={indicatorId}
                    onChange={(v) => set("indicator", v)}
                    showSearch
                    optionFilterProp="label"
                    options={indicatorsHere.map((i) => ({ value: i.id, label: `${proj(i.project)?.title ?? ""} · ${i.name}` }))}
                    data-testid="indicator"
                  />
                }
              >
                {bars.length === 0 ? (
                  <Empty description={childEvals.some((q) => q.isLoading) ? "加载中" : "下级地区无此指标任务"} />
                ) : (
                  <Suspense fallback={<Spin />}>
                    <CountyChart bars={bars} due={due} onPick={drill} />
                  </Suspense>
                )}
                <div data-testid="county-rates" style={{ display: "flex", flexWrap: "wrap", gap: 6, marginTop: 8 }}>
                  {bars.map((x, i) => (
                    <Tag key={x.code} color={statusColor[x.status]} data-region={x.code} data-rank={i + 1} style={{ cursor: "pointer" }} onClick={() => drill(x.code)}>
                      {i + 1}. {x.name} {ratePercent(x.rate)}
                    </Tag>
                  ))}
                </div>
              </Card>
            </Col>
            <Col xs={24} xl={8}>
              <Card title={`${statusLabel.behind}的指标地区`} size="small" style={{ marginBottom: 16 }}>
                <List
                  size="small"
                  dataSource={ev.lagging}
                  locale={{ emptyText: "无" }}
                  data-testid="lagging"
                  renderItem={(l) => (
                    <List.Item>
                      <span>
                        {proj(l.project)?.title ?? l.project} · {ind(l.indicator)?.name ?? l.indicator} ·{" "}
                        <a onClick={() => drill(l.region)}>
                          <b>{names.get(l.region) ?? l.region}</b>
                        </a>
                      </span>
                      <Tag color="red">{ratePercent(l.rate)} / 序时 {duePercent(l.due)}</Tag>
                    </List.Item>
                  )}
                />
              </Card>
              <Card title="进度预警（按近三月进度难以按期完成）" size="small" style={{ marginBottom: 16 }}>
                <List
                  size="small"
                  loading={risks.isLoading}
                  dataSource={risks.data?.risks ?? []}
                  locale={{ emptyText: "无" }}
                  data-testid="risks"
                  renderItem={(r) => (
                    <List.Item>
                      <span>
                        {ind(r.indicator)?.name ?? r.indicator} ·{" "}
                        <a onClick={() => drill(r.region)}>
                          <b>{names.get(r.region) ?? r.region}</b>
                        </a>
                      </span>
                      <Tag color="orange">{r.text}</Tag>
                    </List.Item>
                  )}
                />
              </Card>
              <Card title="环比下降" size="small">
                <List
                  size="small"
                  dataSource={ev.falls}
                  locale={{ emptyText: "无" }}
                  data-testid="falls"
                  renderItem={(f) => (
                    <List.Item>
                      <span>
                        <Tag color="volcano">环比下降</Tag>
                        {ind(f.indicator)?.name ?? f.indicator} · {names.get(f.region) ?? f.region}
                      </span>
                      <span>
                        {f.previous} → {f.value}（{f.previousPeriod}→{f.period}）
                      </span>
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
          </Row>
          <Card
            title="信息公开得分（本计划，满分 6 分）"
            extra={
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="disclosure-sources">
                {disclosureSources.content + disclosureSources.record === 0
                  ? "暂无考核对象"
                  : `按公开内容评价 ${disclosureSources.content} 个项目点位，沿用导入考核记录 ${disclosureSources.record} 个`}
              </Typography.Text>
            }
          >
            <Suspense fallback={<Spin />}>
              <DisclosureTable
                size="small"
                pagination={false}
                rowKey="region"
                dataSource={ev.disclosure}
                data-testid="disclosure"
                columns={[
                  { title: "地区", dataIndex: "region", render: (c: string) => names.get(c) ?? c },
                  { title: "合规 / 应公开", render: (_: unknown, d) => `${d.compliant} / ${d.total}` },
                  { title: "得分", dataIndex: "score", render: (s: number) => scoreText(s) },
                  { title: "等次", dataIndex: "band", render: (x: string) => <Tag color={bandColor[x]}>{bandLabel[x] ?? x}</Tag> },
                  { title: "依据", render: (_: unknown, d) => (d.sources.record === 0 ? "公开内容" : d.sources.content === 0 ? "导入考核记录" : `公开内容 ${d.sources.content} · 导入记录 ${d.sources.record}`) },
                ]}
              />
            </Suspense>
          </Card>
          <Card title="逐级查看：实事 → 项目 → 指标 → 地区">
            <Suspense fallback={<Spin />}>
              <DrillTable
                size="small"
                pagination={false}
                dataSource={tree}
                data-testid="drill"
                columns={[
                  {
                    title: "名称",
                    dataIndex: "label",
                    render: (t: string, r) =>
                      r.level === "item" ? (
                        <b>{t}</b>
                      ) : r.region ? (
                        <Tooltip title="查看该地区">
                          <a onClick={() => drill(r.region!)} data-testid={`drill-${r.region}`}>
                            {t}
                          </a>
                        </Tooltip>
                      ) : (
                        t
                      ),
                  },
                  { title: "目标", dataIndex: "target", align: "right", render: (v: number | undefined, r) => (v === undefined ? "" : `${v} ${r.unit ?? ""}`) },
                  { title: "完成", dataIndex: "actual", align: "right", render: (v: number | undefined) => v ?? "" },
                  { title: "进度", dataIndex: "rate", align: "right", render: (v: number | undefined) => (v === undefined ? "" : ratePercent(v)) },
                  { title: "序时", dataIndex: "due", align: "right", render: (v: number | undefined) => (v === undefined ? "" : duePercent(v)) },
                  { title: "状态", dataIndex: "status", render: (s: string | undefined, r) => (s ? <Tag color={statusColor[s]}>{statusLabel[s]}</Tag> : r.note ? <Typography.Text type="secondary">{r.note}</Typography.Text> : null) },
                ]}
              />
            </Suspense>
          </Card>
        </>
      )}
    </Space>
  );
}
