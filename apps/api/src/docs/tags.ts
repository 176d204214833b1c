/** The tags of the OpenAPI document: one per feature, in the order the docs page lists them. */
export const tags = {
  meta: "文档与状态 · Docs and health",
  auth: "登录与会话 · Sign-in and sessions",
  users: "用户管理 · Users",
  tokens: "API 令牌 · API tokens",
  bundles: "计划导入导出 · Plan bundles (minsheng.bundle/v1)",
  plans: "计划与进度 · Plans and progress",
  disclosure: "信息公开 · Disclosure",
  reports: "月度填报与核验 · Monthly reports and review",
  evidence: "佐证材料 · Evidence files",
  audit: "审计 · Audit log",
  sites: "码上通项目点位 · Project sites, QR codes and site signs",
  content: "公开内容 · Published content of a site (policy documents, localised content, work updates)",
  feedback: "意见建议办理 · Citizens' feedback: inbox, moderation, answers",
  public: "码上通公众端 · The public side (no sign-in)",
  bulletins: "通报 · Monthly bulletins: preview, narrative drafts, issued snapshots (.docx / .xlsx)",
  imports: "Excel 导入 · Monthly figures from a filled Excel template",
  observers: "观察员 · Observers and their duties",
  observations: "观察信息 · Observers' filings and their triage",
  letters: "督办函件 · Letters that must be answered",
  scorecards: "考评 · Monthly unit scorecards, warnings and interviews (rules 7, 8)",
  quality: "质效 · Quality: reported progress against what the evidence supports (rule 7)",
  congress: "票决与测评 · Candidates, the deputies' vote, satisfaction ballots, look-back (rules 13-15)",
} as const;

export type Tag = keyof typeof tags;
