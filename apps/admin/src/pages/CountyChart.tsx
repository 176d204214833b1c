import { BarChart } from "echarts/charts";
import { GridComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import { duePercent, rateFigure, ratePercent } from "../figures";

echarts.use([BarChart, GridComponent, TooltipComponent, MarkLineComponent, CanvasRenderer]);

export interface Bar {
  code?: string;
  name: string;
  rate: number;
  status: string;
}

const colorOf = (s: string) => (s === "completed" ? "#389e0d" : s === "on_schedule" ? "#1677ff" : "#cf1322");

/** Each county's rate for one indicator, with the schedule line (序时进度). */
export default function CountyChart({ bars, due, onPick }: { bars: Bar[]; due: number; onPick?: (code: string) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // The click handler reads the latest bars and callback, not those of the first render.
  const latest = useRef({ bars, onPick });
  latest.current = { bars, onPick };
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current);
    chart.current.on("click", (p) => {
      const code = latest.current.bars[(p as { dataIndex: number }).dataIndex]?.code;
      if (code) latest.current.onPick?.(code);
    });
    const resize = () => chart.current?.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 48, right: 16, top: 24, bottom: 72 },
        tooltip: { trigger: "axis", valueFormatter: (v: unknown) => ratePercent(Number(v)) },
        xAxis: { type: "category", data: bars.map((b) => b.name), axisLabel: { rotate: 40, interval: 0 } },
        yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
        series: [
          {
            type: "bar",
            data: bars.map((b) => ({ value: b.rate, itemStyle: { color: colorOf(b.status) } })),
            label: { show: true, position: "top", formatter: (p: { value: unknown }) => rateFigure(Number(p.value)), fontSize: 10 },
            markLine: { symbol: "none", data: [{ yAxis: due, name: "序时进度" }], lineStyle: { color: "#fa8c16", type: "dashed" }, label: { formatter: `序时 ${duePercent(due)}` } },
          },
        ],
      },
      true,
    );
  }, [bars, due]);
  return <div ref={ref} style={{ width: "100%", height: 340 }} data-testid="county-chart" />;
}
