/**
 * One error class per failure kind, so callers can `instanceof` what they care about. Each class
 * also knows what it means for the instructions of the request that raised it (its fate), so
 * results never have to guess from the outside.
 *
 * No error holds the access token: every string taken from a response has been through the
 * client's redaction before an error is built from it, and no error keeps request headers.
 */

/**
 * What happened to one instruction. `failed` means LaunchDarkly said it did not apply;
 * `unknown` means the request may have reached LaunchDarkly but its answer was lost or
 * ambiguous; `notAttempted` means it was never sent (or provably never reached LaunchDarkly).
 */
export type Fate = 'applied' | 'failed' | 'unknown' | 'notAttempted';

/**
 * Base class of every error this package throws.
 *
 * @example
 * ```ts
 * try {
 *   await ld.segments.patch(ref, instructions);
 * } catch (error) {
 *   if (error instanceof ExpiringTargetsError) console.log(error.name, error.instructionsFate);
 * }
 * ```
 */
export class ExpiringTargetsError extends Error {
  // Each class's name (always its own, also after minification) is set once on its prototype, by
  // `named` below, and made the instance's own here, as a class field would: no field per class,
  // which a browser bundle for an older target turns into one helper call per class.
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.prototype.name;
  }
  /**
   * What this error means for the instructions of the request that raised it: `notAttempted`
   * (nothing was sent), `failed` (LaunchDarkly refused the whole request) or `unknown` (it may
   * have been applied).
   */
  get instructionsFate(): Fate {
    return 'notAttempted';
  }
  /** True when every later request of a bulk run would fail the same way, so the run stops. */
  get stopsBulkRun(): boolean {
    return true;
  }
}

/** One problem found in caller input, before anything is sent. */
export interface ValidationIssue {
  /** Position in the instruction list, when the problem is in an instruction. */
  index?: number;
  /** The field at fault, as the caller named it (`expiresAt`, `contextKey`, `segmentKey` …). */
  field: string;
  /** What is wrong with it, such as `must be a non-empty string, got ""`. */
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
 *   // [{ field: 'contextKey', message: … }, { field: 'expiresAt', message: … }]
 * }
 * ```
 */
export class InstructionValidationError extends ExpiringTargetsError {
  /** Every problem found, each naming its field (and instruction index, when in a list). */
  declare readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], context?: string) {
    const lines = issues.map((i) => `  - ${i.index === undefined ? '' : `instruction ${i.index}: `}${i.field} ${i.message}`);
    super(`${context ?? 'Invalid input'} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/**
 * The client's own options are unusable (for example a token for plain http to a remote host).
 * The message never contains the offending value when that value may be a secret.
 *
 * @example
 * ```ts
 * try {
 *   createExpiringTargetsClient({ apiKey: token, baseUrl: 'http://example.com' });
 * } catch (error) {
 *   if (error instanceof ConfigurationError) console.error(error.message);
 * }
 * ```
 */
export class ConfigurationError extends ExpiringTargetsError {}

/** Facts about an HTTP exchange that are safe to log. */
export interface ApiErrorDetails {
  /** The HTTP status. */
  status: number;
  /** LaunchDarkly's error `code`, such as `not_found`. */
  code?: string | undefined;
  /** LaunchDarkly's error `id`, when the body has one. */
  errorId?: string | undefined;
  /** The `X-Request-Id` response header, for LaunchDarkly support. */
  requestId?: string | undefined;
  /** The request's method. */
  method?: string | undefined;
  /** The request's URL (never with credentials: the client refuses a base URL that has them). */
  url?: string | undefined;
  /** Seconds or date from `Retry-After`, parsed to milliseconds from now, when present. */
  retryAfterMs?: number | undefined;
  /** True when an earlier attempt of the same request may have applied it (a retried 5xx or reset). */
  mayHaveApplied?: boolean | undefined;
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
  // Fields the constructor assigns are `declare`d: no separate definition step, which a browser
  // bundle for an older target would turn into one helper call per field.
  /** The HTTP status. */
  declare readonly status: number;
  /** LaunchDarkly's error `code`, such as `not_found`. */
  declare readonly code: string | undefined;
  /** LaunchDarkly's error `id`, when the body has one. */
  declare readonly errorId: string | undefined;
  /** The `X-Request-Id` response header, for LaunchDarkly support. */
  declare readonly requestId: string | undefined;
  /** The request's method. */
  declare readonly method: string | undefined;
  /** The request's URL. */
  declare readonly url: string | undefined;
  /** How long the server asked to wait before trying again (`Retry-After`), in milliseconds. */
  declare readonly retryAfterMs: number | undefined;
  /** True when an earlier attempt of the same request may have applied it. */
  declare readonly mayHaveApplied: boolean;
  constructor(message: string, details: ApiErrorDetails) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.errorId = details.errorId;
    this.requestId = details.requestId;
    this.method = details.method;
    this.url = details.url;
    this.retryAfterMs = details.retryAfterMs;
    this.mayHaveApplied = details.mayHaveApplied === true;
  }
  override get instructionsFate(): Fate {
    return this.mayHaveApplied ? 'unknown' : 'failed';
  }
  override get stopsBulkRun(): boolean {
    return false;
  }
  /** The fields that are safe to log, for `JSON.stringify`. */
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
export class BadRequestError extends LaunchDarklyApiError {}
/** 401: the access token is missing, invalid or revoked. Stops a bulk run. */
export class AuthenticationError extends LaunchDarklyApiError {
  override get stopsBulkRun(): boolean {
    return true;
  }
}
/** 403: the token is valid but may not do this. Stops a bulk run. */
export class PermissionDeniedError extends LaunchDarklyApiError {
  override get stopsBulkRun(): boolean {
    return true;
  }
}
/** 404: the project, environment, segment or flag does not exist. Stops a bulk run. */
export class NotFoundError extends LaunchDarklyApiError {
  override get stopsBulkRun(): boolean {
    return true;
  }
}
/** 409: a concurrent change conflicted; the request was not applied. */
export class ConflictError extends LaunchDarklyApiError {}
/** 429: rate limited; `retryAfterMs` says when to try again if the server said. */
export class RateLimitError extends LaunchDarklyApiError {}
/** 5xx: LaunchDarkly or a gateway failed. For a PATCH, the change may or may not have been applied. */
export class ServerError extends LaunchDarklyApiError {
  override get instructionsFate(): Fate {
    return 'unknown';
  }
}
/** A 2xx whose body is not what the API promises (not JSON, or the wrong shape): it may have applied. */
export class InvalidResponseError extends LaunchDarklyApiError {
  override get instructionsFate(): Fate {
    return 'unknown';
  }
}

/** The caller's AbortSignal fired. Stops a bulk run. */
export class RequestAbortedError extends ExpiringTargetsError {
  /** True when a request that may change state was in flight (or already answered ambiguously). */
  declare readonly maybeSent: boolean;
  constructor(reason?: unknown, maybeSent = false) {
    super('Request aborted by the caller', { cause: reason });
    this.maybeSent = maybeSent;
  }
  override get instructionsFate(): Fate {
    return this.maybeSent ? 'unknown' : 'notAttempted';
  }
}

/**
 * A PATCH answered 200 but some instructions failed, and the caller asked for
 * `throwOnPartialFailure`. `result` holds exactly what `patch` would have returned.
 *
 * @example
 * ```ts
 * try {
 *   await ld.segments.patch(ref, instructions, { throwOnPartialFailure: true });
 * } catch (error) {
 *   if (error instanceof PartialFailureError) console.log(error.result.counts);
 * }
 * ```
 */
export class PartialFailureError<R = unknown> extends ExpiringTargetsError {
  /** What `patch` would have returned. */
  declare readonly result: R;
  constructor(message: string, result: R) {
    super(message);
    this.result = result;
  }
  override get instructionsFate(): Fate {
    return 'failed';
  }
}

/** Gives each class its name on its prototype: the keys survive minification, the classes' own names do not. */
export function named(classes: Record<string, { prototype: Error }>): void {
  for (const [name, errorClass] of Object.entries(classes)) errorClass.prototype.name = name;
}
named({
  ExpiringTargetsError,
  InstructionValidationError,
  ConfigurationError,
  LaunchDarklyApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  ServerError,
  InvalidResponseError,
  RequestAbortedError,
  PartialFailureError,
});

// The statuses with a class of their own; any other 5xx is a ServerError, anything else the base class.
const CLASS_BY_STATUS: Readonly<Record<number, typeof LaunchDarklyApiError>> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
};

/** Maps an HTTP status to its error class. */
export function errorClassForStatus(status: number): typeof LaunchDarklyApiError {
  return (
    (Object.hasOwn(CLASS_BY_STATUS, status) ? CLASS_BY_STATUS[status] : undefined) ?? (status >= 500 ? ServerError : LaunchDarklyApiError)
  );
}
