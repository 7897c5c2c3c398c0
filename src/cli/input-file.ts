/**
 * Parses `apply` files as streams: CSV with a header row, or JSON Lines (by extension
 * .jsonl/.ndjson, or when the first non-blank character is `{`), into rows that keep their line
 * numbers for error messages. check-file.ts checks them and turns them into changes.
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { RESOURCE_KINDS } from '../core/resources.js';
import { type Resource, targetField } from './changes.js';
import { unguardCell } from './spreadsheet.js';

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
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'jsonl'
    : 'csv';
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
    const owner = RESOURCE_KINDS.find((kind) => targetField(kind) === column);
    return { problem: `${column} is a ${owner} column; ${resource} files use ${field}` };
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
  // The start of the current line, in pieces: held back until its end is known to be valid. Only
  // each new piece is searched for a line break and the pieces are joined once, so a line of any
  // length is read in time linear in its length.
  let pending: string[] = [];
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
          if (start > 0) yield pending.join('') + before;
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
    const cut = decoded.lastIndexOf('\n') + 1;
    if (cut === 0) {
      if (decoded !== '') pending.push(decoded);
      continue;
    }
    const lines = pending.join('') + decoded.slice(0, cut);
    pending = cut < decoded.length ? [decoded.slice(cut)] : [];
    yield lines;
  }
  try {
    const rest = pending.join('') + decoder.decode();
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
        if (column !== undefined && value !== '') values[column] = unguardCell(value);
      });
      yield { line: start, values };
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    yield {
      line: Number((error as CsvError & { lines?: number }).lines) || line,
      problem: `is not valid CSV: ${error.message}`,
      kind: 'syntax',
    };
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
    // utf8Text yields whole lines but for the last: `partial` is at most that, so this stays linear.
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
