import { Card, Col, Row, Statistic } from "antd";
import { useNavigate } from "react-router";
import { useLetters, useObservations } from "../supervision";

/** 总览's 督办 tile: filings waiting to be sorted, letters open, overdue and closed (rules 11-12). */
export default function SupervisionTile() {
  const navigate = useNavigate();
  const inbox = useObservations({ state: "submitted" });
  const letters = useLetters({});
  const all = letters.data ?? [];
  const open = all.filter((l) => l.state !== "draft" && l.state !== "accepted");
  return (
    <Card size="small" title="督办情况" extra={<a onClick={() => navigate("/supervision")}>进入督办</a>} data-testid="supervision-tile">
      <Row gutter={16}>
        <Col span={6}><Statistic title="观察信息待分办" value={inbox.data?.length ?? 0} /></Col>
        <Col span={6}><Statistic title="函件办理中" value={open.length} /></Col>
        <Col span={6}><Statistic title="逾期未销号" value={open.filter((l) => l.overdue).length} styles={{ content: { color: "#cf1322" } }} /></Col>
        <Col span={6}><Statistic title="已销号" value={all.filter((l) => l.state === "accepted").length} styles={{ content: { color: "#389e0d" } }} /></Col>
      </Row>
    </Card>
  );
}
