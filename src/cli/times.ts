/**
 * `--at` and the `expiresAt` column: ISO-8601 with a zone, Unix milliseconds, or a time relative
 * to now (`+30d`, `+12h`, `+90m`; also `s` and `w`).
 */
import { parseTime } from '../core/instructions.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^\+(\d+)([smhdw])$/;
/** Smaller than this as "Unix milliseconds" is before March 1973: almost surely seconds. */
const SMALLEST_PLAUSIBLE_MS = 100_000_000_000;

export type When = { ok: true; ms: number } | { ok: false; reason: string };

export function parseWhen(text: string, now: number): When {
  const value = text.trim();
  if (value === '') return { ok: false, reason: 'is empty' };
  const relative = RELATIVE.exec(value);
  if (relative) {
    const ms = now + Number(relative[1]) * (UNIT_MS[relative[2] as string] as number);
    return Number.isSafeInteger(ms) ? { ok: true, ms } : { ok: false, reason: `is too far in the future: ${value}` };
  }
  if (/^\d+$/.test(value)) {
    const ms = Number(value);
    if (ms < SMALLEST_PLAUSIBLE_MS) {
      return { ok: false, reason: `must be Unix milliseconds; ${value} is before 1973 (seconds? multiply by 1000)` };
    }
    const parsed = parseTime(ms);
    return parsed.ok ? parsed : { ok: false, reason: parsed.reason };
  }
  if (value.startsWith('+') || value.startsWith('-')) {
    return { ok: false, reason: `must be relative as +N followed by s, m, h, d or w (such as +30d), got ${JSON.stringify(value)}` };
  }
  const parsed = parseTime(value);
  return parsed.ok
    ? parsed
    : { ok: false, reason: parsed.reason.replace(/^must be an ISO-8601/, 'must be Unix milliseconds, +30d-style, or an ISO-8601') };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
