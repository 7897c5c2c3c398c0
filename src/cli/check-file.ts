/**
 * The two passes of `apply` over a file, never holding it whole: `checkFile` checks every row
 * (and that no target appears twice) so that nothing is sent when one is bad; `changesIn` then
 * yields the changes to send.
 */
import { open, stat } from 'node:fs/promises';
import { hashPair } from '../core/internal/hash.js';
import { RequestAbortedError } from '../core/errors.js';
import { ACTIONS, type Action, type Change, type Resource, targetField, targetIdentity, tryBuildChange } from './changes.js';
import { RowsError, type RowIssue, UsageError } from './errors.js';
import { type FileFormat, ISSUES_KEPT, type RawRow, type RowProblem, fileItems } from './input-file.js';
import { iso, parseWhen } from './times.js';
/** A file's bytes; `signal` stops the reading. Refuses what is not a regular file (it is read twice). */
export async function* fileBytes(file: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`cannot read ${file}: not a regular file (apply reads it twice)`);
    handle = await open(file, 'r');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`);
  }
  const stream = handle.createReadStream({ highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new RequestAbortedError(signal.reason);
      yield chunk;
    }
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

function text(value: unknown, name: string, problems: string[], badFields?: Set<string>): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  problems.push(`${name} must be a string, got ${JSON.stringify(value)}`);
  badFields?.add(name);
  return '';
}

/** Checks one row and builds its change, or says every problem it has, as one line. */
export function checkRow(
  resource: Resource,
  { line, values }: RawRow,
  now: number,
  allowPast = false,
): { change: Change } | { problem: string } {
  const problems: string[] = [];
  const field = targetField(resource);
  const actionText = text(values.action, 'action', problems).toLowerCase();
  const action = ACTIONS.includes(actionText as Action) ? (actionText as Action) : undefined;
  if (action === undefined && problems.length === 0) {
    problems.push(`action must be add, update or remove, got ${JSON.stringify(actionText)}`);
  }
  // Fields already reported here, whose library problem would only repeat it.
  const badFields = new Set<string>();
  const contextKind = text(values.contextKind, 'contextKind', problems, badFields);
  const contextKey = text(values.contextKey, 'contextKey', problems, badFields);
  const target = text(values[field], field, problems, badFields);
  let expiresAt: number | undefined;
  const rawTime = values.expiresAt;
  if (action === 'remove') {
    if (rawTime !== undefined) problems.push('expiresAt must be empty for remove');
  } else if (action !== undefined) {
    if (rawTime === undefined) problems.push(`expiresAt is required for ${action}`);
    else if (typeof rawTime !== 'string' && typeof rawTime !== 'number')
      problems.push(`expiresAt must be a string or a number, got ${JSON.stringify(rawTime)}`);
    else {
      const when = parseWhen(String(rawTime), now);
      if (when.ok) expiresAt = when.ms;
      else problems.push(`expiresAt ${when.reason}`);
    }
    if (expiresAt === undefined) badFields.add('expiresAt');
  }
  if (action === undefined) return { problem: problems.join('; ') };
  // The library's own checks for the rest (empty keys, a targetType that is neither list, a past time …),
  // (in the CLI's terms: changes.ts); fields already reported above are not reported twice.
  const input = { line, action, contextKind, contextKey, target, expiresAt: action === 'remove' ? undefined : (expiresAt ?? 0) };
  const built = tryBuildChange(resource, input, allowPast);
  if ('problems' in built) {
    for (const p of built.problems) if (!badFields.has(p.split(' ')[0] ?? '')) problems.push(p);
  }
  if ('change' in built && problems.length === 0) return built;
  // Never an empty reason: should every problem have been filtered, the library's own are given.
  const reasons = problems.length > 0 ? problems : 'problems' in built ? built.problems : [];
  return { problem: reasons.join('; ') || 'is invalid' };
}

/**
 * A 53-bit hash of a change's target (from two 32-bit hashes), so that finding a target
 * given twice takes 8 bytes per row instead of the identity text. Equal hashes are confirmed on
 * the identities themselves before a row is called a duplicate.
 */
function targetHash(identity: string): number {
  const [a, b] = hashPair(identity);
  return a * 0x200000 + (b & 0x1fffff);
}

/** A growing list of hashes in one typed array. */
class HashList {
  #hashes = new Float64Array(1024);
  #length = 0;
  add(hash: number): void {
    if (this.#length === this.#hashes.length) {
      const bigger = new Float64Array(this.#hashes.length * 2);
      bigger.set(this.#hashes);
      this.#hashes = bigger;
    }
    this.#hashes[this.#length++] = hash;
  }
  /** The hashes that occur more than once. */
  repeated(): Set<number> {
    const sorted = this.#hashes.subarray(0, this.#length).sort();
    const repeated = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i] as number);
    return repeated;
  }
}

/** What a file holds, once every row has been checked. */
export interface CheckedFile {
  format: FileFormat;
  /** Rows to send. */
  rows: number;
}

/**
 * The first streaming pass: checks every row, and that no target appears twice. Throws RowsError
 * listing the bad rows by line (the first `ISSUES_KEPT` of them), so that nothing is sent.
 */
export async function checkFile(
  file: string,
  resource: Resource,
  now: number,
  allowPast: boolean,
  signal?: AbortSignal,
): Promise<CheckedFile> {
  const issues: RowIssue[] = [];
  let bad = 0;
  let dataRows = 0;
  let good = 0;
  const header: RowProblem[] = [];
  let encoding: RowProblem | undefined;
  const hashes = new HashList();
  const note = (line: number, message: string) => {
    bad++;
    if (issues.length < ISSUES_KEPT) issues.push({ line, message });
  };
  const items = fileItems(fileBytes(file, signal), file, resource);
  let next = await items.next();
  for (; !next.done; next = await items.next()) {
    const item = next.value;
    if ('problem' in item) {
      if (item.kind === 'header') header.push(item);
      else if (item.kind === 'encoding') encoding = item;
      else {
        dataRows++;
        note(item.line, item.problem);
      }
      continue;
    }
    dataRows++;
    const checked = checkRow(resource, item, now, allowPast);
    if ('problem' in checked) note(item.line, checked.problem);
    else {
      good++;
      hashes.add(targetHash(targetIdentity(resource, checked.change)));
    }
  }
  const { format, blank } = next.value;
  if (encoding !== undefined) {
    throw new RowsError(`${file}: line ${encoding.line} is not valid UTF-8; nothing was sent`, [
      ...issues.filter((i) => i.line < (encoding as RowProblem).line),
      { line: encoding.line, message: encoding.problem },
    ]);
  }
  if (header.length > 0) {
    throw new RowsError(
      `${file}: the header row is invalid; nothing was sent`,
      header.map((h) => ({ line: h.line, message: h.problem })),
    );
  }
  const repeated = hashes.repeated();
  if (repeated.size > 0) {
    const duplicates = await duplicateRows(file, resource, now, allowPast, repeated, signal);
    bad += duplicates.count;
    // Both lists are bounded and in line order: merged, the first ISSUES_KEPT of all are kept.
    for (const d of duplicates.kept) issues.push(d);
    issues.sort((a, b) => a.line - b.line);
    issues.length = Math.min(issues.length, ISSUES_KEPT);
  }
  if (bad > 0) {
    const kept = issues.slice(0, ISSUES_KEPT);
    throw new RowsError(`${file}: ${bad} of ${dataRows} row(s) are invalid; nothing was sent`, kept, bad - kept.length);
  }
  if (good === 0) {
    const what = blank ? 'the file is empty' : 'the file has no data rows';
    const expected = format === 'csv' ? 'a header row, then one row per change' : 'one JSON object per line, one per change';
    throw new RowsError(`${file}: nothing to apply (${what}); nothing was sent`, [{ line: 1, message: `expected ${expected}` }]);
  }
  return { format, rows: good };
}

/**
 * The second look for targets given twice, only at rows whose hash is repeated: the identities
 * decide. Keeps the first ISSUES_KEPT and counts the rest.
 */
async function duplicateRows(
  file: string,
  resource: Resource,
  now: number,
  allowPast: boolean,
  repeated: Set<number>,
  signal?: AbortSignal,
): Promise<{ kept: RowIssue[]; count: number }> {
  const firstLine = new Map<string, number>();
  const kept: RowIssue[] = [];
  let count = 0;
  const field = targetField(resource);
  for await (const item of fileItems(fileBytes(file, signal), file, resource)) {
    if ('problem' in item) continue;
    const checked = checkRow(resource, item, now, allowPast);
    if ('problem' in checked) continue;
    const identity = targetIdentity(resource, checked.change);
    if (!repeated.has(targetHash(identity))) continue;
    const first = firstLine.get(identity);
    if (first === undefined) firstLine.set(identity, item.line);
    else {
      count++;
      if (kept.length < ISSUES_KEPT)
        kept.push({ line: item.line, message: `the same context and ${field} as line ${first}: give one row per target` });
    }
  }
  return { kept, count };
}

/**
 * The second streaming pass: the changes of a file `checkFile` accepted. A row that no longer
 * checks (the file changed in between) ends it with an error. It reads to the end even after an
 * interrupt: the rows that were not sent then go to the retry file.
 */
export async function* changesIn(file: string, resource: Resource, now: number, allowPast: boolean): AsyncGenerator<Change> {
  for await (const item of fileItems(fileBytes(file), file, resource)) {
    if ('problem' in item) throw new Error(`${file} changed after it was checked: line ${item.line} ${item.problem}`);
    const checked = checkRow(resource, item, now, allowPast);
    if ('problem' in checked) throw new Error(`${file} changed after it was checked: line ${item.line}: ${checked.problem}`);
    yield checked.change;
  }
}

/** The expiresAt a retry file holds: always absolute, so re-applying later sends the same time. */
export function expiresAtText(change: Change): string {
  return change.expiresAt === undefined ? '' : iso(change.expiresAt);
}
