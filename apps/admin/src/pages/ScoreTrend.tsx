import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface TrendMonth {
  period: string;
  issued: boolean;
  units: { unit: string; name: string; score: number; rank: number }[];
}

/** Each unit's monthly score over the year (one line per unit); hollow points are months not yet issued. */
export default function ScoreTrend({ months }: { months: TrendMonth[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current);
    const resize = () => chart.current?.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    const units = new Map<string, string>();
    for (const m of months) for (const u of m.units) units.set(u.unit, u.name);
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 48, right: 16, top: 56, bottom: 32 },
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        xAxis: { type: "category", data: months.map((m) => `${Number(m.period.slice(5))}月${m.issued ? "" : "（预览）"}`) },
        yAxis: { type: "value", scale: true },
        series: [...units].map(([id, name]) => ({
          type: "line",
          name,
          data: months.map((m) => {
            const u = m.units.find((x) => x.unit === id);
            return u ? { value: u.score, symbol: m.issued ? "circle" : "emptyCircle" } : null;
          }),
        })),
      },
      true,
    );
  }, [months]);
  return <div ref={ref} style={{ width: "100%", height: 340 }} data-testid="score-trend" />;
}
