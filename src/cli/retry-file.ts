/**
 * Writes the rows of an `apply` run that did not apply, as CSV that `apply` reads again, row by
 * row as their fates arrive. `reason` says why; `apply` ignores that column. Times are absolute
 * (ISO-8601, UTC), so a relative `+30d` in the input does not drift when the file is applied later.
 * No cell runs as a formula when a spreadsheet opens the file (./spreadsheet.ts).
 *
 * A file is written under a temporary name in the same folder, created exclusively (so never
 * through a link someone planted there), and renamed into place at the end. An existing file at
 * the destination is replaced only when it is a regular file: a symbolic link, a folder or a
 * device is refused before anything is sent.
 */
import { closeSync, constants, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { type Change, type Resource, targetField } from './changes.js';
import { UsageError } from './errors.js';
import { expiresAtText } from './check-file.js';
import { neutralize } from './output.js';
import { guardCell } from './spreadsheet.js';

export interface RowToWrite {
  change: Change;
  reason: string;
}

/** Quotes a CSV field when it must be quoted (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvHeader(resource: Resource): string {
  return `${['action', 'contextKind', 'contextKey', targetField(resource), 'expiresAt', 'reason'].join(',')}\n`;
}

/**
 * One row as a CSV line. The keys are kept exactly (apply reads them back as they were), guarded
 * so a spreadsheet runs none of them; the reason (a message) is made safe to print.
 */
export function csvRow({ change, reason }: RowToWrite): string {
  const cells = [change.action, change.contextKind, change.contextKey, change.target, expiresAtText(change), neutralize(reason)];
  return `${cells.map((c) => csvField(guardCell(c))).join(',')}\n`;
}

export function rowsCsv(resource: Resource, rows: readonly RowToWrite[]): string {
  return csvHeader(resource) + rows.map(csvRow).join('');
}

/** `<dir>/<name>.retry.csv` and `<dir>/<name>.unknown.csv` beside the input, unless given. */
export function outputPaths(
  input: string,
  retryFile: string | undefined,
  unknownFile: string | undefined,
): { retry: string; unknown: string } {
  const dir = path.dirname(input);
  const base = path.basename(input).replace(/\.(csv|jsonl|ndjson|txt)$/i, '');
  const retry = retryFile ?? path.join(dir, `${base}.retry.csv`);
  const unknown = unknownFile ?? path.join(dir, `${base}.unknown.csv`);
  for (const [option, file] of [
    ['--retry-file', retryFile],
    ['--unknown-file', unknownFile],
  ] as const) {
    // apply would read such a name back as JSON Lines, and fail on the CSV it holds.
    if (file !== undefined && /\.(jsonl|ndjson)$/i.test(file))
      throw new UsageError(`${option} ${file}: these files are CSV; give a name ending in .csv`);
  }
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

/** Throws unless `file` is absent or a regular file (lstat: a link is not followed). */
export function assertReplaceable(file: string): void {
  let kind: string;
  try {
    const s = lstatSync(file);
    if (s.isFile()) return;
    kind = s.isSymbolicLink() ? 'a symbolic link' : s.isDirectory() ? 'a folder' : 'not a regular file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  throw new UsageError(`refusing to write ${file}: it exists and is ${kind}; remove it or choose another path`);
}

/**
 * Checks before a run that `file` can be written where it is meant to go: nothing but a regular
 * file is in the way, and its folder takes a new file (tried with a probe, removed at once).
 */
export function assertWritable(file: string): void {
  assertReplaceable(file);
  const { dir, base } = path.parse(file);
  const probe = path.join(dir, `.${base}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666));
    unlinkSync(probe);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Temporary files being written, removed if the process has to leave at once (a second Ctrl-C). */
const temporaryFiles = new Set<string>();

export function removeTemporaryFiles(): void {
  for (const file of temporaryFiles) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  temporaryFiles.clear();
}

const FLUSH_AT = 64 * 1024;

/**
 * A CSV file of rows, written as they come: created on the first row under a temporary name,
 * moved into place by `commit`.
 */
export class RowFile {
  readonly path: string;
  readonly #resource: Resource;
  #fd: number | undefined;
  #temporary: string | undefined;
  #buffer = '';
  /** Rows written so far. */
  rows = 0;

  constructor(file: string, resource: Resource) {
    this.path = file;
    this.#resource = resource;
  }

  add(row: RowToWrite): void {
    if (this.#fd === undefined) {
      const { dir, base } = path.parse(this.path);
      const temporary = path.join(dir, `.${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
      // O_EXCL: fails if anything, a link included, already has that name.
      this.#fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
      this.#temporary = temporary;
      temporaryFiles.add(temporary);
      this.#buffer = csvHeader(this.#resource);
    }
    this.#buffer += csvRow(row);
    this.rows++;
    if (this.#buffer.length >= FLUSH_AT) this.#flush();
  }

  #flush(): void {
    if (this.#fd !== undefined && this.#buffer !== '') writeSync(this.#fd, this.#buffer);
    this.#buffer = '';
  }

  /** Finishes the file and moves it into place; returns its path, or undefined when it has no rows. */
  commit(): string | undefined {
    if (this.#fd === undefined || this.#temporary === undefined) return undefined;
    try {
      this.#flush();
      closeSync(this.#fd);
      this.#fd = undefined;
      assertReplaceable(this.path);
      // rename replaces the name itself: it never writes through a link that appeared meanwhile.
      renameSync(this.#temporary, this.path);
      temporaryFiles.delete(this.#temporary);
      return this.path;
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  /** Drops what was written. */
  discard(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#temporary !== undefined) {
      try {
        unlinkSync(this.#temporary);
      } catch {
        // already gone
      }
      temporaryFiles.delete(this.#temporary);
    }
  }
}
