import { observationKindLabel } from "@minsheng/domain/labels";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Empty, Input, List, Radio, Result, Segmented, Space, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { api, errorText, read } from "../api";
import { uploadPhoto, useObservations } from "../supervision";

const MAX_PHOTOS = 9;
type Kind = "information" | "suggestion" | "inspection" | "report";
const outcomeColor: Record<string, string> = { submitted: "default", no_action: "default", forwarded: "blue", letter: "orange" };

/**
 * 观察员报送: a phone-sized page. An observer files information, a suggestion, an inspection (on the
 * site's information card, opened by scanning its QR code: `?site=CODE`) or a written report, with up
 * to nine photos from the camera, and follows what became of each filing.
 */
export default function Observe() {
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const [kind, setKind] = useState<Kind>("information");
  const [site, setSite] = useState(params.get("site") ?? "");
  const [text, setText] = useState("");
  const [photos, setPhotos] = useState<File[]>([]);
  const [card, setCard] = useState<Record<string, { ok: boolean | null; note: string }>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const me = useQuery({ queryKey: ["observer-me"], queryFn: async () => read(api.observers.me.$get()) });
  const mine = useObservations({});
  const siteCode = site.trim().toUpperCase();
  const checklist = useQuery({
    queryKey: ["observation-card", siteCode],
    enabled: kind === "inspection" && /^[0-9A-Z]{8,16}$/.test(siteCode),
    retry: false,
    queryFn: async () => read(api.observations.card.$get({ query: { site: siteCode } })),
  });
  const previews = useMemo(() => photos.map((f) => URL.createObjectURL(f)), [photos]);
  useEffect(() => () => previews.forEach((u) => URL.revokeObjectURL(u)), [previews]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const items = checklist.data?.items ?? [];
      const filled = kind === "inspection" && items.length ? items.map((item) => ({ item, ok: card[item]?.ok ?? null, note: card[item]?.note ?? "" })) : undefined;
      const { id } = await read(api.observations.$post({ json: { kind, text, site: siteCode || undefined, card: filled } }));
      for (const f of photos) await uploadPhoto(id, f);
      setDone(id);
      setText("");
      setPhotos([]);
      setCard({});
      await qc.invalidateQueries({ queryKey: ["observations"] });
      await qc.invalidateQueries({ queryKey: ["observer-me"] });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (me.data && me.data.observer === null) return <Result status="info" title="您的账号尚未登记为民生实事观察员" subTitle="请联系本级专班办公室登记后再报送" />;
  const d = me.data?.duties;
  return (
    <div style={{ maxWidth: 480, margin: "0 auto" }} data-testid="observe">
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        {d && (
          <Card size="small" title="本月“四个一”" data-testid="my-duties">
            <Space wrap>
              <Tag color={d.missingInformation.length ? "red" : "green"}>信息 {d.missingInformation.length ? `缺 ${d.missingInformation.length} 个月` : "已报"}</Tag>
              <Tag color={d.missingSuggestion.length ? "red" : "green"}>建议 {d.missingSuggestion.length ? `缺 ${d.missingSuggestion.length} 个月` : "已报"}</Tag>
              <Tag color={d.inspectionDue ? "orange" : "green"}>年度检查{d.inspectionDue ? "未参加" : "已参加"}</Tag>
              <Tag color={d.reportDue ? "orange" : "green"}>调研材料{d.reportDue ? "未报送" : "已报送"}</Tag>
            </Space>
          </Card>
        )}
        <Card size="small" title="我要报送">
          <Space orientation="vertical" style={{ width: "100%" }}>
            <Segmented block value={kind} onChange={(v) => setKind(v as Kind)} options={(Object.keys(observationKindLabel) as Kind[]).map((k) => ({ value: k, label: observationKindLabel[k] }))} data-testid="observe-kind" />
            <Input placeholder="项目点位码（扫现场二维码自动填入，可不填）" value={site} onChange={(e) => setSite(e.target.value)} data-testid="observe-site" />
            {kind === "inspection" && checklist.isError && <Alert type="warning" title={errorText(checklist.error)} />}
            {kind === "inspection" && checklist.data && (
              <Card size="small" type="inner" title={`信息采集卡 · ${checklist.data.title}`} data-testid="observe-card">
                {checklist.data.items.map((item) => (
                  <div key={item} style={{ marginBottom: 8 }}>
                    <div>{item}</div>
                    <Radio.Group
                      size="small"
                      value={card[item]?.ok ?? null}
                      onChange={(e) => setCard((c) => ({ ...c, [item]: { ok: e.target.value, note: c[item]?.note ?? "" } }))}
                      options={[
                        { value: true, label: "符合" },
                        { value: false, label: "有问题" },
                        { value: null, label: "未查看" },
                      ]}
                    />
                    {card[item]?.ok === false && <Input size="small" placeholder="问题说明" value={card[item]?.note} onChange={(e) => setCard((c) => ({ ...c, [item]: { ok: false, note: e.target.value } }))} />}
                  </div>
                ))}
              </Card>
            )}
            <Input.TextArea rows={5} placeholder="看到了什么、群众怎么说、有什么建议（至少 5 个字）" value={text} onChange={(e) => setText(e.target.value)} data-testid="observe-text" />
            <div>
              <Typography.Text>随手拍（最多 {MAX_PHOTOS} 张）</Typography.Text>
              <div style={{ display: "flex", flexWrap: "wrap", gap: 6, marginTop: 6 }}>
                {previews.map((src, i) => (
                  <div key={src} style={{ position: "relative" }}>
                    <img src={src} alt={`照片 ${i + 1}`} style={{ width: 72, height: 72, objectFit: "cover", borderRadius: 4 }} data-testid="observe-preview" />
                    <a style={{ position: "absolute", top: 0, right: 4 }} onClick={() => setPhotos((p) => p.filter((_, j) => j !== i))}>
                      ×
                    </a>
                  </div>
                ))}
                {photos.length < MAX_PHOTOS && (
                  <label style={{ width: 72, height: 72, border: "1px dashed #999", borderRadius: 4, display: "flex", alignItems: "center", justifyContent: "center", cursor: "pointer" }}>
                    拍照
                    <input
                      type="file"
                      accept="image/*"
                      capture="environment"
                      multiple
                      style={{ display: "none" }}
                      data-testid="observe-photo"
                      onChange={(e) => {
                        const picked = [...(e.target.files ?? [])];
                        setPhotos((p) => [...p, ...picked].slice(0, MAX_PHOTOS));
                        e.target.value = "";
                      }}
                    />
                  </label>
                )}
              </div>
            </div>
            {error && <Alert type="error" title={error} data-testid="observe-error" />}
            {done !== null && <Alert type="success" title={`已报送（编号 ${done}），专班将分办处理`} data-testid="observe-done" />}
            <Button type="primary" block size="large" loading={busy} disabled={text.trim().length < 5} onClick={submit} data-testid="observe-submit">
              提交
            </Button>
          </Space>
        </Card>
        <Card size="small" title="我的报送及办理结果">
          {mine.data?.length === 0 ? (
            <Empty description="暂无报送" />
          ) : (
            <List
              dataSource={mine.data ?? []}
              data-testid="my-filings"
              renderItem={(o) => (
                <List.Item>
                  <List.Item.Meta
                    title={
                      <Space wrap>
                        <span>{o.filedOn}</span>
                        <Tag>{o.kindLabel}</Tag>
                        <Tag color={outcomeColor[o.state]}>{o.stateLabel}</Tag>
                        {o.photos.length > 0 && <span>{o.photos.length} 张照片</span>}
                      </Space>
                    }
                    description={
                      <>
                        <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>
                          {o.text}
                        </Typography.Paragraph>
                        {o.outcome.letter && (
                          <div>
                            {o.outcome.letter.number ?? "函件起草中"} · {o.outcome.letter.stateLabel}
                          </div>
                        )}
                        {o.outcome.to && <div>已转 {o.outcome.to.name} 办理</div>}
                        {o.outcome.action === "none" && o.outcome.reason && <div>说明：{o.outcome.reason}</div>}
                      </>
                    }
                  />
                </List.Item>
              )}
            />
          )}
        </Card>
      </Space>
    </div>
  );
}
