import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExpiringTargetsClient,
  flagInstructions,
  InstructionValidationError,
  segmentInstructions,
  type FlagInstruction,
  type SegmentInstruction,
  type ValidationIssue,
} from '../../src/index.js';
import { json, startServer, type TestServer } from '../support/http-server.js';

// 2030-12-31T00:00:00Z
const MS = 1_924_905_600_000;
const SEG = { contextKind: 'user', contextKey: 'alice', targetType: 'included' } as const;
const FLAG = { contextKind: 'user', contextKey: 'alice', variationId: 'v-1' } as const;
const SEG_REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const FLAG_REF = { projectKey: 'p', environmentKey: 'e', flagKey: 'f' };

/** Runs `fn`, which must throw an InstructionValidationError, and returns the error. */
function validationError(fn: () => unknown): InstructionValidationError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InstructionValidationError);
  return thrown as InstructionValidationError;
}

const fieldsOf = (issues: readonly ValidationIssue[]) => issues.map((i) => i.field).sort();

// Helpers take loosely typed input here on purpose: these tests are about what JavaScript callers
// (and casts) can pass at run time.
type Loose = Record<string, unknown>;
const seg = segmentInstructions as unknown as Record<'add' | 'update' | 'remove', (input: Loose) => unknown>;
const flag = flagInstructions as unknown as Record<'add' | 'update' | 'remove', (input: Loose) => unknown>;

let server: TestServer;
beforeAll(async () => {
  server = await startServer((_req, res) => {
    json(res, 200, { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] });
  });
});
afterAll(() => server.close());

describe('helpers build exactly the wire object', () => {
  it('segmentInstructions.add', () => {
    const i = segmentInstructions.add({ ...SEG, expiresAt: '2030-12-31T00:00:00Z' });
    expect(i).toStrictEqual({ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: MS });
    expect(Object.keys(i).sort()).toEqual(['contextKey', 'contextKind', 'kind', 'targetType', 'value']);
  });

  it('segmentInstructions.update without version has no version key', () => {
    const i = segmentInstructions.update({ ...SEG, targetType: 'excluded', expiresAt: MS });
    expect(i).toStrictEqual({ kind: 'updateExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'excluded', value: MS });
    expect(Object.keys(i)).not.toContain('version');
  });

  it('segmentInstructions.update with version carries it (0 included)', () => {
    expect(segmentInstructions.update({ ...SEG, expiresAt: MS, version: 3 })).toStrictEqual({
      kind: 'updateExpiringTarget',
      contextKind: 'user',
      contextKey: 'alice',
      targetType: 'included',
      value: MS,
      version: 3,
    });
    expect(segmentInstructions.update({ ...SEG, expiresAt: MS, version: 0 })).toHaveProperty('version', 0);
  });

  it('segmentInstructions.remove has no value', () => {
    const i = segmentInstructions.remove({ contextKind: 'organization', contextKey: 'acme', targetType: 'excluded' });
    expect(i).toStrictEqual({ kind: 'removeExpiringTarget', contextKind: 'organization', contextKey: 'acme', targetType: 'excluded' });
    expect(Object.keys(i).sort()).toEqual(['contextKey', 'contextKind', 'kind', 'targetType']);
  });

  it('flagInstructions.add', () => {
    const i = flagInstructions.add({ ...FLAG, expiresAt: new Date(MS) });
    expect(i).toStrictEqual({ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'v-1', value: MS });
    expect(Object.keys(i).sort()).toEqual(['contextKey', 'contextKind', 'kind', 'value', 'variationId']);
  });

  it('flagInstructions.update, with and without version', () => {
    expect(flagInstructions.update({ ...FLAG, expiresAt: MS })).toStrictEqual({
      kind: 'updateExpiringTarget',
      contextKind: 'user',
      contextKey: 'alice',
      variationId: 'v-1',
      value: MS,
    });
    expect(flagInstructions.update({ ...FLAG, expiresAt: MS, version: 7 })).toStrictEqual({
      kind: 'updateExpiringTarget',
      contextKind: 'user',
      contextKey: 'alice',
      variationId: 'v-1',
      value: MS,
      version: 7,
    });
  });

  it('flagInstructions.remove', () => {
    const i = flagInstructions.remove(FLAG);
    expect(i).toStrictEqual({ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'v-1' });
    expect(Object.keys(i).sort()).toEqual(['contextKey', 'contextKind', 'kind', 'variationId']);
  });

  it('returns a new object that does not alias the input', () => {
    const input = { ...SEG, expiresAt: MS };
    const i = segmentInstructions.add(input);
    expect(i).not.toBe(input);
    expect(input).toStrictEqual({ ...SEG, expiresAt: MS });
  });
});

describe('expiresAt: accepted inputs', () => {
  it.each<[string, Date | string | number, number]>([
    ['a Date', new Date('2030-12-31T00:00:00Z'), MS],
    ['an ISO string with Z', '2030-12-31T00:00:00Z', MS],
    ['an ISO string with milliseconds', '2030-12-31T00:00:00.250Z', MS + 250],
    ['an ISO string without seconds', '2030-12-31T00:00Z', MS],
    ['an ISO string with a + offset', '2030-12-31T01:00:00+01:00', MS],
    ['an ISO string with a - offset', '2030-12-30T19:00:00-05:00', MS],
    ['an ISO string with a compact offset', '2030-12-31T05:30:00+0530', MS],
    ['a bare date (UTC midnight)', '2030-12-31', MS],
    ['a leap day', '2028-02-29', Date.UTC(2028, 1, 29)],
    ['Unix milliseconds', MS, MS],
    ['Unix milliseconds 0, with allowPast', 0, 0],
  ])('%s', (_name, expiresAt, ms) => {
    if (ms === 0) {
      expect(segmentInstructions.add({ ...SEG, expiresAt, allowPast: true }).value).toBe(0);
      return;
    }
    expect(segmentInstructions.add({ ...SEG, expiresAt }).value).toBe(ms);
    expect(segmentInstructions.update({ ...SEG, expiresAt }).value).toBe(ms);
    expect(flagInstructions.add({ ...FLAG, expiresAt }).value).toBe(ms);
    expect(flagInstructions.update({ ...FLAG, expiresAt }).value).toBe(ms);
  });

  it('a bare date is UTC midnight whatever the local zone', () => {
    expect(segmentInstructions.add({ ...SEG, expiresAt: '2030-07-01' }).value).toBe(Date.UTC(2030, 6, 1));
  });
});

describe('expiresAt: rejected inputs name the field expiresAt', () => {
  const rejected: [string, unknown][] = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-1', -1],
    ['1.5', 1.5],
    ['beyond the largest date', 8.64e15 + 1],
    ['an invalid Date', new Date('not a date')],
    ['"tomorrow"', 'tomorrow'],
    ['an empty string', ''],
    ['a date-time without a zone', '2030-12-31T00:00:00'],
    ['a numeric string', '1924905600000'],
    ['month 13', '2026-13-01'],
    ['null', null],
    ['an object', {}],
    ['an array', [MS]],
    ['a boolean', true],
    ['undefined (missing)', undefined],
  ];

  it.each(rejected)('%s', (_name, expiresAt) => {
    for (const [helper, base] of [
      [seg.add, SEG],
      [seg.update, SEG],
      [flag.add, FLAG],
      [flag.update, FLAG],
    ] as const) {
      const error = validationError(() => helper({ ...base, expiresAt }));
      expect(error.issues).toEqual([{ field: 'expiresAt', message: expect.any(String) }]);
      expect(error.message).toContain('expiresAt');
    }
  });

  // Date.parse rolls 2026-02-30 over to 2026-03-02: an impossible calendar date must be refused, not moved.
  it.each([['2026-02-30'], ['2026-04-31'], ['2027-02-29'], ['2026-02-30T12:00:00Z']])(
    'an impossible calendar date %s is refused',
    (expiresAt) => {
      const error = validationError(() => segmentInstructions.add({ ...SEG, expiresAt }));
      expect(error.issues).toEqual([{ field: 'expiresAt', message: expect.any(String) }]);
    },
  );

  it('the message says what was wrong', () => {
    expect(validationError(() => seg.add({ ...SEG, expiresAt: '2030-12-31T00:00:00' })).issues[0]?.message).toMatch(/zone/);
    expect(validationError(() => seg.add({ ...SEG, expiresAt: 1.5 })).issues[0]?.message).toMatch(/whole milliseconds/);
    expect(validationError(() => seg.add({ ...SEG, expiresAt: -1 })).issues[0]?.message).toMatch(/1970/);
    expect(validationError(() => seg.add({ ...SEG, expiresAt: new Date(Number.NaN) })).issues[0]?.message).toMatch(/invalid Date/);
  });
});

describe('helpers: other fields', () => {
  it.each([
    ['contextKey', ''],
    ['contextKey', '   '],
    ['contextKey', undefined],
    ['contextKey', 42],
    ['contextKind', ''],
    ['contextKind', undefined],
    ['contextKind', null],
  ])('%s = %j is rejected, on every helper', (field, value) => {
    const cases: [(i: Loose) => unknown, Loose][] = [
      [seg.add, { ...SEG, expiresAt: MS }],
      [seg.update, { ...SEG, expiresAt: MS }],
      [seg.remove, { ...SEG }],
      [flag.add, { ...FLAG, expiresAt: MS }],
      [flag.update, { ...FLAG, expiresAt: MS }],
      [flag.remove, { ...FLAG }],
    ];
    for (const [helper, input] of cases) {
      const bad: Loose = { ...input };
      if (value === undefined) delete bad[field];
      else bad[field] = value;
      expect(validationError(() => helper(bad)).issues).toEqual([{ field, message: expect.stringMatching(/non-empty string/) }]);
    }
  });

  it.each([['both'], ['Included'], [''], [undefined]])('targetType %j is rejected on segment helpers', (targetType) => {
    for (const [helper, extra] of [
      [seg.add, { expiresAt: MS }],
      [seg.update, { expiresAt: MS }],
      [seg.remove, {}],
    ] as const) {
      const input: Loose = { contextKind: 'user', contextKey: 'a', ...extra };
      if (targetType !== undefined) input.targetType = targetType;
      expect(validationError(() => helper(input)).issues).toEqual([
        { field: 'targetType', message: expect.stringMatching(/included.*excluded/) },
      ]);
    }
  });

  it.each([[undefined], [''], [3]])('variationId %j is rejected on flag helpers', (variationId) => {
    for (const [helper, extra] of [
      [flag.add, { expiresAt: MS }],
      [flag.update, { expiresAt: MS }],
      [flag.remove, {}],
    ] as const) {
      const input: Loose = { contextKind: 'user', contextKey: 'a', ...extra };
      if (variationId !== undefined) input.variationId = variationId;
      expect(validationError(() => helper(input)).issues).toEqual([{ field: 'variationId', message: expect.any(String) }]);
    }
  });

  it.each([[-1], [1.5], ['3'], [null]])('version %j on update is rejected', (version) => {
    expect(validationError(() => seg.update({ ...SEG, expiresAt: MS, version })).issues).toEqual([
      { field: 'version', message: expect.stringMatching(/non-negative integer/) },
    ]);
    expect(validationError(() => flag.update({ ...FLAG, expiresAt: MS, version })).issues).toEqual([
      { field: 'version', message: expect.stringMatching(/non-negative integer/) },
    ]);
  });

  it('version on add is refused, not dropped', () => {
    expect(validationError(() => seg.add({ ...SEG, expiresAt: MS, version: 2 })).issues).toEqual([
      { field: 'version', message: expect.any(String) },
    ]);
    expect(validationError(() => flag.add({ ...FLAG, expiresAt: MS, version: 2 })).issues).toEqual([
      { field: 'version', message: expect.any(String) },
    ]);
  });

  it('expiresAt or value on remove is refused, not dropped', () => {
    expect(validationError(() => seg.remove({ ...SEG, expiresAt: MS })).issues).toEqual([
      { field: 'expiresAt', message: expect.any(String) },
    ]);
    expect(validationError(() => flag.remove({ ...FLAG, value: MS })).issues).toEqual([{ field: 'value', message: expect.any(String) }]);
  });

  it('value instead of expiresAt on add names both fields', () => {
    expect(fieldsOf(validationError(() => seg.add({ ...SEG, value: MS })).issues)).toEqual(['expiresAt', 'value']);
  });

  it('extra unknown fields are refused, each named; a misspelt version cannot silently drop the lock', () => {
    expect(validationError(() => seg.update({ ...SEG, expiresAt: MS, verison: 3 })).issues).toEqual([
      { field: 'verison', message: expect.stringMatching(/not a field of a segment instruction/) },
    ]);
    expect(fieldsOf(validationError(() => flag.add({ ...FLAG, expiresAt: MS, foo: 1, targetType: 'included' })).issues)).toEqual([
      'foo',
      'targetType',
    ]);
    expect(fieldsOf(validationError(() => seg.remove({ ...SEG, variationId: 'v' })).issues)).toEqual(['variationId']);
    expect(fieldsOf(validationError(() => seg.add({ ...SEG, expiresAt: MS, kind: 'removeExpiringTarget' })).issues)).toEqual(['kind']);
  });

  it('a __proto__ key (as JSON.parse makes it) is a field and refused, not a prototype taken in silence', () => {
    const input = JSON.parse(`{"__proto__": {"version": 3}, "contextKind": "user", "contextKey": "a", "targetType": "included"}`);
    expect(validationError(() => seg.add({ ...input, expiresAt: MS })).issues).toEqual([
      { field: '__proto__', message: expect.stringMatching(/not a field of a segment instruction/) },
    ]);
  });

  it('a wrong-case field name names both the missing and the unknown field', () => {
    const error = validationError(() => seg.add({ contextKind: 'user', contextkey: 'a', targetType: 'included', expiresAt: MS }));
    expect(fieldsOf(error.issues)).toEqual(['contextKey', 'contextkey']);
  });

  it('an explicit undefined optional is not an unknown field', () => {
    expect(seg.update({ ...SEG, expiresAt: MS, version: undefined })).toStrictEqual(segmentInstructions.update({ ...SEG, expiresAt: MS }));
  });

  it('reports every problem at once and names the helper', () => {
    const error = validationError(() => seg.add({ contextKind: '', contextKey: '', targetType: 'both', expiresAt: 'soon' }));
    expect(fieldsOf(error.issues)).toEqual(['contextKey', 'contextKind', 'expiresAt', 'targetType']);
    expect(error.issues.every((i) => i.index === undefined)).toBe(true);
    expect(error.message).toMatch(/^Invalid arguments to segmentInstructions\.add \(4 problems\)/);
    expect(validationError(() => flag.remove({})).message).toMatch(/^Invalid arguments to flagInstructions\.remove/);
  });

  it('a missing input object is reported, not a TypeError', () => {
    const error = validationError(() => (segmentInstructions.remove as unknown as (i?: unknown) => unknown)());
    expect(fieldsOf(error.issues)).toEqual(['contextKey', 'contextKind', 'targetType']);
  });
});

describe("patch's upfront validation", () => {
  const ld = () => createExpiringTargetsClient({ apiKey: 'api-test', baseUrl: server.url });
  const good = segmentInstructions.add({ ...SEG, expiresAt: MS });
  const goodFlag = flagInstructions.add({ ...FLAG, expiresAt: MS });

  async function patchError(p: Promise<unknown>): Promise<InstructionValidationError> {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InstructionValidationError);
    return error as InstructionValidationError;
  }

  it('sends valid instructions (so the server below does record requests)', async () => {
    const before = server.requests.length;
    const result = await ld().segments.patch(SEG_REF, [good]);
    expect(result.ok).toBe(true);
    expect(server.requests.length).toBe(before + 1);
    expect(server.requests.at(-1)!.json).toEqual({ instructions: [good] });
  });

  it('an empty list is an error, and nothing is sent', async () => {
    const before = server.requests.length;
    const error = await patchError(ld().segments.patch(SEG_REF, []));
    expect(error.issues).toEqual([{ field: 'instructions', message: expect.stringMatching(/at least one/) }]);
    expect((await patchError(ld().flags.patch(FLAG_REF, []))).issues[0]?.field).toBe('instructions');
    expect(server.requests.length).toBe(before);
  });

  it('a non-array is an error', async () => {
    const error = await patchError(ld().segments.patch(SEG_REF, good as unknown as SegmentInstruction[]));
    expect(error.issues).toEqual([{ field: 'instructions', message: expect.stringMatching(/array/) }]);
  });

  it.each<[string, Loose, string[]]>([
    ['an unknown kind', { kind: 'addExpireUserTargetDate', contextKind: 'user', contextKey: 'a', targetType: 'included' }, ['kind']],
    ['a missing kind', { contextKind: 'user', contextKey: 'a', targetType: 'included' }, ['kind']],
    ['an empty contextKey', { ...SEG, kind: 'removeExpiringTarget', contextKey: '' }, ['contextKey']],
    ['a missing contextKind', { kind: 'removeExpiringTarget', contextKey: 'a', targetType: 'included' }, ['contextKind']],
    ['a wrong targetType', { ...SEG, kind: 'removeExpiringTarget', targetType: 'both' }, ['targetType']],
    ['value on remove', { ...SEG, kind: 'removeExpiringTarget', value: MS }, ['value']],
    ['version on add', { ...SEG, kind: 'addExpiringTarget', value: MS, version: 1 }, ['version']],
    ['a missing value on add', { ...SEG, kind: 'addExpiringTarget' }, ['value']],
    ['a string value', { ...SEG, kind: 'updateExpiringTarget', value: '1924905600000' }, ['value']],
    ['a fractional value', { ...SEG, kind: 'addExpiringTarget', value: 1.5 }, ['value']],
    ['a negative value', { ...SEG, kind: 'addExpiringTarget', value: -1 }, ['value']],
    ['a NaN value', { ...SEG, kind: 'addExpiringTarget', value: Number.NaN }, ['value']],
    ['a negative version', { ...SEG, kind: 'updateExpiringTarget', value: MS, version: -1 }, ['version']],
    ['expiresAt instead of value', { ...SEG, kind: 'addExpiringTarget', expiresAt: MS }, ['expiresAt', 'value']],
    ['an extra unknown field', { ...SEG, kind: 'removeExpiringTarget', note: 'x' }, ['note']],
    ['a flag field on a segment', { ...SEG, kind: 'removeExpiringTarget', variationId: 'v' }, ['variationId']],
    ['null', null as unknown as Loose, ['instruction']],
  ])('segment: %s names its field', async (_name, instruction, fields) => {
    const error = await patchError(ld().segments.patch(SEG_REF, [good, instruction as unknown as SegmentInstruction]));
    expect(fieldsOf(error.issues)).toEqual(fields);
    expect(error.issues.every((i) => i.index === 1)).toBe(true);
  });

  it.each<[string, Loose, string[]]>([
    ['a missing variationId', { kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a' }, ['variationId']],
    ['an empty variationId', { ...FLAG, kind: 'removeExpiringTarget', variationId: '' }, ['variationId']],
    ['a segment instruction', { ...SEG, kind: 'removeExpiringTarget' }, ['targetType', 'variationId']],
    ['value on remove', { ...FLAG, kind: 'removeExpiringTarget', value: MS }, ['value']],
    ['version on add', { ...FLAG, kind: 'addExpiringTarget', value: MS, version: 0 }, ['version']],
    ['an extra unknown field', { ...FLAG, kind: 'addExpiringTarget', value: MS, comment: 'x' }, ['comment']],
  ])('flag: %s names its field', async (_name, instruction, fields) => {
    const error = await patchError(ld().flags.patch(FLAG_REF, [instruction as unknown as FlagInstruction]));
    expect(fieldsOf(error.issues)).toEqual(fields);
    expect(error.issues.every((i) => i.index === 0)).toBe(true);
  });

  it('an unknown kind carrying a value is not blamed as a remove', async () => {
    const bogus = { kind: 'addExpireUserTargetDate', contextKind: 'user', contextKey: 'a', variationId: 'v', value: MS };
    const error = await patchError(ld().flags.patch(FLAG_REF, [bogus as unknown as FlagInstruction]));
    expect(error.issues.map((i) => i.field)).toEqual(['kind', 'value']);
    expect(error.issues[1]?.message).not.toMatch(/removeExpiringTarget$/);
  });

  it('3 bad instructions out of 5 give ONE error listing indices 1, 3 and 4, and nothing is sent', async () => {
    const before = server.requests.length;
    const instructions = [
      good,
      { ...SEG, kind: 'addExpiringTarget', value: 'tomorrow' },
      segmentInstructions.remove(SEG),
      { ...SEG, kind: 'removeExpiringTarget', contextKey: '' },
      { ...SEG, kind: 'bogus' },
    ] as unknown as SegmentInstruction[];
    const error = await patchError(ld().segments.patch(SEG_REF, instructions, { comment: 'x' }));
    expect(error.issues).toEqual([
      { index: 1, field: 'value', message: expect.any(String) },
      { index: 3, field: 'contextKey', message: expect.any(String) },
      { index: 4, field: 'kind', message: expect.any(String) },
    ]);
    expect([...new Set(error.issues.map((i) => i.index))]).toEqual([1, 3, 4]);
    expect(error.message).toMatch(/^3 of 5 segment instruction\(s\) are invalid; nothing was sent/);
    expect(error.message).toContain('instruction 1: value');
    expect(error.message).toContain('instruction 3: contextKey');
    expect(error.message).toContain('instruction 4: kind');
    expect(server.requests.length).toBe(before);
  });

  it('the same rule holds for flags: one error, every bad index, nothing sent', async () => {
    const before = server.requests.length;
    const instructions = [
      { ...FLAG, kind: 'removeExpiringTarget', value: MS },
      goodFlag,
      { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', value: MS },
    ] as unknown as FlagInstruction[];
    const error = await patchError(ld().flags.patch(FLAG_REF, instructions));
    expect(error.issues).toEqual([
      { index: 0, field: 'value', message: expect.any(String) },
      { index: 2, field: 'variationId', message: expect.any(String) },
    ]);
    expect(error.message).toMatch(/^2 of 3 flag instruction\(s\) are invalid/);
    expect(server.requests.length).toBe(before);
  });

  it('helpers and patch agree: everything a helper builds passes patch', async () => {
    const before = server.requests.length;
    await ld().segments.patch(SEG_REF, [
      segmentInstructions.add({ ...SEG, expiresAt: '2030-12-31' }),
      segmentInstructions.update({ ...SEG, expiresAt: new Date(MS), version: 0 }),
      segmentInstructions.remove(SEG),
    ]);
    await ld().flags.patch(FLAG_REF, [
      flagInstructions.add({ ...FLAG, expiresAt: MS }),
      flagInstructions.update({ ...FLAG, expiresAt: MS, version: 4 }),
      flagInstructions.remove(FLAG),
    ]);
    expect(server.requests.length).toBe(before + 2);
  });
});
