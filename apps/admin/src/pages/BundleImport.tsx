import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Progress, Steps, Table, Typography, Upload } from "antd";
import { useRef, useState } from "react";
import type { InferResponseType } from "hono/client";
import { ApiProblem, api, type ErrorBody, type Problem } from "../api";

/** What POST /bundles answers when it imports (typed from the operation). */
type Imported = InferResponseType<typeof api.bundles.$post, 201>;

type Phase = "idle" | "reading" | "checking" | "uploading" | "importing" | "done" | "failed";

const countLabels: Record<string, string> = {
  regions: "地区",
  units: "单位",
  plans: "计划",
  items: "实事",
  projects: "项目",
  indicators: "指标",
  targets: "目标任务",
  progress: "进度数据",
  disclosure: "信息公开记录",
};

const stepOf: Record<Phase, number> = { idle: 0, reading: 0, checking: 1, uploading: 2, importing: 3, done: 4, failed: -1 };

/**
 * 导入数据包 (admins): a `minsheng.bundle/v1` file read, checked as JSON, uploaded (XMLHttpRequest,
 * for upload progress) and imported in one transaction by POST /bundles. A refused bundle changes
 * nothing; every problem is listed with where it is ($.targets[3].region) and what is wrong.
 */
export default function BundleImport() {
  const qc = useQueryClient();
  const [phase, setPhase] = useState<Phase>("idle");
  const [percent, setPercent] = useState(0);
  const [file, setFile] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [counts, setCounts] = useState<Record<string, number> | null>(null);
  const failedAt = useRef(0);
  const phaseRef = useRef<Phase>("idle");

  const fail = (message: string, list: Problem[] = []) => {
    failedAt.current = stepOf[phaseRef.current];
    setError(message);
    setProblems(list);
    setPhase("failed");
  };
  const go = (p: Phase, pct: number) => {
    phaseRef.current = p;
    setPhase(p);
    setPercent(pct);
  };

  const run = (f: File) => {
    setFile(f.name);
    setProblems([]);
    setError(null);
    setCounts(null);
    go("reading", 0);
    const reader = new FileReader();
    reader.onprogress = (e) => e.lengthComputable && setPercent(Math.round((e.loaded / e.total) * 20));
    reader.onerror = () => fail("无法读取文件");
    reader.onload = () => {
      go("checking", 20);
      const text = String(reader.result ?? "");
      // Checked here so a file that is not JSON is named at once, without sending it.
      try {
        const doc = JSON.parse(text) as { format?: unknown };
        if (doc?.format !== "minsheng.bundle/v1") return fail("不是民生实事数据包", [{ path: "$.format", message: `应为 "minsheng.bundle/v1"，实为 ${JSON.stringify(doc?.format ?? null)}` }]);
      } catch (e) {
        return fail("文件不是有效的 JSON", [{ path: "$", message: e instanceof Error ? e.message : String(e) }]);
      }
      go("uploading", 25);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", api.bundles.$url());
      xhr.setRequestHeader("content-type", "application/json");
      xhr.withCredentials = true;
      xhr.upload.onprogress = (e) => e.lengthComputable && setPercent(25 + Math.round((e.loaded / e.total) * 60));
      xhr.upload.onload = () => go("importing", 90);
      xhr.onerror = () => fail("网络错误，未能上传");
      xhr.onload = async () => {
        let body: Partial<Imported> & ErrorBody = {};
        try {
          body = JSON.parse(xhr.responseText) as typeof body;
        } catch {
          /* not JSON */
        }
        if (xhr.status === 201 && body.imported) {
          setCounts(body.imported);
          go("done", 100);
          await qc.invalidateQueries();
        } else if (xhr.status === 413) fail("文件过大（上限 200 MB）");
        else {
          // the API's answer in Chinese, as everywhere (ApiProblem)
          const e = ApiProblem.of(xhr.status, body);
          if (xhr.status === 400 && e.problems.length > 0) fail("数据包校验未通过", e.problems);
          else fail(e.message, e.problems);
        }
      };
      xhr.send(text);
    };
    reader.readAsText(f);
  };

  const busy = phase !== "idle" && phase !== "done" && phase !== "failed";
  return (
    <Card title="导入数据包" size="small" data-testid="bundle-import">
      <Upload.Dragger accept=".json,application/json" showUploadList={false} disabled={busy} beforeUpload={(f) => (run(f), false)} data-testid="bundle-upload">
        <p style={{ fontSize: 15, margin: 8 }}>将 minsheng.bundle/v1 数据包（.json）拖到此处，或点击选择文件</p>
        <Typography.Text type="secondary">整包在一个事务中导入：有任何问题则不导入任何数据；进度数据按已核验的正式数据导入</Typography.Text>
      </Upload.Dragger>
      {phase !== "idle" && (
        <div style={{ marginTop: 16 }} data-testid="import-progress">
          <Typography.Text>{file}</Typography.Text>
          <Steps
            size="small"
            style={{ margin: "12px 0" }}
            current={phase === "failed" ? failedAt.current : stepOf[phase]}
            status={phase === "failed" ? "error" : phase === "done" ? "finish" : "process"}
            items={[{ title: "读取文件" }, { title: "检查格式" }, { title: "上传" }, { title: "校验并导入" }]}
          />
          <Progress percent={percent} status={phase === "failed" ? "exception" : phase === "done" ? "success" : "active"} />
        </div>
      )}
      {phase === "done" && counts && (
        <Descriptions size="small" column={3} title="已导入" data-testid="import-counts" style={{ marginTop: 12 }}>
          {Object.entries(counts).map(([k, n]) => (
            <Descriptions.Item key={k} label={countLabels[k] ?? k}>
              {n}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      {phase === "failed" && (
        <div style={{ marginTop: 12 }} data-testid="import-errors">
          <Alert type="error" showIcon title={error} description={problems.length > 0 ? `共 ${problems.length} 个问题，未导入任何数据。` : "未导入任何数据。"} />
          {problems.length > 0 && (
            <Table
              size="small"
              style={{ marginTop: 8 }}
              rowKey={(_, i) => String(i)}
              dataSource={problems}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showTotal: (t) => `共 ${t} 个问题` }}
              columns={[
                { title: "位置", dataIndex: "path", width: "40%", render: (p: string) => <Typography.Text code>{p}</Typography.Text> },
                { title: "问题", dataIndex: "message" },
              ]}
            />
          )}
          <Button style={{ marginTop: 8 }} onClick={() => go("idle", 0)}>
            重新选择
          </Button>
        </div>
      )}
    </Card>
  );
}
