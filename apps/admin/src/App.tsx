import { Result, Spin } from "antd";
import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { builtSections, type Role, sections } from "./api";
import { useMe } from "./auth";
// The signed-in frame is small and its menu code is the login page's already: loaded with the entry, so
// a page's chunk is fetched at once after sign-in instead of after the frame's own chunk.
import Shell from "./Shell";

// One chunk per route: the login page loads neither the tables nor ECharts.
const Login = lazy(() => import("./pages/Login"));
const Dashboard = lazy(() => import("./pages/Dashboard"));
const Reporting = lazy(() => import("./pages/Reporting"));
const Review = lazy(() => import("./pages/Review"));
const Audit = lazy(() => import("./pages/Audit"));
const Users = lazy(() => import("./pages/Users"));
const Bulletins = lazy(() => import("./pages/Bulletins"));
const ExcelImport = lazy(() => import("./pages/ExcelImport"));
const Sites = lazy(() => import("./pages/Sites"));
const Feedback = lazy(() => import("./pages/Feedback"));
const Disclosure = lazy(() => import("./pages/Disclosure"));
const Plans = lazy(() => import("./pages/Plans"));
const Supervision = lazy(() => import("./pages/Supervision"));
const Letters = lazy(() => import("./pages/Letters"));
const Observe = lazy(() => import("./pages/Observe"));
const Scorecards = lazy(() => import("./pages/Scorecards"));
const Congress = lazy(() => import("./pages/Congress"));

// Sections whose page is not built yet stay out of the router and the menu.
const pages: Record<string, React.ComponentType> = { dashboard: Dashboard, report: Reporting, review: Review, audit: Audit, users: Users, sites: Sites, feedback: Feedback, disclosure: Disclosure, plans: Plans, bulletins: Bulletins, imports: ExcelImport, supervision: Supervision, letters: Letters, observe: Observe, scorecards: Scorecards, congress: Congress };

const loading = <Spin style={{ display: "block", margin: "20vh auto" }} size="large" />;

export const homeOf = (role: Role) => sections.find((s) => builtSections.has(s.key) && s.allow(role))?.key ?? "dashboard";

export function App() {
  const me = useMe();
  const location = useLocation();
  if (me.isLoading) return loading;
  if (me.isError) return <Result status="error" title="无法连接服务器" subTitle={String(me.error)} />;
  const user = me.data ?? null;
  return (
    <Suspense fallback={loading}>
      <Routes>
        <Route path="/login" element={user ? <Navigate to={`/${homeOf(user.role)}`} replace /> : <Login />} />
        {user ? (
          <Route element={<Shell me={user} />}>
            {sections.filter((s) => builtSections.has(s.key) && pages[s.key]).map((s) => {
              const Page = pages[s.key]!;
              return <Route key={s.key} path={`/${s.key}`} element={s.allow(user.role) ? <Page /> : <Result status="403" title="无权访问" subTitle="您的角色不能使用此功能" />} />;
            })}
            <Route path="*" element={<Navigate to={`/${homeOf(user.role)}`} replace />} />
          </Route>
        ) : (
          <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
        )}
      </Routes>
    </Suspense>
  );
}
