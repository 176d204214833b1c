import { Alert, Card, Col, Row, Statistic } from "antd";
import { errorText } from "../api";
import { useSiteStats } from "../maishangtong";

/** 码上通 figures as seed 003 reports them, for an area (and a unit). */
export default function SiteStatsCard({ region, unit, title = "码上通公开情况" }: { region?: string; unit?: string; title?: string }) {
  const stats = useSiteStats(region, unit);
  if (stats.isError) return <Alert type="error" title={errorText(stats.error)} />;
  const s = stats.data;
  const cell = (label: string, value: number | undefined, suffix?: string, testid?: string) => (
    <Col xs={12} md={8} xl={4}>
      <Statistic title={label} value={value ?? "-"} suffix={suffix} loading={stats.isLoading} data-testid={testid} />
    </Col>
  );
  return (
    <Card size="small" title={title} data-testid="site-stats">
      <Row gutter={16}>
        {cell("公开政策文件", s?.policyDocuments, "份", "stat-policies")}
        {cell("本地化更新", s?.localisedUpdates, "条", "stat-localised")}
        {cell("发布工作动态", s?.workUpdates, "条", "stat-updates")}
        {cell("收到意见建议", s?.suggestionsReceived, "条", "stat-received")}
        {cell("已答复", s?.suggestionsAnswered, "条", "stat-answered")}
        {cell("处理率", s?.processingRatePercent, "%", "stat-rate")}
      </Row>
    </Card>
  );
}
