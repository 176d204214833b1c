import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, Space, Typography } from "antd";
import { useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { ApiProblem, api, errorText, read } from "../api";

interface Values {
  username: string;
  password: string;
}

/** After the password: a code (two-factor sign-in on), or enrolment first (REQUIRE_2FA and not enrolled yet). */
type Step =
  | { kind: "password" }
  | { kind: "totp"; challenge: string; recovery: boolean }
  | { kind: "enrol"; challenge: string; secret?: string; qrSvg?: string; enrolmentCode?: string }
  /** an administrator binds an authenticator with the one-time 绑定码 from the security administrator */
  | { kind: "enrolmentCode"; challenge: string }
  | { kind: "codes"; codes: string[] };

export default function Login() {
  const [form] = Form.useForm<Values>();
  const [codeForm] = Form.useForm<{ code: string }>();
  const [enrolmentForm] = Form.useForm<{ enrolmentCode: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>({ kind: "password" });
  const qc = useQueryClient();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from;

  const enter = async () => {
    await qc.invalidateQueries({ queryKey: ["me"] });
    await qc.refetchQueries({ queryKey: ["me"] });
    navigate(from && from !== "/login" ? from : "/", { replace: true });
  };

  /** Runs one call; an expired challenge sends the user back to the password. */
  const guarded = async (fn: () => Promise<void>, field?: string) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401 && e.problems[0]?.path === "$.challenge") {
        setStep({ kind: "password" });
        setError("验证已过期，请重新登录");
      } else if (e instanceof ApiProblem && e.status === 423) {
        setStep({ kind: "password" });
        setError(e.message);
      } else if (field && e instanceof ApiProblem && e.status === 401) codeForm.setFields([{ name: "code", errors: ["验证码错误或已使用"] }]);
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const res = await read(api.auth.login.$post({ json: v }));
      if (res.ok) return await enter();
      codeForm.resetFields();
      if (res.next === "totp") setStep({ kind: "totp", challenge: res.challenge, recovery: false });
      else {
        try {
          const enrol = await read(api.auth.totp.enrol.$post({ json: { challenge: res.challenge } }));
          setStep({ kind: "enrol", challenge: res.challenge, secret: enrol.secret, qrSvg: enrol.qrSvg });
        } catch (e) {
          if (!(e instanceof ApiProblem && e.problems[0]?.path === "$.enrolmentCode")) throw e;
          enrolmentForm.resetFields();
          setStep({ kind: "enrolmentCode", challenge: res.challenge });
        }
      }
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) form.setFields([{ name: "password", errors: ["用户名或密码错误"] }]);
      else if (e instanceof ApiProblem && e.status === 423) form.setFields([{ name: "username", errors: [e.message] }]);
      else if (e instanceof ApiProblem && e.problems.length > 0)
        form.setFields(e.problems.map((p) => ({ name: p.path.replace(/^\$\./, "") as keyof Values, errors: [p.message] })));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const sendEnrolmentCode = ({ enrolmentCode }: { enrolmentCode: string }) =>
    guarded(async () => {
      if (step.kind !== "enrolmentCode") return;
      try {
        const enrol = await read(api.auth.totp.enrol.$post({ json: { challenge: step.challenge, enrolmentCode: enrolmentCode.trim() } }));
        setStep({ kind: "enrol", challenge: step.challenge, secret: enrol.secret, qrSvg: enrol.qrSvg, enrolmentCode: enrolmentCode.trim() });
      } catch (e) {
        if (!(e instanceof ApiProblem && e.problems[0]?.path === "$.enrolmentCode")) throw e;
        enrolmentForm.setFields([{ name: "enrolmentCode", errors: ["绑定码错误、已使用或已过期，请向安全管理员索取新的绑定码"] }]);
      }
    });

  const sendCode = ({ code }: { code: string }) =>
    guarded(async () => {
      if (step.kind === "totp") {
        const json = step.recovery ? { challenge: step.challenge, recoveryCode: code.trim() } : { challenge: step.challenge, code: code.trim() };
        await read(api.auth.login.totp.$post({ json }));
        await enter();
      } else if (step.kind === "enrol") {
        const res = await read(api.auth.totp.confirm.$post({ json: { challenge: step.challenge, code: code.trim(), ...(step.enrolmentCode ? { enrolmentCode: step.enrolmentCode } : {}) } }));
        setStep({ kind: "codes", codes: res.recoveryCodes });
      }
    }, "code");

  const codeInput = (recovery: boolean) => (
    <Form form={codeForm} layout="vertical" onFinish={sendCode} requiredMark={false}>
      <Form.Item
        label={recovery ? "恢复码" : "动态验证码"}
        name="code"
        rules={[recovery ? { required: true, pattern: /^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/, message: "请输入恢复码，如 ABCDE-12345" } : { required: true, pattern: /^\d{6}$/, message: "请输入 6 位数字" }]}
      >
        <Input autoComplete="one-time-code" inputMode={recovery ? "text" : "numeric"} maxLength={recovery ? 11 : 6} autoFocus data-testid="totp-code" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy} data-testid="totp-submit">
        验证并登录
      </Button>
    </Form>
  );

  return (
    <div style={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", background: "linear-gradient(135deg,#fdf2f0,#f5f5f5)" }}>
      <Card style={{ width: step.kind === "enrol" || step.kind === "codes" ? 440 : 380 }}>
        <Typography.Title level={3} style={{ textAlign: "center" }}>
          民生实事管理平台
        </Typography.Title>
        {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} />}
        {step.kind === "password" && (
          <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item label="用户名" name="username" rules={[{ required: true, whitespace: true, message: "请输入用户名" }]}>
              <Input autoComplete="username" data-testid="username" />
            </Form.Item>
            <Form.Item label="密码" name="password" rules={[{ required: true, message: "请输入密码" }]}>
              <Input.Password autoComplete="current-password" data-testid="password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy} data-testid="login">
              登录
            </Button>
          </Form>
        )}
        {step.kind === "totp" && (
          <>
            <Typography.Paragraph>请打开手机上的身份验证器，输入显示的 6 位动态验证码。</Typography.Paragraph>
            {codeInput(step.recovery)}
            <Space style={{ marginTop: 12 }}>
              <Button type="link" onClick={() => (codeForm.resetFields(), setStep({ ...step, recovery: !step.recovery }))}>
                {step.recovery ? "使用动态验证码" : "手机不在身边？使用恢复码"}
              </Button>
              <Button type="link" onClick={() => setStep({ kind: "password" })}>
                返回
              </Button>
            </Space>
          </>
        )}
        {step.kind === "enrolmentCode" && (
          <>
            <Alert type="info" title="管理员账户绑定身份验证器须凭绑定码" style={{ marginBottom: 12 }} />
            <Typography.Paragraph>请输入安全管理员交给您的一次性绑定码（系统初始化时创建的管理员：见服务器启动时输出的绑定码）。</Typography.Paragraph>
            <Form form={enrolmentForm} layout="vertical" onFinish={sendEnrolmentCode} requiredMark={false}>
              <Form.Item label="绑定码" name="enrolmentCode" rules={[{ required: true, pattern: /^\s*[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}\s*$/, message: "请输入绑定码，如 ABCDE-12345" }]}>
                <Input autoComplete="off" maxLength={13} autoFocus data-testid="enrolment-code" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy} data-testid="enrolment-code-submit">
                下一步
              </Button>
            </Form>
            <Button type="link" onClick={() => setStep({ kind: "password" })} style={{ marginTop: 12 }}>
              返回
            </Button>
          </>
        )}
        {step.kind === "enrol" && (
          <>
            <Alert type="info" title="您的账户须启用两步验证（等保三级要求）" style={{ marginBottom: 12 }} />
            <Typography.Paragraph>用身份验证器（如腾讯身份验证器、Microsoft Authenticator）扫描二维码，或手动输入密钥，然后输入显示的 6 位验证码。</Typography.Paragraph>
            {step.qrSvg && <img alt="两步验证二维码" data-testid="totp-qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(step.qrSvg)}`} style={{ display: "block", width: 200, height: 200, margin: "0 auto 12px" }} />}
            <Typography.Paragraph copyable={{ text: step.secret }} style={{ textAlign: "center" }}>
              <Typography.Text code data-testid="totp-secret">
                {step.secret?.replace(/(.{4})/g, "$1 ").trim()}
              </Typography.Text>
            </Typography.Paragraph>
            {codeInput(false)}
          </>
        )}
        {step.kind === "codes" && (
          <>
            <Alert type="warning" title="请保存以下恢复码：手机丢失时每个可登录一次，本页关闭后不再显示。" style={{ marginBottom: 12 }} />
            <Typography.Paragraph copyable={{ text: step.codes.join("\n") }}>
              <pre data-testid="recovery-codes" style={{ margin: 0 }}>
                {step.codes.join("\n")}
              </pre>
            </Typography.Paragraph>
            <Button type="primary" block onClick={() => void enter()} data-testid="codes-done">
              我已保存，进入系统
            </Button>
          </>
        )}
      </Card>
    </div>
  );
}
