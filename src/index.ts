export { SEMANTIC_PATCH_CONTENT_TYPE, createExpiringTargetsClient } from './core/client.js';
export type { ExpiringTargetsClient, FlagRef, PatchOptions, RawClient, ResourceApi, SegmentRef } from './core/client.js';
export type { BulkProgress, PatchAllOptions } from './core/bulk.js';
export { flagInstructions, parseTime, segmentInstructions } from './core/instructions.js';
export type {
  ContextRef,
  ExpiryInput,
  FlagInstruction,
  FlagTargetRef,
  InstructionKind,
  ParsedTime,
  SegmentInstruction,
  SegmentTargetRef,
  SegmentTargetType,
  TimeInput,
  VersionInput,
} from './core/instructions.js';
export { DEFAULT_API_VERSION, INSTANCES } from './core/options.js';
export type { CallOptions, ClientOptions, FetchLike, Instance, RetryEvent } from './core/options.js';
export type { LogLevel, Logger } from './core/internal/telemetry.js';
export type {
  BulkResult,
  BulkSummary,
  ExpiringTarget,
  GetResult,
  InstructionFailure,
  InstructionOutcome,
  OutcomeCounts,
  PatchResult,
} from './core/results.js';
export { ApiConnectionError, ApiTimeoutError } from './core/connection-errors.js';
export type { ConnectionFailureStage } from './core/connection-errors.js';
export {
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
} from './core/errors.js';
export type { ApiErrorDetails, Fate, ValidationIssue } from './core/errors.js';
export { VERSION } from './core/version.js';
