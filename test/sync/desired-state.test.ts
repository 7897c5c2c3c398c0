import { describe, expect, it } from 'vitest';
import { DesiredStateError, type DesiredStateIssue, parseDesiredState } from '../../src/sync/index.js';

const VARIATION = '4254742c-71ae-411f-a992-43b18a51afe0';

/** The issues of a file, as "line:column message". */
function issuesOf(text: string, options: Parameters<typeof parseDesiredState>[1] = {}): string[] {
  try {
    parseDesiredState(text, options);
  } catch (error) {
    if (error instanceof DesiredStateError) return error.issues.map((i: DesiredStateIssue) => `${i.line}:${i.column} ${i.message}`);
    throw error;
  }
  return [];
}

/** A file with one segment list, `entries` being its YAML list items (indented 12 spaces). */
const segmentFile = (entries: string) => `projects:
  default:
    environments:
      production:
        segments:
          beta:
${entries}`;

describe('parseDesiredState', () => {
  it('reads projects, environments, segments and flags, with comments, flow entries and scalar aliases', () => {
    const state = parseDesiredState(`# The spring beta ends with the quarter.
projects:
  default:                     # project key
    environments:
      production:
        segments:
          beta:
            - contextKind: user
              contextKey: alice
              targetType: included
              expiresAt: &end 2031-03-31T23:59:59Z
            - { contextKind: user, contextKey: "0042", targetType: excluded, expiresAt: *end }
        flags:
          new-checkout:
            - contextKind: user
              contextKey: contractor-17
              variationId: ${VARIATION}
              expiresAt: 2031-09-30T17:00:00-07:00
      staging:
        flags:
          empty: []
`);
    expect(state.resources.map((r) => [r.resource, r.ref, r.source?.line, r.targets.length])).toEqual([
      ['segment', { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' }, 7, 2],
      ['flag', { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' }, 14, 1],
      ['flag', { projectKey: 'default', environmentKey: 'staging', flagKey: 'empty' }, 21, 0],
    ]);
    const [alice, key0042] = state.resources[0]?.targets ?? [];
    expect(alice).toMatchObject({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2031-03-31T23:59:59Z' });
    expect(alice?.source).toMatchObject({
      line: 8,
      column: 15,
      index: 0,
      fields: { contextKey: { line: 9, column: 27 }, expiresAt: { line: 11, column: 31 } },
    });
    expect(key0042).toMatchObject({ contextKey: '0042', expiresAt: '2031-03-31T23:59:59Z', source: { line: 12, index: 1 } });
    expect(state.resources[1]?.targets[0]).toMatchObject({ variationId: VARIATION, expiresAt: '2031-09-30T17:00:00-07:00' });
  });

  it('names the line and column of every problem, in file order, and reads nothing else', () => {
    const issues = issuesOf(
      segmentFile(`            - contextKind: user
              contextKey: 0123
              targetType: include
              expiresAt: 2031-12-31
            - contextKind: user
              contextKey: carol
              targetType: included
              expiresAt: 1924905600000
            - { contextKind: user, contextKey: dan, targetType: included, expiresAt: 2031-02-30T00:00:00Z }
            - { contextKind: user, contextKey: erin, targetType: included, expiresAt: +30d }
            - { contextKind: user, contextKey: fay, targetType: included, expiresAt: 2031-01-01T00:00:00 }
            - { contextKind: user, contextKey: gus, targetType: included, expirsAt: 2031-01-01T00:00:00Z }
            - { contextKind: "  ", contextKey: hal, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`),
    );
    expect(issues).toEqual([
      '8:27 contextKey must be a context key (not blank; quote keys that look like numbers), got a number (0123; quote it to keep it as text: "0123")',
      '9:27 targetType must be "included" or "excluded", got "include"',
      '10:26 expiresAt must be an ISO-8601 date-time with a zone, such as 2030-12-31T00:00:00Z or 2030-12-31T09:00:00+09:00, got "2031-12-31"',
      '14:26 expiresAt must be an ISO-8601 date-time with a zone, such as 2030-12-31T00:00:00Z or 2030-12-31T09:00:00+09:00, got a number (1924905600000)',
      '15:86 expiresAt is not a real date: "2031-02-30T00:00:00Z"',
      '16:87 expiresAt must be an ISO-8601 date-time with a zone, such as 2030-12-31T00:00:00Z or 2030-12-31T09:00:00+09:00, got "+30d"',
      '17:86 expiresAt must be an ISO-8601 date-time with a zone, such as 2030-12-31T00:00:00Z or 2030-12-31T09:00:00+09:00, got "2031-01-01T00:00:00"',
      '18:15 entry 6 is missing expiresAt',
      '18:75 unknown key "expirsAt" in entry 6; expected contextKind, contextKey, targetType, expiresAt',
      '19:30 contextKind must be a context kind, such as user (not blank), got "  "',
    ]);
  });

  it('a context named twice for one segment or flag is an error naming both lines', () => {
    const issues = issuesOf(`projects:
  p:
    environments:
      e:
        segments:
          beta:
            - { contextKind: user, contextKey: alice, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: bob, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: alice, targetType: excluded, expiresAt: 2031-02-01T00:00:00Z }
        flags:
          f:
            - { contextKind: user, contextKey: alice, variationId: a, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: alice, variationId: b, expiresAt: 2031-01-01T00:00:00Z }
      other:
        segments:
          beta:
            - { contextKind: user, contextKey: alice, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`);
    expect(issues).toEqual([
      '9:15 user:alice is named twice for segment beta (project p, environment e) (lines 7 and 9): LaunchDarkly schedules one removal per context',
      '13:15 user:alice is named twice for flag f (project p, environment e) (lines 12 and 13): LaunchDarkly schedules one removal per context',
    ]);
  });

  it('refuses times in the past unless allowPast, measured from `now`', () => {
    const file = segmentFile(
      '            - { contextKind: user, contextKey: old, targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n',
    );
    const later = Date.parse('2031-06-01T00:00:00Z');
    expect(issuesOf(file, { now: later })).toEqual([
      '7:86 expiresAt 2031-01-01T00:00:00.000Z is in the past for user:old: delete the entry, or accept past times (allowPast; --allow-past on the command line) to have LaunchDarkly remove the context at once',
    ]);
    expect(issuesOf(file, { now: later, allowPast: true })).toEqual([]);
  });

  it('reports YAML syntax errors, duplicate keys and several documents with their position', () => {
    expect(issuesOf('projects:\n  p:\n    environments: [\n')).toEqual([expect.stringMatching(/^4:1 /)]);
    expect(issuesOf('projects:\n  p:\n    environments:\n      e: {}\n  p:\n    environments:\n      e: {}\n')).toEqual([
      '5:3 the key "p" appears twice in this mapping',
    ]);
    expect(issuesOf('projects: {}\n---\nprojects: {}\n')).toEqual([
      '3:1 the file holds more than one YAML document (---); a desired-state file is one document',
    ]);
  });

  it('reports the shape of the file: its top, empty maps, wrong types, bad keys, aliased mappings', () => {
    expect(issuesOf('')).toEqual(['1:1 the file must be a mapping, got nothing']);
    expect(issuesOf('- a\n')).toEqual(['1:1 the file must be a mapping, got a list']);
    expect(issuesOf('project: {}\n')).toEqual([
      '1:1 unknown key "project" in the file; expected projects',
      '1:1 the file is missing projects',
    ]);
    expect(issuesOf('projects: {}\n')).toEqual(['1:11 projects must not be empty']);
    expect(
      issuesOf(`projects:
  p:
    environments:
      e:
        segment: {}
      ".":
        flags: {}
      f:
        flags:
          a: &list []
          b: *list
          c:
          123: []
`),
    ).toEqual([
      '5:9 unknown key "segment" in e; expected segments, flags',
      '6:7 key "." in environments must be a key: not blank, and not "." or ".."',
      '11:14 the alias *list refers to a mapping or list; only plain values may be aliased',
      '12:13 c must be a list, got nothing',
      '13:11 keys of flags must be text, got a number (123; quote it to keep it as text: "123")',
    ]);
  });

  it("reads YAML 1.2 core: yes/no/on are text, octal-looking keys are numbers, << is no merge key, tags are YAML's own", () => {
    const entry = (key: string, extra = '') =>
      `            - { contextKind: user, contextKey: ${key}, targetType: included, expiresAt: 2031-01-01T00:00:00Z${extra} }\n`;
    const state = parseDesiredState(segmentFile(entry('yes') + entry('on') + entry('No') + entry('!!str 0042') + entry('1_000')));
    expect(state.resources[0]?.targets.map((t) => t.contextKey)).toEqual(['yes', 'on', 'No', '0042', '1_000']);
    expect(issuesOf(segmentFile(entry('0o17') + entry('017') + entry('true')))).toEqual([
      '7:48 contextKey must be a context key (not blank; quote keys that look like numbers), got a number (0o17; quote it to keep it as text: "0o17")',
      '8:48 contextKey must be a context key (not blank; quote keys that look like numbers), got a number (017; quote it to keep it as text: "017")',
      '9:48 contextKey must be a context key (not blank; quote keys that look like numbers), got true or false (true; quote it to keep it as text: "true")',
    ]);
    expect(
      issuesOf(`projects:
  p:
    environments:
      e:
        segments:
          s:
            - &base { contextKind: user, contextKey: a, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { <<: *base, contextKey: b }
`),
    ).toEqual([
      '8:15 entry 2 is missing contextKind',
      '8:15 entry 2 is missing targetType',
      '8:15 entry 2 is missing expiresAt',
      '8:17 unknown key "<<" in entry 2; expected contextKind, contextKey, targetType, expiresAt',
    ]);
    expect(issuesOf(segmentFile(entry('!custom a')))).toEqual([
      '7:48 unknown tag "!custom"; only YAML\'s own tags (such as !!str) are read',
    ]);
    expect(issuesOf(segmentFile(entry('*nowhere')))).toEqual(['7:48 the alias *nowhere names no anchor before it']);
  });

  it('reads block and flow style alike, with the same positions for what they hold', () => {
    const block = parseDesiredState(`projects:
  p:
    environments:
      e:
        segments:
          s:
            - contextKind: user
              contextKey: "0042"
              targetType: included
              expiresAt: 2031-01-01T00:00:00Z
`);
    const flow = parseDesiredState(
      '{ projects: { p: { environments: { e: { segments: { s: [ { contextKind: user, contextKey: "0042", targetType: included, expiresAt: 2031-01-01T00:00:00Z } ] } } } } } }\n',
    );
    const [b, f] = [block.resources[0]?.targets[0], flow.resources[0]?.targets[0]];
    expect(b).toMatchObject({ contextKey: '0042', source: { line: 7, column: 15, index: 0 } });
    expect(b?.source?.fields).toEqual({
      contextKind: { line: 7, column: 28 },
      contextKey: { line: 8, column: 27 },
      targetType: { line: 9, column: 27 },
      expiresAt: { line: 10, column: 26 },
    });
    expect(f).toMatchObject({ contextKey: '0042', source: { line: 1, column: 58, index: 0 } });
    expect(JSON.parse(JSON.stringify(f?.source))).toMatchObject({ line: 1, column: 58, fields: { contextKey: { line: 1, column: 91 } } });
  });

  it('lists every issue in `issues` but at most 20 in the message', () => {
    const entries = Array.from(
      { length: 25 },
      (_, i) => `            - { contextKind: user, contextKey: u${i}, targetType: both, expiresAt: 2031-01-01T00:00:00Z }\n`,
    ).join('');
    const error = (() => {
      try {
        parseDesiredState(segmentFile(entries), { fileName: 'targets.yaml' });
      } catch (e) {
        return e as DesiredStateError;
      }
      throw new Error('expected an error');
    })();
    expect(error.issues).toHaveLength(25);
    expect(error.message.split('\n')[0]).toBe('25 problems in targets.yaml; nothing was sent:');
    expect(error.message).toContain('… and 5 more');
    expect(error.instructionsFate).toBe('notAttempted');
  });
});
