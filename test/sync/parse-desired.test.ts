// How the reader turns a checked tree into a desired state: what it leaves out under a bad key or
// a bad entry (so each problem is reported once), where each entry's fields are whatever their
// order, and the order and bound of the problems it reports.
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES } from '../../src/sync/bounds.js';
import { DesiredStateError, type DesiredStateIssue, parseDesiredState } from '../../src/sync/index.js';

const NOW = Date.parse('2030-06-01T00:00:00Z');
const GOOD = 'contextKind: user, contextKey: a, targetType: included, expiresAt: 2031-01-01T00:00:00Z';

function refusal(text: string, options: Parameters<typeof parseDesiredState>[1] = { now: NOW }): DesiredStateError {
  try {
    parseDesiredState(text, options);
  } catch (error) {
    if (error instanceof DesiredStateError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const where = (issues: readonly DesiredStateIssue[]) => issues.map((i) => `${i.line}:${i.column} ${JSON.stringify(i.path)} ${i.message}`);

describe('parseDesiredState', () => {
  it('names the file it was given, or "the desired-state file"', () => {
    expect(refusal('projects: 1\n').message).toMatch(/^1 problem in the desired-state file; nothing was sent:\n/);
    expect(refusal('projects: 1\n', { fileName: 'x.yaml' }).message).toMatch(/^1 problem in x\.yaml; /);
  });

  it('reports a bad project, environment or segment key once, and reads nothing under it', () => {
    const text = `projects:
  ".":
    environments:
      e:
        segments:
          s:
            - { ${GOOD} }
  p:
    environments:
      "..":
        segments:
          s:
            - { ${GOOD} }
      e:
        segments:
          " ":
            - { ${GOOD} }
        flags:
          f: x
          g: []
`;
    expect(where(refusal(text).issues)).toEqual([
      '2:3 ["projects","."] key "." in projects must be a key: not blank, and not "." or ".."',
      '10:7 ["projects","p","environments",".."] key ".." in environments must be a key: not blank, and not "." or ".."',
      '16:11 ["projects","p","environments","e","segments"," "] key " " in segments must be a key: not blank, and not "." or ".."',
      '19:14 ["projects","p","environments","e","flags","f"] f must be a list, got "x"',
    ]);
  });

  it('leaves out what the schema refused, so its problem is reported once', () => {
    const text = `projects:
  p:
    environments:
      e: []
      f:
        segment: { s: [] }
        flags: []
      g:
        segments:
          s:
            - x
            - { contextKind: user, contextKey: a, targetType: sideways, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: a, targetType: included, expiresAt: 2030-01-01T00:00:00Z }
`;
    expect(where(refusal(text).issues)).toEqual([
      '4:10 ["projects","p","environments","e"] e must be a mapping, got a list',
      '6:9 ["projects","p","environments","f","segment"] unknown key "segment" in f; expected segments, flags',
      '7:16 ["projects","p","environments","f","flags"] flags must be a mapping, got a list',
      '11:15 ["projects","p","environments","g","segments","s",0] entry 1 must be a mapping, got "x"',
      '12:63 ["projects","p","environments","g","segments","s",1,"targetType"] targetType must be "included" or "excluded", got "sideways"',
      // The index is the entry's place in the file, entries left out counted.
      '13:84 ["projects","p","environments","g","segments","s",2,"expiresAt"] expiresAt 2030-01-01T00:00:00.000Z is in the past for user:a: delete the entry, or accept past times (allowPast; --allow-past on the command line) to have LaunchDarkly remove the context at once',
    ]);
  });

  it('orders the problems by line, then column, those without a line first', () => {
    const text = `projects:
  p:
    environments:
      e:
        segments:
          s: [{ contextKind: user, contextKey: a, targetType: included, expiresAt: 2030-01-01T00:00:00Z }, { contextKind: user, contextKey: b, targetType: x, expiresAt: 2031-01-01T00:00:00Z }]
          t: []
`;
    expect(where(refusal(text, { now: NOW, maxResources: 2 }).issues)).toEqual([
      '6:84 ["projects","p","environments","e","segments","s",0,"expiresAt"] expiresAt 2030-01-01T00:00:00.000Z is in the past for user:a: delete the entry, or accept past times (allowPast; --allow-past on the command line) to have LaunchDarkly remove the context at once',
      '6:156 ["projects","p","environments","e","segments","s",1,"targetType"] targetType must be "included" or "excluded", got "x"',
    ]);
    expect(where(refusal(text, { now: NOW, maxResources: 1 }).issues)).toEqual([
      'undefined:undefined [] the desired state names 2 segments and flags, more than the limit of 1 (planning reads each): raise it with maxResources (--max-resources on the command line)',
      '6:156 ["projects","p","environments","e","segments","s",1,"targetType"] targetType must be "included" or "excluded", got "x"',
    ]);
  });

  it('finds each field of each entry, whatever the order of its fields', () => {
    const state = parseDesiredState(`projects:
  p:
    environments:
      e:
        segments:
          s:
            - { contextKind: user, contextKey: a, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { expiresAt: 2031-01-01T00:00:00Z, targetType: included, contextKey: b, contextKind: user }
            - { expiresAt: 2031-01-01T00:00:00Z, targetType: included, contextKey: c, contextKind: user }
            - { contextKind: user, contextKey: d, targetType: excluded, expiresAt: 2031-02-01T00:00:00Z }
`);
    const targets = state.resources[0]?.targets ?? [];
    expect(
      targets.map((t) => [t.contextKey, t.source?.index, t.source?.fields.contextKey?.column, t.source?.fields.expiresAt?.column]),
    ).toEqual([
      ['a', 0, 48, 84],
      ['b', 1, 84, 28],
      ['c', 2, 84, 28],
      ['d', 3, 48, 84],
    ]);
    expect(targets[3]).toEqual({
      contextKind: 'user',
      contextKey: 'd',
      targetType: 'excluded',
      expiresAt: '2031-02-01T00:00:00Z',
      source: expect.objectContaining({ line: 10, column: 15, index: 3 }),
    });
    // The fields are data only: no prototype to reach through.
    expect(Object.getPrototypeOf(targets[0]?.source?.fields)).toBeNull();
    expect(targets[0]?.source?.fields).toBe(targets[0]?.source?.fields);
    expect(JSON.parse(JSON.stringify(targets[1]?.source))).toEqual({
      line: 8,
      column: 15,
      index: 1,
      fields: {
        expiresAt: { line: 8, column: 28 },
        targetType: { line: 8, column: 62 },
        contextKey: { line: 8, column: 84 },
        contextKind: { line: 8, column: 100 },
      },
    });
  });

  it(`reports at most ${MAX_ISSUES} problems, of the shape and of the entries together`, () => {
    const entries = [
      ...Array.from(
        { length: 600 },
        (_, i) => `            - { contextKind: user, contextKey: a${i}, targetType: x, expiresAt: 2031-01-01T00:00:00Z }\n`,
      ),
      ...Array.from(
        { length: 600 },
        (_, i) => `            - { contextKind: user, contextKey: b${i}, targetType: included, expiresAt: 2030-01-01T00:00:00Z }\n`,
      ),
    ];
    const error = refusal(`projects:\n  p:\n    environments:\n      e:\n        segments:\n          s:\n${entries.join('')}`);
    expect(error.issues).toHaveLength(MAX_ISSUES);
    expect(error.issues.at(-1)?.path).toEqual(['projects', 'p', 'environments', 'e', 'segments', 's', 999, 'expiresAt']);
  });
});
