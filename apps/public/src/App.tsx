import { useEffect, useState } from "preact/hooks";
import type { SiteView } from "./api";
import { Loading, Notice } from "./components";
import { HomePage } from "./pages/Home";
import { ProjectPage } from "./pages/Project";
import { TicketPage } from "./pages/Ticket";
import { Link, match, useLocation } from "./router";

/** `site`: the project page's data when the server rendered it (read from the page, not fetched again). */
export function App({ site }: { site?: SiteView }) {
  const { pathname, search } = useLocation();
  const route = match(pathname);
  // The server's data serves the first page only: coming back to it later fetches it afresh.
  const [served, setServed] = useState(site);
  const onServedPage = route.name === "project" && route.code === served?.code;
  useEffect(() => {
    if (served && !onServedPage) setServed(undefined);
  }, [served, onServedPage]);
  return (
    <div class="app">
      <header class="top">
        <Link to="/" class="brand">
          码上通
        </Link>
        <span class="muted small">重点民生实事信息公开</span>
      </header>
      <main class="page">
        {route.name === "home" && <HomePage search={search} />}
        {route.name === "project" && <ProjectPage key={route.code} code={route.code} initial={onServedPage ? served : undefined} />}
        {route.name === "ticket" && <TicketPage key={route.ticket} ticket={route.ticket} />}
        {(route.name === "propose" || route.name === "proposal" || route.name === "voted") && <CongressPages route={route} search={search} />}
        {route.name === "missing" && (
          <>
            <Notice tone="error" title="页面不存在" text="请重新扫描项目现场的二维码，或返回首页查找项目。" />
            <p class="center">
              <Link to="/">返回首页</Link>
            </p>
          </>
        )}
      </main>
      <footer class="foot">
        <Link to="/">码上通</Link> · 重点民生实事信息公开
      </footer>
    </div>
  );
}

type CongressModule = typeof import("./pages/Congress");
let congressModule: Promise<CongressModule> | null = null;

/** 票决制's pages, fetched on first use: the project page a QR code opens does not carry them. */
function CongressPages({ route, search }: { route: { name: "propose" } | { name: "proposal"; ticket: string } | { name: "voted" }; search: string }) {
  const [m, setM] = useState<CongressModule | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    (congressModule ??= import("./pages/Congress")).then(setM, () => {
      congressModule = null;
      setFailed(true);
    });
  }, []);
  if (failed) return <Notice tone="error" title="加载失败" text="网络连接失败，请刷新页面重试。" />;
  if (!m) return <Loading what="页面" />;
  if (route.name === "propose") return <m.ProposePage />;
  if (route.name === "proposal") return <m.ProposalPage key={route.ticket} ticket={route.ticket} />;
  return <m.VotedPage search={search} />;
}
