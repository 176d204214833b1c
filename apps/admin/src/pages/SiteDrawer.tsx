import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App as AntApp, Button, Descriptions, Drawer, Empty, Form, Image, Input, List, Modal, Space, Spin, Tabs, Tag, Typography, Upload } from "antd";
import type { InferRequestType } from "hono/client";
import { useState } from "react";
import { api, errorText, problemsToFields, read } from "../api";
import { chinaDay } from "../figures";
import { type ContentKind, type ContentView, contentKindLabel, type SiteSummary, siteFileUrl } from "../maishangtong";
import { postForm } from "../files";

const KINDS: ContentKind[] = ["policy", "localised", "update"];
const addLabel: Record<ContentKind, string> = { policy: "发布政策文件", localised: "发布本地化更新", update: "发布工作动态" };
const FIELDS = ["title", "issuer", "date", "url", "text"];
/** What each kind may attach (the server checks the bytes; this only filters the file picker). */
const accept: Record<ContentKind, string> = {
  policy: "image/jpeg,image/png,image/gif,image/webp,application/pdf,.doc,.docx,.xls,.xlsx",
  localised: "image/jpeg,image/png,image/gif,image/webp",
  update: "image/jpeg,image/png,image/gif,image/webp",
};

/** One project site: its details, QR code and sign, and the content it publishes. */
export default function SiteDrawer({ code, initial, onClose }: { code: string; initial?: SiteSummary; onClose: () => void }) {
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const key = ["site-content", code];
  const data = useQuery({
    queryKey: key,
    queryFn: async () => read(api.sites[":code"].content.$get({ param: { code }, query: {} })),
  });
  const site = data.data?.site ?? initial;
  const [editing, setEditing] = useState<{ kind: ContentKind; item?: ContentView } | null>(null);
  const [tab, setTab] = useState<ContentKind>("policy");
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: ["sites"] });
    void qc.invalidateQueries({ queryKey: ["site-stats"] });
  };

  const publish = useMutation({
    mutationFn: async (c: ContentView) => read(api.content[":id"].$patch({ param: { id: String(c.id) }, json: { version: c.version, published: !c.published } })),
    onSuccess: (c) => {
      message.success(c.published ? "已重新发布" : "已撤回，公众页面不再显示");
      refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });

  const upload = async (c: ContentView, file: File) => {
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const op = api.content[":id"].files;
      await postForm<typeof op.$post>(op.$url({ param: { id: String(c.id) } }), form);
      message.success(`已上传 ${file.name}`);
      refresh();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  const content = data.data?.content ?? [];
  return (
    <Drawer open size={760} title={site ? `${site.project.title} · ${site.region.name}` : code} onClose={onClose} destroyOnHidden data-testid="site-drawer">
      {data.isError && <Alert type="error" title={errorText(data.error)} style={{ marginBottom: 12 }} />}
      {!site ? (
        <Spin />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
          <div style={{ display: "flex", gap: 16, alignItems: "flex-start" }}>
            <Descriptions size="small" column={1} bordered style={{ flex: 1 }}>
              <Descriptions.Item label="点位编码">
                <Typography.Text code copyable>
                  {site.code}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label="公众页面">
                <a href={site.url} target="_blank" rel="noreferrer">
                  {site.url}
                </a>
              </Descriptions.Item>
              <Descriptions.Item label="实事">
                {site.item.no}. {site.item.title}
              </Descriptions.Item>
              <Descriptions.Item label="地区">{site.region.path.join(" / ")}</Descriptions.Item>
              <Descriptions.Item label="责任单位">{site.unit.name}</Descriptions.Item>
            </Descriptions>
            <Space orientation="vertical" align="center">
              <img src={siteFileUrl(site, "qr.svg")} alt="码上通二维码" width={150} height={150} data-testid="site-qr" />
              <a href={siteFileUrl(site, "qr.png")} download={`码上通-${site.code}.png`}>
                下载二维码 PNG
              </a>
              <a href={siteFileUrl(site, "sign.pdf")} target="_blank" rel="noreferrer">
                A4 公示牌 PDF
              </a>
            </Space>
          </div>
          <SignFields site={site} onSaved={refresh} />
          <Tabs
            activeKey={tab}
            onChange={(k) => setTab(k as ContentKind)}
            items={KINDS.map((kind) => {
              const items = content.filter((c) => c.kind === kind);
              return {
                key: kind,
                label: `${contentKindLabel[kind]}（${items.filter((c) => c.published).length}）`,
                children: (
                  <>
                    <Button type="primary" onClick={() => setEditing({ kind })} style={{ marginBottom: 8 }} data-testid={`add-${kind}`}>
                      {addLabel[kind]}
                    </Button>
                    <List
                      loading={data.isLoading}
                      dataSource={items}
                      locale={{ emptyText: <Empty description={`尚未发布${contentKindLabel[kind]}`} /> }}
                      data-testid={`content-${kind}`}
                      renderItem={(c) => (
                        <List.Item
                          key={c.id}
                          actions={[
                            <Button key="edit" size="small" onClick={() => setEditing({ kind, item: c })}>
                              编辑
                            </Button>,
                            <Button key="pub" size="small" danger={c.published} loading={publish.isPending && publish.variables?.id === c.id} onClick={() => publish.mutate(c)}>
                              {c.published ? "撤回" : "重新发布"}
                            </Button>,
                            <Upload
                              key="file"
                              accept={accept[kind]}
                              showUploadList={false}
                              beforeUpload={(file) => {
                                void upload(c, file);
                                return false;
                              }}
                            >
                              <Button size="small">{kind === "policy" ? "上传附件" : "上传照片"}</Button>
                            </Upload>,
                          ]}
                        >
                          <ContentItem c={c} />
                        </List.Item>
                      )}
                    />
                  </>
                ),
              };
            })}
          />
        </Space>
      )}
      {editing && site && (
        <ContentModal
          site={site.code}
          kind={editing.kind}
          item={editing.item}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
        />
      )}
    </Drawer>
  );
}

function ContentItem({ c }: { c: ContentView }) {
  const heading = c.kind === "update" ? c.date : c.title || contentKindLabel[c.kind];
  return (
    <div style={{ width: "100%" }}>
      <Space wrap>
        <b>{heading}</b>
        {c.published ? <Tag color="green">已发布</Tag> : <Tag>已撤回</Tag>}
        {c.kind === "policy" && (
          <Typography.Text type="secondary">
            {c.issuer} · {c.date}
          </Typography.Text>
        )}
        {c.url && (
          <a href={c.url} target="_blank" rel="noreferrer noopener">
            原文
          </a>
        )}
      </Space>
      {/* citizens read the same text: rendered as text, never HTML */}
      {c.text && <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: "4px 0" }}>{c.text}</Typography.Paragraph>}
      {c.files.length > 0 && (
        <Space wrap>
          {c.files.map((f) =>
            // files are served publicly only while the content is published
            f.mediaType.startsWith("image/") && c.published ? (
              <Image key={f.id} src={f.url} width={72} height={72} style={{ objectFit: "cover" }} alt={f.filename} />
            ) : (
              <Tag key={f.id}>{c.published ? <a href={f.url}>{f.filename}</a> : f.filename}</Tag>
            ),
          )}
        </Space>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {c.createdBy.replace(/^user:/, "")} 发布于 {chinaDay(c.publishedAt ?? c.createdAt)}
        {c.updatedBy ? `，${c.updatedBy.replace(/^user:/, "")} 修改于 ${chinaDay(c.updatedAt)}` : ""}
      </Typography.Text>
    </div>
  );
}

/** The bodies, assembled field by field from the form below (the API checks each against its schema). */
type NewContent = InferRequestType<(typeof api.sites)[":code"]["content"]["$post"]>["json"];
type ContentPatch = InferRequestType<(typeof api.content)[":id"]["$patch"]>["json"];

interface ContentForm {
  title?: string;
  issuer?: string;
  date?: string;
  url?: string;
  text?: string;
}

/** Publishes a new piece of content, or edits one (with the version read). */
function ContentModal({ site, kind, item, onClose, onSaved }: { site: string; kind: ContentKind; item?: ContentView; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm<ContentForm>();
  const [rest, setRest] = useState<string[]>([]);
  const { message } = AntApp.useApp();
  const save = useMutation({
    mutationFn: async (v: ContentForm) => {
      const trimmed = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x.trim() : x])) as ContentForm;
      if (!item) {
        const body: Record<string, unknown> = { kind };
        for (const k of FIELDS) if (trimmed[k as keyof ContentForm]) body[k] = trimmed[k as keyof ContentForm];
        return read(api.sites[":code"].content.$post({ param: { code: site }, json: body as NewContent }));
      }
      // Only what changed; clearing the address removes it.
      const patch: Record<string, unknown> = { version: item.version };
      const was: ContentForm = { title: item.title, issuer: item.issuer, date: item.date ?? undefined, url: item.url ?? undefined, text: item.text };
      for (const k of FIELDS as (keyof ContentForm)[]) {
        if (!(k in trimmed)) continue;
        const now = trimmed[k] ?? "";
        if (now === (was[k] ?? "")) continue;
        patch[k] = k === "url" && now === "" ? null : now;
      }
      if (Object.keys(patch).length === 1) return item;
      return read(api.content[":id"].$patch({ param: { id: String(item.id) }, json: patch as ContentPatch }));
    },
    onSuccess: () => {
      message.success(item ? "已保存" : `已发布${contentKindLabel[kind]}`);
      onSaved();
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, FIELDS);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      setRest(fields.length === 0 && rest.length === 0 ? [errorText(e)] : rest.length ? rest : []);
    },
  });
  const initial: ContentForm = item ? { title: item.title, issuer: item.issuer, date: item.date ?? undefined, url: item.url ?? undefined, text: item.text } : {};
  return (
    <Modal
      open
      title={item ? `编辑${contentKindLabel[kind]}` : addLabel[kind]}
      okText={item ? "保存" : "发布"}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      destroyOnHidden
      data-testid="content-modal"
    >
      {rest.length > 0 && <Alert type="error" title={rest.join("；")} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)}>
        {kind !== "update" && (
          <Form.Item name="title" label={kind === "policy" ? "文件标题" : "标题（可选）"} rules={kind === "policy" ? [{ required: true, whitespace: true, message: "请填写文件标题" }] : []}>
            <Input maxLength={200} />
          </Form.Item>
        )}
        {kind === "policy" && (
          <Form.Item name="issuer" label="发文机关" rules={[{ required: true, whitespace: true, message: "请填写发文机关" }]}>
            <Input maxLength={100} />
          </Form.Item>
        )}
        {kind !== "localised" && (
          <Form.Item name="date" label={kind === "policy" ? "发文日期" : "工作日期"} rules={[{ required: true, message: "请选择日期" }]}>
            <Input type="date" style={{ width: 200 }} />
          </Form.Item>
        )}
        {kind === "policy" && (
          <Form.Item name="url" label="原文地址（可选）">
            <Input placeholder="https://" maxLength={500} />
          </Form.Item>
        )}
        <Form.Item
          name="text"
          label={kind === "policy" ? "摘要（可选）" : kind === "localised" ? "建设内容和建设要求（本地化）" : "工作动态"}
          rules={kind === "policy" ? [] : [{ required: true, whitespace: true, message: "请填写内容" }]}
        >
          <Input.TextArea rows={5} maxLength={5000} showCount />
        </Form.Item>
        {kind !== "policy" && !item && <Typography.Text type="secondary">发布后可在列表中上传照片。</Typography.Text>}
      </Form>
    </Modal>
  );
}

/** Contact and location printed on the site sign. */
function SignFields({ site, onSaved }: { site: SiteSummary; onSaved: () => void }) {
  const [form] = Form.useForm<{ contact: string; location: string }>();
  const { message } = AntApp.useApp();
  const save = useMutation({
    mutationFn: async (v: { contact: string; location: string }) =>
      read(api.sites[":code"].$patch({ param: { code: site.code }, json: { version: site.version, contact: v.contact ?? "", location: v.location ?? "" } })),
    onSuccess: () => {
      message.success("公示牌信息已保存");
      onSaved();
    },
    onError: (e) => {
      const { fields, rest } = problemsToFields(e, ["contact", "location"]);
      form.setFields(fields as Parameters<typeof form.setFields>[0]);
      if (rest.length) message.error(rest.join("；"));
    },
  });
  return (
    <Form form={form} layout="inline" initialValues={{ contact: site.contact, location: site.location }} onFinish={(v) => save.mutate(v)} key={site.version}>
      <Form.Item name="location" label="具体地点">
        <Input style={{ width: 200 }} maxLength={200} placeholder="如 塘渡口镇托育中心" />
      </Form.Item>
      <Form.Item name="contact" label="联系方式">
        <Input style={{ width: 200 }} maxLength={200} placeholder="如 县卫健局 0739-6822000" />
      </Form.Item>
      <Button htmlType="submit" loading={save.isPending}>
        保存
      </Button>
    </Form>
  );
}
