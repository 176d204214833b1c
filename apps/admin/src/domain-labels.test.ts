// The console's names, months and checks are @minsheng/domain's: every value of each enum the API
// can answer is named as the domain names it (the pages import the light entries; the full package
// here is the judge, zod enums included).
import {
  DisclosureBand,
  disclosureBandLabel,
  PlanLevel,
  planLevelLabel,
  ReportState,
  reportStateLabel,
  ROLES,
  roleLabel,
  Status,
  statusLabel as domainStatusLabel,
} from "@minsheng/domain";
import { disclosureObligationName } from "@minsheng/domain/labels";
import { describe, expect, it } from "vitest";
import { bandLabel, currentPeriod, statusLabel } from "./api";
import { obligationLabel } from "./maishangtong";
import { scheduleText } from "./plan-forms";
import { chinaToday, monthsOf } from "./reports";
import { roleLabels } from "./pages/Users";

describe("the console's names are the domain's", () => {
  it("for every status, disclosure band and role", () => {
    for (const s of Status.options) expect(statusLabel[s]).toBe(domainStatusLabel[s]);
    for (const b of DisclosureBand.options) expect(bandLabel[b]).toBe(disclosureBandLabel[b]);
    for (const r of ROLES) expect(roleLabels[r]).toBe(roleLabel[r]);
    expect(Object.keys(roleLabels)).toEqual([...ROLES]);
  });

  it("for every report state, plan level and disclosure obligation", () => {
    expect(Object.keys(reportStateLabel).sort()).toEqual([...ReportState.options].sort());
    expect(Object.keys(planLevelLabel).sort()).toEqual([...PlanLevel.options].sort());
    expect(obligationLabel).toEqual(disclosureObligationName);
  });
});

describe("months and percents", () => {
  it("reads the month and the day in China (UTC+8)", () => {
    const lateInSeptemberUtc = new Date(Date.UTC(2024, 8, 30, 16, 30));
    expect(currentPeriod(lateInSeptemberUtc)).toBe("2024-10");
    expect(chinaToday(lateInSeptemberUtc)).toBe("2024-10-01");
    expect(monthsOf(2024)).toEqual(["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"]);
  });

  it("says a milestone's share as a percent without float noise (0.145 → 14.5%)", () => {
    expect(scheduleText({ type: "milestones", points: [{ month: 6, fraction: 0.145 }, { month: 12, fraction: 1 }] })).toBe("节点：6月底 14.5%，12月底 100%");
  });
});
