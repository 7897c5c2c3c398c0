/**
 * Reads `apply` files as streams: CSV with a header row, or JSON Lines (by extension
 * .jsonl/.ndjson, or when the first non-blank character is `{`). Every row keeps its line number
 * for error messages. `apply` reads a file twice, never whole: `checkFile` checks every row (and
 * that no target appears twice) so that nothing is sent when one is bad; `changesIn` then yields
 * the changes to send.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { hashPair } from '../internal/hash.js';
import { RequestAbortedError } from '../errors.js';
import { ACTIONS, type Action, type Change, type Resource, targetField, targetIdentity, tryBuildChange } from './changes.js';
import { RowsError, type RowIssue, UsageError } from './exit-codes.js';
import { iso, parseWhen } from './times.js';

export type FileFormat = 'csv' | 'jsonl';

/** One data row, its values keyed by canonical column name. */
export interface RawRow {
  line: number;
  values: Record<string, unknown>;
}

/**
 * A problem at a line. `header` and `encoding` problems end the reading (nothing after them can
 * be read as meant), and so does CSV that cannot be parsed further (`syntax`).
 */
export interface RowProblem {
  line: number;
  problem: string;
  kind: 'row' | 'header' | 'encoding' | 'syntax';
}

export type FileItem = RawRow | RowProblem;

/** What reading a whole file found out besides its rows. */
export interface FileShape {
  format: FileFormat;
  /** The file holds nothing but white space. */
  blank: boolean;
}

const COLUMNS = ['action', 'contextKind', 'contextKey', 'targetType', 'variationId', 'expiresAt'] as const;
/** Columns read and ignored: retry files explain each row in `reason`. */
const IGNORED_COLUMNS = ['reason'];
/** Problems a failed check keeps for printing; beyond them, bad rows are only counted. */
export const ISSUES_KEPT = 1000;

export function detectFormat(file: string, text: string): FileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

/** Checks a column (or JSON key) name: the canonical name, or a problem. */
function canonicalColumn(name: string, resource: Resource): { column?: string; ignored?: boolean; problem?: string } {
  const lower = name.trim().toLowerCase();
  if (IGNORED_COLUMNS.includes(lower)) return { ignored: true };
  const column = COLUMNS.find((c) => c.toLowerCase() === lower);
  const field = targetField(resource);
  const expected = `expected action, contextKind, contextKey, ${field}, expiresAt`;
  if (column === undefined) return { problem: `unknown column ${JSON.stringify(name)} (${expected})` };
  if ((column === 'targetType' || column === 'variationId') && column !== field) {
    return { problem: `${column} is a ${resource === 'segment' ? 'flag' : 'segment'} column; ${resource} files use ${field}` };
  }
  return { column };
}

/** Where the first byte that is not UTF-8 was found, once it has been. */
interface Utf8Check {
  badLine?: number;
}

const NEWLINE = 0x0a;

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) n++;
  return n;
}

/** The bytes at the end of `bytes` that start a UTF-8 sequence it does not finish (0 to 3 bytes). */
function unfinishedTail(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? bytes.subarray(bytes.length - back) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * Text from UTF-8 bytes, chunk by chunk, in whole lines (a BOM is dropped). At the first invalid
 * byte it yields the lines before that byte's line, records the line in `check` and stops: lines
 * are separated by 0x0A, which is never part of a multi-byte sequence, so each can be tried alone.
 */
async function* utf8Text(bytes: AsyncIterable<Uint8Array>, check: Utf8Check): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let tail: Uint8Array = new Uint8Array(0);
  // The start of the current line: held back until its end is known to be valid.
  let pending = '';
  let atStart = true;
  for await (const chunk of bytes) {
    let decoded: string;
    try {
      decoded = decoder.decode(chunk, { stream: true });
    } catch {
      const all = new Uint8Array(tail.length + chunk.length);
      all.set(tail);
      all.set(chunk, tail.length);
      let start = 0;
      for (let offset = 0; ; offset++) {
        const end = all.indexOf(NEWLINE, start);
        const segment = all.subarray(start, end === -1 ? all.length : end);
        try {
          new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(segment, { stream: end === -1 });
        } catch {
          check.badLine = line + offset;
          // ignoreBOM keeps a U+FEFF inside the file; the decoder drops one only at its very start.
          const before = new TextDecoder('utf-8', { ignoreBOM: !atStart }).decode(all.subarray(0, start));
          if (start > 0) yield pending + before;
          return;
        }
        if (end === -1) break;
        start = end + 1;
      }
      // Every line decodes alone: the fault is where this chunk meets the previous one.
      check.badLine = line;
      return;
    }
    line += countNewlines(chunk);
    tail = unfinishedTail(chunk);
    atStart &&= chunk.length === 0;
    const text = pending + decoded;
    const cut = text.lastIndexOf('\n') + 1;
    pending = text.slice(cut);
    if (cut > 0) yield text.slice(0, cut);
  }
  try {
    const rest = pending + decoder.decode();
    if (rest !== '') yield rest;
  } catch {
    check.badLine = line;
  }
}

/** `\r\n` and a lone `\r` as `\n`, across chunk boundaries; csv-parse then counts lines reliably. */
async function* unixLineBreaks(texts: AsyncIterable<string>): AsyncGenerator<string> {
  let heldCr = false;
  for await (const chunk of texts) {
    let piece: string = heldCr ? `\r${chunk}` : chunk;
    heldCr = piece.endsWith('\r');
    if (heldCr) piece = piece.slice(0, -1);
    yield piece.replace(/\r\n?/g, '\n');
  }
  if (heldCr) yield '\n';
}

function newlinesIn(record: readonly string[]): number {
  let n = 0;
  for (const field of record) if (field.includes('\n')) n += field.split('\n').length - 1;
  return n;
}

/** The rows of a CSV text stream; the first non-blank record is the header. */
async function* csvItems(texts: AsyncIterable<string>, resource: Resource): AsyncGenerator<FileItem> {
  const source = Readable.from(unixLineBreaks(texts));
  // No skipping in the parser: each record then spans exactly its own lines, so counting the
  // line breaks inside quoted fields gives every record's first line.
  const parser = source.pipe(parse({ bom: true, relax_column_count: true, trim: true }));
  // pipe() does not pass errors on: reading the file failing must end the parsing with that error.
  source.on('error', (error) => parser.destroy(error));
  let line = 1;
  let columns: (string | undefined)[] | undefined;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const start = line;
      line += 1 + newlinesIn(record);
      if (record.every((v) => v === '')) continue;
      if (columns === undefined) {
        const problems: string[] = [];
        const found: (string | undefined)[] = [];
        for (const name of record) {
          const c = canonicalColumn(name, resource);
          if (c.problem) problems.push(`header: ${c.problem}`);
          if (c.column && found.includes(c.column)) problems.push(`header: column ${c.column} appears twice`);
          found.push(c.column);
        }
        for (const required of ['action', 'contextKind', 'contextKey', targetField(resource)]) {
          if (!found.includes(required)) problems.push(`header: missing column ${required}`);
        }
        if (problems.length > 0) {
          for (const problem of problems) yield { line: start, problem, kind: 'header' };
          return;
        }
        columns = found;
        continue;
      }
      if (record.length !== columns.length) {
        yield { line: start, problem: `has ${record.length} field(s); the header has ${columns.length}`, kind: 'row' };
        continue;
      }
      const values: Record<string, unknown> = {};
      record.forEach((value, i) => {
        const column = (columns as (string | undefined)[])[i];
        if (column !== undefined && value !== '') values[column] = value;
      });
      yield { line: start, values };
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    yield { line: Number((error as CsvError & { lines?: number }).lines) || line, problem: `is not valid CSV: ${error.message}`, kind: 'syntax' };
  } finally {
    source.destroy();
  }
}

/** The rows of a JSON Lines text stream. */
async function* jsonlItems(texts: AsyncIterable<string>, resource: Resource): AsyncGenerator<FileItem> {
  let line = 0;
  let partial = '';
  const item = (source: string): FileItem | undefined => {
    line++;
    if (source.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      return { line, problem: `is not valid JSON: ${(error as Error).message}`, kind: 'row' };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { line, problem: 'must be a JSON object such as {"action":"add","contextKind":"user",…}', kind: 'row' };
    }
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      const c = canonicalColumn(key, resource);
      if (c.problem) problems.push(c.problem.replace(/column/g, 'field'));
      else if (c.column && v !== null && v !== '') values[c.column] = v;
    }
    return problems.length > 0 ? { line, problem: problems.join('; '), kind: 'row' } : { line, values };
  };
  for await (const chunk of texts) {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const source of lines) {
      const found = item(source.endsWith('\r') ? source.slice(0, -1) : source);
      if (found) yield found;
    }
  }
  const last = item(partial);
  if (last) yield last;
}

/** Prefixes an async iterator with values already taken from it. */
async function* prefixed<T>(first: readonly T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/**
 * Every row and problem of a file's bytes, in line order. The format comes from the extension, or
 * else from the first non-blank character. Bytes that are not UTF-8 end it with an `encoding`
 * problem at their line (after every row before that line).
 */
export async function* fileItems(bytes: AsyncIterable<Uint8Array>, file: string, resource: Resource): AsyncGenerator<FileItem, FileShape> {
  const check: Utf8Check = {};
  const texts = utf8Text(bytes, check);
  const first: string[] = [];
  let seen = '';
  let next = await texts.next();
  // Read until the first non-blank character, which decides the format when the extension does not.
  for (; !next.done; next = await texts.next()) {
    first.push(next.value);
    seen = (seen + next.value).trimStart().slice(0, 1);
    if (seen !== '') break;
  }
  const format = detectFormat(file, seen);
  const all = prefixed(first, texts);
  const items = format === 'csv' ? csvItems(all, resource) : jsonlItems(all, resource);
  for await (const item of items) {
    // After bytes that are not UTF-8 the text is cut short: a CSV error there is an artefact.
    if (check.badLine !== undefined && 'problem' in item && item.kind === 'syntax') continue;
    yield item;
  }
  if (check.badLine !== undefined) {
    yield { line: check.badLine, problem: 'is not valid UTF-8 (save the file as UTF-8; a byte order mark is fine)', kind: 'encoding' };
  }
  return { format, blank: seen === '' };
}

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
export function checkRow(resource: Resource, { line, values }: RawRow, now: number, allowPast = false): { change: Change } | { problem: string } {
  const problems: string[] = [];
  const field = targetField(resource);
  const actionText = text(values.action, 'action', problems).toLowerCase();
  const action = ACTIONS.includes(actionText as Action) ? (actionText as Action) : undefined;
  if (action === undefined && problems.length === 0) {
    problems.push(`action must be add, update or remove, got ${JSON.stringify(actionText)}`);
  }
  const badFields = new Set(['expiresAt']);
  const contextKind = text(values.contextKind, 'contextKind', problems, badFields);
  const contextKey = text(values.contextKey, 'contextKey', problems, badFields);
  const target = text(values[field], field, problems, badFields);
  let expiresAt: number | undefined;
  const rawTime = values.expiresAt;
  if (action === 'remove') {
    if (rawTime !== undefined) problems.push('expiresAt must be empty for remove');
  } else if (action !== undefined) {
    if (rawTime === undefined) problems.push(`expiresAt is required for ${action}`);
    else if (typeof rawTime !== 'string' && typeof rawTime !== 'number') problems.push(`expiresAt must be a string or a number, got ${JSON.stringify(rawTime)}`);
    else {
      const when = parseWhen(String(rawTime), now);
      if (when.ok) expiresAt = when.ms;
      else problems.push(`expiresAt ${when.reason}`);
    }
  }
  if (action === undefined) return { problem: problems.join('; ') };
  // The library's own checks for the rest (empty keys, a targetType that is neither list …).
  const input = { line, action, contextKind, contextKey, target, expiresAt: action === 'remove' ? undefined : (expiresAt ?? 0) };
  // (Fields already reported above, and expiresAt, which is checked here and not by the helpers.)
  const built = tryBuildChange(resource, input, allowPast);
  if ('problems' in built) problems.push(...built.problems.filter((p) => !badFields.has(p.split(' ')[0] ?? '')));
  return problems.length > 0 || !('change' in built) ? { problem: problems.join('; ') } : built;
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
export async function checkFile(file: string, resource: Resource, now: number, allowPast: boolean, signal?: AbortSignal): Promise<CheckedFile> {
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
    throw new RowsError(`${file}: the header row is invalid; nothing was sent`, header.map((h) => ({ line: h.line, message: h.problem })));
  }
  const repeated = hashes.repeated();
  if (repeated.size > 0) {
    const duplicates = await duplicateRows(file, resource, now, allowPast, repeated, signal);
    bad += duplicates.length;
    issues.push(...duplicates);
    issues.sort((a, b) => a.line - b.line);
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

/** The second look for targets given twice, only at rows whose hash is repeated: the identities decide. */
async function duplicateRows(file: string, resource: Resource, now: number, allowPast: boolean, repeated: Set<number>, signal?: AbortSignal): Promise<RowIssue[]> {
  const firstLine = new Map<string, number>();
  const found: RowIssue[] = [];
  const field = targetField(resource);
  for await (const item of fileItems(fileBytes(file, signal), file, resource)) {
    if ('problem' in item) continue;
    const checked = checkRow(resource, item, now, allowPast);
    if ('problem' in checked) continue;
    const identity = targetIdentity(resource, checked.change);
    if (!repeated.has(targetHash(identity))) continue;
    const first = firstLine.get(identity);
    if (first === undefined) firstLine.set(identity, item.line);
    else found.push({ line: item.line, message: `the same context and ${field} as line ${first}: give one row per target` });
  }
  return found;
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
