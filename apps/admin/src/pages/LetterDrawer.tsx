import { letterKindLabel } from "@minsheng/domain/labels";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Checkbox, Descriptions, Drawer, Empty, Form, Input, List, Space, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import { api, errorText, read } from "../api";
import { type LetterDetail, uploadReplyFile, useLetter } from "../supervision";

export const letterStateColor: Record<string, string> = { draft: "default", issued: "blue", acknowledged: "cyan", answered: "gold", accepted: "green", returned: "red" };

const sourceText = (s: LetterDetail["sources"][number]) =>
  s.kind === "observation" ? `观察信息 #${s.id}` : s.kind === "feedback" ? `群众意见建议 #${s.id}` : `${s.kind === "lagging" ? "未达序时" : "未按时填报"}：${s.indicator} @ ${s.region}（${s.period}）`;

/** A letter: its text, sources and answers, and the steps the caller may take (签发, 签收, 答复, 销号, 退回). */
export default function LetterDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const letter = useLetter(id);
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [replyForm] = Form.useForm<{ text: string }>();
  const [closeForm] = Form.useForm<{ reason?: string; public?: boolean }>();
  const l = letter.data;
  const param = { id: String(id) };

  const step = async (what: string, run: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await run();
      message.success(what);
      await Promise.all([qc.invalidateQueries({ queryKey: ["letters"] }), qc.invalidateQueries({ queryKey: ["letter", id] }), qc.invalidateQueries({ queryKey: ["observations"] })]);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open={id !== null} onClose={onClose} width={640} title={l ? `${letterKindLabel[l.kind]} ${l.number ?? "（草稿）"}` : "函件"} data-testid="letter-drawer">
      {letter.isError && <Alert type="error" title={errorText(letter.error)} />}
      {l && (
        <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
          {error && <Alert type="error" title={error} closable onClose={() => setError(null)} />}
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="标题">{l.subject}</Descriptions.Item>
            <Descriptions.Item label="发函">{l.issuer.name}专班</Descriptions.Item>
            <Descriptions.Item label="主送">{l.to.name}</Descriptions.Item>
            <Descriptions.Item label="整改期限">
              {l.dueOn} {l.overdue && <Tag color="red">逾期</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label="状态">
              <Tag color={letterStateColor[l.state]} data-testid="letter-state">{l.stateLabel}</Tag>
              {l.public && <Tag color="purple">码上通公开</Tag>}
            </Descriptions.Item>
            {l.returnReason && l.state === "returned" && <Descriptions.Item label="退回理由">{l.returnReason}</Descriptions.Item>}
            {l.sources.length > 0 && <Descriptions.Item label="来源">{l.sources.map(sourceText).join("；")}</Descriptions.Item>}
          </Descriptions>
          <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>{l.body}</Typography.Paragraph>
          {l.number && (
            <a href={`/api/v1/letters/${l.id}?format=docx`} data-testid="letter-docx">
              下载公文（.docx）
            </a>
          )}
          {l.youMay.issue && (
            <Form
              key={`${l.id}-${l.subject}-${l.dueOn}`}
              layout="vertical"
              initialValues={{ subject: l.subject, body: l.body, dueOn: l.dueOn }}
              onFinish={(v: { subject: string; body: string; dueOn: string }) => step("草稿已保存", () => read(api.letters[":id"].$patch({ param, json: v })))}
              data-testid="letter-edit"
            >
              <Form.Item name="subject" label="标题" rules={[{ required: true, min: 2 }]}>
                <Input />
              </Form.Item>
              <Form.Item name="body" label="正文" rules={[{ required: true, min: 2 }]}>
                <Input.TextArea rows={5} />
              </Form.Item>
              <Form.Item name="dueOn" label="整改期限（YYYY-MM-DD）" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: "格式如 2026-12-31" }]}>
                <Input />
              </Form.Item>
              <Button htmlType="submit" loading={busy}>
                保存草稿
              </Button>
            </Form>
          )}
          <Space wrap>
            {l.youMay.issue && (
              <Button type="primary" loading={busy} onClick={() => step("已签发", () => read(api.letters[":id"].issue.$post({ param })))} data-testid="letter-issue">
                签发（编号）
              </Button>
            )}
            {l.youMay.acknowledge && (
              <Button type="primary" loading={busy} onClick={() => step("已签收", () => read(api.letters[":id"].acknowledge.$post({ param })))} data-testid="letter-acknowledge">
                签收
              </Button>
            )}
          </Space>
          {l.youMay.reply && (
            <Form
              form={replyForm}
              layout="vertical"
              onFinish={(v) =>
                step("整改情况已报送", async () => {
                  const reply = await read(api.letters[":id"].replies.$post({ param, json: { text: v.text } }));
                  for (const f of files) await uploadReplyFile(l.id, reply.id, f);
                  setFiles([]);
                  replyForm.resetFields();
                })
              }
            >
              <Form.Item name="text" label="整改情况" rules={[{ required: true, min: 5, message: "请填写整改情况（至少 5 个字）" }]}>
                <Input.TextArea rows={4} data-testid="reply-text" />
              </Form.Item>
              <Form.Item label="佐证材料（图片、PDF、Word、Excel）">
                <Upload beforeUpload={(f) => (setFiles((x) => [...x, f]), false)} onRemove={(f) => setFiles((x) => x.filter((y) => y.name !== f.name))} multiple>
                  <Button>选择文件</Button>
                </Upload>
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy} data-testid="reply-submit">
                报送整改情况
              </Button>
            </Form>
          )}
          {l.youMay.close && (
            <Form form={closeForm} layout="vertical">
              <Form.Item name="reason" label="退回理由（退回时必填）">
                <Input.TextArea rows={2} data-testid="return-reason" />
              </Form.Item>
              <Form.Item name="public" valuePropName="checked">
                <Checkbox>销号后在项目码上通页面公开整改结果</Checkbox>
              </Form.Item>
              <Space>
                <Button type="primary" loading={busy} onClick={() => step("已销号", () => read(api.letters[":id"].accept.$post({ param, json: { public: Boolean(closeForm.getFieldValue("public")) } })))} data-testid="letter-accept">
                  销号
                </Button>
                <Button danger loading={busy} onClick={() => step("已退回", () => read(api.letters[":id"].return.$post({ param, json: { reason: String(closeForm.getFieldValue("reason") ?? "") } })))} data-testid="letter-return">
                  退回重办
                </Button>
              </Space>
            </Form>
          )}
          <Typography.Title level={5}>整改答复</Typography.Title>
          {l.replies.length === 0 ? (
            <Empty description="尚未答复" />
          ) : (
            <List
              dataSource={l.replies}
              renderItem={(r) => (
                <List.Item>
                  <List.Item.Meta
                    title={`${new Date(r.createdAt).toLocaleString("zh-CN")} · ${r.createdBy}`}
                    description={
                      <>
                        <div style={{ whiteSpace: "pre-wrap" }}>{r.text}</div>
                        {r.files.map((f) => (
                          <div key={f.id}>
                            <a href={f.href}>{f.filename}</a>
                          </div>
                        ))}
                      </>
                    }
                  />
                </List.Item>
              )}
            />
          )}
        </Space>
      )}
    </Drawer>
  );
}

