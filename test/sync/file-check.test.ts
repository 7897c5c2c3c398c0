// The schema check of a desired-state file's tree, alone: each message it words, where it points,
// and the bound on how many problems it collects.
import { describe, expect, it } from 'vitest';
import { MAX_ISSUES } from '../../src/sync/bounds.js';
import { type CheckContext, checkFile } from '../../src/sync/file-check.js';
import { parseSource } from '../../src/sync/yaml-source.js';

function check(text: string, ctx: Partial<CheckContext> = {}) {
  const parsed = parseSource(text);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return checkFile(parsed.tree, text, ctx);
}

/** The problems of a file, as "line:column path message". */
const problems = (text: string) => check(text).map((i) => `${i.line}:${i.column} ${JSON.stringify(i.path)} ${i.message}`);

const HEAD = 'projects:\n  p:\n    environments:\n      e:\n        segments:\n          s:\n';
const entry = (fields: string) => `            - { ${fields} }\n`;
const GOOD = 'contextKind: user, contextKey: a, targetType: included, expiresAt: 2031-01-01T00:00:00Z';

describe('checkFile', () => {
  it('accepts a valid file with nothing to say', () => {
    expect(problems(HEAD + entry(GOOD))).toEqual([]);
    expect(problems(`$schema: ./schema.json\n${HEAD}${entry(GOOD)}`)).toEqual([]);
  });

  it('names what it got: a mapping, a list, nothing, true or false, a number, with its text', () => {
    expect(problems('projects: []\n')).toEqual(['1:11 ["projects"] projects must be a mapping, got a list']);
    expect(problems('projects: {p: x}\n')).toEqual(['1:15 ["projects","p"] p must be a mapping, got "x"']);
    expect(problems('$schema: 1\nprojects: {p: {environments: {e: {}}}}\n')).toEqual([
      '1:10 ["$schema"] $schema must be a string, got a number (1; quote it to keep it as text: "1")',
      '2:34 ["projects","p","environments","e"] e must not be empty',
    ]);
    expect(problems(HEAD + entry('contextKind: [user], contextKey: ~, targetType: {a: 1}, expiresAt: true'))).toEqual([
      '7:30 ["projects","p","environments","e","segments","s",0,"contextKind"] contextKind must be a context kind, such as user (not blank), got a list',
      '7:50 ["projects","p","environments","e","segments","s",0,"contextKey"] contextKey must be a context key (not blank; quote keys that look like numbers), got nothing',
      '7:65 ["projects","p","environments","e","segments","s",0,"targetType"] targetType must be "included" or "excluded", got a mapping',
      '7:84 ["projects","p","environments","e","segments","s",0,"expiresAt"] expiresAt must be an ISO-8601 date-time with a zone, such as 2030-12-31T00:00:00Z or 2030-12-31T09:00:00+09:00, got true or false (true)',
    ]);
  });

  it('shows at most 60 characters of a value as written, and escapes quotes in the text it suggests', () => {
    const digits = '1'.repeat(70);
    expect(
      check(HEAD + entry(`contextKind: user, contextKey: ${digits}, targetType: included, expiresAt: 2031-01-01T00:00:00Z`))[0]?.message,
    ).toBe(
      `contextKey must be a context key (not blank; quote keys that look like numbers), got a number (${'1'.repeat(57)}…; quote it to keep it as text: "${'1'.repeat(57)}…")`,
    );
    const sixty = '2'.repeat(60);
    expect(
      check(HEAD + entry(`contextKind: user, contextKey: ${sixty}, targetType: included, expiresAt: 2031-01-01T00:00:00Z`))[0]?.message,
    ).toContain(`got a number (${sixty}; quote it to keep it as text: "${sixty}")`);
    expect(
      check(HEAD + entry(`contextKind: user, contextKey: !!int "12", targetType: included, expiresAt: 2031-01-01T00:00:00Z`))[0]?.message,
    ).toBe(
      'contextKey must be a context key (not blank; quote keys that look like numbers), got a number ("12"; quote it to keep it as text: "\\"12\\"")',
    );
    // A value that would not do as text either gets no advice.
    expect(check(HEAD + entry('contextKind: user, contextKey: a, targetType: 12, expiresAt: 2031-01-01T00:00:00Z'))[0]?.message).toBe(
      'targetType must be "included" or "excluded", got a number (12)',
    );
  });

  it('keys that are not text, or not a key, are named with what they are', () => {
    expect(problems('projects:\n  true: {environments: {e: {segments: {}}}}\n  ~: {}\n  [a]: {}\n  " ": {}\n')).toEqual([
      '2:3 ["projects","true"] keys of projects must be text, got true or false (true; quote it to keep it as text: "true")',
      '3:3 ["projects","null"] keys of projects must be text, got nothing',
      '4:3 ["projects","undefined"] keys of projects must be text, got a list',
      '5:3 ["projects"," "] key " " in projects must be a key: not blank, and not "." or ".."',
    ]);
  });

  it('unknown keys list the keys expected (not $schema), and missing keys are named at their mapping', () => {
    expect(problems('projects: {p: {environments: {e: {segments: {}}}}}\nextra: 1\n')).toEqual([
      '2:1 ["extra"] unknown key "extra" in the file; expected projects',
    ]);
    expect(problems('projects: {p: {}}\n')).toEqual(['1:15 ["projects","p"] p is missing environments']);
    expect(problems(HEAD + entry('contextKind: user'))).toEqual([
      '7:15 ["projects","p","environments","e","segments","s",0] entry 1 is missing contextKey',
      '7:15 ["projects","p","environments","e","segments","s",0] entry 1 is missing targetType',
      '7:15 ["projects","p","environments","e","segments","s",0] entry 1 is missing expiresAt',
    ]);
  });

  it('an alias of a mapping is refused by its name, a long name by its start', () => {
    const long = 'n'.repeat(41);
    expect(problems(`projects:\n  p: {environments: {e: &${long} {segments: {}}, f: *${long}}}\n`)).toEqual([
      `2:87 ["projects","p","environments","f"] the alias *"${'n'.repeat(40)}"… (41 characters) refers to a mapping or list; only plain values may be aliased`,
    ]);
    const forty = 'm'.repeat(40);
    expect(problems(`projects:\n  p: {environments: {e: &${forty} {segments: {}}, f: *${forty}}}\n`)[0]).toContain(
      `the alias *${forty} refers to a mapping or list`,
    );
    // An alias of a plain value is read as the value.
    expect(
      problems(`${HEAD}            - { contextKind: &k user, contextKey: *k, targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n`),
    ).toEqual([]);
  });

  it('marks the keys and values with problems for the reader, and only those', () => {
    const ctx: Partial<CheckContext> = { badKeys: new Set(), tainted: new Set() };
    const text = `projects:\n  p:\n    environments:\n      e:\n        segments:\n          s:\n${entry(GOOD)}${entry('contextKind: 1')}      " ":\n        flags: {}\n`;
    const issues = check(text, ctx);
    expect(issues).toHaveLength(5);
    expect(ctx.badKeys?.size).toBe(1);
    const parsed = parseSource(text);
    expect(parsed.ok).toBe(true);
    // The second entry's contextKind, the entry, its list, each of the 5 mappings above it and the
    // file; the first entry is clean.
    expect(ctx.tainted?.size).toBe(9);
  });

  it(`collects at most ${MAX_ISSUES} problems`, () => {
    const many = HEAD + Array.from({ length: 700 }, (_, i) => entry(`contextKind: ${i}, contextKey: ${i}`)).join('');
    expect(check(many)).toHaveLength(MAX_ISSUES);
    const exact =
      HEAD + Array.from({ length: 500 }, (_, i) => entry(`contextKind: ${i}, contextKey: k, targetType: included, expiresAt: 1`)).join('');
    expect(check(exact)).toHaveLength(1000);
    // Three problems an entry: the 334th starts at 999 and stops at the bound within the entry.
    const uneven = HEAD + Array.from({ length: 400 }, () => entry('contextKind: user')).join('');
    expect(check(uneven)).toHaveLength(MAX_ISSUES);
  });
});
