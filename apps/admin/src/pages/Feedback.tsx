import { feedbackStateLabel } from "@minsheng/domain/labels";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Card, Segmented, Space, Table, Tag, Tooltip, Typography } from "antd";
import type { HTMLAttributes } from "react";
import { api, errorText, read } from "../api";
import { useSignedIn } from "../auth";
import { FilterBar, FilterSelect, useUrlFilters } from "../filters";
import { cleanQuery, type FeedbackState, type FeedbackView, type Inbox, feedbackStateColor as stateColor, useChecklist, useScopeChoices } from "../maishangtong";
import FeedbackDrawer from "./FeedbackDrawer";
import SiteStatsCard from "./SiteStatsCard";

const PAGE_SIZE = 20;
type Filter = "all" | FeedbackState | "overdue";

/** 意见建议: the inbox of citizens' feedback per unit, with reply deadlines, moderation and answers. */
export default function Feedback() {
  const me = useSignedIn();
  const scope = useScopeChoices(me);
  const checklist = useChecklist();
  const { params, set } = useUrlFilters();
  const region = params.get("region") ?? undefined;
  const unit = params.get("unit") ?? undefined;
  const filter = (params.get("state") ?? "all") as Filter;
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const openId = Number(params.get("id") ?? 0) || null;

  const inbox = useQuery({
    queryKey: ["feedback", region ?? "", unit ?? "", filter, page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      read(
        api.feedback.$get({
          query: cleanQuery({
            region,
            unit,
            state: filter === "all" || filter === "overdue" ? undefined : filter,
            overdue: filter === "overdue" ? ("true" as const) : undefined,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
          }),
        }),
      ),
  });
  const counts = inbox.data?.counts;
  const n = (k: keyof Inbox["counts"]) => (counts ? `（${counts[k]}）` : "");
  const total = counts ? counts.pending + counts.open + counts.answered + counts.rejected : undefined;

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <SiteStatsCard region={region} unit={unit} title="码上通公开及意见建议办理情况" />
      <FilterBar
        below={
          <Segmented<Filter>
            value={filter}
            onChange={(v) => set({ state: v === "all" ? undefined : v, page: undefined })}
            options={[
              { value: "all", label: `全部${total === undefined ? "" : `（${total}）`}` },
              { value: "pending", label: `${feedbackStateLabel.pending}${n("pending")}` },
              { value: "open", label: `${feedbackStateLabel.open}${n("open")}` },
              { value: "overdue", label: <span style={{ color: counts?.overdue ? "#cf1322" : undefined }}>已超期{n("overdue")}</span> },
              { value: "answered", label: `${feedbackStateLabel.answered}${n("answered")}` },
              { value: "rejected", label: `${feedbackStateLabel.rejected}${n("rejected")}` },
            ]}
            data-testid="feedback-filter"
          />
        }
      >
        {scope.staff && (
          <>
            <FilterSelect searchable placeholder="地区（默认本辖区）" width={200} value={region} options={scope.regions} onChange={(v) => set({ region: v, page: undefined })} testId="feedback-region" />
            <FilterSelect searchable placeholder="全部责任单位" width={220} value={unit} options={scope.units} onChange={(v) => set({ unit: v, page: undefined })} testId="feedback-unit" />
          </>
        )}
        {me.unit && <Tag>本单位：{scope.units.find((u) => u.value === me.unit)?.label ?? inbox.data?.feedback.find((f) => f.site.unit.id === me.unit)?.site.unit.name ?? me.unit}</Tag>}
        <Typography.Text type="secondary" data-testid="reply-deadline">
          答复期限：收到后 {checklist.data?.replyWorkingDays ?? 5} 个工作日
        </Typography.Text>
      </FilterBar>
      {inbox.isError && <Alert type="error" title={errorText(inbox.error)} />}
      <Card title="意见建议收件箱">
        <Table<FeedbackView>
          size="small"
          rowKey="id"
          loading={inbox.isFetching}
          dataSource={inbox.data?.feedback ?? []}
          data-testid="inbox"
          // Overdue ones stand out: past the deadline and still unanswered.
          onRow={(f) =>
            ({
              style: { cursor: "pointer", ...(f.overdue ? { background: "#fff1f0" } : {}) },
              "data-ticket": f.ticket,
              "data-overdue": f.overdue ? "true" : "false",
              onClick: () => set({ id: String(f.id) }),
            }) as HTMLAttributes<HTMLElement>
          }
          pagination={{ current: page, pageSize: PAGE_SIZE, total: inbox.data?.total ?? 0, showSizeChanger: false, showTotal: (t) => `共 ${t} 条`, onChange: (p) => set({ page: String(p) }) }}
          columns={[
            { title: "编号", dataIndex: "ticket", render: (t: string) => <Typography.Text code style={{ whiteSpace: "nowrap" }}>{t}</Typography.Text> },
            { title: "收到日期", dataIndex: "receivedOn", render: (d: string) => <span style={{ whiteSpace: "nowrap" }}>{d}</span> },
            { title: "类型", dataIndex: "kindLabel", render: (k: string) => <Tag>{k}</Tag> },
            {
              title: "内容",
              dataIndex: "text",
              width: "28%",
              render: (t: string) => (
                <Typography.Paragraph ellipsis={{ rows: 2, tooltip: t }} style={{ margin: 0 }}>
                  {t}
                </Typography.Paragraph>
              ),
            },
            { title: "项目 · 地区", render: (_: unknown, f) => `${f.site.project.title} · ${f.site.region.name}` },
            { title: "责任单位", render: (_: unknown, f) => f.site.unit.name },
            {
              title: "答复期限",
              dataIndex: "dueOn",
              render: (d: string, f) => (
                <Space size={4}>
                  <span style={{ whiteSpace: "nowrap" }}>{d}</span>
                  {f.overdue && <Tag color="red">已超期</Tag>}
                  {f.answeredLate && (
                    <Tooltip title={`${f.answeredOn} 答复，晚于期限`}>
                      <Tag color="volcano">逾期答复</Tag>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            { title: "状态", dataIndex: "state", render: (s: FeedbackState, f) => <Tag color={stateColor[s]}>{f.stateLabel}</Tag> },
            { title: "电话", dataIndex: "phone", render: (p: string | null) => p ?? <Typography.Text type="secondary">未留</Typography.Text> },
            {
              title: "操作",
              width: 64,
              render: (_: unknown, f) => (
                <a style={{ whiteSpace: "nowrap" }} onClick={(e) => (e.stopPropagation(), set({ id: String(f.id) }))} data-testid={`handle-${f.ticket}`}>
                  {f.state === "pending" ? (scope.staff ? "审核" : "查看") : f.state === "open" ? "答复" : "查看"}
                </a>
              ),
            },
          ]}
        />
      </Card>
      {openId && <FeedbackDrawer id={openId} canModerate={scope.staff} onClose={() => set({ id: undefined })} />}
    </Space>
  );
}
