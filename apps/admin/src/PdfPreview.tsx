import { Alert, Button, Space, Spin, Typography } from "antd";
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy } from "pdfjs-dist";
// oxlint-disable-next-line import/default -- Vite's `?url` import: the default export is the file's URL (vite/client types)
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import { useEffect, useRef, useState } from "react";

// The worker is a file of this build (same origin): nothing loads from elsewhere, the CSP holds.
GlobalWorkerOptions.workerSrc = workerUrl;

/**
 * A PDF drawn page by page on a canvas with pdf.js. The server sends evidence as an attachment
 * and forbids framing, so the browser's own viewer is not an option.
 */
export default function PdfPreview({ data, width = 460 }: { data: Blob; width?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const [rendering, setRendering] = useState(true);

  useEffect(() => {
    let cancelled = false;
    setDoc(null);
    setPage(1);
    setError(null);
    let loading: ReturnType<typeof getDocument> | null = null;
    data
      .arrayBuffer()
      .then((buf) => {
        if (cancelled) return;
        loading = getDocument({ data: new Uint8Array(buf), isEvalSupported: false });
        return loading.promise.then((d) => {
          if (!cancelled) setDoc(d);
        });
      })
      .catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      void loading?.destroy();
    };
  }, [data]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let cancelled = false;
    let render: { cancel(): void; promise: Promise<void> } | null = null;
    setRendering(true);
    doc
      .getPage(page)
      .then((p) => {
        if (cancelled || !canvas.current) return;
        const scale = width / p.getViewport({ scale: 1 }).width;
        const viewport = p.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
        const c = canvas.current;
        c.width = Math.floor(viewport.width);
        c.height = Math.floor(viewport.height);
        c.style.width = `${width}px`;
        render = p.render({ canvasContext: c.getContext("2d")!, viewport });
        return render.promise;
      })
      .then(() => !cancelled && setRendering(false))
      .catch((e: unknown) => {
        if (!cancelled && !(e instanceof Error && e.name === "RenderingCancelledException")) setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      cancelled = true;
      render?.cancel();
    };
  }, [doc, page, width]);

  if (error) return <Alert type="warning" title={`无法预览此 PDF：${error}`} />;
  return (
    <Space orientation="vertical" size={4}>
      <Spin spinning={!doc || rendering}>
        <canvas ref={canvas} data-testid="pdf-preview" data-page={page} style={{ border: "1px solid #f0f0f0", display: "block", minHeight: 60, width }} />
      </Spin>
      {doc && doc.numPages > 1 && (
        <Space>
          <Button size="small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            上一页
          </Button>
          <Typography.Text type="secondary">
            {page} / {doc.numPages}
          </Typography.Text>
          <Button size="small" disabled={page >= doc.numPages} onClick={() => setPage(page + 1)}>
            下一页
          </Button>
        </Space>
      )}
    </Space>
  );
}
