/**
 * Writes the rows of an `apply` run that did not apply, as CSV that `apply` reads again.
 * `reason` says why; `apply` ignores that column. Times are absolute (ISO-8601, UTC), so a
 * relative `+30d` in the input does not drift when the file is applied later.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Change, type Resource, targetField } from './changes.js';
import { UsageError } from './exit-codes.js';
import { expiresAtText } from './input-file.js';

export interface RowToWrite {
  change: Change;
  reason: string;
}

/** Quotes a CSV field when it must be quoted (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function rowsCsv(resource: Resource, rows: readonly RowToWrite[]): string {
  const header = ['action', 'contextKind', 'contextKey', targetField(resource), 'expiresAt', 'reason'];
  const lines = rows.map(({ change, reason }) =>
    [change.action, change.contextKind, change.contextKey, change.target, expiresAtText(change), reason].map(csvField).join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** `<dir>/<name>.retry.csv` and `<dir>/<name>.unknown.csv` beside the input, unless given. */
export function outputPaths(input: string, retryFile: string | undefined, unknownFile: string | undefined): { retry: string; unknown: string } {
  const dir = path.dirname(input);
  const base = path.basename(input).replace(/\.(csv|jsonl|ndjson|txt)$/i, '');
  const retry = retryFile ?? path.join(dir, `${base}.retry.csv`);
  const unknown = unknownFile ?? path.join(dir, `${base}.unknown.csv`);
  const resolved = new Set([path.resolve(input)]);
  for (const [option, file] of [
    ['--retry-file', retry],
    ['--unknown-file', unknown],
  ] as const) {
    if (resolved.has(path.resolve(file))) throw new UsageError(`${option} ${file} would overwrite the input or the other output file`);
    resolved.add(path.resolve(file));
  }
  return { retry, unknown };
}

export function writeRows(file: string, resource: Resource, rows: readonly RowToWrite[]): void {
  writeFileSync(file, rowsCsv(resource, rows), 'utf8');
}
