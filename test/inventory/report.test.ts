import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  type ScheduledRemoval,
  REPORT_CSV_COLUMNS,
  exportDesiredState,
  groupByDay,
  removalsCsv,
  removalsText,
} from '../../src/inventory/index.js';

const DAY = 86_400_000;
const T = Date.UTC(2031, 0, 1, 9, 30);
function removal(overrides: Partial<ScheduledRemoval>): ScheduledRemoval {
  return {
    resourceKind: 'segment',
    resourceKey: 'beta',
    resourceName: 'Beta testers',
    contextKind: 'user',
    contextKey: 'alice',
    targetType: 'included',
    variationId: undefined,
    variationName: undefined,
    expiresAt: new Date(T),
    version: 1,
    ...overrides,
  };
}

describe('the CSV report', () => {
  it('quotes what needs quoting, guards formulas, and parses back to the same values', () => {
    const keys = ['a,b', 'say "hi"', 'two\nlines', '=1+1', '@cmd', '+x', '-x', '-12.5', 'ключ'];
    const csv = removalsCsv(keys.map((contextKey, i) => removal({ contextKey, expiresAt: new Date(T + i) })));
    const rows = parseCsv(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...REPORT_CSV_COLUMNS]);
    expect(rows.map((r) => r.contextKey)).toEqual(['a,b', 'say "hi"', 'two\nlines', "'=1+1", "'@cmd", "'+x", "'-x", '-12.5', 'ключ']);
    expect(rows[0]).toMatchObject({
      expiresAt: '2031-01-01T09:30:00.000Z',
      resourceKind: 'segment',
      resourceName: 'Beta testers',
      targetType: 'included',
      variationId: '',
      version: '1',
    });
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

describe('the text report', () => {
  it('groups by UTC day with a bar per day, longest for the busiest day, and neutralizes control characters', () => {
    const removals = [
      removal({ contextKey: 'a' }),
      removal({ contextKey: 'b\u001b[31mred' }),
      removal({ contextKey: 'c', expiresAt: new Date(T + DAY) }),
      removal({
        resourceKind: 'flag',
        resourceKey: 'f',
        targetType: undefined,
        variationId: 'v1',
        variationName: 'On',
        contextKey: 'd',
        expiresAt: new Date(T + DAY),
      }),
      removal({ contextKey: 'e', expiresAt: new Date(T + DAY) }),
    ];
    expect(groupByDay(removals).map(([day, list]) => [day, list.length])).toEqual([
      ['2031-01-01', 2],
      ['2031-01-02', 3],
    ]);
    const text = removalsText(removals, [], { barWidth: 9 });
    expect(text).toContain('2031-01-01  2  ######\n');
    expect(text).toContain('2031-01-02  3  #########\n');
    expect(text).toContain('flag f (variation On)');
    expect(text).not.toContain('\u001b');
    expect(removalsText([], [])).toBe('No scheduled removals.\n');
  });
});

describe('the export', () => {
  it('is the same text whatever order the removals arrive in, and keeps names on one comment line', () => {
    const removals = [
      removal({ resourceKey: 'zeta', resourceName: 'Two\nlines', contextKey: 'b' }),
      removal({ resourceKey: 'alpha', contextKey: 'z' }),
      removal({ resourceKey: 'alpha', contextKey: 'a', expiresAt: new Date(T + DAY) }),
      removal({
        resourceKind: 'flag',
        resourceKey: 'f',
        resourceName: undefined,
        targetType: undefined,
        variationId: 'v',
        variationName: undefined,
        contextKey: 'x',
      }),
    ];
    const options = { projectKey: 'p', environmentKey: 'e', now: T - DAY };
    const forward = exportDesiredState(removals, options);
    const backward = exportDesiredState([...removals].reverse(), options);
    expect(backward.text).toBe(forward.text);
    expect(forward.text.indexOf('alpha:')).toBeLessThan(forward.text.indexOf('zeta:'));
    expect(forward.text.indexOf('contextKey: a')).toBeLessThan(forward.text.indexOf('contextKey: z'));
    expect(forward.text).toContain('# Two lines\n');
    expect(forward).toMatchObject({ removals: 4, resources: 3, past: 0 });
  });
});
