/**
 * The telemetry hook every request passes: who listens (a logger at some level, an
 * instrumentation registered for the whole process) and how a call opens its scope. Kept tiny
 * and free of dependencies, because a page that sends one patch carries it; what a scope does
 * (messages, spans) lives in ./call-scope.ts, loaded only once someone listens.
 */
import { ConfigurationError } from '../errors.js';
import type { CallScope } from './call-scope.js';
import type { Instrumentation } from './instrumentation.js';

/** How much the client logs: `debug` the most, `off` nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/**
 * Where log lines go: `console`, winston and anything else with these four methods, each called
 * as `(message, data)`. (pino takes `(data, message)`: see the telemetry guide for its adapter.)
 */
export interface Logger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
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
  const envRank = LOG_LEVELS.indexOf(fromEnv?.trim().toLowerCase() as LogLevel);
  const rank = level === undefined ? (envRank < 0 ? 2 : envRank) : LOG_LEVELS.indexOf(level);
  if (rank < 0) throw new ConfigurationError(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(String(level))}`);
  if (logger !== undefined && ['error', 'warn', 'info', 'debug'].some((m) => typeof (logger as unknown as Record<string, unknown>)?.[m] !== 'function')) {
    throw new ConfigurationError('logger must have error, warn, info and debug methods (console, winston, or an adapter)');
  }
  return rank === 0 ? undefined : { rank, logger: logger ?? console };
}

let registered: Instrumentation | undefined;

/** Installs (or, with `undefined`, removes) the process-wide instrumentation. */
export function setInstrumentation(instrumentation: Instrumentation | undefined): void {
  registered = instrumentation;
}

/** The process-wide instrumentation, when one is registered. */
export function currentInstrumentation(): Instrumentation | undefined {
  return registered;
}

/** What a call is, as its scope reports it. Strings are raw here: the scope redacts them. */
export interface CallInfo {
  /** The operation's id in LaunchDarkly's API document, or what a raw call did (`GET`). */
  operation: string;
  /** The URL template, such as `/api/v2/segments/{projectKey}/…`. */
  template?: string | undefined;
  /** `segment` or `flag`, for a typed call. */
  resource?: string | undefined;
  /** The resource's keys, for a typed call. */
  keys?: Record<string, string> | undefined;
  /** How many instructions a PATCH carries. */
  instructions?: number | undefined;
  /** Why the call is made, when not by the caller directly (`read-back`). */
  purpose?: string | undefined;
}

/**
 * Opens a call's scope, or answers `undefined` at once when nobody listens: logging off and
 * nothing registered costs one check per call.
 */
export function openCall(logging: Logging | undefined, redact: (text: string) => string, info: CallInfo, parent?: CallScope): Promise<CallScope> | undefined {
  const instrumentation = registered;
  if (logging === undefined && instrumentation === undefined) return undefined;
  return import('./call-scope.js').then((m) => new m.CallScope(logging, instrumentation, redact, info, parent));
}
