/**
 * The page's words and checks are the domain's: every status, kind and rating the API can answer
 * is named as @minsheng/domain names it, and the suggestion form refuses what the server's schema
 * refuses (the page imports the light entries; here the full package, zod included, is the judge).
 */
import { FeedbackKind, FeedbackSubmission, feedbackKindLabel, SatisfactionRating, satisfactionLabel, Status, statusLabel } from "@minsheng/domain";
import { renderToString } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { StatusBadge } from "../src/components";
import { checkFeedback, pct } from "../src/format";
import { FeedbackForm } from "../src/pages/FeedbackForm";
import { RatingPanel } from "../src/pages/Rating";

describe("the domain's names on the page", () => {
  it("names every status as the domain does", () => {
    for (const s of Status.options) expect(renderToString(<StatusBadge status={s} />)).toContain(`>${statusLabel[s]}</span>`);
  });

  it("offers every kind of suggestion, in the domain's order and words", () => {
    const html = renderToString(<FeedbackForm code="BHMSXDK5" />);
    const offered = [...html.matchAll(/value="(\w+)"[^>]*\/?>([^<]+)</g)].map((m) => [m[1], m[2]]);
    expect(offered).toEqual(FeedbackKind.options.map((k) => [k, feedbackKindLabel[k]]));
    expect(html).toContain(`maxlength="${FeedbackSubmission.shape.text.maxLength}"`);
  });

  it("offers every satisfaction rating, in the domain's order and words", () => {
    const html = renderToString(<RatingPanel code="BHMSXDK5" initial={{ satisfied: 0, basically_satisfied: 0, dissatisfied: 0, total: 0, satisfactionRate: null }} />);
    const shown = [...html.matchAll(/<button[^>]*>([^<]+)<\/button>/g)].map((m) => m[1]);
    expect(shown).toEqual(SatisfactionRating.options.map((r) => satisfactionLabel[r]));
  });
});

describe("the suggestion form's checks are the server's", () => {
  const texts = ["", "1234", " 1234 ", "12345", `  ${"长".repeat(5)}  `, "长".repeat(1999), "长".repeat(2000), ` ${"长".repeat(2000)} `, "长".repeat(2001)];
  const phones = ["", "13812345678", "19912345678", "12812345678", "1381234567", "138123456789", "1381234567x"];

  it("refuses a text or a phone exactly when FeedbackSubmission does", () => {
    for (const text of texts)
      for (const phone of phones) {
        const server = FeedbackSubmission.safeParse({ kind: "suggestion", text, ...(phone ? { phone } : {}) });
        const refused = server.success ? [] : [...new Set(server.error.issues.map((i) => String(i.path[0])))].sort();
        expect(Object.keys(checkFeedback({ text, phone, photo: null })).sort(), `${JSON.stringify(text.slice(0, 8))} ${phone}`).toEqual(refused);
      }
  });
});

describe("percents", () => {
  it("round the decimal as written, as the bulletins do (1.005 → 1.01, which Math.round(x * 100) / 100 makes 1)", () => {
    expect(pct(1.005)).toBe("1.01%");
    expect(pct(4555.499999999999)).toBe("4555.5%");
  });
});
