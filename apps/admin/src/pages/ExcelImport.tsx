import { Alert, Button, Card, Descriptions, Select, Space, Steps, Table, Typography, Upload } from "antd";
import { useState } from "react";
import { periodsOfYear } from "@minsheng/domain/calendar";
import type { InferResponseType } from "hono/client";
import { ApiProblem, api, currentPeriod, errorText } from "../api";
import { useSignedIn } from "../auth";
import { usePlans } from "../data";
import { postForm } from "../files";

/**
 * A problem of a refused import, naming its cell. Error answers are not typed by the client (it
 * types success answers), so this names the extra fields the import's problems carry.
 */
interface CellProblem {
  path: string;
  message: string;
  sheet?: string;
  row?: number | null;
  column?: string | null;
  field?: string | null;
  /** the API's English, kept for support (message is the Chinese of the problem's code: api-messages.ts) */
  apiMessage?: string;
}
/** The answer of an import, checked (dryRun) or done: typed from the operation (POST /imports/reports). */
type ImportResult = InferResponseType<typeof api.imports.reports.$post>;

/** The months of the plans' years that have begun, newest first. */
const monthsOf = (years: number[], now: string) =>
  [...new Set(years)]
    .sort((a, b) => b - a)
    .flatMap((y) => periodsOfYear(y).reverse())
    .filter((m) => m <= now);

/** Excel 导入: download the month's template, fill it in, upload: every problem by sheet, row and column; nothing written unless all pass. */
export default function ExcelImport() {
  const me = useSignedIn();
  const plans = usePlans();
  const now = currentPeriod();
  const months = monthsOf((plans.data ?? []).map((p) => p.year), now);
  const [chosen, setPeriod] = useState<string | null>(null);
  // This month when a plan covers it, else the latest month of the plans' years.
  const period = chosen ?? (months.includes(now) ? now : months[0] ?? now);
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<ImportResult | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const [problems, setProblems] = useState<CellProblem[]>([]);
  const [summary, setSummary] = useState<string | null>(null);
  const [busy, setBusy] = useState<"check" | "import" | null>(null);

  const post = async (f: File, dryRun: boolean) => {
    const form = new FormData();
    form.append("file", f);
    form.append("period", period);
    const op = api.imports.reports;
    return postForm<typeof op.$post>(op.$url({ query: { dryRun: dryRun ? "true" : "false" } }), form);
  };
  const run = async (f: File, dryRun: boolean) => {
    setBusy(dryRun ? "check" : "import");
    setProblems([]);
    setSummary(null);
    try {
      const res = await post(f, dryRun);
      if (dryRun) setChecked(res);
      else {
        setDone(res);
        setChecked(null);
        setFile(null);
      }
    } catch (e) {
      setChecked(null);
      if (e instanceof ApiProblem && e.problems.length > 0) setProblems(e.problems as CellProblem[]);
      setSummary(e instanceof ApiProblem && e.status === 400 ? `检查未通过：${e.problems.length} 处问题，未写入任何数据。请在表格中修改后重新上传。` : errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const step = done ? 3 : checked ? 2 : file ? 1 : 0;
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" title="Excel 批量填报">
        <Steps size="small" current={step} items={[{ title: "下载模板" }, { title: "上传并检查" }, { title: "确认导入" }, { title: "完成" }]} style={{ marginBottom: 16 }} />
        <Space wrap align="center">
          <span>填报月份</span>
          <Select
            style={{ width: 130 }}
            showSearch
            value={period}
            onChange={(v: string) => {
              setPeriod(v);
              setChecked(null);
              setDone(null);
            }}
            options={months.map((m) => ({ value: m, label: m }))}
            data-testid="import-period"
          />
          <a href={`/api/v1/imports/reports/template?period=${period}`} download data-testid="download-template">
            <Button>下载 {period} 填报模板</Button>
          </a>
          <Typography.Text type="secondary">
            {me.unit ? "模板列出本单位牵头项目" : "模板列出本地区"}需要填报的指标、地区、上期核定值和全年目标；在黄色列填写本月累计值、进展情况（必填）和下降原因。
          </Typography.Text>
        </Space>
        <Upload.Dragger
          accept=".xlsx"
          maxCount={1}
          showUploadList={false}
          style={{ marginTop: 16 }}
          customRequest={({ file: f, onSuccess }) => {
            setFile(f as File);
            setDone(null);
            void run(f as File, true).then(() => onSuccess?.(null));
          }}
          data-testid="import-drop"
        >
          <p style={{ margin: "12px 0" }}>{busy === "check" ? "检查中…" : file ? `已选择：${file.name}（重新拖入可替换）` : "将填好的 .xlsx 拖到此处，或点击选择文件（≤ 5 MB）"}</p>
        </Upload.Dragger>
      </Card>

      {summary && <Alert type="error" showIcon title={summary} data-testid="import-error" />}
      {problems.length > 0 && (
        <Table
          size="small"
          bordered
          rowKey={(p, i) => `${p.path}-${i}`}
          dataSource={problems}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="import-problems"
          columns={[
            { title: "工作表", dataIndex: "sheet", width: 100 },
            { title: "行", dataIndex: "row", width: 60 },
            { title: "列", render: (_, p) => (p.column ? `${p.column}（${p.field ?? ""}）` : "—"), width: 170 },
            { title: "单元格", dataIndex: "path", width: 130 },
            { title: "问题", render: (_, p) => <span title={p.apiMessage}>{p.message}</span> },
          ]}
        />
      )}
      {checked && file && (
        <Alert
          type="success"
          showIcon
          title={`检查通过：${checked.rows} 行均可导入（${checked.period}）。确认后将逐行保存并提交核验，与在线填报相同。`}
          action={
            <Button type="primary" loading={busy === "import"} onClick={() => void run(file, false)} data-testid="confirm-import">
              确认导入
            </Button>
          }
          data-testid="import-checked"
        />
      )}
      {done && (
        <Card size="small" title="导入完成" data-testid="import-done">
          <Descriptions size="small" column={4} items={[
            { key: "m", label: "月份", children: done.period },
            { key: "n", label: "提交", children: done.imported },
            { key: "c", label: "新建", children: done.created },
            { key: "u", label: "更新", children: done.updated },
          ]} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            月报已提交核验，可在“填报”页查看并补充佐证材料。
          </Typography.Paragraph>
        </Card>
      )}
    </Space>
  );
}
