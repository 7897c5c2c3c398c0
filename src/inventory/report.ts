/**
 * The inventory as a report: removals grouped by UTC day with a histogram in plain characters
 * (for people), as CSV with fixed columns (for spreadsheets and scripts) or as JSON.
 */
import type { ExpiringTargetsError } from '../core/errors.js';
import { RESOURCES } from '../core/resources.js';
import type { ListedResource } from './listing.js';
import type { ScheduledRemoval } from './inventory.js';

/** A resource that could not be read, as a report names it. */
export interface UnreadableResource {
  /** The segment or flag. */
  resource: ListedResource;
  /** Why it could not be read. */
  error: ExpiringTargetsError;
}

/** The CSV columns, in order; docs/inventory.md describes each. */
export const REPORT_CSV_COLUMNS = [
  'expiresAt',
  'resourceKind',
  'resourceKey',
  'resourceName',
  'contextKind',
  'contextKey',
  'targetType',
  'variationId',
  'variationName',
  'version',
] as const;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Removals by time, then resource, then context: the same order on every run. */
export function sortRemovals(removals: readonly ScheduledRemoval[]): ScheduledRemoval[] {
  const key = (r: ScheduledRemoval) =>
    JSON.stringify([r.resourceKind, r.resourceKey, r.contextKind, r.contextKey, r.targetType ?? r.variationId ?? '']);
  return [...removals].sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || byCodeUnit(key(a), key(b)));
}

/** Removals by UTC day (`YYYY-MM-DD`), days in order. */
export function groupByDay(removals: readonly ScheduledRemoval[]): [string, ScheduledRemoval[]][] {
  const days = new Map<string, ScheduledRemoval[]>();
  for (const r of sortRemovals(removals)) {
    const day = r.expiresAt.toISOString().slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), r]);
  }
  return [...days];
}

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula (starting with `=`, `+`,
 * `@`, a tab or a carriage return, or `-` when it is not a number) gets a leading `'`.
 */
function cell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+@\t\r]/.test(text) || (/^-/.test(text) && !/^-\d+(\.\d+)?$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The removals as CSV: a header row of {@link REPORT_CSV_COLUMNS}, then one row per removal, CRLF line ends. */
export function removalsCsv(removals: readonly ScheduledRemoval[]): string {
  const rows = sortRemovals(removals).map((r) =>
    [
      r.expiresAt.toISOString(),
      r.resourceKind,
      r.resourceKey,
      r.resourceName,
      r.contextKind,
      r.contextKey,
      r.targetType,
      r.variationId,
      r.variationName,
      r.version,
    ]
      .map(cell)
      .join(','),
  );
  return `${[REPORT_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** The report as JSON: every removal (times as ISO-8601 UTC) and every resource that could not be read. */
export function removalsJson(removals: readonly ScheduledRemoval[], unreadable: readonly UnreadableResource[]): string {
  const out = {
    removals: sortRemovals(removals).map((r) => ({ ...r, expiresAt: r.expiresAt.toISOString() })),
    unreadable: unreadable.map(({ resource, error }) => ({
      resourceKind: resource.kind,
      resourceKey: resource.key,
      error: error.name,
      message: error.message,
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** What the text report may use: colour (ANSI), and the widest bar. */
export interface TextReportOptions {
  /** Colour the bars with ANSI codes (only for a terminal without NO_COLOR). */
  colour?: boolean | undefined;
  /** The widest bar, in characters. Default 40. */
  barWidth?: number | undefined;
}

/** A value from LaunchDarkly made safe for a terminal: no escape sequences or line breaks. */
function plain(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

/** The report for people: a histogram of removals per day, then each day's removals. */
export function removalsText(
  removals: readonly ScheduledRemoval[],
  unreadable: readonly UnreadableResource[],
  options: TextReportOptions = {},
): string {
  const paint = (code: string, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const days = groupByDay(removals);
  const lines: string[] = [];
  if (days.length === 0) lines.push('No scheduled removals.');
  else {
    const most = Math.max(...days.map(([, list]) => list.length));
    const width = options.barWidth ?? 40;
    const countWidth = String(most).length;
    lines.push(`${removals.length} scheduled removal(s) on ${days.length} day(s) (UTC):`, '');
    for (const [day, list] of days) {
      const bar = '#'.repeat(Math.max(1, Math.round((list.length / most) * width)));
      lines.push(`${day}  ${String(list.length).padStart(countWidth)}  ${paint('36', bar)}`);
    }
    for (const [day, list] of days) {
      lines.push('', paint('1', day));
      for (const r of list) {
        const { label, targetField } = RESOURCES[r.resourceKind];
        const targetList = targetField === 'targetType' ? r.targetType : `variation ${plain(r.variationName ?? r.variationId ?? '?')}`;
        const where = `${label} ${plain(r.resourceKey)} (${targetList})`;
        lines.push(`  ${r.expiresAt.toISOString().slice(11, 16)}  ${plain(r.contextKind)} ${plain(r.contextKey)}  ${where}`);
      }
    }
  }
  if (unreadable.length > 0) {
    lines.push('', paint('31', `${unreadable.length} resource(s) could not be read; their removals are missing above:`));
    for (const { resource, error } of unreadable) lines.push(`  ${resource.kind} ${plain(resource.key)}: ${plain(error.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
