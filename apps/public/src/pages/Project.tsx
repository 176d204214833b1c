import { chinaDate } from "@minsheng/domain/calendar";
import { letterKindLabel } from "@minsheng/domain/labels";
import { useEffect } from "preact/hooks";
import { getSite, type SiteView } from "../api";
import { Loading, LoadError, Notice, ScheduleBar, StatusBadge, Text } from "../components";
import { amount, cnDate, fileSize, pct, processingText, safeHref, SITE_CODE } from "../format";
import { useLoad } from "../load";
import { Link } from "../router";
import { FeedbackForm } from "./FeedbackForm";
import { RatingPanel } from "./Rating";

export function ProjectPage({ code, initial }: { code: string; initial?: SiteView }) {
  const valid = SITE_CODE.test(code);
  const { load, retry } = useLoad(code, () => (valid ? getSite(code) : Promise.reject(new Error("bad code"))), initial);
  useEffect(() => {
    document.title = load.state === "ready" ? `${load.data.project.title} · ${load.data.region.name} · 码上通` : "项目公开 · 码上通";
  }, [load]);
  const notFound = "未找到该项目。请重新扫描项目现场的二维码，或返回首页查找项目。";
  if (!valid) return <Missing text={notFound} />;
  if (load.state === "loading") return <Loading what="项目信息" />;
  if (load.state === "error")
    return (
      <>
        <LoadError error={load.error} notFound={notFound} retry={retry} />
        <p class="center">
          <Link to="/">返回首页</Link>
        </p>
      </>
    );
  return <ProjectView site={load.data} />;
}

function Missing({ text }: { text: string }) {
  return (
    <>
      <Notice tone="error" title="未找到" text={text} />
      <p class="center">
        <Link to="/">返回首页</Link>
      </p>
    </>
  );
}

/** The whole public page of one project site, from the API's answer (verified figures only). */
export function ProjectView({ site }: { site: SiteView }) {
  const p = site.progress;
  return (
    <article class="project">
      <header class="card hero">
        <p class="eyebrow">
          {site.plan.title} · 实事{site.item.no}
        </p>
        <h1>{site.project.title}</h1>
        <dl class="facts">
          <dt>所属实事</dt>
          <dd>{site.item.title}</dd>
          <dt>责任单位</dt>
          <dd>{site.unit.name}</dd>
          <dt>实施地区</dt>
          <dd>{site.region.path.join(" · ")}</dd>
          <dt>项目地点</dt>
          <dd>{site.location || "—"}</dd>
          {site.contact && (
            <>
              <dt>联系方式</dt>
              <dd>{site.contact}</dd>
            </>
          )}
          <dt>目标任务</dt>
          <dd>
            {site.targets.length === 0
              ? "—"
              : site.targets.map((t) => (
                  <span class="target" key={t.indicator}>
                    {t.name} {amount(t.target, t.unit)}
                  </span>
                ))}
          </dd>
        </dl>
      </header>

      <section class="card" aria-labelledby="progress-h">
        <h2 id="progress-h">项目进度</h2>
        {p.period === null ? (
          <p class="muted">暂无核验后的进度数据。</p>
        ) : (
          <>
            <div class="headline">
              <span class="big" data-testid="progress">
                {pct(p.progress)}
              </span>
              <StatusBadge status={p.status} label={p.statusLabel} />
            </div>
            <ScheduleBar progress={p.progress} due={p.due} />
            <p class="muted small">
              截至{cnDate(p.period)} · 已核验数据 · 序时进度 {pct(p.due)}
            </p>
            <ul class="indicators">
              {p.indicators.map((i) => (
                <li key={i.id} data-indicator={i.id}>
                  <div class="row">
                    <strong>{i.name}</strong>
                    <StatusBadge status={i.status} label={i.statusLabel} />
                  </div>
                  <dl class="figures">
                    <div>
                      <dt>目标</dt>
                      <dd data-testid="target">{amount(i.target, i.unit)}</dd>
                    </div>
                    <div>
                      <dt>完成</dt>
                      <dd data-testid="actual">{amount(i.actual, i.unit)}</dd>
                    </div>
                    <div>
                      <dt>完成率</dt>
                      <dd data-testid="rate">{pct(i.rate)}</dd>
                    </div>
                  </dl>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section class="card" aria-labelledby="timeline-h">
        <h2 id="timeline-h">工作动态</h2>
        {site.timeline.length === 0 ? (
          <p class="muted">暂无工作动态。</p>
        ) : (
          <ol class="timeline">
            {site.timeline.map((u) => (
              <li key={u.id}>
                <time class="muted small">{cnDate(u.date ?? u.publishedAt)}</time>
                <Text value={u.text} />
                {u.photos.length > 0 && (
                  <div class="photos">
                    {u.photos.map((ph, n) => (
                      <a key={ph.id} href={ph.url} target="_blank" rel="noopener">
                        <img src={ph.url} alt={`工作动态照片 ${n + 1}`} loading="lazy" decoding="async" width={160} height={120} />
                      </a>
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section class="card" aria-labelledby="policy-h">
        <h2 id="policy-h">政策文件</h2>
        {site.policies.length === 0 ? (
          <p class="muted">暂无公开的政策文件。</p>
        ) : (
          <ul class="docs">
            {site.policies.map((d) => {
              const href = safeHref(d.url);
              return (
                <li key={d.id}>
                  <strong>{d.title}</strong>
                  <p class="muted small">{[d.issuer, cnDate(d.date)].filter(Boolean).join(" · ")}</p>
                  {d.text && <Text value={d.text} />}
                  {href && (
                    <p>
                      <a href={href} target="_blank" rel="noopener noreferrer">
                        查看原文
                      </a>
                    </p>
                  )}
                  <Files files={d.files} />
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="local-h">
        <h2 id="local-h">本地化内容与要求</h2>
        {site.localised.length === 0 ? (
          <p class="muted">暂无本地化内容。</p>
        ) : (
          <ul class="docs">
            {site.localised.map((d) => (
              <li key={d.id}>
                <strong>{d.title}</strong>
                {d.publishedAt && <p class="muted small">{cnDate(d.publishedAt)}</p>}
                <Text value={d.text} />
                <Files files={d.files} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="answers-h">
        <h2 id="answers-h">群众意见与答复</h2>
        <p class="muted small" data-testid="processing">
          {processingText(site.counts)}
        </p>
        {site.suggestions.length === 0 ? (
          <p class="muted">暂无已答复的意见建议。</p>
        ) : (
          <ul class="answers">
            {site.suggestions.map((s, n) => (
              <li key={n}>
                <p class="muted small">
                  <span class="tag">{s.kindLabel}</span> {cnDate(s.receivedOn)}
                </p>
                <Text value={s.text} />
                <div class="reply">
                  <p class="muted small">答复（{cnDate(s.answeredOn)}）</p>
                  <Text value={s.answer} />
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      {site.rectifications && site.rectifications.length > 0 && (
        <section class="card" aria-labelledby="rectify-h" data-testid="rectifications">
          <h2 id="rectify-h">督办整改</h2>
          <ul class="answers">
            {site.rectifications.map((r) => (
              <li key={r.number}>
                <p class="muted small">
                  <span class="tag">{letterKindLabel[r.kind]}</span> {r.number} · {cnDate(chinaDate(Date.parse(r.acceptedAt)))} 已销号
                </p>
                <p>{r.subject}</p>
                {r.reply && (
                  <div class="reply">
                    <p class="muted small">整改情况</p>
                    <Text value={r.reply} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <RatingPanel code={site.code} initial={site.satisfaction} />
      <FeedbackForm code={site.code} />
      {/* 民生实事观察员 scan the same QR code: their filing page in the console, on this site (rule 12) */}
      <p class="center muted small">
        <a href={`/admin/observe?site=${encodeURIComponent(site.code)}`} data-testid="observer-entry">
          民生实事观察员报送入口
        </a>
      </p>
    </article>
  );
}

function Files({ files }: { files: SiteView["policies"][number]["files"] }) {
  if (files.length === 0) return null;
  return (
    <ul class="files">
      {files.map((f) => (
        <li key={f.id}>
          <a href={f.url} target="_blank" rel="noopener">
            {f.filename}
          </a>{" "}
          <span class="muted small">{fileSize(f.size)}</span>
        </li>
      ))}
    </ul>
  );
}
