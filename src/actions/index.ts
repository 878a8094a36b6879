// The operations users run: validate, plan, apply, upload, export. They print nothing; adapters
// (CLI, Action) render their results and events.
export * from './types.js';
export { validate, loadManifestOrThrow, type ValidateOptions } from './validate.js';
export { plan, computePlan, planExitCode, unresolvedDuplicates, type PlanOptions } from './plan.js';
export { apply, fingerprintMatches, DEFAULT_MAX_DELETES, type ApplyOptions } from './apply.js';
export { buildPlan, planFingerprint, staleObjects, liveStateDigests, type BuiltPlan } from './build.js';
export {
  readLiveState,
  scanOwnership,
  findOwnedExperiment,
  DEFAULT_CONCURRENCY,
  type ReadOptions,
  type OwnershipScan,
} from './read.js';
export { OutcomeUnknownError } from './execute.js';
export type { LiveState, LiveExperiment, LiveOrphan } from './live.js';
export {
  renderPlanText,
  renderPlanMarkdown,
  renderApplyText,
  renderApplyMarkdown,
  type TextRenderOptions,
  type MarkdownRenderOptions,
} from './render.js';
export { duplicateFix } from './render-lines.js';
export { planToJson, parsePlanJson, planSchema, PLAN_FORMAT_VERSION } from './plan-json.js';
export {
  OperationError,
  PlanStaleError,
  FingerprintMismatchError,
  MaxDeletesError,
  ManifestInvalidError,
  PlanConflictError,
} from './errors.js';
export { retryEventSink } from './events.js';
export { canonicalJson, jsonEqual, datesEqual } from './canonical.js';
export * from './upload.js';
export * from './export.js';
