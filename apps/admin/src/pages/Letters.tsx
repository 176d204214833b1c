import { chinaDate } from "@minsheng/domain/calendar";
import { Alert, Card, Segmented, Space, Typography } from "antd";
import { useState } from "react";
import { errorText } from "../api";
import { useLetters } from "../supervision";
import LetterDrawer from "./LetterDrawer";
import { LetterTable } from "./Supervision";

/** 待办函件: the letters the caller's unit (or the region's task force) must sign and answer by their deadlines. */
export default function Letters() {
  const [state, setState] = useState<"waiting" | "overdue" | "closed">("waiting");
  const letters = useLetters({ to: "me", state });
  const [open, setOpen] = useState<number | null>(null);
  return (
    <Card title="待办督办函件">
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Segmented
            value={state}
            onChange={(v) => setState(v as typeof state)}
            options={[
              { value: "waiting", label: "待签收/答复" },
              { value: "overdue", label: "已逾期" },
              { value: "closed", label: "已销号" },
            ]}
            data-testid="my-letters-filter"
          />
          <Typography.Text type="secondary">签收后请在整改期限内报送整改情况及佐证材料；专班审核后销号或退回。</Typography.Text>
        </Space>
        {letters.isError && <Alert type="error" title={errorText(letters.error)} />}
        <LetterTable rows={letters.data ?? []} loading={letters.isLoading} today={chinaDate(Date.now())} onOpen={setOpen} />
      </Space>
      <LetterDrawer id={open} onClose={() => setOpen(null)} />
    </Card>
  );
}
