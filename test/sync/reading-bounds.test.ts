// The bounds on what a desired-state message quotes, and how an error lists its problems: each
// limit tested at its edge, where a value is exactly as long as the limit allows.
import { describe, expect, it } from 'vitest';
import { MESSAGE_CHARS, PATH_KEY_CHARS, QUOTED_CHARS, clip, quote, shortPath } from '../../src/sync/bounds.js';
import { DesiredStateError } from '../../src/sync/desired-state-error.js';

describe('the bounds of a message', () => {
  it('quote keeps a value of exactly QUOTED_CHARS whole and cuts one character more', () => {
    const exact = 'q'.repeat(QUOTED_CHARS);
    expect(quote(exact)).toBe(`"${exact}"`);
    expect(quote(`${exact}r`)).toBe(`"${exact}"… (41 characters)`);
    expect(quote('a"b')).toBe('"a\\"b"');
  });

  it('clip keeps a message of exactly MESSAGE_CHARS and cuts one character more', () => {
    const exact = 'm'.repeat(MESSAGE_CHARS);
    expect(clip(exact)).toBe(exact);
    expect(clip(`${exact}n`)).toBe(`${exact}… (cut)`);
  });

  it('shortPath cuts only text keys longer than PATH_KEY_CHARS', () => {
    const exact = 'k'.repeat(PATH_KEY_CHARS);
    expect(shortPath(['projects', exact, `${exact}x`, 7])).toEqual(['projects', exact, `${exact}…`, 7]);
  });
});

describe('DesiredStateError', () => {
  const issue = (n: number, line?: number) => ({ line, column: line === undefined ? undefined : 3, path: [], message: `problem ${n}` });

  it('says "problem" for one, and leaves the position out when there is none', () => {
    const error = new DesiredStateError([issue(1)], 'a.yaml');
    expect(error.message).toBe('1 problem in a.yaml; nothing was sent:\n  - problem 1');
    expect(error.name).toBe('DesiredStateError');
    expect(error.issues).toEqual([issue(1)]);
    expect(new DesiredStateError([issue(1, 4), issue(2, 5)]).message).toBe(
      '2 problems in the desired state; nothing was sent:\n  - line 4, column 3: problem 1\n  - line 5, column 3: problem 2',
    );
  });

  it('lists exactly 20 problems without a tail, and says how many more past 20', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => issue(i));
    const message = new DesiredStateError(twenty).message;
    expect(message.split('\n')).toHaveLength(21);
    expect(message).not.toContain('more');
    const more = new DesiredStateError([...twenty, issue(20), issue(21)]).message.split('\n');
    expect(more).toHaveLength(22);
    expect(more.at(-2)).toBe('  - problem 19');
    expect(more.at(-1)).toBe('  … and 2 more');
  });
});
