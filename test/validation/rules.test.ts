// Validation read from rules: the exact message for each kind of rule (the generated rules use
// only some; synthetic rules through compileRules reach the others), how unknown kinds are
// judged, the list-level checks, keys, and the time parser's edges.
import { describe, expect, it } from 'vitest';
import { InstructionValidationError } from '../../src/core/errors.js';
import { flagInstructions, segmentInstructions } from '../../src/core/instructions.js';
import { targetField } from '../../src/core/resources.js';
import { parseTime, describeValue } from '../../src/core/time.js';
import {
  assertInstructions,
  compileRules,
  instructionIssues,
  instructionKinds,
  issuesAgainst,
  keyIssues,
  type ResourceRules,
} from '../../src/core/validation.js';

const T = Date.UTC(2031, 0, 1);
const NOW = Date.UTC(2030, 0, 1);
const add = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'included', value: T };

describe('the generated rules: exact messages', () => {
  const issues = (value: unknown, options = {}) => instructionIssues('segment', value, undefined, { now: NOW, ...options });

  it('a valid instruction has none', () => {
    expect(issues(add)).toEqual([]);
    expect(issues({ ...add, kind: 'updateExpiringTarget', version: 0 })).toEqual([]);
    expect(issues({ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'excluded' })).toEqual([]);
  });

  it('names each bad field with what it must be, sorted by field', () => {
    expect(issues({ kind: 'addExpiringTarget', contextKind: ' ', contextKey: '', targetType: 'both', value: -1 })).toEqual([
      { field: 'contextKey', message: 'must be a non-empty string, got ""' },
      { field: 'contextKind', message: 'must be a non-empty string, got " "' },
      { field: 'targetType', message: 'must be "included" or "excluded", got "both"' },
      { field: 'value', message: 'must be Unix milliseconds (a whole number), got -1' },
    ]);
  });

  it.each<[unknown, string]>([
    [1.5, 'must be Unix milliseconds (a whole number), got 1.5'],
    ['1924992000000', 'must be Unix milliseconds (a whole number), got "1924992000000"'],
    [Number.NaN, 'must be Unix milliseconds (a whole number), got NaN'],
    [Number.POSITIVE_INFINITY, 'must be Unix milliseconds (a whole number), got Infinity'],
    [2 ** 53, 'must be Unix milliseconds (a whole number), got 9007199254740992'],
    [8.64e15 + 1, 'is beyond the largest representable date, got 8640000000000001'],
    [null, 'must be Unix milliseconds (a whole number), got null'],
  ])('value %j: %s', (value, message) => {
    expect(issues({ ...add, value }, { allowPast: true })).toEqual([{ field: 'value', message }]);
  });

  it('the latest representable time is accepted', () => {
    expect(issues({ ...add, value: 8.64e15 })).toEqual([]);
  });

  it('a time in the past is refused unless allowPast; now itself is not past', () => {
    expect(issues({ ...add, value: NOW - 1 })).toEqual([
      { field: 'value', message: `is in the past (${new Date(NOW - 1).toISOString()}); pass allowPast: true to schedule it anyway` },
    ]);
    expect(issues({ ...add, value: NOW })).toEqual([]);
    expect(issues({ ...add, value: 0 }, { allowPast: true })).toEqual([]);
    // Without `now`, the clock is used.
    expect(instructionIssues('segment', { ...add, value: Date.now() - 60_000 }).map((i) => i.field)).toEqual(['value']);
  });

  it('a version must be a non-negative integer', () => {
    expect(issues({ ...add, kind: 'updateExpiringTarget', version: -1 })).toEqual([
      { field: 'version', message: 'must be a non-negative integer, got -1' },
    ]);
    expect(issues({ ...add, kind: 'updateExpiringTarget', version: '3' })).toEqual([
      { field: 'version', message: 'must be a non-negative integer, got "3"' },
    ]);
  });

  it('a missing required field says what it must be; undefined counts as missing', () => {
    expect(issues({ kind: 'addExpiringTarget', contextKind: 'user', contextKey: undefined, targetType: 'included' })).toEqual([
      { field: 'contextKey', message: 'is required: a non-empty string' },
      { field: 'value', message: 'is required: Unix milliseconds (a whole number)' },
    ]);
    expect(issues({ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a' })).toEqual([
      { field: 'targetType', message: 'is required: "included" or "excluded"' },
    ]);
  });

  it('a field of another kind, or of no kind', () => {
    expect(issues({ ...add, version: 1 })).toEqual([{ field: 'version', message: 'is allowed only on updateExpiringTarget' }]);
    expect(issues({ ...add, kind: 'removeExpiringTarget', value: T })).toEqual([
      { field: 'value', message: 'is allowed only on addExpiringTarget and updateExpiringTarget' },
    ]);
    expect(issues({ ...add, note: 'x' })).toEqual([{ field: 'note', message: 'is not a field of a segment instruction' }]);
    expect(instructionIssues('flag', { ...add, targetType: undefined, variationId: 'v', note: 'x' })).toEqual([
      { field: 'note', message: 'is not a field of a flag instruction' },
    ]);
  });

  it('an unknown kind is checked against what every kind has in common', () => {
    expect(issues({ kind: 'nap', contextKind: 'user', contextKey: 'a', targetType: 'included' })).toEqual([
      { field: 'kind', message: 'must be one of addExpiringTarget, updateExpiringTarget, removeExpiringTarget, got "nap"' },
    ]);
    expect(issues({ kind: 'nap', contextKey: '', value: T, version: 1 })).toEqual([
      { field: 'contextKey', message: 'must be a non-empty string, got ""' },
      { field: 'contextKind', message: 'is required: a non-empty string' },
      { field: 'kind', message: 'must be one of addExpiringTarget, updateExpiringTarget, removeExpiringTarget, got "nap"' },
      { field: 'targetType', message: 'is required: "included" or "excluded"' },
      { field: 'value', message: 'is allowed only on addExpiringTarget and updateExpiringTarget' },
      { field: 'version', message: 'is allowed only on updateExpiringTarget' },
    ]);
    expect(issues({ contextKind: 'user', contextKey: 'a', targetType: 'included' })).toEqual([
      { field: 'kind', message: 'must be one of addExpiringTarget, updateExpiringTarget, removeExpiringTarget, got undefined' },
    ]);
    expect(issues({ kind: 7, contextKind: 'user', contextKey: 'a', targetType: 'included' })[0]?.message).toMatch(/, got 7$/);
  });

  it.each<[unknown, string]>([
    [null, 'null'],
    [[add], 'an array'],
    ['add', '"add"'],
    [5, '5'],
    [undefined, 'undefined'],
    [true, 'boolean'],
  ])('%j is not an instruction', (value, shown) => {
    expect(issues(value)).toEqual([{ field: 'instruction', message: `must be an object, got ${shown}` }]);
    expect(instructionIssues('segment', value, 3)).toEqual([
      { index: 3, field: 'instruction', message: `must be an object, got ${shown}` },
    ]);
  });

  it('each issue carries the index when one is given', () => {
    expect(instructionIssues('segment', { ...add, contextKey: '' }, 4, { now: NOW })).toEqual([
      { index: 4, field: 'contextKey', message: 'must be a non-empty string, got ""' },
    ]);
  });
});

describe('rules the generated module does not use yet', () => {
  const rules: ResourceRules = {
    kinds: {
      ping: {
        required: ['kind', 'n'],
        additionalProperties: false,
        fields: {
          kind: { type: 'string', const: 'ping' },
          n: { type: 'number', minimum: 1, maximum: 10 },
          m: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          i: { type: 'integer' },
          j: { type: 'integer', maximum: 5 },
          k: { type: 'integer', minimum: 0, maximum: 5 },
          flag: { type: 'boolean' },
          color: { enum: ['red', 'green', 'blue'] },
          code: { type: 'string', pattern: '^[A-Z]+$' },
          name: { type: 'string', minLength: 1, pattern: '^[a-z]+$' },
          short: { type: 'string', minLength: 2, maxLength: 4 },
          blob: { type: 'object' },
          anything: {},
        },
      },
      pong: {
        required: ['kind'],
        additionalProperties: true,
        fields: { kind: { type: 'string', const: 'pong' }, n: { type: 'number', minimum: 1, maximum: 10 } },
      },
    },
  };
  const compiled = compileRules(rules);
  const problems = (value: Record<string, unknown>) => issuesAgainst(compiled, 'test', { kind: 'ping', n: 5, ...value });

  it.each<[string, unknown, string]>([
    ['n', 0, 'must be a number ≥ 1 and ≤ 10, got 0'],
    ['n', 11, 'must be a number ≥ 1 and ≤ 10, got 11'],
    ['n', Number.POSITIVE_INFINITY, 'must be a number ≥ 1 and ≤ 10, got Infinity'],
    ['n', '5', 'must be a number ≥ 1 and ≤ 10, got "5"'],
    ['m', 0, 'must be a number > 0 and < 1, got 0'],
    ['m', 1, 'must be a number > 0 and < 1, got 1'],
    ['i', 1.5, 'must be an integer, got 1.5'],
    ['j', 6, 'must be an integer ≤ 5, got 6'],
    ['k', -1, 'must be an integer ≥ 0 and ≤ 5, got -1'],
    ['flag', 'yes', 'must be true or false, got "yes"'],
    ['color', 'pink', 'must be one of "red", "green", "blue", got "pink"'],
    ['code', 'abc', 'must be a string matching /^[A-Z]+$/, got "abc"'],
    ['code', 7, 'must be a string matching /^[A-Z]+$/, got 7'],
    ['name', 'ABC', 'must be a non-empty string matching /^[a-z]+$/, got "ABC"'],
    ['short', 'a', 'must be a non-empty string of at least 2 and at most 4 characters, got "a"'],
    ['short', 'abcde', 'must be a non-empty string of at least 2 and at most 4 characters, got "abcde"'],
  ])('%s = %j: %s', (field, value, message) => {
    expect(problems({ [field]: value })).toEqual([{ field, message }]);
  });

  it.each<[string, unknown]>([
    ['n', 1],
    ['n', 10],
    ['m', 0.5],
    ['i', -3],
    ['j', 5],
    ['k', 0],
    ['flag', false],
    ['color', 'blue'],
    ['code', 'ABC'],
    ['name', 'abc'],
    ['short', 'ab'],
    ['short', 'abcd'],
    ['blob', { any: 'thing' }],
    ['anything', 42],
  ])('%s = %j is fine', (field, value) => {
    expect(problems({ [field]: value })).toEqual([]);
  });

  it('a missing required field names its rule', () => {
    expect(issuesAgainst(compiled, 'test', { kind: 'ping' })).toEqual([{ field: 'n', message: 'is required: a number ≥ 1 and ≤ 10' }]);
  });

  it('a kind with additionalProperties takes any other field', () => {
    expect(issuesAgainst(compiled, 'test', { kind: 'pong', extra: 1, color: 'pink' })).toEqual([]);
    expect(issuesAgainst(compiled, 'test', { kind: 'pong', n: 0 })).toEqual([
      { field: 'n', message: 'must be a number ≥ 1 and ≤ 10, got 0' },
    ]);
  });

  it('an unknown kind: the fields of every kind are checked, the others named with their kinds', () => {
    expect(compiled.common.required).toEqual(['kind']);
    expect(Object.keys(compiled.common.fields).sort()).toEqual(['kind', 'n']);
    expect(compiled.kindsWithField.get('n')).toEqual(['ping', 'pong']);
    expect(issuesAgainst(compiled, 'test', { kind: 'pang', n: 0, color: 'red', extra: 1 })).toEqual([
      { field: 'color', message: 'is allowed only on ping' },
      { field: 'extra', message: 'is not a field of a test instruction' },
      { field: 'kind', message: 'must be one of ping, pong, got "pang"' },
      { field: 'n', message: 'must be a number ≥ 1 and ≤ 10, got 0' },
    ]);
  });

  it('compiles each pattern once, as a Unicode regular expression', () => {
    expect([...compiled.patterns.keys()].sort()).toEqual(['^[A-Z]+$', '^[a-z]+$']);
    expect(compiled.patterns.get('^[a-z]+$')?.unicode).toBe(true);
  });

  it('a single kind with no kind field at all', () => {
    const bare = compileRules({ kinds: { only: { required: ['x'], additionalProperties: false, fields: { x: { type: 'string' } } } } });
    expect(bare.common).toEqual({ required: ['x'], additionalProperties: false, fields: { x: { type: 'string' } } });
    expect(compileRules({ kinds: {} }).common).toEqual({ required: [], additionalProperties: false, fields: {} });
  });
});

describe('assertInstructions', () => {
  const fail = (value: unknown, options = {}) => {
    try {
      assertInstructions('segment', value, options);
    } catch (error) {
      expect(error).toBeInstanceOf(InstructionValidationError);
      return error as InstructionValidationError;
    }
    throw new Error('expected an InstructionValidationError');
  };

  it('a list of valid instructions passes', () => {
    expect(() => assertInstructions('segment', [add, add])).not.toThrow();
  });

  it('refuses what is not a list, and an empty list', () => {
    expect(fail({ 0: add }).issues).toEqual([{ field: 'instructions', message: 'must be an array, got object' }]);
    expect(fail([]).issues).toEqual([{ field: 'instructions', message: 'must hold at least one instruction' }]);
    expect(fail([]).message).toBe('Invalid input (1 problem):\n  - instructions must hold at least one instruction');
  });

  it('one error for the whole list, counting bad instructions, not issues', () => {
    const error = fail([add, { ...add, contextKey: '', targetType: 'x' }, add, null], { now: NOW });
    expect(error.message.split('\n')[0]).toBe('2 of 4 segment instruction(s) are invalid; nothing was sent (3 problems):');
    expect(error.issues.map((i) => [i.index, i.field])).toEqual([
      [1, 'contextKey'],
      [1, 'targetType'],
      [3, 'instruction'],
    ]);
  });

  it('measures "past" from one moment for the whole list, and honours allowPast', () => {
    expect(fail([{ ...add, value: NOW - 1 }], { now: NOW }).issues).toEqual([
      { index: 0, field: 'value', message: expect.stringMatching(/^is in the past/) },
    ]);
    expect(() => assertInstructions('segment', [{ ...add, value: 1 }], { allowPast: true })).not.toThrow();
    expect(fail([{ ...add, value: Date.now() - 60_000 }]).issues.map((i) => i.field)).toEqual(['value']);
  });
});

describe('keyIssues', () => {
  const names = ['projectKey', 'environmentKey', 'segmentKey'];

  it('passes keys that are non-empty strings', () => {
    expect(keyIssues({ projectKey: 'p', environmentKey: 'e', segmentKey: 's', extra: 1 }, names)).toEqual([]);
  });

  it('names every missing, blank, non-string or path-changing key', () => {
    expect(keyIssues({ projectKey: '.', environmentKey: '..', segmentKey: '  ' }, names)).toEqual([
      { field: 'projectKey', message: 'cannot be "."' },
      { field: 'environmentKey', message: 'cannot be ".."' },
      { field: 'segmentKey', message: 'must be a non-empty string, got "  "' },
    ]);
    expect(keyIssues({ projectKey: 3 }, names)).toEqual([
      { field: 'projectKey', message: 'must be a non-empty string, got 3' },
      { field: 'environmentKey', message: 'must be a non-empty string, got undefined' },
      { field: 'segmentKey', message: 'must be a non-empty string, got undefined' },
    ]);
    expect(keyIssues(null, names)).toHaveLength(3);
    expect(keyIssues('p', names)).toHaveLength(3);
    // "..." and ". " are ordinary keys: only exactly "." and ".." would move the path.
    expect(keyIssues({ projectKey: '...', environmentKey: '.a', segmentKey: 'a.' }, names)).toEqual([]);
  });
});

describe('kinds and target fields', () => {
  it('lists the kinds the document has, per resource', () => {
    expect(instructionKinds('segment')).toEqual(['addExpiringTarget', 'updateExpiringTarget', 'removeExpiringTarget']);
    expect(instructionKinds('flag')).toEqual(['addExpiringTarget', 'updateExpiringTarget', 'removeExpiringTarget']);
    expect(targetField('segment')).toBe('targetType');
    expect(targetField('flag')).toBe('variationId');
  });
});

describe('helpers: exact messages, sorted by field', () => {
  const issuesOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(InstructionValidationError);
      return (error as InstructionValidationError).issues;
    }
    throw new Error('expected an InstructionValidationError');
  };
  const loose = (helper: unknown) => helper as (input: Record<string, unknown>) => unknown;

  it('names what each helper does not take, and why', () => {
    expect(
      issuesOf(() =>
        loose(segmentInstructions.add)({
          contextKind: 'user',
          contextKey: 'a',
          targetType: 'included',
          expiresAt: T,
          kind: 'x',
          value: T,
          version: 1,
          zzz: 1,
        }),
      ),
    ).toEqual([
      { field: 'kind', message: 'is set by segmentInstructions.add' },
      { field: 'value', message: 'is not taken by the helpers; pass expiresAt' },
      { field: 'version', message: 'is allowed only on updateExpiringTarget' },
      { field: 'zzz', message: 'is not a field of a segment instruction' },
    ]);
    expect(
      issuesOf(() =>
        loose(flagInstructions.remove)({ contextKind: 'user', contextKey: 'a', variationId: 'v', expiresAt: T, allowPast: true }),
      ),
    ).toEqual([
      { field: 'allowPast', message: 'is not taken by flagInstructions.remove' },
      { field: 'expiresAt', message: 'is not taken by flagInstructions.remove' },
    ]);
  });

  it('sorts every issue by field, wherever it was found', () => {
    const issues = issuesOf(() =>
      loose(segmentInstructions.update)({ zeta: 1, targetType: 'x', contextKind: '', expiresAt: 'soon', alpha: 2 }),
    );
    expect(issues.map((i) => i.field)).toEqual(['alpha', 'contextKey', 'contextKind', 'expiresAt', 'targetType', 'zeta']);
  });

  it('refuses a past expiresAt unless allowPast, and then builds it', () => {
    expect(issuesOf(() => segmentInstructions.add({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: 1 }))).toEqual(
      [{ field: 'expiresAt', message: `is in the past (${new Date(1).toISOString()}); pass allowPast: true to schedule it anyway` }],
    );
    expect(
      segmentInstructions.add({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: 1, allowPast: true }).value,
    ).toBe(1);
  });
});

describe('describe (how a value is shown in a message)', () => {
  it.each<[unknown, string]>([
    [null, 'null'],
    [[1, 2], 'an array'],
    ['x', '"x"'],
    [3.5, '3.5'],
    [{ a: 1 }, 'object'],
    [undefined, 'undefined'],
    [true, 'boolean'],
    [Symbol('s'), 'symbol'],
  ])('%s is shown as %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });
});

describe('parseTime: edges', () => {
  it.each<[unknown, string]>([
    [new Date(Number.NaN), 'is an invalid Date'],
    [Number.NaN, 'is NaN'],
    [Number.POSITIVE_INFINITY, 'must be finite'],
    [Number.NEGATIVE_INFINITY, 'must be finite'],
    [1.5, 'must be whole milliseconds, got 1.5'],
    [-1, 'must not be before 1970-01-01, got -1'],
    [new Date(-1), 'must not be before 1970-01-01, got -1'],
    [8.64e15 + 1, 'is beyond the largest representable date, got 8640000000000001'],
    [null, 'must be a Date, an ISO-8601 string or Unix milliseconds, got null'],
    [{}, 'must be a Date, an ISO-8601 string or Unix milliseconds, got object'],
    ['2030-12-31T00:00:00', 'must be an ISO-8601 date or date-time with a zone (such as 2030-12-31T00:00:00Z), got "2030-12-31T00:00:00"'],
    ['2027-02-29', 'is not a real date: "2027-02-29"'],
    ['2026-00-10', 'is not a real date: "2026-00-10"'],
    ['2026-13-10', 'is not a real date: "2026-13-10"'],
    ['2026-04-00', 'is not a real date: "2026-04-00"'],
    ['2026-04-31', 'is not a real date: "2026-04-31"'],
    ['2026-04-30T24:00Z', 'is not a real date: "2026-04-30T24:00Z"'],
    ['2026-04-30T23:60Z', 'is not a real date: "2026-04-30T23:60Z"'],
    ['2026-04-30T23:59:60Z', 'is not a real date: "2026-04-30T23:59:60Z"'],
    ['2026-04-30T23:59+24:00', 'is not a real date: "2026-04-30T23:59+24:00"'],
    ['2026-04-30T23:59+23:60', 'is not a real date: "2026-04-30T23:59+23:60"'],
    ['1969-12-31T23:59:59Z', 'must not be before 1970-01-01, got -1000'],
  ])('%j: %s', (input, reason) => {
    expect(parseTime(input)).toEqual({ ok: false, reason });
  });

  it.each<[unknown, number]>([
    [new Date(T), T],
    [0, 0],
    [8.64e15, 8.64e15],
    ['2028-02-29', Date.UTC(2028, 1, 29)],
    ['2026-01-31T23:59:59Z', Date.UTC(2026, 0, 31, 23, 59, 59)],
    ['2026-12-31T00:00:00.5Z', Date.UTC(2026, 11, 31, 0, 0, 0, 500)],
    ['2026-12-31T00:00:00.05Z', Date.UTC(2026, 11, 31, 0, 0, 0, 50)],
    ['2026-12-31T00:00:00.123456789Z', Date.UTC(2026, 11, 31, 0, 0, 0, 123)],
    ['2026-12-31T23:59+23:59', Date.UTC(2026, 11, 31, 0, 0)],
    ['2026-12-31T00:00-23:59', Date.UTC(2026, 11, 31, 23, 59)],
    ['  2026-12-31  ', Date.UTC(2026, 11, 31)],
  ])('%j is %d', (input, ms) => {
    expect(parseTime(input)).toEqual({ ok: true, ms });
  });

  it('a year below 100 is that year, not 19xx (and so before 1970)', () => {
    expect(parseTime('0099-01-01')).toMatchObject({ ok: false, reason: expect.stringMatching(/^must not be before 1970-01-01/) });
  });
});
