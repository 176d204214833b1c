import { useEffect } from "preact/hooks";
import { getTicket, type TicketView } from "../api";
import { Loading, LoadError, Notice, Text } from "../components";
import { cnDate, TICKET } from "../format";
import { useLoad } from "../load";
import { Link } from "../router";

export function TicketPage({ ticket }: { ticket: string }) {
  const valid = TICKET.test(ticket);
  const { load, retry } = useLoad(ticket, () => (valid ? getTicket(ticket) : Promise.reject(new Error("bad ticket"))));
  useEffect(() => {
    document.title = `工单 ${ticket} · 码上通`;
  }, [ticket]);
  const notFound = "未找到该工单，请核对工单号（12 位字母和数字）。";
  let body;
  if (!valid) body = <Notice tone="error" title="工单号有误" text={notFound} />;
  else if (load.state === "loading") body = <Loading what="工单" />;
  else if (load.state === "error") body = <LoadError error={load.error} notFound={notFound} retry={retry} />;
  else body = <TicketView t={load.data} refresh={retry} />;
  return (
    <>
      {body}
      <p class="center">
        <Link to="/">返回首页</Link>
      </p>
    </>
  );
}

/** A ticket's status and answer; the phone number is never part of it. */
export function TicketView({ t, refresh }: { t: TicketView; refresh?: () => void }) {
  return (
    <article class="card ticket-view">
      <h1>意见建议办理情况</h1>
      <dl class="facts">
        <dt>工单号</dt>
        <dd class="mono">{t.ticket}</dd>
        <dt>办理状态</dt>
        <dd>
          <span class={`badge state-${t.state}`} data-testid="state">
            {t.stateLabel}
          </span>
        </dd>
        <dt>项目</dt>
        <dd>
          <Link to={`/p/${t.site.code}`}>{t.site.project}</Link>（{t.site.region}）
        </dd>
        <dt>类型</dt>
        <dd>{t.kindLabel}</dd>
        <dt>提交日期</dt>
        <dd>{cnDate(t.receivedOn)}</dd>
        {t.state !== "rejected" && (
          <>
            <dt>答复期限</dt>
            <dd>{cnDate(t.dueOn)}</dd>
          </>
        )}
      </dl>
      <h2>留言内容</h2>
      <Text value={t.text} />
      <h2>答复</h2>
      {t.answer ? (
        <div class="reply" data-testid="answer">
          <p class="muted small">{cnDate(t.answeredOn)} 答复</p>
          <Text value={t.answer} />
        </div>
      ) : t.state === "rejected" ? (
        <p class="muted">该留言经审核不予受理（如含广告、无关或不文明内容）。如有需要，请重新提交。</p>
      ) : (
        <p class="muted">
          尚未答复。责任单位将在 {cnDate(t.dueOn)} 前答复，请稍后再查。
          {refresh && (
            <>
              {" "}
              <button type="button" class="link" onClick={refresh}>
                刷新
              </button>
            </>
          )}
        </p>
      )}
    </article>
  );
}
