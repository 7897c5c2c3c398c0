// The reading modules check things when they load (the shipped schema uses only the keywords the
// checker implements; the YAML resolvers are sorted by first character). Imported inside a test,
// so that a module that cannot load fails a test rather than a whole file before any test runs.
import { describe, expect, it } from 'vitest';

describe('the reading modules load', () => {
  it('file-schema.ts: the shipped schema passes the checker it loads with', async () => {
    const { FILE_SCHEMA, assertSupported } = await import('../../src/sync/file-schema.js');
    expect(FILE_SCHEMA.definitions?.segmentTarget?.required).toEqual(['contextKind', 'contextKey', 'targetType', 'expiresAt']);
    expect(() => assertSupported(FILE_SCHEMA)).not.toThrow();
  });

  it('yaml-source.ts: plain values resolve by their first character', async () => {
    const { parseSource } = await import('../../src/sync/yaml-source.js');
    const parsed = parseSource('[a, 1, 0x1f, -2.5, .inf, true, ~, null, "q"]');
    expect(parsed.ok && parsed.tree.root !== null && typeof parsed.tree.root === 'object' && parsed.tree.root.kind === 'seq').toBe(true);
    if (!parsed.ok || parsed.tree.root === null || typeof parsed.tree.root !== 'object' || parsed.tree.root.kind !== 'seq') return;
    const { tree } = parsed;
    expect(parsed.tree.root.items.map((i) => tree.value(i))).toEqual(['a', 1, 31, -2.5, Number.POSITIVE_INFINITY, true, null, null, 'q']);
    // A tag names a plain value's type only: a mapping's tag is refused on a plain value.
    expect(parseSource('a: !!map x')).toMatchObject({
      ok: false,
      problem: { message: 'the tag "tag:yaml.org,2002:map" is not one of a plain value' },
    });
  });
});
