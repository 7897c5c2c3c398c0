// The pieces of JSON Schema the file checker implements, each against its own small schema: what
// loading refuses, how references resolve, and when a plain value matches.
import { describe, expect, it } from 'vitest';
import { FILE_SCHEMA, type SchemaNode, assertSupported, resolveSchema, valueMatches } from '../../src/sync/file-schema.js';

describe('assertSupported', () => {
  it('accepts the keywords it implements, nested in every place a schema may hold one', () => {
    expect(() => assertSupported(FILE_SCHEMA)).not.toThrow();
    expect(() =>
      assertSupported({ type: 'object', additionalProperties: false, propertyNames: { not: { enum: ['.'] } }, items: { type: 'array' } }),
    ).not.toThrow();
  });

  it('names where an unknown keyword, type or reference is, however deep', () => {
    expect(() => assertSupported({ definitions: { a: { properties: { b: { format: 'uri' } as SchemaNode } } } })).toThrow(
      '#/definitions/a/properties/b: the desired-state checker does not implement the keyword format',
    );
    expect(() => assertSupported({ items: { type: 'integer' as 'string' } })).toThrow(
      '#/items: the desired-state checker does not implement type integer',
    );
    expect(() => assertSupported({ not: { $ref: 'other.json#/definitions/a' } })).toThrow(
      '#/not: only local #/definitions/ references are implemented',
    );
    expect(() => assertSupported({ additionalProperties: { $ref: '#/definitions/a/b' } })).toThrow(
      '#/additionalProperties: only local #/definitions/ references are implemented',
    );
    expect(() => assertSupported({ propertyNames: { $ref: '#/definitions/key' } }, 'x')).not.toThrow();
    expect(() => assertSupported({ propertyNames: { $ref: 'x#/definitions/key' } }, 'x')).toThrow(
      'x/propertyNames: only local #/definitions/ references are implemented',
    );
    expect(() => assertSupported({ constructor: 1 } as unknown as SchemaNode)).toThrow('the keyword constructor');
  });
});

describe('resolveSchema', () => {
  const root: SchemaNode = { definitions: { a: { $ref: '#/definitions/b' }, b: { type: 'string', minLength: 2 } } };

  it('follows references through definitions, and refuses one to nothing', () => {
    expect(resolveSchema({ $ref: '#/definitions/a' }, root)).toEqual({ type: 'string', minLength: 2 });
    const plain: SchemaNode = { type: 'object' };
    expect(resolveSchema(plain, root)).toBe(plain);
    expect(() => resolveSchema({ $ref: '#/definitions/c' }, root)).toThrow(
      'the desired-state schema refers to #/definitions/c, which it does not define',
    );
    expect(() => resolveSchema({ $ref: '#/definitions/a' }, {})).toThrow('refers to #/definitions/a');
  });
});

describe('valueMatches', () => {
  it('minLength counts code points, not UTF-16 units', () => {
    const s: SchemaNode = { type: 'string', minLength: 2 };
    expect(valueMatches('ab', s)).toBe(true);
    expect(valueMatches('a', s)).toBe(false);
    expect(valueMatches('', s)).toBe(false);
    expect(valueMatches('😀', s)).toBe(false);
    expect(valueMatches('😀😀', s)).toBe(true);
    expect(valueMatches('a😀', s)).toBe(true);
    expect(valueMatches('x'.repeat(10_000), s)).toBe(true);
    expect(valueMatches('abc', { minLength: 3 })).toBe(true);
    expect(valueMatches('ab', { minLength: 3 })).toBe(false);
    expect(valueMatches('😀😀', { minLength: 3 })).toBe(false);
  });

  it('checks type, enum, pattern and not, each alone', () => {
    expect(valueMatches(1, { type: 'string' })).toBe(false);
    expect(valueMatches('1', { type: 'string' })).toBe(true);
    expect(valueMatches('1', { type: 'object' })).toBe(false);
    expect(valueMatches(1, { enum: [1, 2] })).toBe(true);
    expect(valueMatches('1', { enum: [1, 2] })).toBe(false);
    expect(valueMatches('x1', { pattern: '^x\\d$' })).toBe(true);
    expect(valueMatches('x12', { pattern: '^x\\d$' })).toBe(false);
    expect(valueMatches(12, { pattern: '^x\\d$' })).toBe(true);
    expect(valueMatches('😀', { pattern: '^.$' })).toBe(true);
    expect(valueMatches('.', { not: { enum: ['.', '..'] } })).toBe(false);
    expect(valueMatches('...', { not: { enum: ['.', '..'] } })).toBe(true);
    expect(valueMatches('a', {})).toBe(true);
  });

  it('reads references against the root it is given', () => {
    const root: SchemaNode = { definitions: { short: { type: 'string', pattern: '^.{1,3}$' } } };
    expect(valueMatches('abc', { $ref: '#/definitions/short' }, root)).toBe(true);
    expect(valueMatches('abcd', { $ref: '#/definitions/short' }, root)).toBe(false);
    expect(valueMatches('abcd', { not: { $ref: '#/definitions/short' } }, root)).toBe(true);
    expect(valueMatches('.', { $ref: '#/definitions/key' })).toBe(false);
    expect(valueMatches('k', { $ref: '#/definitions/key' })).toBe(true);
  });
});
