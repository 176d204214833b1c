/**
 * @minsheng/domain: the 重点民生实事 model and rules as pure functions (no I/O).
 * Zod schemas are the source of truth for types; results carry typed errors (`Either`, tagged
 * errors) without Effect, which `@minsheng/domain/effect` adds for programs written with it.
 */
export * as Either from "./either.js";
export * from "./rational.js";
export * from "./period.js";
export * from "./errors.js";
export * from "./plan.js";
export * from "./bundle.js";
export * from "./schedule.js";
export * from "./status.js";
export * from "./disclosure.js";
export * from "./evaluate.js";
export * from "./verification.js";
export * from "./quality.js";
export * from "./scoring.js";
export * from "./scorecard.js";
export * from "./risk.js";
export * from "./feedback.js";
export * from "./observer.js";
export * from "./letter.js";
export * from "./candidate.js";
export * from "./survey.js";
export * from "./split.js";
export * from "./feedback-rules.js";
export * from "./round.js";
export * from "./schedule-rules.js";
export * from "./error-codes.js";
// The labels (light entry `@minsheng/domain/labels`); disclosureBandLabel comes with disclosure.ts,
// which re-exports labels.ts's.
export {
  CONTENT_KINDS,
  type ContentKind,
  contentKindLabel,
  disclosureObligationName,
  feedbackKindLabel,
  feedbackStateLabel,
  letterKindLabel,
  letterStateLabel,
  observationKindLabel,
  observationStateLabel,
  planLevelLabel,
  regionLevelLabel,
  reportStateLabel,
  ROLES,
  type Role,
  roleLabel,
  satisfactionLabel,
  candidateSourceLabel,
  candidateStateLabel,
  congressLevelLabel,
  lookbackConclusionLabel,
  statusLabel,
  statusShortLabel,
} from "./labels.js";
