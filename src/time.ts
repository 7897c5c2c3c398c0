/** What callers may pass as a time: a Date, an ISO-8601 string, or Unix milliseconds. */
export type TimeInput = Date | string | number;

// Date-time strings must carry a zone: "2026-12-31T00:00:00" means a different instant on every
// machine, which is how a cohort's access ends hours early. A bare date is read as UTC midnight.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
const MAX_MS = 8.64e15;

/**
 * Converts a time to Unix milliseconds, or returns why it cannot.
 * Rejects NaN, invalid dates, fractions, non-finite and negative numbers, and strings that are
 * not ISO-8601 with a zone.
 */
export function parseTime(input: unknown): { ok: true; ms: number } | { ok: false; reason: string } {
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isNaN(ms) ? { ok: false, reason: 'is an invalid Date' } : checkMs(ms);
  }
  if (typeof input === 'number') return checkMs(input);
  if (typeof input === 'string') {
    if (!ISO_8601.test(input.trim())) {
      return { ok: false, reason: `must be an ISO-8601 date or date-time with a zone (such as 2026-12-31T00:00:00Z), got ${JSON.stringify(input)}` };
    }
    const ms = Date.parse(input.trim());
    if (Number.isNaN(ms) || !isRealCalendarTime(input.trim())) return { ok: false, reason: `is not a real date: ${JSON.stringify(input)}` };
    return checkMs(ms);
  }
  return { ok: false, reason: `must be a Date, an ISO-8601 string or Unix milliseconds, got ${describe(input)}` };
}

/** Date.parse rolls 2026-02-30 over to March 2nd; refuse days, hours and minutes that do not exist. */
function isRealCalendarTime(text: string): boolean {
  const [y, mo, d, h = 0, mi = 0, sec = 0] = (text.match(/\d+/g) ?? []).slice(0, 6).map(Number) as number[];
  if (y === undefined || mo === undefined || d === undefined) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && h <= 23 && mi <= 59 && sec <= 59;
}

function checkMs(ms: number): { ok: true; ms: number } | { ok: false; reason: string } {
  if (Number.isNaN(ms)) return { ok: false, reason: 'is NaN' };
  if (!Number.isFinite(ms)) return { ok: false, reason: 'must be finite' };
  if (!Number.isInteger(ms)) return { ok: false, reason: `must be whole milliseconds, got ${ms}` };
  if (ms < 0) return { ok: false, reason: `must not be before 1970-01-01, got ${ms}` };
  if (ms > MAX_MS) return { ok: false, reason: `is beyond the largest representable date, got ${ms}` };
  return { ok: true, ms };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
