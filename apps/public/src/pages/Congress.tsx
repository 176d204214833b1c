import { FEEDBACK_TEXT_MAX, FEEDBACK_TEXT_MIN, feedbackTextProblem } from "@minsheng/domain/feedback-rules";
import { satisfactionLabel } from "@minsheng/domain/labels";
import { useEffect, useState } from "preact/hooks";
import { ApiProblem, listSites, type SiteFacets } from "../api";
import { Loading, LoadError, Notice, Text } from "../components";
import { type CongressYear, getCongressYear, getProposal, type ProposalCreated, type ProposalView, sendProposal } from "../congress-api";
import { cnDate, feedbackError, pct, problemsByField, TICKET } from "../format";
import { useLoad } from "../load";
import { Link, navigate } from "../router";

/**
 * 票决制 on 码上通 (loaded on demand, so the project page's JS stays within its budget):
 * 我要提建议 — a citizen proposes next year's project and follows it with a ticket;
 * 票决项目 — the year's voted projects of a region, their vote results and satisfaction, the
 * deputies' ballot and citizens' own ratings side by side, never added together.
 */

/** The regions to choose from: those with a project site (the browse page's facets). */
function useRegions(): SiteFacets["regions"] {
  const [regions, setRegions] = useState<SiteFacets["regions"]>([]);
  useEffect(() => {
    listSites({ limit: 1 }).then(
      (l) => setRegions(l.facets.regions),
      () => setRegions([]),
    );
  }, []);
  return regions;
}

const indent = (r: { path: string[] }) => "\u3000".repeat(Math.max(0, r.path.length - 1));

export function ProposePage() {
  const regions = useRegions();
  const [region, setRegion] = useState("");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<ProposalCreated | null>(null);
  useEffect(() => {
    document.title = "提出民生实事项目建议 · 码上通";
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    // the server's limits, checked here first (a suggestion's text limits, feedback-rules.ts)
    const local: Record<string, string> = {};
    if (!region) local.region = "请选择项目所在地区";
    if (title.trim().length < 2) local.title = "请填写项目名称（至少 2 个字）";
    const p = feedbackTextProblem(description);
    if (p) local.description = p === "too_short" ? `请写明建设内容和地点（至少 ${FEEDBACK_TEXT_MIN} 个字）` : `内容不能超过 ${FEEDBACK_TEXT_MAX} 个字`;
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      setCreated(await sendProposal({ region, title: title.trim(), description: description.trim() }));
    } catch (err) {
      setErrors(err instanceof ApiProblem && err.status === 400 ? problemsByField(err.problems) : {});
      setFormError(err instanceof ApiProblem && err.status === 409 ? "24 小时内已提交过相同的建议" : feedbackError(err));
    } finally {
      setBusy(false);
    }
  };

  if (created)
    return (
      <section class="card" aria-labelledby="propose-h">
        <h1 id="propose-h">提出民生实事项目建议</h1>
        <div class="done" role="status">
          <p>提交成功，您的查询码是</p>
          <p class="ticket" data-testid="proposal-ticket">
            {created.ticket}
          </p>
          <p class="muted small">
            请保存查询码，凭它查看建议是否被采纳为 {created.year} 年候选项目。当前状态：{created.stateLabel}。
          </p>
          <p>
            <Link to={`/jy/${created.ticket}`} class="btn primary">
              查看建议进展
            </Link>
          </p>
        </div>
      </section>
    );

  const invalid = (f: string) => (errors[f] ? { "aria-invalid": true, "aria-describedby": `pr-${f}-err` } : {});
  return (
    <section class="card" aria-labelledby="propose-h">
      <h1 id="propose-h">提出民生实事项目建议</h1>
      <p class="muted small">您提出的明年民生实事项目建议经审核后交政府初选，采纳的候选项目由人大代表票决。结果可凭查询码查看。</p>
      <form class="form" onSubmit={submit} noValidate data-testid="propose-form">
        <label for="pr-region">地区</label>
        <select id="pr-region" name="region" value={region} onChange={(e) => setRegion(e.currentTarget.value)} {...invalid("region")}>
          <option value="">请选择</option>
          {regions.map((r) => (
            <option key={r.code} value={r.code}>
              {indent(r)}
              {r.name}
            </option>
          ))}
        </select>
        {errors.region && <FieldError id="pr-region-err" text={errors.region} />}

        <label for="pr-title">项目名称</label>
        <input id="pr-title" name="title" maxLength={200} placeholder="如：集镇自来水管网延伸" value={title} onInput={(e) => setTitle(e.currentTarget.value)} {...invalid("title")} />
        {errors.title && <FieldError id="pr-title-err" text={errors.title} />}

        <label for="pr-description">建设内容和地点</label>
        <textarea
          id="pr-description"
          name="description"
          rows={5}
          maxLength={FEEDBACK_TEXT_MAX}
          placeholder="请写明要办什么、在哪里、惠及哪些群众"
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
          {...invalid("description")}
        />
        <p class="muted small counter" aria-live="polite">
          {description.length}/{FEEDBACK_TEXT_MAX}
        </p>
        {errors.description && <FieldError id="pr-description-err" text={errors.description} />}

        {formError && (
          <p class="error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" class="btn primary block" disabled={busy}>
          {busy ? "正在提交…" : "提交建议"}
        </button>
      </form>
    </section>
  );
}

export function ProposalPage({ ticket }: { ticket: string }) {
  const valid = TICKET.test(ticket);
  const { load, retry } = useLoad(ticket, () => (valid ? getProposal(ticket) : Promise.reject(new Error("bad ticket"))));
  useEffect(() => {
    document.title = `项目建议 ${ticket} · 码上通`;
  }, [ticket]);
  const notFound = "未找到该建议，请核对查询码（12 位字母和数字）。";
  if (!valid) return <Notice tone="error" title="查询码有误" text={notFound} />;
  if (load.state === "loading") return <Loading what="项目建议" />;
  if (load.state === "error") return <LoadError error={load.error} notFound={notFound} retry={retry} />;
  return <ProposalView p={load.data} />;
}

function ProposalView({ p }: { p: ProposalView }) {
  return (
    <article class="card ticket-view">
      <h1>项目建议办理情况</h1>
      <dl class="facts">
        <dt>查询码</dt>
        <dd class="mono">{p.ticket}</dd>
        <dt>状态</dt>
        <dd>
          <span class={`badge state-${p.state}`} data-testid="proposal-state">
            {p.stateLabel}
          </span>
        </dd>
        <dt>地区</dt>
        <dd>{p.region}</dd>
        <dt>计划年度</dt>
        <dd>{p.year} 年</dd>
        <dt>提交日期</dt>
        <dd>{cnDate(p.receivedOn)}</dd>
      </dl>
      <h2>{p.title}</h2>
      <Text value={p.description} />
      {p.reason && (
        <>
          <h2>理由</h2>
          <Text value={p.reason} />
        </>
      )}
      {p.state === "adopted" && <p class="muted">已采纳为候选项目，将提交人民代表大会票决。</p>}
    </article>
  );
}

export function VotedPage({ search }: { search: string }) {
  const q = new URLSearchParams(search);
  const regions = useRegions();
  const thisYear = new Date().getFullYear();
  const region = /^\d{6,12}$/.test(q.get("region") ?? "") ? q.get("region")! : "";
  const year = Number(q.get("year")) || thisYear;
  const go = (r: string, y: number) => navigate(`/pj?region=${r}&year=${y}`);
  useEffect(() => {
    document.title = `${year} 年票决民生实事 · 码上通`;
  }, [year]);
  return (
    <>
      <section class="card">
        <h1>人大代表票决的民生实事</h1>
        <p class="muted small">项目由群众提、政府筛、代表票决；年底由代表进行满意度测评。群众评价另行列出，不计入代表测评。</p>
        <form class="form" onSubmit={(e) => e.preventDefault()}>
          <label for="pj-region">地区</label>
          <select id="pj-region" value={region} onChange={(e) => go(e.currentTarget.value, year)}>
            <option value="">请选择</option>
            {regions.map((r) => (
              <option key={r.code} value={r.code}>
                {indent(r)}
                {r.name}
              </option>
            ))}
          </select>
          <label for="pj-year">年度</label>
          <select id="pj-year" value={String(year)} onChange={(e) => go(region, Number(e.currentTarget.value))}>
            {[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => (
              <option key={y} value={String(y)}>
                {y} 年
              </option>
            ))}
          </select>
        </form>
      </section>
      {region ? <VotedYear region={region} year={year} /> : <p class="muted center">请选择地区</p>}
      <p class="center">
        <Link to="/jy">我要提出明年项目建议</Link>
      </p>
    </>
  );
}

function VotedYear({ region, year }: { region: string; year: number }) {
  const { load, retry } = useLoad(`${region}/${year}`, () => getCongressYear(region, year));
  if (load.state === "loading") return <Loading what="票决结果" />;
  if (load.state === "error") return <LoadError error={load.error} notFound="未找到该地区" retry={retry} />;
  const d: CongressYear = load.data;
  if (d.votes.length === 0) return <Notice title="暂无公布的票决结果" text={`${d.region.name} ${d.year} 年尚未公布票决结果。`} />;
  return (
    <>
      {d.votes.map((v) => (
        <section class="card" key={v.id} data-testid="vote">
          <h2>
            {cnDate(v.date)} {v.levelLabel}票决
          </h2>
          <p class="muted small">
            应到代表 {v.entitled} 人，实到 {v.present} 人，应选 {v.seats} 项{v.valid ? "" : "（出席不足三分之二，票决无效）"}
          </p>
          <table class="table">
            <thead>
              <tr>
                <th>候选项目</th>
                <th>赞成</th>
                <th>反对</th>
                <th>弃权</th>
                <th>结果</th>
              </tr>
            </thead>
            <tbody>
              {v.candidates.map((c) => (
                <tr key={c.id}>
                  <td>{c.title}</td>
                  <td>{c.for}</td>
                  <td>{c.against}</td>
                  <td>{c.abstain}</td>
                  <td>{c.elected ? <span class="badge badge-completed">当选</span> : c.runoff ? <span class="badge">另行表决</span> : <span class="badge">未当选</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      {d.projects.length > 0 && (
        <section class="card" data-testid="voted-projects">
          <h2>项目满意度</h2>
          {d.projects.map((p) => (
            <div key={p.project} class="voted-project">
              <h3>{p.title}</h3>
              <dl class="facts">
                <dt>代表测评</dt>
                <dd>
                  {p.deputies
                    ? `满意率 ${pct(p.deputies.satisfactionRate)}（${satisfactionLabel.satisfied} ${p.deputies.satisfied}、${satisfactionLabel.basically_satisfied} ${p.deputies.basically_satisfied}、${satisfactionLabel.dissatisfied} ${p.deputies.dissatisfied}）`
                    : "尚未测评"}
                  {p.deputies?.flagged && <span class="badge badge-behind">不满意过半，整改中</span>}
                </dd>
                <dt>群众评价</dt>
                <dd>{p.citizens.total > 0 ? `满意率 ${pct(p.citizens.satisfactionRate)}（${p.citizens.total} 人评价）` : "暂无评价"}</dd>
              </dl>
            </div>
          ))}
        </section>
      )}
    </>
  );
}

function FieldError({ id, text }: { id: string; text: string }) {
  return (
    <p id={id} class="field-error">
      {text}
    </p>
  );
}
