/**
 * The errors of an exchange that produced no usable HTTP answer (refused, reset, timed out): what
 * they mean for the instructions depends on whether the request can have reached LaunchDarkly.
 */
import { ExpiringTargetsError, type Fate, named } from './errors.js';

/** Whether a failed connection can have delivered the request. */
export type ConnectionFailureStage = 'before-send' | 'after-send';

/**
 * No usable HTTP answer: refused, DNS failure, reset, or the body broke off.
 * `stage` says whether the request can have reached the server.
 *
 * @example
 * ```ts
 * try {
 *   await ld.flags.get(ref);
 * } catch (error) {
 *   if (error instanceof ApiConnectionError) console.log(error.stage, error.message);
 * }
 * ```
 */
export class ApiConnectionError extends ExpiringTargetsError {
  /** `before-send`: the request cannot have reached the server; `after-send`: it may have. */
  declare readonly stage: ConnectionFailureStage;
  /** The request's method. */
  declare readonly method: string | undefined;
  /** The request's URL. */
  declare readonly url: string | undefined;
  /** True when this attempt, or an earlier one of the same request, may have applied it. */
  declare readonly mayHaveApplied: boolean;
  constructor(
    message: string,
    options: { stage: ConnectionFailureStage; method?: string; url?: string; cause?: unknown; mayHaveApplied?: boolean },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.stage = options.stage;
    this.method = options.method;
    this.url = options.url;
    this.mayHaveApplied = options.mayHaveApplied ?? options.stage === 'after-send';
  }
  override get instructionsFate(): Fate {
    return this.mayHaveApplied ? 'unknown' : 'notAttempted';
  }
  /** A request that cannot even be sent (refused, DNS) will not be sent for the next batch either. */
  override get stopsBulkRun(): boolean {
    return this.stage === 'before-send';
  }
}

/** An attempt took longer than `timeoutMs` (headers or body). The request may have been applied. */
export class ApiTimeoutError extends ApiConnectionError {
  /** The per-attempt limit that was reached. */
  declare readonly timeoutMs: number;
  constructor(timeoutMs: number, options: { method?: string; url?: string }) {
    super(`Request timed out after ${timeoutMs} ms`, { stage: 'after-send', ...options });
    this.timeoutMs = timeoutMs;
  }
  override get stopsBulkRun(): boolean {
    return false;
  }
}

named({ ApiConnectionError, ApiTimeoutError });
