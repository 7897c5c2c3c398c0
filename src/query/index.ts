/**
 * `ld-expiring-targets/query`: TanStack Query v5 option factories and query keys for the client.
 * Its own entry with no run-time imports, so a page that does not import it ships none of it.
 */
export {
  flagPatchMutationOptions,
  flagTargetsQueryOptions,
  segmentPatchMutationOptions,
  segmentTargetsQueryOptions,
} from './options.js';
export type { PatchMutationOptions, PatchMutationSettings, TargetsQueryOptions } from './options.js';
export { QUERY_KEY_ROOT, expiringTargetsKeys, flagTargetsKey, segmentTargetsKey } from './keys.js';
export type { FlagPatchVariables, FlagTargetsKey, PatchMutationKey, SegmentPatchVariables, SegmentTargetsKey } from './keys.js';
export type { ExpiringTargetsClient, FlagRef, PatchOptions, SegmentRef } from '../core/client.js';
export type { CallOptions } from '../core/options.js';
export type { FlagInstruction, SegmentInstruction } from '../core/instructions.js';
export type { ExpiringTarget, GetResult, InstructionOutcome, PatchResult } from '../core/results.js';
