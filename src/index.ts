export { SEMANTIC_PATCH_CONTENT_TYPE, createExpiringTargetsClient } from './client.js';
export type { ExpiringTargetsClient, FlagRef, PatchOptions, RawClient, ResourceApi, SegmentRef } from './client.js';
export type { BulkProgress, PatchAllOptions } from './bulk.js';
export { flagInstructions, parseTime, segmentInstructions } from './instructions.js';
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
} from './instructions.js';
export { DEFAULT_API_VERSION, INSTANCES } from './options.js';
export type { CallOptions, ClientOptions, FetchLike, Instance, RetryEvent } from './options.js';
export type { LogLevel, Logger } from './internal/telemetry.js';
export type {
  BulkResult,
  BulkSummary,
  ExpiringTarget,
  GetResult,
  InstructionFailure,
  InstructionOutcome,
  OutcomeCounts,
  PatchResult,
} from './results.js';
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
export type { ApiErrorDetails, ConnectionFailureStage, Fate, ValidationIssue } from './errors.js';
export { VERSION } from './version.js';
