// A desired state built in code is checked as a file is: what it must hold, and the words of each
// problem, with the path of the file it would be (no line: it has none).
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES } from '../../src/sync/bounds.js';
import { compileDesiredState, describeResource, resourcePath } from '../../src/sync/compile-desired.js';
import { type DesiredState, desiredStateIssues } from '../../src/sync/index.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const ref = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const flagRef = { projectKey: 'p', environmentKey: 'e', flagKey: 'f' };
const entry = (fields: object = {}) => ({
  contextKind: 'user',
  contextKey: 'a',
  targetType: 'included',
  expiresAt: '2031-01-01T00:00:00Z',
  ...fields,
});
const SEGMENT_PATH = ['projects', 'p', 'environments', 'e', 'segments', 's'];

/** The issues of a state, as [path, message] (with line and column checked to be absent unless given). */
function issues(state: unknown, options: Parameters<typeof desiredStateIssues>[1] = { now: NOW }): [unknown[], string][] {
  return desiredStateIssues(state as DesiredState, options).map((i) => [i.path, i.message]);
}

describe('desiredStateIssues', () => {
  it('a state must hold a list of resources', () => {
    for (const state of [null, {}, { resources: 'x' }])
      expect(desiredStateIssues(state as unknown as DesiredState)).toEqual([
        { line: undefined, column: undefined, path: ['resources'], message: 'resources must be a list' },
      ]);
    expect(desiredStateIssues({ resources: [] })).toEqual([]);
  });

  it('each resource must be a segment or a flag, with keys that can name one', () => {
    expect(issues({ resources: [null, 5, { resource: 'thing' }] })).toEqual([
      [[], 'resource must be "segment" or "flag", got undefined'],
      [[], 'resource must be "segment" or "flag", got undefined'],
      [[], 'resource must be "segment" or "flag", got "thing"'],
    ]);
    const badRef = { projectKey: '', environmentKey: '.', segmentKey: 3 };
    expect(issues({ resources: [{ resource: 'segment', ref: badRef, targets: [] }] })).toEqual([
      [['projects', '', 'environments', '.', 'segments', 3], 'projectKey must be a non-empty string, got ""'],
      [['projects', '', 'environments', '.', 'segments', 3], 'environmentKey cannot be "."'],
      [['projects', '', 'environments', '.', 'segments', 3], 'segmentKey must be a non-empty string, got 3'],
    ]);
    expect(issues({ resources: [{ resource: 'segment', ref, targets: 'x' }] })).toEqual([
      [SEGMENT_PATH, 'the targets of segment s (project p, environment e) must be a list'],
    ]);
  });

  it('a resource listed twice is refused at the second, naming the first line when it has one', () => {
    const at = (line: number) => ({ line, column: 1 });
    expect(
      desiredStateIssues({
        resources: [
          { resource: 'segment', ref, targets: [] },
          { resource: 'segment', ref, targets: [], source: at(3) },
        ],
      }),
    ).toEqual([{ line: 3, column: 1, path: SEGMENT_PATH, message: 'segment s (project p, environment e) is listed twice' }]);
    expect(
      issues({
        resources: [
          { resource: 'segment', ref, targets: [], source: at(2) },
          { resource: 'segment', ref, targets: [] },
          { resource: 'flag', ref: flagRef, targets: [] },
          { resource: 'segment', ref: { ...ref, segmentKey: 't' }, targets: [] },
        ],
      }),
    ).toEqual([[SEGMENT_PATH, 'segment s (project p, environment e) is listed twice (first at line 2)']]);
  });

  it('each entry is checked as patch checks it, its problems in field order at its index', () => {
    const targets = [null, 7, entry({ expiresAt: 'soon', contextKind: '' }), entry({ expiresAt: 0 }), entry({ targetType: 'both' })];
    expect(issues({ resources: [{ resource: 'segment', ref, targets }] })).toEqual([
      [[...SEGMENT_PATH, 0, 'entry'], 'entry must be an object, got null'],
      [[...SEGMENT_PATH, 1, 'entry'], 'entry must be an object, got 7'],
      [[...SEGMENT_PATH, 2, 'contextKind'], 'contextKind must be a non-empty string, got ""'],
      [
        [...SEGMENT_PATH, 2, 'expiresAt'],
        'expiresAt must be an ISO-8601 date or date-time with a zone (such as 2030-12-31T00:00:00Z), got "soon"',
      ],
      [
        [...SEGMENT_PATH, 3, 'expiresAt'],
        'expiresAt 1970-01-01T00:00:00.000Z is in the past for user:a: delete the entry, or accept past times (allowPast; --allow-past on the command line) to have LaunchDarkly remove the context at once',
      ],
      [[...SEGMENT_PATH, 4, 'targetType'], 'targetType must be "included" or "excluded", got "both"'],
    ]);
  });

  it('a time exactly now is not past; a millisecond before is, unless allowPast', () => {
    const state = (ms: number) => ({ resources: [{ resource: 'segment', ref, targets: [entry({ expiresAt: ms })] }] });
    expect(issues(state(NOW))).toEqual([]);
    expect(issues(state(NOW - 1))).toHaveLength(1);
    expect(issues(state(NOW - 1), { now: NOW, allowPast: true })).toEqual([]);
    expect(issues(state(NOW - 1), { now: NOW, allowPast: false })).toHaveLength(1);
  });

  it('a context named twice for one flag is refused at the second; lines are named only when both have one', () => {
    const targets = [
      { contextKind: 'user', contextKey: 'a', variationId: 'v', expiresAt: new Date('2031-01-01T00:00:00Z') },
      { contextKind: 'user', contextKey: 'a', variationId: 'w', expiresAt: 1924992000000 },
      { contextKind: 'device', contextKey: 'a', variationId: 'w', expiresAt: 1924992000000 },
    ];
    expect(issues({ resources: [{ resource: 'flag', ref: flagRef, targets }] })).toEqual([
      [
        ['projects', 'p', 'environments', 'e', 'flags', 'f', 1],
        'user:a is named twice for flag f (project p, environment e): LaunchDarkly schedules one removal per context',
      ],
    ]);
    const source = (line: number, index: number) => ({ line, column: 3, index, fields: {} });
    const half = [{ ...targets[0], source: source(4, 0) }, targets[1]];
    expect(issues({ resources: [{ resource: 'flag', ref: flagRef, targets: half }] })[0]?.[1]).toBe(
      'user:a is named twice for flag f (project p, environment e): LaunchDarkly schedules one removal per context',
    );
    const both = [
      { ...targets[0], source: source(4, 0) },
      { ...targets[1], source: source(9, 5) },
    ];
    expect(desiredStateIssues({ resources: [{ resource: 'flag', ref: flagRef, targets: both }] } as DesiredState, { now: NOW })).toEqual([
      {
        line: 9,
        column: 3,
        path: ['projects', 'p', 'environments', 'e', 'flags', 'f', 5],
        message:
          'user:a is named twice for flag f (project p, environment e) (lines 4 and 9): LaunchDarkly schedules one removal per context',
      },
    ]);
  });

  it('long keys are shown by their start in messages, and kept whole in paths', () => {
    const project = 'p'.repeat(41);
    const state = {
      resources: [
        {
          resource: 'segment',
          ref: { ...ref, projectKey: project },
          targets: [entry({ contextKey: 'k'.repeat(41), expiresAt: '2000-01-01T00:00:00Z' })],
        },
      ],
    };
    expect(issues(state)).toEqual([
      [
        ['projects', project, 'environments', 'e', 'segments', 's', 0, 'expiresAt'],
        `expiresAt 2000-01-01T00:00:00.000Z is in the past for user:"${'k'.repeat(40)}"… (41 characters): delete the entry, or accept past times (allowPast; --allow-past on the command line) to have LaunchDarkly remove the context at once`,
      ],
    ]);
    expect(describeResource({ resource: 'flag', ref: { projectKey: project, environmentKey: 'e'.repeat(40), flagKey: 'f' } })).toBe(
      `flag f (project "${'p'.repeat(40)}"… (41 characters), environment ${'e'.repeat(40)})`,
    );
    expect(resourcePath({ resource: 'flag', ref: flagRef })).toEqual(['projects', 'p', 'environments', 'e', 'flags', 'f']);
  });

  it(`stops at ${MAX_ISSUES} problems, across entries and resources`, () => {
    const bad = Array.from({ length: 700 }, (_, i) => entry({ contextKey: `c${i}`, targetType: 'both' }));
    const state = {
      resources: [
        { resource: 'segment', ref, targets: bad },
        { resource: 'segment', ref: { ...ref, segmentKey: 't' }, targets: bad },
        { resource: 'segment', ref: { ...ref, segmentKey: 'u' }, targets: bad },
      ],
    };
    const found = issues(state);
    expect(found).toHaveLength(MAX_ISSUES);
    expect(found.at(-1)?.[0]).toEqual(['projects', 'p', 'environments', 'e', 'segments', 't', 299, 'targetType']);
    const twice = Array.from({ length: 1001 }, () => ({ resource: 'segment', ref: { ...ref, segmentKey: 's' }, targets: [] }));
    expect(issues({ resources: twice }, { now: NOW, maxResources: 1001 })).toHaveLength(MAX_ISSUES);
  });
});

describe('compileDesiredState', () => {
  it('compiles each entry to its add instruction, and keeps nothing when only the problems are wanted', () => {
    const desired = { resources: [{ resource: 'segment' as const, ref, targets: [entry()] }] } as DesiredState;
    expect(compileDesiredState(desired, { now: NOW })).toEqual({
      issues: [],
      resources: [
        {
          desired: desired.resources[0],
          targets: [
            {
              add: { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'included', value: 1924992000000 },
              source: undefined,
            },
          ],
        },
      ],
    });
    expect(compileDesiredState(desired, { now: NOW }, false)).toEqual({ issues: [], resources: [] });
  });

  it('a resource of an unknown kind that has a ref is reported, not a TypeError', () => {
    const desired = { resources: [{ resource: 'project', ref, targets: [] }] } as unknown as DesiredState;
    expect(compileDesiredState(desired, { now: NOW }).issues).toEqual([
      { line: undefined, column: undefined, path: [], message: 'resource must be "segment" or "flag", got "project"' },
    ]);
  });

  it('refuses more resources than maxResources, and a maxResources that is not a positive integer', () => {
    const resources = [
      { resource: 'segment' as const, ref, targets: [] },
      { resource: 'segment' as const, ref: { ...ref, segmentKey: 't' }, targets: [] },
    ];
    expect(compileDesiredState({ resources }, { maxResources: 2 }).issues).toEqual([]);
    expect(compileDesiredState({ resources }, { maxResources: 1 }).issues).toEqual([
      {
        line: undefined,
        column: undefined,
        path: [],
        message:
          'the desired state names 2 segments and flags, more than the limit of 1 (planning reads each): raise it with maxResources (--max-resources on the command line)',
      },
    ]);
    expect(() => compileDesiredState({ resources }, { maxResources: 1.5 })).toThrow('maxResources must be a positive integer, got 1.5');
  });
});
