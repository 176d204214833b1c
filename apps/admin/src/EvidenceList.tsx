import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Empty, Image, Popconfirm, Space, Spin, Typography } from "antd";
import { lazy, Suspense, useEffect, useMemo } from "react";
import { errorText } from "./api";
import { type Evidence, fetchEvidence } from "./reports";

// pdf.js is large: only a page that shows a PDF loads it.
const PdfPreview = lazy(() => import("./PdfPreview"));

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** An object URL for a blob, revoked when the blob changes or the component goes. */
function useObjectUrl(blob: Blob | undefined) {
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : undefined), [blob]);
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  return url;
}

function Preview({ e, width }: { e: Evidence; width: number }) {
  const previewable = e.mediaType.startsWith("image/") || e.mediaType === "application/pdf";
  const file = useQuery({ queryKey: ["evidence-bytes", e.id], enabled: previewable, staleTime: Infinity, queryFn: () => fetchEvidence(e.id) });
  const url = useObjectUrl(e.mediaType.startsWith("image/") ? file.data : undefined);
  if (!previewable) return <Typography.Text type="secondary">此类文件（{e.mediaType}）不能在线预览，请下载查看</Typography.Text>;
  if (file.isError) return <Alert type="error" title={errorText(file.error)} />;
  if (!file.data) return <Spin />;
  if (url) return <Image src={url} alt={e.filename} width={width} data-testid="evidence-image" style={{ objectFit: "contain", maxHeight: width }} />;
  return (
    <Suspense fallback={<Spin />}>
      <PdfPreview data={file.data} width={width} />
    </Suspense>
  );
}

/** 佐证材料: each file with its preview (images and PDFs), a download link and, while editable, a delete button. */
export default function EvidenceList({ evidence, width = 420, onDelete }: { evidence: Evidence[]; width?: number; onDelete?: (e: Evidence) => Promise<unknown> }) {
  if (evidence.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚无佐证材料" />;
  return (
    <Space orientation="vertical" style={{ width: "100%" }} data-testid="evidence-list">
      {evidence.map((e) => (
        <Card
          key={e.id}
          size="small"
          data-testid="evidence"
          data-filename={e.filename}
          title={
            <Typography.Text ellipsis style={{ maxWidth: width - 120 }} title={e.filename}>
              {e.filename}
            </Typography.Text>
          }
          extra={
            <Space size="small">
              <Typography.Text type="secondary">{size(e.size)}</Typography.Text>
              <a href={e.href} download={e.filename}>
                下载
              </a>
              {onDelete && (
                <Popconfirm title="删除这份佐证材料？" okText="删除" cancelText="取消" onConfirm={() => onDelete(e)}>
                  <Button type="link" danger size="small">
                    删除
                  </Button>
                </Popconfirm>
              )}
            </Space>
          }
        >
          <Preview e={e} width={width - 26} />
        </Card>
      ))}
    </Space>
  );
}
