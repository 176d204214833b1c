import { useEffect, useState } from "preact/hooks";
import { listSites, type SiteFacets } from "../api";
import { Loading, LoadError } from "../components";
import { normaliseTicket, TICKET } from "../format";
import { useLoad } from "../load";
import { type Browse, browseHref, Link, navigate, PAGE_SIZE, parseBrowse } from "../router";

let knownFacets: SiteFacets | null = null;

/** 首页: find a project by region, item (实事) and name; look up a ticket. */
export function HomePage({ search }: { search: string }) {
  const b = parseBrowse(search);
  const key = browseHref(b);
  const { load, retry } = useLoad(key, () => listSites({ region: b.region, item: b.item, q: b.q, limit: PAGE_SIZE, offset: (b.page - 1) * PAGE_SIZE }));
  // The choices do not depend on the query: keep them while results load and across visits.
  const [facets, setFacets] = useState<SiteFacets | null>(knownFacets);
  useEffect(() => {
    if (load.state === "ready") setFacets((knownFacets = load.data.facets));
  }, [load]);
  useEffect(() => {
    document.title = "码上通 · 重点民生实事";
  }, []);
  const [q, setQ] = useState(b.q);
  useEffect(() => setQ(b.q), [b.q]);

  const go = (next: Partial<Browse>) => navigate(browseHref({ ...b, page: 1, ...next }));
  const pages = load.state === "ready" ? Math.max(1, Math.ceil(load.data.total / PAGE_SIZE)) : 1;

  return (
    <>
      <section class="card intro">
        <h1>重点民生实事 · 码上通</h1>
        <p class="muted">扫描项目现场的二维码可直接查看项目；也可以在这里按地区、实事或名称查找项目，查看进度、政策文件和答复，提出意见建议。</p>
      </section>

      <TicketLookup />

      <section class="card" aria-labelledby="congress-h">
        <h2 id="congress-h">民生实事票决</h2>
        <p class="muted small">明年办哪些民生实事，由群众提、代表定。</p>
        <p class="inline">
          <Link to="/jy" class="btn primary">
            我要提项目建议
          </Link>
          <Link to="/pj" class="btn">
            票决项目及满意度
          </Link>
        </p>
      </section>

      <section class="card" aria-labelledby="browse-h">
        <h2 id="browse-h">查找项目</h2>
        <form
          class="form browse"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q });
          }}
        >
          <label for="q">项目名称</label>
          <div class="inline">
            <input id="q" type="search" name="q" maxLength={50} placeholder="如：托育、学校、道路" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
            <button type="submit" class="btn primary">
              搜索
            </button>
          </div>
          <label for="region">地区</label>
          <select id="region" key={`r${facets ? 1 : 0}`} value={b.region} onChange={(e) => go({ region: e.currentTarget.value })}>
            <option value="">全部地区</option>
            {facets?.regions.map((r) => (
              <option key={r.code} value={r.code}>
                {"\u3000".repeat(Math.max(0, r.path.length - 1))}
                {r.name}
              </option>
            ))}
          </select>
          <label for="item">实事</label>
          <select id="item" key={`i${facets ? 1 : 0}`} value={b.item} onChange={(e) => go({ item: e.currentTarget.value })}>
            <option value="">全部实事</option>
            {groupByPlan(facets?.items ?? []).map(([plan, items]) => (
              <optgroup key={plan} label={plan}>
                {items.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.no}. {i.title}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </form>
      </section>

      <section class="card" aria-labelledby="results-h" aria-busy={load.state === "loading"}>
        <h2 id="results-h">项目列表</h2>
        {load.state === "loading" && <Loading what="项目列表" />}
        {load.state === "error" && <LoadError error={load.error} notFound="未找到该地区或实事，请重新选择。" retry={retry} />}
        {load.state === "ready" && (
          <>
            <p class="muted small" role="status">
              {load.data.total === 0 ? "没有找到符合条件的项目，请换个关键词或地区试试。" : `共 ${load.data.total} 个项目点${pages > 1 ? `，第 ${b.page}/${pages} 页` : ""}`}
            </p>
            <ul class="sites">
              {load.data.sites.map((s) => (
                <li key={s.code}>
                  <Link to={`/p/${s.code}`}>
                    <strong>{s.project.title}</strong>
                    <span class="muted small">
                      {s.region.name} · {s.unit.name}
                    </span>
                    {s.item.title !== s.project.title && (
                      <span class="muted small">
                        实事{s.item.no}：{s.item.title}
                      </span>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
            {pages > 1 && (
              <nav class="pager" aria-label="翻页">
                {b.page > 1 ? <Link to={browseHref({ ...b, page: b.page - 1 })}>上一页</Link> : <span />}
                {b.page < pages ? <Link to={browseHref({ ...b, page: b.page + 1 })}>下一页</Link> : <span />}
              </nav>
            )}
          </>
        )}
      </section>
    </>
  );
}

function groupByPlan(items: SiteFacets["items"]): [string, SiteFacets["items"]][] {
  const out = new Map<string, SiteFacets["items"]>();
  for (const i of items) {
    const list = out.get(i.plan.title) ?? [];
    list.push(i);
    out.set(i.plan.title, list);
  }
  return [...out];
}

function TicketLookup() {
  const [value, setValue] = useState("");
  const [error, setError] = useState("");
  return (
    <section class="card" aria-labelledby="lookup-h">
      <h2 id="lookup-h">查询留言答复</h2>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          const t = normaliseTicket(value);
          if (!TICKET.test(t)) {
            setError("工单号为 12 位字母和数字，请核对后再查");
            return;
          }
          setError("");
          navigate(`/s/${t}`);
        }}
        noValidate
      >
        <label for="ticket">工单号</label>
        <div class="inline">
          <input
            id="ticket"
            name="ticket"
            autoComplete="off"
            autoCapitalize="characters"
            maxLength={20}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "ticket-err" : undefined}
          />
          <button type="submit" class="btn">
            查询
          </button>
        </div>
        {error && (
          <p id="ticket-err" class="field-error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
