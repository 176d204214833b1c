import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, InputNumber, message, Modal, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { roleLabel } from "@minsheng/domain/labels";
import type { InferResponseType } from "hono/client";
import { ApiProblem, api, errorText, problemsToFields, read, type Role } from "../api";
import { useMe } from "../auth";

/** An account and an API token as the API lists them (GET /users, GET /tokens). */
type User = InferResponseType<typeof api.users.$get, 200>["users"][number];
type Token = InferResponseType<typeof api.tokens.$get, 200>["tokens"][number];
/** A one-time 绑定码 (POST /users/:id/totp/enrolment-code). */
type EnrolmentCode = InferResponseType<(typeof api.users)[":id"]["totp"]["enrolment-code"]["$post"], 201>;

/** The domain's role names (labels.ts), as the API's /auth/me also gives them. */
export const roleLabels: Readonly<Record<Role, string>> = roleLabel;
const roleOptions = (Object.keys(roleLabels) as Role[]).map((r) => ({ value: r, label: roleLabels[r] }));
/** The three administrators (三员分立) act everywhere: no region. */
const adminRoles = new Set<Role>(["admin", "security_admin", "audit_admin"]);

// The server's rule (auth/password.ts), checked here too so the form answers at once.
const passwordRules = [
  { required: true, message: "请输入密码" },
  { min: 10, message: "密码至少 10 位" },
  { max: 200, message: "密码最多 200 位" },
  { pattern: /^(?=.*[A-Za-z])(?=.*\d)/, message: "密码须同时包含字母和数字" },
];

/**
 * Regions and units of every plan's bundle, as choices for the forms, when the role may read
 * plans; the security administrator (三员分立) may not, and types codes that the server checks.
 */
function useDirectory() {
  const me = useMe().data;
  const readsPlans = !!me && (me.role === "admin" || me.role.startsWith("staff_"));
  const plans = useQuery({
    queryKey: ["plans"],
    enabled: readsPlans,
    queryFn: async () => (await read(api.plans.$get())).plans,
  });
  const bundles = useQueries({
    queries: (readsPlans ? (plans.data ?? []) : []).map((p) => ({
      queryKey: ["bundle", p.id],
      staleTime: 5 * 60_000,
      queryFn: async () => read(api.bundles[":planId"].$get({ param: { planId: p.id } })),
    })),
  });
  const stamp = bundles.map((b) => b.dataUpdatedAt).join();
  return useMemo(() => {
    const regions = new Map<string, string>();
    const units = new Map<string, string>();
    for (const b of bundles) {
      for (const r of b.data?.regions ?? []) regions.set(r.code, r.name);
      for (const u of b.data?.units ?? []) units.set(u.id, u.name);
    }
    return { regions, units };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp]);
}

type Editing = { kind: "create" } | { kind: "edit"; user: User } | { kind: "password"; user: User };

/** 用户管理: accounts (role, area, unit, status, password) and API tokens for integrators. */
export default function Users() {
  const [tab, setTab] = useState("users");
  const [notice, holder] = message.useMessage();
  return (
    <Card>
      {holder}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: "users", label: "用户", children: <UserList notify={(t) => notice.success(t)} /> },
          { key: "tokens", label: "接口令牌", children: <TokenList notify={(t) => notice.success(t)} /> },
        ]}
      />
    </Card>
  );
}

function UserList({ notify }: { notify: (t: string) => void }) {
  const qc = useQueryClient();
  const dir = useDirectory();
  const users = useQuery({ queryKey: ["users"], queryFn: async () => (await read(api.users.$get())).users });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");

  const me = useMe().data;
  /** 绑定码: shown once, for an administrator to bind an authenticator. */
  const [enrolment, setEnrolment] = useState<({ username: string } & EnrolmentCode) | null>(null);
  const issueEnrolmentCode = async (user: User) => {
    setError(null);
    try {
      const issued = await read(api.users[":id"].totp["enrolment-code"].$post({ param: { id: String(user.id) } }));
      setEnrolment({ username: user.username, ...issued });
    } catch (e) {
      setError(errorText(e));
    }
  };
  const resetTwoFactor = async (user: User) => {
    setError(null);
    try {
      await read(api.users[":id"].totp.reset.$post({ param: { id: String(user.id) } }));
      await qc.invalidateQueries({ queryKey: ["users"] });
      notify(`已重置 ${user.username} 的双因素登录，其下次登录时重新绑定`);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const patch = async (user: User, body: Partial<{ disabled: boolean }>, done: string) => {
    setError(null);
    try {
      await read(api.users[":id"].$patch({ param: { id: String(user.id) }, json: body }));
      await qc.invalidateQueries({ queryKey: ["users"] });
      notify(done);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const shown = (users.data ?? []).filter((u) => !filter || `${u.username} ${u.displayName}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Space>
        <Button type="primary" onClick={() => setEditing({ kind: "create" })} data-testid="new-user">
          新建用户
        </Button>
        <Input.Search allowClear placeholder="按用户名或姓名筛选" onSearch={setFilter} style={{ width: 240 }} />
      </Space>
      {(error || users.isError) && <Alert type="error" title={error ?? errorText(users.error)} />}
      <Table<User>
        size="small"
        loading={users.isLoading}
        dataSource={shown}
        rowKey="id"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="users"
        columns={[
          { title: "用户名", dataIndex: "username" },
          { title: "姓名", dataIndex: "displayName" },
          { title: "角色", dataIndex: "role", render: (r: Role) => <Tag color={adminRoles.has(r) ? "red" : undefined}>{roleLabels[r] ?? r}</Tag> },
          { title: "地区", dataIndex: "region", render: (c: string | null) => (c ? `${dir.regions.get(c) ?? ""} ${c}` : "全部") },
          { title: "单位", dataIndex: "unit", render: (u: string | null) => (u ? (dir.units.get(u) ?? u) : "—") },
          {
            title: "状态",
            render: (_, u) => (
              <Space size={4}>
                {u.disabled ? <Tag color="default">已停用</Tag> : <Tag color="green">正常</Tag>}
                {u.locked && <Tag color="orange">已锁定</Tag>}
                {u.twoFactor && <Tag color="blue">双因素</Tag>}
              </Space>
            ),
          },
          {
            title: "操作",
            render: (_, u) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setEditing({ kind: "edit", user: u })}>
                  编辑
                </Button>
                <Button type="link" size="small" onClick={() => setEditing({ kind: "password", user: u })}>
                  重置密码
                </Button>
                {adminRoles.has(u.role) && !u.twoFactor && u.username !== me?.username && (
                  <Popconfirm
                    title={`为 ${u.username} 生成绑定码？管理员绑定身份验证器须凭此码（7 天内有效，仅显示一次，旧码作废），请当面交给本人。`}
                    okText="生成"
                    cancelText="取消"
                    onConfirm={() => issueEnrolmentCode(u)}
                  >
                    <Button type="link" size="small" data-testid={`enrolment-code-${u.username}`}>
                      生成绑定码
                    </Button>
                  </Popconfirm>
                )}
                {u.twoFactor && u.username !== me?.username && (
                  <Popconfirm title={`重置 ${u.username} 的双因素登录（如手机丢失）？其会话立即失效，下次登录时重新绑定。`} okText="重置" cancelText="取消" onConfirm={() => resetTwoFactor(u)}>
                    <Button type="link" size="small">
                      重置双因素
                    </Button>
                  </Popconfirm>
                )}
                <Popconfirm
                  title={u.disabled ? `启用 ${u.username}？` : `停用 ${u.username}？停用后其会话立即失效。`}
                  okText="确定"
                  cancelText="取消"
                  onConfirm={() => patch(u, { disabled: !u.disabled }, u.disabled ? `已启用 ${u.username}` : `已停用 ${u.username}`)}
                >
                  <Button type="link" size="small" danger={!u.disabled}>
                    {u.disabled ? "启用" : "停用"}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {editing && <UserForm editing={editing} dir={dir} notify={notify} onClose={() => setEditing(null)} />}
      <Modal open={enrolment !== null} title={`${enrolment?.username ?? ""} 的绑定码`} onCancel={() => setEnrolment(null)} onOk={() => setEnrolment(null)} okText="已交给本人" cancelButtonProps={{ style: { display: "none" } }}>
        <Alert type="warning" showIcon title="请当面交给本人：登录后绑定身份验证器时输入。关闭后无法再次查看。" style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable code style={{ fontSize: 18, textAlign: "center" }} data-testid="issued-enrolment-code">
          {enrolment?.code}
        </Typography.Paragraph>
        <Typography.Text type="secondary">有效期至 {enrolment ? new Date(enrolment.expiresAt).toLocaleString("zh-CN") : ""}</Typography.Text>
      </Modal>
    </Space>
  );
}

interface UserValues {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  region: string | null;
  unit: string | null;
}
const USER_FIELDS = ["username", "displayName", "password", "role", "region", "unit"];

function UserForm({ editing, dir, notify, onClose }: { editing: Editing; dir: ReturnType<typeof useDirectory>; notify: (t: string) => void; onClose: () => void }) {
  const qc = useQueryClient();
  const [form] = Form.useForm<UserValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const role = Form.useWatch("role", form);
  const user = editing.kind === "create" ? null : editing.user;
  const regionOptions = [...dir.regions].map(([code, name]) => ({ value: code, label: `${name}（${code}）` }));
  const unitOptions = [...dir.units].map(([id, name]) => ({ value: id, label: name }));

  const submit = async (v: UserValues) => {
    setBusy(true);
    setError(null);
    try {
      if (editing.kind === "create") {
        await read(api.users.$post({ json: { username: v.username, displayName: v.displayName, password: v.password, role: v.role, region: adminRoles.has(v.role) ? null : (v.region ?? null), unit: v.unit ?? null } }));
        notify(`已创建用户 ${v.username}`);
      } else if (editing.kind === "password") {
        await read(api.users[":id"].$patch({ param: { id: String(user!.id) }, json: { password: v.password } }));
        notify(`已重置 ${user!.username} 的密码，其会话已失效`);
      } else {
        // Only what changed: a role, area or unit change ends the user's sessions.
        const body: Partial<Pick<UserValues, "displayName" | "role" | "region" | "unit">> = {};
        if (v.displayName !== user!.displayName) body.displayName = v.displayName;
        if (v.role !== user!.role) body.role = v.role;
        const region = adminRoles.has(v.role) ? null : (v.region ?? null);
        if (region !== user!.region) body.region = region;
        if ((v.unit ?? null) !== user!.unit) body.unit = v.unit ?? null;
        if (Object.keys(body).length === 0) {
          onClose();
          return;
        }
        await read(api.users[":id"].$patch({ param: { id: String(user!.id) }, json: body }));
        notify(`已保存 ${user!.username}`);
      }
      await qc.invalidateQueries({ queryKey: ["users"] });
      onClose();
    } catch (e) {
      if (e instanceof ApiProblem && e.code === "USER_USERNAME_TAKEN") {
        form.setFields([{ name: "username", errors: ["该用户名已被使用"] }]);
      } else {
        const { fields, rest } = problemsToFields(e, USER_FIELDS);
        form.setFields(fields.map((f) => ({ name: f.name as keyof UserValues, errors: f.errors })));
        setError(rest.length ? rest.join("；") : null);
      }
    } finally {
      setBusy(false);
    }
  };

  const title = editing.kind === "create" ? "新建用户" : editing.kind === "password" ? `重置密码：${user!.username}` : `编辑用户：${user!.username}`;
  return (
    <Modal open title={title} onCancel={onClose} onOk={() => form.submit()} okText="保存" cancelText="取消" confirmLoading={busy} destroyOnHidden data-testid="user-form">
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={user ? { displayName: user.displayName, role: user.role, region: user.region, unit: user.unit } : { role: "reporter", region: null, unit: null }}
        onValuesChange={() => setError(null)}
      >
        {editing.kind === "create" && (
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: "请输入用户名" }, { pattern: /^[A-Za-z0-9_.-]{3,64}$/, message: "3-64 位字母、数字或 _ . -" }]}>
            <Input autoComplete="off" data-testid="new-username" />
          </Form.Item>
        )}
        {editing.kind !== "password" && (
          <>
            <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true, message: "请输入姓名" }, { max: 50, message: "最多 50 个字" }]}>
              <Input data-testid="new-display-name" />
            </Form.Item>
            <Form.Item name="role" label="角色" rules={[{ required: true, message: "请选择角色" }]}>
              <Select options={roleOptions} data-testid="new-role" />
            </Form.Item>
            {!adminRoles.has(role) && (
              <Form.Item name="region" label="地区（可管辖范围）" rules={[{ required: true, whitespace: true, message: "此角色须指定地区" }]} normalize={(v: unknown) => (typeof v === "string" ? v.trim() : v)}>
                {regionOptions.length ? (
                  <Select showSearch optionFilterProp="label" options={regionOptions} placeholder="选择地区" data-testid="new-region" />
                ) : (
                  <Input placeholder="行政区划代码，如 430523（邵阳县）" data-testid="new-region" />
                )}
              </Form.Item>
            )}
            <Form.Item name="unit" label="责任单位（填报员只能填报本单位牵头的项目）" normalize={(v: unknown) => (typeof v === "string" ? v.trim() || null : v)}>
              {unitOptions.length ? (
                <Select allowClear showSearch optionFilterProp="label" options={unitOptions} placeholder="不限单位" />
              ) : (
                <Input placeholder="单位编号，如 edu；不填则不限单位" data-testid="new-unit" />
              )}
            </Form.Item>
          </>
        )}
        {editing.kind !== "edit" && (
          <Form.Item name="password" label={editing.kind === "create" ? "初始密码" : "新密码"} rules={passwordRules} extra="至少 10 位，包含字母和数字">
            <Input.Password autoComplete="new-password" data-testid="new-password" />
          </Form.Item>
        )}
        {error && <Alert type="error" title={error} />}
      </Form>
    </Modal>
  );
}

function TokenList({ notify }: { notify: (t: string) => void }) {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: async () => (await read(api.tokens.$get())).tokens });
  const users = useQuery({ queryKey: ["users"], queryFn: async () => (await read(api.users.$get())).users });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; userId: number; expiresInDays: number }>();
  const when = (s: string | null) => (s ? new Date(s).toLocaleString("zh-CN") : "—");

  const create = async (v: { name: string; userId: number; expiresInDays: number }) => {
    setError(null);
    try {
      const res = await read(api.tokens.$post({ json: v }));
      setSecret(res.token);
      setCreating(false);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ["tokens"] });
    } catch (e) {
      const { fields, rest } = problemsToFields(e, ["name", "userId", "expiresInDays"]);
      form.setFields(fields.map((f) => ({ name: f.name as "name", errors: f.errors })));
      setError(rest.length ? rest.join("；") : null);
    }
  };
  const revoke = async (t: Token) => {
    try {
      await read(api.tokens[":id"].$delete({ param: { id: String(t.id) } }));
      await qc.invalidateQueries({ queryKey: ["tokens"] });
      notify(`已吊销 ${t.name}`);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        接口令牌供其他系统调用本平台接口（请求头 Authorization: Bearer 令牌），权限与范围同其所代表的用户。令牌只在创建时显示一次。
      </Typography.Paragraph>
      <Button type="primary" onClick={() => setCreating(true)}>
        新建令牌
      </Button>
      {(error || tokens.isError) && <Alert type="error" title={error ?? errorText(tokens.error)} />}
      <Table<Token>
        size="small"
        loading={tokens.isLoading}
        dataSource={tokens.data ?? []}
        rowKey="id"
        pagination={false}
        columns={[
          { title: "名称", dataIndex: "name" },
          { title: "代表用户", dataIndex: "username" },
          { title: "创建", dataIndex: "created_at", render: when },
          { title: "最近使用", dataIndex: "last_used_at", render: when },
          { title: "到期", dataIndex: "expires_at", render: when },
          {
            title: "状态",
            render: (_, t) => (t.revoked_at ? <Tag>已吊销</Tag> : t.expires_at !== null && new Date(t.expires_at) < new Date() ? <Tag color="orange">已过期</Tag> : <Tag color="green">有效</Tag>),
          },
          {
            title: "操作",
            render: (_, t) =>
              t.revoked_at ? null : (
                <Popconfirm title={`吊销 ${t.name}？使用它的系统将立即无法访问。`} okText="吊销" cancelText="取消" onConfirm={() => revoke(t)}>
                  <Button type="link" danger size="small">
                    吊销
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal open={creating} title="新建接口令牌" onCancel={() => setCreating(false)} onOk={() => form.submit()} okText="创建" cancelText="取消" destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ expiresInDays: 90 }}>
          <Form.Item name="name" label="名称（用途）" rules={[{ required: true, whitespace: true, min: 2, message: "请填写名称（至少 2 个字）" }]}>
            <Input placeholder="如：省政务数据平台同步" />
          </Form.Item>
          <Form.Item name="userId" label="代表用户" rules={[{ required: true, message: "请选择令牌代表的用户" }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={(users.data ?? []).filter((u) => !u.disabled && !adminRoles.has(u.role)).map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}，${roleLabels[u.role]}）` }))}
            />
          </Form.Item>
          <Form.Item name="expiresInDays" label="有效天数" rules={[{ required: true, type: "number", min: 1, max: 366, message: "1-366 天" }]}>
            <InputNumber min={1} max={366} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={secret !== null} title="令牌已创建" onCancel={() => setSecret(null)} onOk={() => setSecret(null)} okText="我已保存" cancelButtonProps={{ style: { display: "none" } }}>
        <Alert type="warning" showIcon title="请立即复制保存：关闭后无法再次查看" style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable code style={{ wordBreak: "break-all" }}>
          {secret}
        </Typography.Paragraph>
      </Modal>
    </Space>
  );
}
