/**
 * What a call's telemetry speaks of, shared by the hook every request passes (./telemetry.ts),
 * the scope that writes lines and spans (./call-scope.ts) and the line writer (./log-line.ts):
 * types only, so none of them imports another for its words.
 */
import type { SpanHandle } from './instrumentation.js';

/** How much the client logs: `debug` the most, `off` nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/**
 * Where log lines go: `console`, winston and anything else with these four methods, each called
 * as `(message, data)`. (pino takes `(data, message)`: see the telemetry guide for its adapter.)
 */
export interface Logger {
  /** What throws: a call that failed. */
  error(message: string, data?: Record<string, unknown>): void;
  /** Partial failures and unknown outcomes. */
  warn(message: string, data?: Record<string, unknown>): void;
  /** One line per settled call. */
  info(message: string, data?: Record<string, unknown>): void;
  /** Each attempt, retry decision, wait and read-back decision. */
  debug(message: string, data?: Record<string, unknown>): void;
}

/** A logger and its level's rank (1 error … 4 debug); absent when logging is off. */
export interface Logging {
  rank: number;
  logger: Logger;
}

/** What a call is, as its scope reports it. Strings are raw here: the scope redacts them. */
export interface CallInfo {
  /** The operation's id in LaunchDarkly's API document, `patchAll`, or what a raw call did (`GET`). */
  operation: string;
  /** `segment` or `flag`, for a typed call. */
  resource?: string | undefined;
  /** The resource's reference and the names of its keys, for a typed call. */
  ref?: object | undefined;
  names?: readonly string[] | undefined;
  /** How many instructions a PATCH (or an array given to `patchAll`) carries. */
  instructions?: number | undefined;
  /** Why the call is made, when not by the caller directly (`read-back`). */
  purpose?: string | undefined;
}

/** How many instructions ended with each fate, as results count them. */
export interface FateCounts {
  total: number;
  applied: number;
  failed: number;
  unknown: number;
  notAttempted: number;
  reconciled?: number;
  resent?: number;
}

/** How a call ended. */
export interface CallEnd {
  status?: number | undefined;
  requestId?: string | null | undefined;
  counts?: FateCounts | undefined;
  /** What stopped a run early (it returns rather than throws). */
  stoppedBy?: unknown;
  /** What the call throws. */
  error?: unknown;
}

/** Where a wait between attempts came from. */
export type WaitSource = 'retry-after' | 'x-ratelimit-reset' | 'backoff' | 'rate-limit-gate';

/** One call's scope: its attempts, waits and end, told to the logger and the instrumentation. */
export interface CallScope {
  /** The call's span, when an instrumentation is registered: the parent of its attempts' and calls'. */
  readonly span?: SpanHandle | undefined;
  /**
   * One attempt begins: a debug line, a client span; `end` takes its answer or failure. `template`
   * is the document's path template the URL matched (with any base path), when it matched one.
   */
  attempt(attempt: number, method: string, url: string, headers: Headers, template?: string): AttemptScope;
  /** The decision to try again, with its reason and where the wait came from. */
  retry(attempt: number, delayMs: number, source: WaitSource, reason: string): void;
  /** A wait before an attempt because LaunchDarkly said the rate limit is spent. */
  wait(delayMs: number): void;
  /** What reading back decided for instructions whose answer was lost. */
  readBack(counts: FateCounts): void;
  /** The call settled: info for every call, warn for partial failures and unknown fates, error for what throws. */
  end(result: CallEnd): void;
}

/** One attempt's scope. */
export interface AttemptScope {
  /** The attempt's own copy of the request headers, with trace context, when instrumented. */
  headers?: Headers | undefined;
  end(status?: number, requestId?: string | null, error?: unknown): void;
}
