// parseTime over every ISO-8601 form the README accepts: example cases from the issue that found
// the compact-offset bug, and a property that any instant, written in any accepted form, parses
// back to the same millisecond.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/index.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
// Local times near the end of year 9999 plus a positive offset would need a five-digit year.
const LAST_INSTANT = Date.UTC(9999, 11, 30);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

type Precision = 'minutes' | 'seconds' | { fractionDigits: number };
type Zone = { style: 'Z' | 'z' } | { style: 'extended' | 'compact'; minutes: number; negativeZero: boolean };

interface Written {
  text: string;
  /** The instant the text denotes, in whole milliseconds (digits beyond the third are dropped). */
  ms: number;
}

/** Writes `instant` in one accepted form; returns the text and the millisecond it denotes. */
function write(instant: number, precision: Precision, zone: Zone, t: 'T' | 't', subMillisecond: string): Written {
  const offset = 'minutes' in zone ? zone.minutes : 0;
  const local = new Date(instant + offset * MINUTE);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  let time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  let kept = instant - local.getUTCSeconds() * 1000 - local.getUTCMilliseconds();
  if (precision !== 'minutes') {
    time += `:${pad(local.getUTCSeconds())}`;
    kept += local.getUTCSeconds() * 1000;
    if (precision !== 'seconds') {
      const digits = precision.fractionDigits;
      const millis = pad(local.getUTCMilliseconds(), 3);
      const written = digits <= 3 ? millis.slice(0, digits) : millis + subMillisecond.slice(0, digits - 3);
      time += `.${written}`;
      kept += Number(millis.slice(0, Math.min(3, digits)).padEnd(3, '0'));
    }
  }
  let suffix: string;
  if (!('minutes' in zone)) suffix = zone.style;
  else {
    const sign = offset < 0 || (offset === 0 && zone.negativeZero) ? '-' : '+';
    const abs = Math.abs(offset);
    suffix = `${sign}${pad(Math.floor(abs / 60))}${zone.style === 'extended' ? ':' : ''}${pad(abs % 60)}`;
  }
  return { text: `${date}${t}${time}${suffix}`, ms: kept };
}

const precisions: fc.Arbitrary<Precision> = fc.oneof(
  fc.constant('minutes' as const),
  fc.constant('seconds' as const),
  fc.integer({ min: 1, max: 9 }).map((fractionDigits) => ({ fractionDigits })),
);
// Offsets as RFC 3339 writes them: hours 00-23, minutes 00-59, either sign.
const zones: fc.Arbitrary<Zone> = fc.oneof(
  fc.constantFrom({ style: 'Z' as const }, { style: 'z' as const }),
  fc.record({
    style: fc.constantFrom('extended' as const, 'compact' as const),
    minutes: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    negativeZero: fc.boolean(),
  }),
);

describe('parseTime: compact offsets (the case that was read as "not a real date")', () => {
  it.each([
    ['2026-12-31T05:30+0530', Date.UTC(2026, 11, 31)],
    ['2026-12-31T05:30:00+0530', Date.UTC(2026, 11, 31)],
    ['2026-12-30T16:00-0800', Date.UTC(2026, 11, 31)],
    ['2026-12-30T16:00:00.5-0800', Date.UTC(2026, 11, 31, 0, 0, 0, 500)],
    ['2026-12-31T05:30+05:30', Date.UTC(2026, 11, 31)],
    ['2026-12-30t16:00-08:00', Date.UTC(2026, 11, 31)],
  ])('%s', (text, ms) => {
    expect(parseTime(text)).toEqual({ ok: true, ms });
  });

  it('still refuses an offset that is not a real offset', () => {
    expect(parseTime('2026-12-31T05:30+2400')).toMatchObject({ ok: false, reason: expect.stringContaining('not a real date') });
    expect(parseTime('2026-12-31T05:30+0560')).toMatchObject({ ok: false, reason: expect.stringContaining('not a real date') });
    expect(parseTime('2026-12-31T05:30+053')).toMatchObject({ ok: false });
  });
});

describe('parseTime: properties', () => {
  it('any instant, written in any accepted ISO-8601 form, parses to the millisecond it denotes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: LAST_INSTANT }),
        precisions,
        zones,
        fc.constantFrom('T' as const, 't' as const),
        fc.stringMatching(/^\d{6}$/),
        (instant, precision, zone, t, subMillisecond) => {
          const { text, ms } = write(instant, precision, zone, t, subMillisecond);
          expect(parseTime(text), text).toEqual({ ok: true, ms });
          // Surrounding whitespace (a CSV cell, a pasted value) changes nothing.
          expect(parseTime(` ${text}\t`), text).toEqual({ ok: true, ms });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the same instant in every form gives one millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAST_INSTANT / MINUTE }), zones, zones, (minute, a, b) => {
        const instant = minute * MINUTE;
        const first = parseTime(write(instant, 'minutes', a, 'T', '').text);
        const second = parseTime(write(instant, { fractionDigits: 9 }, b, 't', '000000').text);
        expect(first).toEqual({ ok: true, ms: instant });
        expect(second).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('a bare date is midnight UTC of that day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAST_INSTANT / DAY }), (day) => {
        const midnight = day * DAY;
        expect(parseTime(new Date(midnight).toISOString().slice(0, 10))).toEqual({ ok: true, ms: midnight });
      }),
    );
  });

  it('a date-time without a zone is always refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAST_INSTANT }), precisions, (instant, precision) => {
        const { text } = write(instant, precision, { style: 'Z' }, 'T', '000000');
        expect(parseTime(text.slice(0, -1))).toMatchObject({ ok: false });
      }),
    );
  });
});
