import { Card, Select, Space } from "antd";
import type { ReactNode } from "react";
import { useSearchParams } from "react-router";

/**
 * The filter bar of a list page (项目点位, 意见建议): its filters live in the address, so a filtered
 * list can be shared, reloaded and gone back to.
 */

/** `params` with `changes` applied; an empty or undefined value removes the key. */
export function withChanges(params: URLSearchParams, changes: Record<string, string | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) if (v === undefined || v === "") next.delete(k);
  else next.set(k, v);
  return next;
}

/** The address's search parameters and a setter changing several at once (replacing the history entry: filtering is not navigating). */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const set = (changes: Record<string, string | undefined>) => setParams(withChanges(params, changes), { replace: true });
  return { params, set };
}

/** The card holding the filters, wrapping on narrow screens; `below` takes a second row (state tabs). */
export function FilterBar({ children, below }: { children: ReactNode; below?: ReactNode }) {
  return (
    <Card size="small">
      <Space wrap>{children}</Space>
      {below && <div style={{ marginTop: 12 }}>{below}</div>}
    </Card>
  );
}

export interface FilterSelectProps {
  /** what an empty choice means: "全部计划", "地区（默认本辖区）" */
  placeholder: string;
  width: number;
  value: string | undefined;
  options: { value: string; label: string }[];
  onChange: (value: string | undefined) => void;
  /** type to narrow by label: for long lists (regions, units) */
  searchable?: boolean;
  testId: string;
}

/** One filter: a clearable pick from a list; cleared means no filter. */
export function FilterSelect({ placeholder, width, value, options, onChange, searchable = false, testId }: FilterSelectProps) {
  return (
    <Select
      allowClear
      {...(searchable ? { showSearch: true, optionFilterProp: "label" } : {})}
      placeholder={placeholder}
      style={{ width }}
      value={value}
      onChange={(v?: string) => onChange(v)}
      options={options}
      data-testid={testId}
    />
  );
}
