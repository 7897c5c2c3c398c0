/**
 * `ld-expiring-targets/sync`: expiring targets as code. Read a desired state (YAML, or built in
 * code), plan the changes that make LaunchDarkly match it, and apply them. A subpath of its own,
 * so that an app using only the client does not load a YAML parser.
 *
 * @example
 * ```ts
 * import { createExpiringTargetsClient } from 'ld-expiring-targets';
 * import { applyPlan, parseDesiredState, planSync } from 'ld-expiring-targets/sync';
 *
 * const ld = createExpiringTargetsClient({ apiKey: process.env.LD_API_KEY });
 * const plan = await planSync(ld, parseDesiredState(yamlText, { fileName: 'expiring-targets.yaml' }));
 * if (plan.hasChanges) {
 *   const result = await applyPlan(ld, plan);
 *   console.log(result.ok ? 'in sync' : result.after.counts);
 * }
 * ```
 */
export { applyPlan } from './apply.js';
export type { ApplyOptions } from './apply-options.js';
export type { ChangeOutcome, SyncCounts, SyncResult } from './sync-result.js';
export {
  type DesiredFlag,
  type DesiredFlagTarget,
  type DesiredResource,
  type DesiredSegment,
  type DesiredSegmentTarget,
  type DesiredState,
  type DesiredStateIssue,
  type DesiredStateOptions,
  type DesiredTargetBase,
  type EntrySource,
  type ParseOptions,
  type SourcePosition,
  DesiredStateError,
  desiredStateIssues,
  parseDesiredState,
} from './desired-state.js';
export { DEFAULT_MAX_FILE_BYTES, type DesiredStateFile, type ReadFileOptions, readDesiredStateFile, readRegularFile } from './read-file.js';
export { DEFAULT_MAX_RESOURCES } from './bounds.js';
export {
  PLAN_FORMAT,
  PLAN_FORMAT_VERSION,
  type PlanFile,
  type SavedPlan,
  SavedPlanError,
  type SavedPlanInfo,
  parsePlan,
  savedPlanInputs,
  serializePlan,
} from './saved-plan.js';
export { selectTargets } from './targets.js';
export { planMarkdown } from './markdown.js';
export { DEFAULT_MAX_ROUNDS } from './rounds.js';
export {
  type AnyInstruction,
  type ChangeAction,
  type FlagPlan,
  type PlanCounts,
  type PlanOptions,
  type PlannedChange,
  type ResourcePlan,
  type ResourcePlanOf,
  type SegmentPlan,
  type SyncPlan,
  planSync,
} from './plan.js';
