import { Alert, Form, Input, message, Modal } from "antd";
import { useState } from "react";
import { ApiProblem, api, problemsToFields, read } from "./api";

interface Values {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

const FIELDS = ["currentPassword", "newPassword"];

/**
 * 修改密码: the signed-in user's own password, with the current one (POST /auth/password). The
 * policy is checked by the API (auth/password.ts) and its answer shown at the field; the form only
 * asks the new one twice. The user's other sessions end; this one goes on.
 */
export default function ChangePassword({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await read(api.auth.password.$post({ json: { currentPassword: v.currentPassword, newPassword: v.newPassword } }));
      void message.success("密码已修改；在其他设备上的登录已退出");
      form.resetFields();
      onClose();
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 423) setError(e.message);
      else {
        const { fields, rest } = problemsToFields(e, FIELDS);
        form.setFields(fields.map((f) => ({ name: f.name as keyof Values, errors: f.errors })));
        setError(rest.length ? rest.join("；") : null);
      }
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    form.resetFields();
    setError(null);
    onClose();
  };

  return (
    <Modal open={open} title="修改密码" onCancel={close} onOk={() => form.submit()} okText="保存" cancelText="取消" confirmLoading={busy} destroyOnHidden data-testid="password-form">
      <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
        <Form.Item name="currentPassword" label="当前密码" rules={[{ required: true, message: "请输入当前密码" }]}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label="新密码" rules={[{ required: true, message: "请输入新密码" }]} extra="至少 10 位，包含字母和数字，且不同于当前密码">
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label="再次输入新密码"
          dependencies={["newPassword"]}
          rules={[
            { required: true, message: "请再次输入新密码" },
            ({ getFieldValue }) => ({ validator: (_, value) => (!value || value === getFieldValue("newPassword") ? Promise.resolve() : Promise.reject(new Error("两次输入的新密码不一致"))) }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="repeat-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} data-testid="password-error" />}
      </Form>
    </Modal>
  );
}
