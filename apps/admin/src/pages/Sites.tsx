import { feedbackStateLabel, planLevelLabel } from "@minsheng/domain/labels";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Input, Popover, Space, Table, Tag, Tooltip, Typography } from "antd";
import { useState } from "react";
import { api, errorText, read } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import { FilterBar, FilterSelect, useUrlFilters } from "../filters";
import { cleanQuery, type ListedSite, siteFileUrl, useScopeChoices } from "../maishangtong";
import SiteDrawer from "./SiteDrawer";
import SiteStatsCard from "./SiteStatsCard";

const PAGE_SIZE = 20;

const count = (n: number, label: string, color: string) => (
  <Tag color={n > 0 ? color : undefined} style={{ marginInlineEnd: 4 }}>
    {label} {n}
  </Tag>
);

/** 项目点位: the project sites of the user's area, their codes and QR codes, and what each publishes. */
export default function Sites() {
  const me = useSignedIn();
  const { params, set } = useUrlFilters();
  const scope = useScopeChoices(me);
  const plans = usePlans();
  const q = params.get("q") ?? "";
  const region = params.get("region") ?? undefined;
  const plan = params.get("plan") ?? undefined;
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const open = params.get("site");
  const [search, setSearch] = useState(q);

  const sites = useQuery({
    queryKey: ["sites", q, region ?? "", plan ?? "", page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      read(api.sites.$get({ query: cleanQuery({ q, region, plan, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }) })),
  });
  const list = sites.data?.sites ?? [];
  const selected = list.find((s) => s.code === open);

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <SiteStatsCard region={region} />
      <FilterBar>
        <Input.Search
          allowClear
          placeholder="项目、实事、地区名称或点位编码"
          style={{ width: 300 }}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => set({ q: v.trim() || undefined, page: undefined })}
          data-testid="site-search"
        />
        {scope.staff && <FilterSelect searchable placeholder="地区（默认本辖区）" width={200} value={region} options={scope.regions} onChange={(v) => set({ region: v, page: undefined })} testId="site-region" />}
        <FilterSelect
          placeholder="全部计划"
          width={340}
          value={plan}
          options={(plans.data ?? []).map((p) => ({ value: p.id, label: p.title }))}
          onChange={(v) => set({ plan: v, page: undefined })}
          testId="site-plan"
        />
      </FilterBar>
      {sites.isError && <Alert type="error" title={errorText(sites.error)} />}
      <Card title="项目点位（一项目一地区一码）">
        <Table<ListedSite>
          size="small"
          rowKey="code"
          loading={sites.isFetching}
          dataSource={list}
          data-testid="sites"
          pagination={{ current: page, pageSize: PAGE_SIZE, total: sites.data?.total ?? 0, showSizeChanger: false, showTotal: (t) => `共 ${t} 个点位`, onChange: (p) => set({ page: String(p) }) }}
          columns={[
            {
              title: "点位编码",
              dataIndex: "code",
              width: 130,
              render: (c: string) => (
                <Typography.Text code copyable style={{ whiteSpace: "nowrap" }}>
                  {c}
                </Typography.Text>
              ),
            },
            {
              title: "项目",
              render: (_: unknown, s) => (
                <div>
                  <div>{s.project.title}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {planLevelLabel[s.plan.level]}
                    {/* a city plan's items often are its projects: no need to say it twice */}
                    {s.item.title !== s.project.title && ` · ${s.item.no}. ${s.item.title}`}
                  </Typography.Text>
                </div>
              ),
            },
            { title: "地区", width: 110, render: (_: unknown, s) => <Tooltip title={s.region.path.join(" / ")}><span style={{ whiteSpace: "nowrap" }}>{s.region.name}</span></Tooltip> },
            { title: "责任单位", render: (_: unknown, s) => s.unit.name },
            {
              title: "公开内容",
              render: (_: unknown, s) =>
                s.counts && (
                  <>
                    {count(s.counts.policies, "政策", "green")}
                    {count(s.counts.localised, "本地化", "green")}
                    {count(s.counts.updates, "动态", "green")}
                  </>
                ),
            },
            {
              title: "意见建议",
              render: (_: unknown, s) =>
                s.counts && (
                  <>
                    {s.counts.pending > 0 && count(s.counts.pending, feedbackStateLabel.pending, "orange")}
                    {s.counts.open > 0 && count(s.counts.open, feedbackStateLabel.open, "red")}
                    {count(s.counts.answered, feedbackStateLabel.answered, "blue")}
                  </>
                ),
            },
            {
              title: "操作",
              render: (_: unknown, s) => (
                <Space size={4}>
                  <Popover
                    trigger="click"
                    title={`码上通 · ${s.code}`}
                    content={
                      <Space orientation="vertical" align="center">
                        <img src={siteFileUrl(s, "qr.svg")} alt={`${s.project.title} 二维码`} width={180} height={180} />
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {s.url}
                        </Typography.Text>
                        <Space>
                          <a href={siteFileUrl(s, "qr.png")} download={`码上通-${s.code}.png`}>
                            下载 PNG
                          </a>
                          <a href={siteFileUrl(s, "sign.pdf")} target="_blank" rel="noreferrer">
                            公示牌 PDF
                          </a>
                        </Space>
                      </Space>
                    }
                  >
                    <Button size="small" data-testid={`qr-${s.code}`}>
                      二维码
                    </Button>
                  </Popover>
                  <Button size="small" type="primary" onClick={() => set({ site: s.code })} data-testid={`manage-${s.code}`}>
                    公开内容
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {open && <SiteDrawer code={open} initial={selected} onClose={() => set({ site: undefined })} />}
    </Space>
  );
}
