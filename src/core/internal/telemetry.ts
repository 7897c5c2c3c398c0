/**
 * The telemetry hook every request passes: who listens (a logger at some level, an
 * instrumentation registered for the whole process) and how a call is observed. Kept tiny and
 * free of dependencies, because a page that sends one patch carries it. What a scope does
 * (messages, spans) lives in ./call-scope.ts, loaded only when it has something to do: at once
 * for `info`, `debug` or an instrumentation; at the default `warn` (and at `error`) only when a
 * call ends badly, so a page whose calls succeed never loads it.
 */
import { ConfigurationError } from '../errors.js';
import type { CallEnd, CallInfo, CallScope, LogLevel, Logger, Logging } from './call-facts.js';
import type { Instrumentation } from './instrumentation.js';

export type { CallEnd, CallInfo, CallScope, LogLevel, Logger, Logging } from './call-facts.js';

/** The levels by rank: a line is written when its rank is at most the chosen one. */
export const LOG_LEVELS: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];
/** The rank of `warn`, the default: up to it, only a call that ends badly writes a line. */
const WARN = 2;

/** The environment variable that sets the level when the option does not. */
export const LOG_LEVEL_VARIABLE = 'LD_EXPIRING_TARGETS_LOG';

/** The level and logger options, checked once; `undefined` when nothing would be written. */
export function loggingOf(level: LogLevel | undefined, logger: Logger | undefined): Logging | undefined {
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[LOG_LEVEL_VARIABLE];
  // A mistyped variable must not stop a deployed service from starting: it means the default.
  let rank = LOG_LEVELS.indexOf(level ?? (fromEnv as LogLevel) ?? 'warn');
  if (rank < 0) {
    if (level !== undefined) throw new ConfigurationError(`logLevel must be one of ${LOG_LEVELS}`);
    rank = WARN;
  }
  const methods = LOG_LEVELS.slice(1);
  if (logger !== undefined && methods.some((m) => typeof (logger as unknown as Record<string, unknown>)?.[m] !== 'function')) {
    throw new ConfigurationError(`logger must have the methods ${methods}`);
  }
  if (!rank) return undefined;
  // Every call writes at info and debug: load the scopes now, so a first call seldom waits.
  if (rank > WARN) load();
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

const now = () => globalThis.performance?.now() ?? Date.now();
const ignore = () => {};

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
  if (instrumentation === undefined) {
    if (logging === undefined) return call(undefined);
    if (logging.rank <= WARN) return endingBadly(logging, redact, info, call, ended);
  }
  // After the first call, the scopes' module is at hand: no import() per call.
  if (scopes) return scopes.runScoped(scopes.openScope(logging, instrumentation, redact, info, parent), call, ended);
  return load().then((m) => m.runScoped(m.openScope(logging, instrumentation, redact, info, parent), call, ended));
}

/**
 * At `warn` or `error` with nothing registered: the call runs with a scope that only counts its
 * attempts; a call that throws, or a PATCH that partly fails, then writes its line through the
 * full scope (loaded at that moment, the line written before the caller hears of the end).
 */
async function endingBadly<R>(
  logging: Logging,
  redact: (text: string) => string,
  info: CallInfo,
  call: (scope: CallScope | undefined) => Promise<R>,
  ended: (result: R) => CallEnd,
): Promise<R> {
  const started = now();
  const counter = {
    attempts: 0,
    attempt: (attempt: number) => {
      counter.attempts = attempt;
      return { end: ignore };
    },
    retry: ignore,
    wait: ignore,
    readBack: ignore,
    end: ignore,
  };
  let result: R;
  try {
    result = await call(counter);
  } catch (error) {
    await tell({ error });
    throw error;
  }
  const end = ended(result);
  if (end.counts !== undefined && end.counts.applied !== end.counts.total && logging.rank >= WARN) await tell(end);
  return result;

  async function tell(end: CallEnd) {
    try {
      (await load()).openScope(logging, undefined, redact, info, undefined, started, counter.attempts).end(end);
    } catch {
      // A line that cannot be written must not change what the call does or returns.
    }
  }
}

let scopes: typeof import('./call-scope.js') | undefined;
let loading: Promise<typeof import('./call-scope.js')> | undefined;
/** Loads the scopes' module once, when someone listens for more than what ends badly. */
function load() {
  loading ??= import('./call-scope.js').then((m) => (scopes = m));
  return loading;
}
