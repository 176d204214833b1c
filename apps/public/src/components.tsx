import type { ComponentChildren } from "preact";
import type { ApiProblem, Status } from "./api";
import { statusLabel } from "@minsheng/domain/labels";
import { barGeometry, pct } from "./format";

export function Notice({ title, text, children, tone = "info" }: { title: string; text?: string; children?: ComponentChildren; tone?: "info" | "error" }) {
  return (
    <div class={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <strong>{title}</strong>
      {text && <p>{text}</p>}
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      正在加载{what}…
    </p>
  );
}

/** A load that failed: what happened in words a citizen understands, and a retry when it may help. */
export function LoadError({ error, notFound, retry }: { error: ApiProblem; notFound: string; retry: () => void }) {
  if (error.status === 404 || error.status === 400) return <Notice tone="error" title="未找到" text={notFound} />;
  const text =
    error.status === 0
      ? "网络连接失败，请检查网络后重试。"
      : error.status === 429
        ? `访问太频繁了，请${error.retryAfter ? ` ${error.retryAfter} 秒` : "稍"}后再试。`
        : "服务暂时不可用，请稍后重试。";
  return (
    <Notice tone="error" title="加载失败" text={text}>
      <p>
        <button type="button" class="btn" onClick={retry}>
          重新加载
        </button>
      </p>
    </Notice>
  );
}

export function StatusBadge({ status, label }: { status: Status | null; label?: string | null }) {
  if (!status) return <span class="badge badge-none">暂无数据</span>;
  return <span class={`badge badge-${status}`}>{label ?? statusLabel[status]}</span>;
}

/**
 * The verified progress against the schedule line (序时进度): the bar is filled to the progress
 * and a marker stands at the share of the year's target due by now.
 */
export function ScheduleBar({ progress, due }: { progress: number | null; due: number | null }) {
  const g = barGeometry(progress, due);
  const label = `完成进度 ${pct(progress)}${due === null ? "" : `，序时进度 ${pct(due)}`}`;
  return (
    <div class="bar" role="img" aria-label={label}>
      <div class={`bar-fill${progress !== null && due !== null && progress < due ? " bar-behind" : ""}`} style={{ width: `${g.fill}%` }} />
      {g.marker !== null && <div class="bar-marker" style={{ left: `${g.marker}%` }} title={`序时进度 ${pct(due)}`} />}
    </div>
  );
}

/** Citizens' and staff's text: as text, keeping line breaks; never parsed as HTML. */
export const Text = ({ value, class: cls }: { value: string; class?: string }) => <p class={`text${cls ? ` ${cls}` : ""}`}>{value}</p>;
