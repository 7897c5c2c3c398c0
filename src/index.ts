export { createExpiringTargetsClient } from './client.js';
export { SEMANTIC_PATCH_CONTENT_TYPE } from './prepared-request.js';
export type { ExpiringTargetsClient, FlagRef, PatchOptions, RawClient, ResourceApi, SegmentRef } from './client.js';
export { flagInstructions, segmentInstructions } from './instructions.js';
export type { ContextRef, ExpiryInput, FlagTargetRef, SegmentTargetRef, VersionInput } from './instructions.js';
export { DEFAULT_API_VERSION, INSTANCES } from './options.js';
export type { CallOptions, ClientOptions, Instance } from './options.js';
export type { BulkProgress, BulkResult, PatchAllOptions } from './bulk.js';
export type { Fate, FateCounts, InstructionOutcome } from './outcomes.js';
export { INSTRUCTION_INDEX_BASE } from './results.js';
export type { ExpiringTarget, GetResult, InstructionFailure, PatchResult } from './results.js';
export type { TimeInput } from './time.js';
export type { FetchLike, RetryEvent } from './transport.js';
export type { FlagInstruction, InstructionKind, SegmentInstruction, SegmentTargetType } from './validation.js';
export {
  ApiConnectionError,
  ApiTimeoutError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ExpiringTargetsError,
  InstructionValidationError,
  InvalidResponseError,
  LaunchDarklyApiError,
  NotFoundError,
  PartialFailureError,
  PermissionDeniedError,
  RateLimitError,
  RequestAbortedError,
  ServerError,
} from './errors.js';
export type { ApiErrorDetails, ValidationIssue } from './errors.js';
export { VERSION } from './version.js';
