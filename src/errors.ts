/**
 * One error class per failure kind, so callers can `instanceof` what they care about.
 * No error ever holds the access token: messages that come from the server are redacted, and
 * nothing here keeps request headers.
 */

import type { Fate } from './outcomes.js';

/** Base class of every error this package throws. */
export class ExpiringTargetsError extends Error {
  override name = 'ExpiringTargetsError';
  /**
   * Set when a `patch` throws: what the error means for its instructions. `unknown` means the
   * request may have been applied (a lost or ambiguous answer); `failed`, that it was not.
   */
  instructionsFate: Fate | undefined;
}

/** One problem found in caller input, before anything is sent. */
export interface ValidationIssue {
  /** Position in the instruction list, when the problem is in an instruction. */
  index?: number;
  /** The field at fault, as the caller named it (`expiresAt`, `contextKey`, `segmentKey` …). */
  field: string;
  message: string;
}

/**
 * Caller input is invalid; nothing was sent.
 *
 * @example
 * ```ts
 * try {
 *   segmentInstructions.add({ contextKind: 'user', contextKey: '', targetType: 'included', expiresAt: 'soon' });
 * } catch (error) {
 *   if (error instanceof InstructionValidationError) console.log(error.issues);
 *   // [{ field: 'contextKey', message: 'must be a non-empty string' }, { field: 'expiresAt', … }]
 * }
 * ```
 */
export class InstructionValidationError extends ExpiringTargetsError {
  override name = 'InstructionValidationError';
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], context?: string) {
    const lines = issues.map((i) => `  - ${i.index === undefined ? '' : `instruction ${i.index}: `}${i.field} ${i.message}`);
    super(`${context ?? 'Invalid input'} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** The client's own options are unusable (for example a token for plain http to a remote host). */
export class ConfigurationError extends ExpiringTargetsError {
  override name = 'ConfigurationError';
}

/** Facts about an HTTP exchange that are safe to log. */
export interface ApiErrorDetails {
  status: number;
  /** LaunchDarkly's error `code`, such as `not_found`. */
  code?: string | undefined;
  /** LaunchDarkly's error `id`, when the body has one. */
  errorId?: string | undefined;
  /** The `X-Request-Id` response header, for LaunchDarkly support. */
  requestId?: string | undefined;
  method?: string | undefined;
  url?: string | undefined;
  /** Seconds or date from `Retry-After`, parsed to milliseconds from now, when present. */
  retryAfterMs?: number | undefined;
}

/**
 * LaunchDarkly answered with an error status. Subclasses name the common ones.
 *
 * @example
 * ```ts
 * try {
 *   await ld.segments.get({ projectKey: 'default', environmentKey: 'production', segmentKey: 'nope' });
 * } catch (error) {
 *   if (error instanceof NotFoundError) console.log(error.status, error.code, error.requestId);
 * }
 * ```
 */
export class LaunchDarklyApiError extends ExpiringTargetsError {
  override name = 'LaunchDarklyApiError';
  readonly status: number;
  readonly code: string | undefined;
  readonly errorId: string | undefined;
  readonly requestId: string | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: ApiErrorDetails) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.errorId = details.errorId;
    this.requestId = details.requestId;
    this.method = details.method;
    this.url = details.url;
    this.retryAfterMs = details.retryAfterMs;
  }
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      errorId: this.errorId,
      requestId: this.requestId,
      method: this.method,
      url: this.url,
    };
  }
}

/** 400: the request is malformed (for semantic patch: an unparseable body or a wrong Content-Type). */
export class BadRequestError extends LaunchDarklyApiError {
  override name = 'BadRequestError';
}
/** 401: the access token is missing, invalid or revoked. */
export class AuthenticationError extends LaunchDarklyApiError {
  override name = 'AuthenticationError';
}
/** 403: the token is valid but may not do this. */
export class PermissionDeniedError extends LaunchDarklyApiError {
  override name = 'PermissionDeniedError';
}
/** 404: the project, environment, segment or flag does not exist. */
export class NotFoundError extends LaunchDarklyApiError {
  override name = 'NotFoundError';
}
/** 409: a concurrent change conflicted; the request was not applied. */
export class ConflictError extends LaunchDarklyApiError {
  override name = 'ConflictError';
}
/** 429: rate limited; `retryAfterMs` says when to try again if the server said. */
export class RateLimitError extends LaunchDarklyApiError {
  override name = 'RateLimitError';
}
/** 5xx: LaunchDarkly or a gateway failed. For a PATCH, the change may or may not have been applied. */
export class ServerError extends LaunchDarklyApiError {
  override name = 'ServerError';
}
/** A 2xx whose body is not what the API promises (not JSON, or the wrong shape). */
export class InvalidResponseError extends LaunchDarklyApiError {
  override name = 'InvalidResponseError';
}

/** Why a request may have failed without an HTTP answer. */
export type ConnectionFailureStage = 'before-send' | 'after-send';

/**
 * No usable HTTP answer: refused, DNS failure, reset, or the body broke off.
 * `stage` says whether the request can have reached the server.
 */
export class ApiConnectionError extends ExpiringTargetsError {
  override name = 'ApiConnectionError';
  readonly stage: ConnectionFailureStage;
  readonly method: string | undefined;
  readonly url: string | undefined;
  constructor(message: string, options: { stage: ConnectionFailureStage; method?: string; url?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.stage = options.stage;
    this.method = options.method;
    this.url = options.url;
  }
}

/** An attempt took longer than `timeoutMs` (headers or body). The request may have been applied. */
export class ApiTimeoutError extends ApiConnectionError {
  override name = 'ApiTimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options: { method?: string; url?: string }) {
    super(`Request timed out after ${timeoutMs} ms`, { stage: 'after-send', ...options });
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. */
export class RequestAbortedError extends ExpiringTargetsError {
  override name = 'RequestAbortedError';
  /** True when a request that may change state was in flight (or already answered ambiguously). */
  readonly maybeSent: boolean;
  constructor(reason?: unknown, maybeSent = false) {
    super('Request aborted by the caller', { cause: reason });
    this.maybeSent = maybeSent;
  }
}

/** Maps an HTTP status to its error class. */
export function errorClassForStatus(status: number): typeof LaunchDarklyApiError {
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? ServerError : LaunchDarklyApiError;
  }
}

/** Replaces every occurrence of a secret in text that may come from elsewhere (server bodies, causes). */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

/**
 * A PATCH answered 200 but some instructions failed, and the caller asked for
 * `throwOnPartialFailure`. `result` holds exactly what `patch` would have returned.
 */
export class PartialFailureError<R = unknown> extends ExpiringTargetsError {
  override name = 'PartialFailureError';
  readonly result: R;
  constructor(message: string, result: R) {
    super(message);
    this.result = result;
  }
}
