import { useQueryClient } from "@tanstack/react-query";
import { Button, Layout, Menu, Space, Spin, Tag, Typography } from "antd";
import { Suspense, useState } from "react";
import { Outlet, useLocation, useNavigate } from "react-router";
import { api, builtSections, type Me, sections } from "./api";
import { SignedInContext } from "./auth";
import ChangePassword from "./ChangePassword";
import LetterBell from "./LetterBell";

/** The signed-in frame: a menu of what the role allows, the user and logout. */
export default function Shell({ me }: { me: Me }) {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const current = location.pathname.split("/")[1] ?? "";
  const [changingPassword, setChangingPassword] = useState(false);
  const logout = async () => {
    await api.auth.logout.$post().catch(() => {});
    qc.clear();
    qc.setQueryData(["me"], null);
    navigate("/login", { replace: true });
  };
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Sider width={200} theme="dark" breakpoint="lg" collapsedWidth={0}>
        <div style={{ color: "#fff", fontWeight: 600, fontSize: 16, padding: "18px 16px" }}>民生实事管理平台</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[current]}
          items={sections.filter((s) => s.allow(me.role) && builtSections.has(s.key)).map((s) => ({ key: s.key, label: s.label }))}
          onClick={(e) => navigate(`/${e.key}`)}
          data-testid="menu"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: "#fff", padding: "0 24px", display: "flex", justifyContent: "flex-end", alignItems: "center" }}>
          <Space>
            <LetterBell role={me.role} />
            <Typography.Text data-testid="who">{me.displayName}</Typography.Text>
            <Tag color="red">{me.roleLabel}</Tag>
            {me.region && <Tag>{me.region}</Tag>}
            <Button onClick={() => setChangingPassword(true)} data-testid="change-password">
              修改密码
            </Button>
            <Button onClick={logout} data-testid="logout">
              退出登录
            </Button>
          </Space>
        </Layout.Header>
        <ChangePassword open={changingPassword} onClose={() => setChangingPassword(false)} />
        <Layout.Content style={{ margin: 24 }}>
          <Suspense fallback={<Spin />}>
            <SignedInContext.Provider value={me}>
              <Outlet />
            </SignedInContext.Provider>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
