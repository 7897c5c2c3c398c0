// The tree a desired-state file is read into (before any schema check): values as YAML 1.2's core
// schema reads them, the offsets a message points at, the tags, aliases and keys refused.
import { describe, expect, it } from 'vitest';
import { type SourceNode, type SourceTree, keyAt, valueAt } from '../../src/sync/source-tree.js';
import { parseSource } from '../../src/sync/yaml-source.js';

/** A node as plain data: `[value, start, end]` for a plain value, the kind and start for the rest. */
function show(tree: SourceTree, node: SourceNode): unknown {
  if (typeof node === 'number') return [tree.value(node), tree.start(node), tree.end(node)];
  if (node.kind === 'alias') return [`*${node.name}`, node.start, node.end, show(tree, node.target)];
  if (node.kind === 'seq') return ['seq', node.start, node.items.map((i) => show(tree, i))];
  return ['map', node.start, Array.from({ length: node.size }, (_, i) => [show(tree, keyAt(node, i)), show(tree, valueAt(node, i))])];
}

function tree(text: string): unknown {
  const parsed = parseSource(text);
  if (!parsed.ok) throw new Error(`${JSON.stringify(text)}: ${parsed.problem.message}`);
  return parsed.tree.root === null ? null : show(parsed.tree, parsed.tree.root);
}

function problem(text: string): unknown {
  const parsed = parseSource(text);
  return parsed.ok ? 'read' : parsed.problem;
}

describe('parseSource', () => {
  it('reads tagged, quoted and empty values with the offsets the file shows them at', () => {
    expect(tree('a: ! 0042\nb: !<tag:yaml.org,2002:str> 12\nc: !!int 0x1f\nd: \'q\'\ne: "w"\nf:\ng   :\n? h\n')).toEqual([
      'map',
      0,
      [
        [
          ['a', 0, 1],
          ['0042', 5, 9],
        ],
        [
          ['b', 10, 11],
          ['12', 38, 40],
        ],
        [
          ['c', 41, 42],
          [31, 50, 54],
        ],
        [
          ['d', 55, 56],
          ['q', 58, 61],
        ],
        [
          ['e', 62, 63],
          ['w', 65, 68],
        ],
        [
          ['f', 69, 70],
          [null, 71, 71],
        ],
        [
          ['g', 72, 73],
          [null, 77, 77],
        ],
        [
          ['h', 80, 81],
          [null, 81, 81],
        ],
      ],
    ]);
    expect(tree('!!map {a: 1}')).toEqual([
      'map',
      6,
      [
        [
          ['a', 7, 8],
          [1, 10, 11],
        ],
      ],
    ]);
    expect(tree('! [1]')).toEqual(['seq', 2, [[1, 3, 4]]]);
    expect(tree('!!seq [yes, 1_000, 0o17, ~, true, 1.5]')).toEqual([
      'seq',
      6,
      [
        ['yes', 7, 10],
        ['1_000', 12, 17],
        [15, 19, 23],
        [null, 25, 26],
        [true, 28, 32],
        [1.5, 34, 37],
      ],
    ]);
  });

  it('reads an alias as the value its anchor names, at the alias', () => {
    expect(tree('a: &x 1\nb: *x\n')).toEqual([
      'map',
      0,
      [
        [
          ['a', 0, 1],
          [1, 6, 7],
        ],
        [
          ['b', 8, 9],
          ['*x', 11, 13, [1, 6, 7]],
        ],
      ],
    ]);
    expect(problem('a: *x\n')).toEqual({ offset: 3, message: 'the alias *x names no anchor before it' });
  });

  it('places an empty value after an alias used as a key just after its colon', () => {
    expect(tree('m: {&a k: 1}\nn: {*a : }\n')).toEqual([
      'map',
      0,
      [
        [
          ['m', 0, 1],
          [
            'map',
            3,
            [
              [
                ['k', 7, 8],
                [1, 10, 11],
              ],
            ],
          ],
        ],
        [
          ['n', 13, 14],
          [
            'map',
            16,
            [
              [
                ['*a', 17, 19, ['k', 7, 8]],
                [null, 21, 21],
              ],
            ],
          ],
        ],
      ],
    ]);
  });

  it('refuses tags that are not YAML core tags of the right kind, at the tag', () => {
    expect(problem('!!seq {}')).toEqual({ offset: 0, message: 'the tag "tag:yaml.org,2002:seq" is not one of a mapping' });
    expect(problem('!!map []')).toEqual({ offset: 0, message: 'the tag "tag:yaml.org,2002:map" is not one of a list' });
    expect(problem('a: !!str {}')).toEqual({ offset: 3, message: 'the tag "tag:yaml.org,2002:str" is not one of a mapping' });
    expect(problem('!!binary x')).toEqual({ offset: 0, message: 'the tag "tag:yaml.org,2002:binary" is not one of a plain value' });
    expect(problem('!<x> 1')).toEqual({ offset: 0, message: 'the tag "x" is not one of a plain value' });
    expect(problem('a: !!int abc')).toEqual({ offset: 9, message: '"abc" cannot be read as "tag:yaml.org,2002:int"' });
    expect(problem('a: !custom 1')).toEqual({
      offset: 3,
      message: 'unknown tag "!custom"; only YAML\'s own tags (such as !!str) are read',
    });
  });

  it('an empty file or one of comments has no root; a written null keeps its place', () => {
    expect(tree('')).toBeNull();
    expect(tree('# c\n')).toBeNull();
    expect(tree('---\n')).toBeNull();
    expect(tree('\n\n~\n')).toEqual([null, 2, 3]);
    expect(tree('!!str\n')).toEqual(['', 0, 0]);
  });

  it('refuses a second document at its first value, or at the end when it has none', () => {
    const second = 'the file holds more than one YAML document (---); a desired-state file is one document';
    expect(problem('x: 1\n---\ny: 2\n')).toEqual({ offset: 9, message: second });
    expect(problem('--- a\n--- b\n')).toEqual({ offset: 10, message: second });
    expect(problem('a\n--- &x\n')).toEqual({ offset: 7, message: second });
    expect(problem('a\n--- !!str\n')).toEqual({ offset: 12, message: second });
    expect(problem('a: 1\n---\n')).toEqual({ offset: 9, message: second });
  });

  it('refuses syntax errors and nesting 100 deep, at their offset', () => {
    expect(problem(`${'['.repeat(100)}${']'.repeat(100)}`)).toEqual({ offset: 99, message: 'nesting exceeded maxDepth (100)' });
    expect((tree(`${'['.repeat(99)}${']'.repeat(99)}`) as unknown[]).slice(0, 2)).toEqual(['seq', 0]);
    expect(problem('a: [1\n')).toMatchObject({ offset: 6 });
  });

  it('refuses a key repeated in one mapping, small or large, and only within that mapping', () => {
    expect(problem('a: 1\na: 2')).toEqual({ offset: 5, message: 'the key "a" appears twice in this mapping' });
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}: ${i}`);
    expect(tree(keys.join('\n'))).toMatchObject(['map', 0, { length: 40 }]);
    const repeated = [...keys, 'k3: again'].join('\n');
    expect(problem(repeated)).toEqual({ offset: repeated.lastIndexOf('k3'), message: 'the key "k3" appears twice in this mapping' });
    expect(problem([...keys.slice(0, 16), 'k15: again'].join('\n'))).toMatchObject({
      message: 'the key "k15" appears twice in this mapping',
    });
    expect(problem([...keys.slice(0, 17), 'k16: again'].join('\n'))).toMatchObject({
      message: 'the key "k16" appears twice in this mapping',
    });
    // The same keys in a nested mapping, small and large, are other keys; so are 1 and "1".
    const nested = (n: number) => `${keys.slice(0, n).join('\n')}\ninner:\n${keys.map((k) => `  ${k}`).join('\n')}\n`;
    expect(tree(nested(3))).toMatchObject(['map', 0, { length: 4 }]);
    expect(tree(nested(20))).toMatchObject(['map', 0, { length: 21 }]);
    expect(tree(`${keys.slice(0, 20).join('\n')}\ninner: {k1: 1, k2: 2}\n`)).toMatchObject(['map', 0, { length: 21 }]);
    expect(tree('{a: 1, "1": 2, 1: 3}')).toMatchObject(['map', 0, { length: 3 }]);
    expect(tree(`{${keys.slice(0, 20).join(', ')}, "1": 2, 1: 3}`)).toMatchObject(['map', 0, { length: 22 }]);
    // Keys that are mappings are not compared (the schema refuses them).
    expect(tree('{[a]: 1, [a]: 2}')).toMatchObject(['map', 0, { length: 2 }]);
  });

  it('keeps every value of a file of more plain values than one chunk of its table', () => {
    const n = 5000;
    const text = `[${Array.from({ length: n }, (_, i) => `v${i}`).join(', ')}]`;
    const parsed = parseSource(text);
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const root = parsed.tree.root as { items: SourceNode[] };
    expect(root.items.map((i) => parsed.tree.value(i))).toEqual(Array.from({ length: n }, (_, i) => `v${i}`));
    expect(parsed.tree.start(root.items[4999] as SourceNode)).toBe(text.lastIndexOf('v4999'));
    expect(parsed.tree.end(root.items[4999] as SourceNode)).toBe(text.length - 1);
  });
});
