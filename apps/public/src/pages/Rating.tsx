import { satisfactionLabel } from "@minsheng/domain/labels";
import { useState } from "preact/hooks";
import { type Rating, type Satisfaction, sendRating } from "../api";
import { pct, ratingError } from "../format";

/** 满意 / 基本满意 / 不满意, in the domain's order. */
const CHOICES = Object.keys(satisfactionLabel) as Rating[];

/** 满意度测评: one tap; the server keeps one rating per person, project and day. */
export function RatingPanel({ code, initial }: { code: string; initial: Satisfaction }) {
  const [summary, setSummary] = useState(initial);
  const [chosen, setChosen] = useState<Rating | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);

  const rate = async (r: Rating) => {
    if (busy || chosen) return;
    setBusy(true);
    setMessage(null);
    try {
      const res = await sendRating(code, r);
      setSummary(res.satisfaction);
      setChosen(r);
      setMessage({ tone: "ok", text: `感谢您的评价：${satisfactionLabel[r]}` });
    } catch (e) {
      setMessage({ tone: "error", text: ratingError(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="rating-h">
      <h2 id="rating-h">满意度评价</h2>
      <p class="muted small" data-testid="satisfaction">
        {summary.total === 0
          ? "暂无评价，欢迎您第一个评价。"
          : `共 ${summary.total} 人评价：满意 ${summary.satisfied}，基本满意 ${summary.basically_satisfied}，不满意 ${summary.dissatisfied}；满意度 ${pct(summary.satisfactionRate)}`}
      </p>
      <div class="choices" role="group" aria-label="您对该项目的满意度">
        {CHOICES.map((r) => (
          <button key={r} type="button" class={`btn choice${chosen === r ? " chosen" : ""}`} aria-pressed={chosen === r} disabled={busy || chosen !== null} onClick={() => rate(r)}>
            {satisfactionLabel[r]}
          </button>
        ))}
      </div>
      {message && (
        <p class={message.tone === "ok" ? "ok" : "error"} role={message.tone === "ok" ? "status" : "alert"}>
          {message.text}
        </p>
      )}
    </section>
  );
}
