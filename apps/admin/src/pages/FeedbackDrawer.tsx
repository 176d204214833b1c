import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Descriptions, Drawer, Form, Input, Space, Spin, Tag, Typography } from "antd";
import { useState } from "react";
import { api, errorText, problemsToFields, read } from "../api";
import { feedbackStateColor as stateColor } from "../maishangtong";

/** One piece of feedback: moderation (staff), the answer, and the phone number for the answering unit. */
export default function FeedbackDrawer({ id, canModerate, onClose }: { id: number; canModerate: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const key = ["feedback-item", id];
  const q = useQuery({
    queryKey: key,
    queryFn: async () => read(api.feedback[":id"].$get({ param: { id: String(id) } })),
  });
  const [phone, setPhone] = useState<string | null>(null);
  const [answerForm] = Form.useForm<{ answer: string; note?: string }>();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const f = q.data;
  const done = (text: string) => {
    message.success(text);
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: ["feedback"] });
    void qc.invalidateQueries({ queryKey: ["site-stats"] });
    void qc.invalidateQueries({ queryKey: ["sites"] });
  };

  const moderate = useMutation({
    mutationFn: async (action: "approve" | "reject") =>
      read(api.feedback[":id"].moderate.$post({ param: { id: String(id) }, json: { action, version: f!.version, ...(action === "reject" && reason.trim() ? { reason: reason.trim() } : {}) } })),
    onSuccess: (_, action) => {
      setRejecting(false);
      done(action === "approve" ? "已通过审核，转入办理" : "已标记为不予受理");
    },
    onError: (e) => message.error(errorText(e)),
  });
  const answer = useMutation({
    mutationFn: async (v: { answer: string; note?: string }) =>
      read(api.feedback[":id"].answer.$post({ param: { id: String(id) }, json: { answer: v.answer.trim(), ...(v.note?.trim() ? { note: v.note.trim() } : {}), version: f!.version } })),
    onSuccess: () => done("已答复，答复内容将在项目公众页面公开"),
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["answer", "note"]);
      answerForm.setFields(fields as Parameters<typeof answerForm.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  const reveal = useMutation({
    mutationFn: async () => read(api.feedback[":id"].phone.$post({ param: { id: String(id) } })),
    onSuccess: (r) => setPhone(r.phone),
    onError: (e) => message.error(errorText(e)),
  });

  return (
    <Drawer open size={640} title={f ? `意见建议 ${f.ticket}` : "意见建议"} onClose={onClose} destroyOnHidden data-testid="feedback-drawer">
      {q.isError && <Alert type="error" title={errorText(q.error)} />}
      {!f ? (
        !q.isError && <Spin />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label="状态">
              <Space>
                <Tag color={stateColor[f.state]} data-testid="feedback-state">
                  {f.stateLabel}
                </Tag>
                {f.overdue && <Tag color="red">已超期</Tag>}
                {f.answeredLate && <Tag color="volcano">逾期答复</Tag>}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label="项目 · 地区">
              {f.site.project.title} · {f.site.region.name}（{f.site.code}）
            </Descriptions.Item>
            <Descriptions.Item label="责任单位">{f.site.unit.name}</Descriptions.Item>
            <Descriptions.Item label="类型">{f.kindLabel}</Descriptions.Item>
            <Descriptions.Item label="收到 / 答复期限">
              {f.receivedOn} / {f.dueOn}
            </Descriptions.Item>
            <Descriptions.Item label="联系电话">
              {!f.hasPhone ? (
                <Typography.Text type="secondary">未留电话</Typography.Text>
              ) : (
                <Space wrap>
                  <span data-testid="feedback-phone">{phone ?? f.phone}</span>
                  {!phone && f.mayRevealPhone && (
                    <Button size="small" loading={reveal.isPending} onClick={() => reveal.mutate()} data-testid="reveal-phone">
                      查看完整号码
                    </Button>
                  )}
                  {!phone && f.mayRevealPhone && <Typography.Text type="secondary">（查看将记入审计日志）</Typography.Text>}
                  {f.othersFromSamePhone > 0 && <Tag color="gold">该号码另有 {f.othersFromSamePhone} 条留言</Tag>}
                </Space>
              )}
            </Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph style={{ whiteSpace: "pre-wrap", background: "#fafafa", padding: 12, borderRadius: 6 }} data-testid="feedback-text">
            {f.text}
          </Typography.Paragraph>
          {f.photo && <img src={f.photo} alt="群众上传的照片" style={{ maxWidth: "100%", maxHeight: 320 }} />}

          {f.state === "pending" &&
            (canModerate ? (
              <Space orientation="vertical" style={{ width: "100%" }}>
                <Typography.Text type="secondary">待审核：通过后转责任单位办理；垃圾信息或恶意内容不予受理（不公开）。</Typography.Text>
                {rejecting && <Input.TextArea rows={2} maxLength={500} placeholder="不予受理的原因（内部记录）" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="reject-reason" />}
                <Space>
                  <Button type="primary" loading={moderate.isPending && moderate.variables === "approve"} onClick={() => moderate.mutate("approve")} data-testid="approve">
                    通过审核
                  </Button>
                  {rejecting ? (
                    <Button danger loading={moderate.isPending && moderate.variables === "reject"} onClick={() => moderate.mutate("reject")} data-testid="reject-confirm">
                      确认不予受理
                    </Button>
                  ) : (
                    <Button danger onClick={() => setRejecting(true)} data-testid="reject">
                      不予受理
                    </Button>
                  )}
                </Space>
              </Space>
            ) : (
              <Alert type="info" title="等待专班审核，审核通过后即可答复" />
            ))}

          {f.state === "open" && (
            <Form form={answerForm} layout="vertical" onFinish={(v) => answer.mutate(v)} data-testid="answer-form">
              <Form.Item
                name="answer"
                label="答复内容（将与留言一并在项目公众页面公开）"
                rules={[
                  { required: true, whitespace: true, message: "请填写答复内容" },
                  { min: 2, message: "答复至少 2 个字" },
                ]}
              >
                <Input.TextArea rows={5} maxLength={2000} showCount data-testid="answer-text" />
              </Form.Item>
              <Form.Item name="note" label="内部备注（不公开）">
                <Input.TextArea rows={2} maxLength={1000} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={answer.isPending} data-testid="answer-submit">
                提交答复
              </Button>
            </Form>
          )}

          {f.state === "answered" && (
            <Descriptions size="small" column={1} bordered title="答复" data-testid="answer-view">
              <Descriptions.Item label="答复内容">
                <span style={{ whiteSpace: "pre-wrap" }}>{f.answer}</span>
              </Descriptions.Item>
              <Descriptions.Item label="答复日期">{f.answeredOn}</Descriptions.Item>
              <Descriptions.Item label="答复人">{f.answeredBy?.replace(/^user:/, "")}</Descriptions.Item>
              {f.internalNote && <Descriptions.Item label="内部备注">{f.internalNote}</Descriptions.Item>}
            </Descriptions>
          )}
          {f.state === "rejected" && <Alert type="warning" title={`不予受理${f.rejectReason ? `：${f.rejectReason}` : ""}`} />}
        </Space>
      )}
    </Drawer>
  );
}
