/**
 * `--verbose`, `--debug` and `--log-format`: the library's log lines on stderr, as text for people
 * or one JSON object per line for machines. stdout is untouched, so `--json` stays one document.
 */
import { LOG_LEVEL_VARIABLE, type LogLevel, type Logger } from '../core/internal/telemetry.js';
import { UsageError } from './errors.js';
import { type Output, jsonText } from './output.js';
import type { Values } from './command.js';
import { optionalString } from './parser.js';

export interface LogArgs {
  /** The level chosen on the command line; `undefined` leaves it to LD_EXPIRING_TARGETS_LOG. */
  level: LogLevel | undefined;
  format: 'text' | 'json';
}

const FORMATS = ['text', 'json'] as const;

export function logArgsOf(values: Values, env: Readonly<Record<string, string | undefined>>): LogArgs {
  const format = optionalString(values, 'log-format') ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--log-format must be text or json, got ${JSON.stringify(format)}`);
  // The CLI reports through its own output: the library says nothing unless asked to.
  const level = values.debug === true ? 'debug' : values.verbose === true ? 'info' : env[LOG_LEVEL_VARIABLE] ? undefined : 'off';
  return { level, format: format as LogArgs['format'] };
}

/** A logger writing to stderr through the CLI's output (redacted, control characters neutralized). */
export function stderrLogger(out: Output, format: LogArgs['format'], now: () => Date = () => new Date()): Logger {
  const line = (level: string) => (message: string, data?: Record<string, unknown>) => {
    if (format === 'json') out.err(jsonText({ time: now().toISOString(), level, message, ...data }));
    else out.err(`${level}: ${message}${typeof data?.requestId === 'string' ? ` [request ${data.requestId}]` : ''}`);
  };
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
}
