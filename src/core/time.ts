/**
 * Time parsing: what callers may pass as a time (a Date, an ISO-8601 string with a zone, Unix
 * milliseconds) turned into Unix milliseconds, or the reason it is not one; and the words error
 * messages use for a value.
 */

/** What callers may pass as a time: a Date, an ISO-8601 string, or Unix milliseconds. */
export type TimeInput = Date | string | number;

/** A parsed time, or why it could not be parsed. */
export type ParsedTime =
  | {
      /** The input is a time. */
      ok: true;
      /** Unix milliseconds. */
      ms: number;
    }
  | {
      /** The input is not a time. */
      ok: false;
      /** Why, for an error message: `must be an ISO-8601 date or date-time with a zone …`. */
      reason: string;
    };

// Date-time strings must carry a zone: "2026-12-31T00:00:00" means a different instant on every
// machine, which is how a cohort's access ends hours early. A bare date is read as UTC midnight.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2})))?$/i;
const MAX_MS = 8.64e15;

export function checkMs(ms: number): ParsedTime {
  if (Number.isNaN(ms)) return { ok: false, reason: 'is NaN' };
  if (!Number.isFinite(ms)) return { ok: false, reason: 'must be finite' };
  if (!Number.isInteger(ms)) return { ok: false, reason: `must be whole milliseconds, got ${ms}` };
  if (ms < 0) return { ok: false, reason: `must not be before 1970-01-01, got ${ms}` };
  if (ms > MAX_MS) return { ok: false, reason: `is beyond the largest representable date, got ${ms}` };
  return { ok: true, ms };
}

/** Days in a month (1–12) of the proleptic Gregorian calendar, as Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Sync parses one time per entry of files with 100,000 entries: no Date objects or arrays here.
function parseIso(text: string): ParsedTime {
  const m = ISO_8601.exec(text);
  if (!m) {
    return {
      ok: false,
      reason: `must be an ISO-8601 date or date-time with a zone (such as 2030-12-31T00:00:00Z), got ${JSON.stringify(text)}`,
    };
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  // A part the text leaves out counts as 0 (no zone offset means Z).
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  const fraction = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(m[10] ?? 0);
  const offsetMins = Number(m[11] ?? 0);
  const offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  const real =
    mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59 && offsetHours <= 23 && offsetMins <= 59;
  if (!real) return { ok: false, reason: `is not a real date: ${JSON.stringify(text)}` };
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear takes them as written.
  const day = y >= 100 ? Date.UTC(y, mo - 1, d) : new Date(0).setUTCFullYear(y, mo - 1, d);
  return checkMs(day + ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + fraction);
}

/**
 * Converts a time to Unix milliseconds, or says why it cannot. Accepts a valid Date, whole
 * non-negative milliseconds, and ISO-8601 with a zone (`Z`, `+05:30` or `+0530`; seconds and up
 * to nine fraction digits optional; a bare date is UTC midnight).
 */
export function parseTime(input: unknown): ParsedTime {
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isNaN(ms) ? { ok: false, reason: 'is an invalid Date' } : checkMs(ms);
  }
  if (typeof input === 'number') return checkMs(input);
  if (typeof input === 'string') return parseIso(input.trim());
  return { ok: false, reason: `must be a Date, an ISO-8601 string or Unix milliseconds, got ${describeValue(input)}` };
}

/** A value as an error message shows it, without echoing large objects. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : typeof value;
}

/** Why a time is refused as past, or undefined when it is not. */
export function pastIssue(ms: number, now: number): string | undefined {
  return ms < now ? `is in the past (${new Date(ms).toISOString()}); pass allowPast: true to schedule it anyway` : undefined;
}
