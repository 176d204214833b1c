import { FEEDBACK_KINDS, FEEDBACK_TEXT_MAX } from "@minsheng/domain/feedback-rules";
import { feedbackKindLabel } from "@minsheng/domain/labels";
import { useRef, useState } from "preact/hooks";
import { ApiProblem, type Created, type FeedbackKind, sendFeedback } from "../api";
import { checkFeedback, cnDate, feedbackError, problemsByField } from "../format";
import { Link } from "../router";


/**
 * 意见建议: kind, text, optional phone and photo. Checked here as the server checks, and the
 * server's own field problems (400) are shown at the field they are about.
 */
export function FeedbackForm({ code }: { code: string }) {
  const [kind, setKind] = useState<FeedbackKind>("suggestion");
  const [text, setText] = useState("");
  const [phone, setPhone] = useState("");
  const [photo, setPhoto] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const photoInput = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const local = checkFeedback({ text, phone, photo });
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) {
      focusFirst(local);
      return;
    }
    setBusy(true);
    try {
      setCreated(await sendFeedback(code, { kind, text: text.trim(), phone: phone.replace(/[\s-]/g, ""), photo }));
    } catch (err) {
      const byField = err instanceof ApiProblem && err.status === 400 ? problemsByField(err.problems) : {};
      setErrors(byField);
      setFormError(feedbackError(err));
      focusFirst(byField);
    } finally {
      setBusy(false);
    }
  };

  if (created)
    return (
      <section class="card" aria-labelledby="feedback-h">
        <h2 id="feedback-h">我要留言</h2>
        <div class="done" role="status">
          <p>提交成功，您的工单号是</p>
          <p class="ticket" data-testid="ticket">
            {created.ticket}
          </p>
          <p class="muted small">
            请保存工单号，凭它查询办理情况和答复。当前状态：{created.stateLabel}；答复期限：{cnDate(created.dueOn)}。
          </p>
          <p>
            <Link to={`/s/${created.ticket}`} class="btn primary">
              查看办理进度
            </Link>
          </p>
        </div>
      </section>
    );

  const invalid = (f: string) => (errors[f] ? { "aria-invalid": true, "aria-describedby": `fb-${f}-err` } : {});
  return (
    <section class="card" aria-labelledby="feedback-h">
      <h2 id="feedback-h">我要留言</h2>
      <p class="muted small">您的意见建议将转交责任单位办理并在答复期限内答复；手机号码只用于工作人员联系您，不会公开。</p>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>类型</legend>
          <div class="kinds">
            {FEEDBACK_KINDS.map((k) => (
              <label key={k} class={`kind${kind === k ? " chosen" : ""}`}>
                <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {feedbackKindLabel[k]}
              </label>
            ))}
          </div>
          {errors.kind && <FieldError id="fb-kind-err" text={errors.kind} />}
        </fieldset>

        <label for="fb-text">内容</label>
        <textarea
          id="fb-text"
          name="text"
          rows={5}
          maxLength={FEEDBACK_TEXT_MAX}
          placeholder="请描述您的意见建议（至少 5 个字）"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          {...invalid("text")}
        />
        <p class="muted small counter" aria-live="polite">
          {text.length}/{FEEDBACK_TEXT_MAX}
        </p>
        {errors.text && <FieldError id="fb-text-err" text={errors.text} />}

        <label for="fb-phone">手机号码（选填）</label>
        <input id="fb-phone" name="phone" type="tel" inputMode="numeric" autoComplete="tel" maxLength={20} value={phone} onInput={(e) => setPhone(e.currentTarget.value)} {...invalid("phone")} />
        {errors.phone && <FieldError id="fb-phone-err" text={errors.phone} />}

        <label for="fb-photo">照片（选填，5 MB 以内）</label>
        <input
          id="fb-photo"
          ref={photoInput}
          name="photo"
          type="file"
          accept="image/jpeg,image/png,image/gif,image/webp"
          onChange={(e) => setPhoto(e.currentTarget.files?.[0] ?? null)}
          {...invalid("photo")}
        />
        {photo && (
          <p class="small">
            {photo.name}{" "}
            <button
              type="button"
              class="link"
              onClick={() => {
                setPhoto(null);
                if (photoInput.current) photoInput.current.value = "";
              }}
            >
              移除照片
            </button>
          </p>
        )}
        {errors.photo && <FieldError id="fb-photo-err" text={errors.photo} />}

        {formError && (
          <p class="error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" class="btn primary block" disabled={busy}>
          {busy ? "正在提交…" : "提交"}
        </button>
      </form>
    </section>
  );
}

function FieldError({ id, text }: { id: string; text: string }) {
  return (
    <p id={id} class="field-error">
      {text}
    </p>
  );
}

function focusFirst(errors: Record<string, string>) {
  const first = ["text", "phone", "photo"].find((f) => errors[f]);
  if (first && typeof document !== "undefined") document.getElementById(`fb-${first}`)?.focus();
}
