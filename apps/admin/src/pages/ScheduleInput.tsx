import { fractionPercent, percentFraction } from "@minsheng/domain/round";
import { Button, InputNumber, Radio, Select, Space, Typography } from "antd";
import { type Schedule, scheduleProblems, scheduleText } from "../plan-forms";

/**
 * A form control for a schedule. `allowInherit`: an indicator may follow its plan's schedule (null).
 * Shares are typed as percents and kept as fractions.
 */
export function ScheduleInput({ value, onChange, allowInherit = false }: { value?: Schedule | null; onChange?: (v: Schedule | null) => void; allowInherit?: boolean }) {
  const mode = value === null || value === undefined ? "inherit" : value === "linear-monthly" ? "linear" : "milestones";
  const ms = typeof value === "object" && value !== null ? value : null;
  const setPoints = (points: { month: number; fraction: number }[]) => onChange?.({ type: "milestones", interpolation: ms?.interpolation ?? "linear", points });
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="schedule-input">
      <Radio.Group
        value={mode}
        onChange={(e) => onChange?.(e.target.value === "inherit" ? null : e.target.value === "linear" ? "linear-monthly" : { type: "milestones", interpolation: "linear", points: [{ month: 6, fraction: 0.5 }, { month: 12, fraction: 1 }] })}
        options={[...(allowInherit ? [{ value: "inherit", label: "跟随计划" }] : []), { value: "linear", label: "按月均衡" }, { value: "milestones", label: "按节点" }]}
      />
      {ms && (
        <>
          <Space>
            <span>节点之间</span>
            <Select
              style={{ width: 180 }}
              value={ms.interpolation ?? "linear"}
              onChange={(v) => onChange?.({ ...ms, interpolation: v })}
              options={[{ value: "linear", label: "逐月线性增长" }, { value: "step", label: "保持上一节点" }]}
            />
          </Space>
          {ms.points.map((p, i) => (
            <Space key={i} data-testid={`milestone-${i}`}>
              <InputNumber min={1} max={12} precision={0} value={p.month} suffix="月底" onChange={(m) => setPoints(ms.points.map((x, j) => (j === i ? { ...x, month: m ?? 0 } : x)))} />
              <InputNumber
                min={0}
                max={100}
                value={fractionPercent(p.fraction)}
                suffix="%"
                onChange={(f) => setPoints(ms.points.map((x, j) => (j === i ? { ...x, fraction: percentFraction(f ?? 0) } : x)))}
              />
              <Button size="small" disabled={ms.points.length === 1} onClick={() => setPoints(ms.points.filter((_, j) => j !== i))}>
                删除
              </Button>
            </Space>
          ))}
          <Button
            size="small"
            onClick={() => {
              const last = ms.points.at(-1);
              setPoints([...ms.points, { month: Math.min(12, (last?.month ?? 0) + 1), fraction: Math.min(1, last?.fraction ?? 0) }]);
            }}
            disabled={(ms.points.at(-1)?.month ?? 0) >= 12}
          >
            添加节点
          </Button>
          <Typography.Text type="secondary">{scheduleText(ms)}</Typography.Text>
        </>
      )}
    </Space>
  );
}

/** antd Form rule for a schedule field. */
export const scheduleRule = {
  validator: async (_: unknown, v: Schedule | null | undefined) => {
    const problems = scheduleProblems(v);
    if (problems.length > 0) throw new Error(problems.join("；"));
  },
};
