/**
 * Writing one log line: a message and a data object (so a JSON logger gets fields), every string
 * of both through the redaction step, and a logger that throws never breaks the call it reports.
 */
import type { Logger } from './call-facts.js';

/** A log line's fields. */
export type LogData = Record<string, unknown>;

const METHOD_OF_RANK = [undefined, 'error', 'warn', 'info', 'debug'] as const;
/** Deeper than any line this package writes: a bound, not a limit anyone reaches. */
const MAX_DEPTH = 4;
/** Longest string written, so an echoed body cannot flood a log. */
const MAX_STRING = 2000;

function clean(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') {
    const text = redact(value);
    return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((v) => clean(v, redact, depth + 1));
  const out: LogData = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[redact(key)] = clean(v, redact, depth + 1);
  return out;
}

/** Writes one line at `rank` (1 error … 4 debug), redacted. */
export function emit(logger: Logger, rank: number, redact: (text: string) => string, message: string, data: LogData): void {
  const method = METHOD_OF_RANK[rank];
  if (method === undefined) return;
  try {
    logger[method](clean(message, redact, 0) as string, clean(data, redact, 0) as LogData);
  } catch {
    // A failing log sink must not change what the call does or returns.
  }
}
