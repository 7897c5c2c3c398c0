/**
 * Reads `apply` files: CSV with a header row, or JSON Lines (by extension .jsonl/.ndjson, or when
 * the first non-blank character is `{`). Every row keeps its line number for error messages, and
 * every row is checked before anything is sent.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { ACTIONS, type Action, type Change, type Resource, buildChange, changeProblems, targetField, targetIdentity } from './changes.js';
import { RowsError, type RowIssue, UsageError } from './exit-codes.js';
import { iso, parseWhen } from './times.js';

export type FileFormat = 'csv' | 'jsonl';

/** One data row, its values keyed by canonical column name. */
export interface RawRow {
  line: number;
  values: Record<string, unknown>;
}

const COLUMNS = ['action', 'contextKind', 'contextKey', 'targetType', 'variationId', 'expiresAt'] as const;
/** Columns read and ignored: retry files explain each row in `reason`. */
const IGNORED_COLUMNS = ['reason'];

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

export function parseCsv(text: string, resource: Resource): { rows: RawRow[]; issues: RowIssue[] } {
  // csv-parse counts lines reliably only with \n endings; a \r\n inside a quoted key is no loss.
  const normalized = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(normalized, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = Number((error as CsvError & { lines?: number }).lines) || 1;
      return { rows: [], issues: [{ line, message: `is not valid CSV: ${error.message}` }] };
    }
    throw error;
  }
  // info.lines is the line a record ends on; count back the line breaks inside it for its first.
  const startLine = (r: (typeof records)[number]) =>
    r.info.lines - (r.raw.replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g)?.length ?? 0);
  const [header, ...data] = records;
  // Nothing at all is not a row: readChanges reports a file with no rows as a whole.
  if (header === undefined) return { rows: [], issues: [] };
  const headerLine = startLine(header);
  const issues: RowIssue[] = [];
  const columns: (string | undefined)[] = [];
  for (const name of header.record) {
    const c = canonicalColumn(name, resource);
    if (c.problem) issues.push({ line: headerLine, message: `header: ${c.problem}` });
    if (c.column && columns.includes(c.column)) issues.push({ line: headerLine, message: `header: column ${c.column} appears twice` });
    columns.push(c.column);
  }
  for (const required of ['action', 'contextKind', 'contextKey', targetField(resource)]) {
    if (!columns.includes(required)) issues.push({ line: headerLine, message: `header: missing column ${required}` });
  }
  if (issues.length > 0) return { rows: [], issues };
  const rows: RawRow[] = [];
  for (const r of data) {
    const line = startLine(r);
    if (r.record.length !== header.record.length) {
      issues.push({ line, message: `has ${r.record.length} field(s); the header has ${header.record.length}` });
      continue;
    }
    const values: Record<string, unknown> = {};
    r.record.forEach((value, i) => {
      const column = columns[i];
      if (column !== undefined && value !== '') values[column] = value;
    });
    rows.push({ line, values });
  }
  return { rows, issues };
}

export function parseJsonl(text: string, resource: Resource): { rows: RawRow[]; issues: RowIssue[] } {
  const rows: RawRow[] = [];
  const issues: RowIssue[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((source, i) => {
      const line = i + 1;
      if (source.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(source);
      } catch (error) {
        issues.push({ line, message: `is not valid JSON: ${(error as Error).message}` });
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        issues.push({ line, message: 'must be a JSON object such as {"action":"add","contextKind":"user",…}' });
        return;
      }
      const values: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const [key, v] of Object.entries(value)) {
        const c = canonicalColumn(key, resource);
        if (c.problem) problems.push(c.problem.replace(/column/g, 'field'));
        else if (c.column && v !== null && v !== '') values[c.column] = v;
      }
      if (problems.length > 0) issues.push({ line, message: problems.join('; ') });
      else rows.push({ line, values });
    });
  return { rows, issues };
}

function text(value: unknown, name: string, problems: string[], badFields?: Set<string>): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  problems.push(`${name} must be a string, got ${JSON.stringify(value)}`);
  badFields?.add(name);
  return '';
}

/** Checks every row and builds its change; reports each bad row once, by line. */
export function changesFromRows(
  resource: Resource,
  rows: readonly RawRow[],
  now: number,
  allowPast = false,
): { changes: Change[]; issues: RowIssue[] } {
  const changes: Change[] = [];
  const issues: RowIssue[] = [];
  const seen = new Map<string, number>();
  const field = targetField(resource);
  for (const { line, values } of rows) {
    const problems: string[] = [];
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
    if (action !== undefined) {
      // The library's own checks for the rest (empty keys, a targetType that is neither list …).
      const input = { line, action, contextKind, contextKey, target, expiresAt: action === 'remove' ? undefined : (expiresAt ?? 0) };
      // (Fields already reported above, and expiresAt, which is checked here and not by the helpers.)
      problems.push(...changeProblems(resource, input, allowPast).filter((p) => !badFields.has(p.split(' ')[0] ?? '')));
      if (problems.length === 0) {
        const change = buildChange(resource, input, allowPast);
        const identity = targetIdentity(resource, change);
        const first = seen.get(identity);
        if (first !== undefined) {
          problems.push(`the same context and ${field} as line ${first}: give one row per target`);
        } else {
          seen.set(identity, line);
          changes.push(change);
        }
      }
    }
    if (problems.length > 0) issues.push({ line, message: problems.join('; ') });
  }
  return { changes, issues };
}

/** Reads, parses and checks a whole file; throws RowsError listing every bad row. */
export function readChanges(file: string, resource: Resource, now: number, allowPast = false): { format: FileFormat; changes: Change[] } {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`);
  }
  const format = detectFormat(file, content);
  const parsed = format === 'csv' ? parseCsv(content, resource) : parseJsonl(content, resource);
  const checked = changesFromRows(resource, parsed.rows, now, allowPast);
  const issues = [...parsed.issues, ...checked.issues].sort((a, b) => a.line - b.line);
  const total = parsed.rows.length + parsed.issues.filter((i) => !i.message.startsWith('header:')).length;
  if (parsed.issues.some((i) => i.message.startsWith('header:'))) {
    throw new RowsError(`${file}: the header row is invalid; nothing was sent`, issues);
  }
  if (issues.length > 0) {
    const bad = new Set(issues.map((i) => i.line)).size;
    throw new RowsError(`${file}: ${bad} of ${Math.max(total, bad)} row(s) are invalid; nothing was sent`, issues);
  }
  if (checked.changes.length === 0) {
    const what = content.replace(/^\uFEFF/, '').trim() === '' ? 'the file is empty' : 'the file has no data rows';
    const expected = format === 'csv' ? 'a header row, then one row per change' : 'one JSON object per line, one per change';
    throw new RowsError(`${file}: nothing to apply (${what}); nothing was sent`, [{ line: 1, message: `expected ${expected}` }]);
  }
  return { format, changes: checked.changes };
}

/** The expiresAt a retry file holds: always absolute, so re-applying later sends the same time. */
export function expiresAtText(change: Change): string {
  return change.expiresAt === undefined ? '' : iso(change.expiresAt);
}
