/**
 * The telemetry hook every request passes: who listens (a logger at some level, an
 * instrumentation registered for the whole process) and how a call opens its scope. Kept tiny
 * and free of dependencies, because a page that sends one patch carries it; what a scope does
 * (messages, spans) lives in ./call-scope.ts, loaded only once someone listens.
 */
import { ConfigurationError } from '../errors.js';
import type { CallEnd, CallScope } from './call-scope.js';
import type { Instrumentation } from './instrumentation.js';

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

/** The levels by rank: a line is written when its rank is at most the chosen one. */
export const LOG_LEVELS: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];

/** The environment variable that sets the level when the option does not. */
export const LOG_LEVEL_VARIABLE = 'LD_EXPIRING_TARGETS_LOG';

/** A logger and its level's rank (1 error … 4 debug); absent when logging is off. */
export interface Logging {
  rank: number;
  logger: Logger;
}

/** The level and logger options, checked once; `undefined` when nothing would be written. */
export function loggingOf(level: LogLevel | undefined, logger: Logger | undefined): Logging | undefined {
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[LOG_LEVEL_VARIABLE];
  // A mistyped variable must not stop a deployed service from starting: it means the default.
  let rank = LOG_LEVELS.indexOf(level ?? (fromEnv as LogLevel) ?? 'warn');
  if (rank < 0) {
    if (level !== undefined) throw new ConfigurationError(`logLevel must be one of ${LOG_LEVELS}`);
    rank = 2;
  }
  const methods = LOG_LEVELS.slice(1);
  if (logger !== undefined && methods.some((m) => typeof (logger as unknown as Record<string, unknown>)?.[m] !== 'function')) {
    throw new ConfigurationError(`logger must have the methods ${methods}`);
  }
  if (!rank) return undefined;
  load();
  return { rank, logger: logger ?? console };
}

let registered: Instrumentation | undefined;

/** Installs (or, with `undefined`, removes) the process-wide instrumentation. */
export function setInstrumentation(instrumentation: Instrumentation | undefined): void {
  registered = instrumentation;
  if (instrumentation) load();
}

/** The process-wide instrumentation, when one is registered. */
export function currentInstrumentation(): Instrumentation | undefined {
  return registered;
}

/** What a call is, as its scope reports it. Strings are raw here: the scope redacts them. */
export interface CallInfo {
  /** The operation's id in LaunchDarkly's API document, `patchAll`, or what a raw call did (`GET`). */
  operation: string;
  /** The URL template, such as `/api/v2/segments/{projectKey}/…`. */
  template?: string | undefined;
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

/**
 * Runs a call within its scope, ended with what `ended` makes of the result or with what the call
 * throws. When nobody listens (logging off, nothing registered) the call just runs: one check.
 */
export function observed<R>(
  logging: Logging | undefined,
  redact: (text: string) => string,
  info: CallInfo,
  parent: CallScope | undefined,
  call: (scope: CallScope | undefined) => Promise<R>,
  ended: (result: R) => CallEnd,
): Promise<R> {
  const instrumentation = registered;
  if (logging === undefined && instrumentation === undefined) return call(undefined);
  // After the first call, the scopes' module is at hand: no import() per call.
  if (scopes) return scopes.openScope(logging, instrumentation, redact, info, parent).run(call, ended);
  return load().then((m) => m.openScope(logging, instrumentation, redact, info, parent).run(call, ended));
}

let scopes: typeof import('./call-scope.js') | undefined;
let loading: Promise<typeof import('./call-scope.js')> | undefined;
/** Loads the scopes' module once, as soon as someone listens, so a first call seldom waits for it. */
function load() {
  loading ??= import('./call-scope.js').then((m) => (scopes = m));
  return loading;
}
