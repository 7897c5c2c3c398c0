/**
 * The shipped JSON Schema is the one statement of the file's shape: the checker that reads it
 * must agree with a full validator, and the entry fields it describes must agree with the
 * instruction rules generated from LaunchDarkly's document.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import { parseDesiredState } from '../../src/sync/desired-state.js';
import { checkFile } from '../../src/sync/file-check.js';
import { FILE_SCHEMA, type SchemaNode, assertSupported } from '../../src/sync/file-schema.js';
import { parseSource } from '../../src/sync/yaml-source.js';
import { projectRoot } from '../support/project.js';

const SCHEMA_FILE = path.join(projectRoot, 'schemas', 'expiring-targets.schema.json');

const VALID = {
  $schema: './node_modules/ld-expiring-targets/schemas/expiring-targets.schema.json',
  projects: {
    default: {
      environments: {
        production: {
          segments: {
            beta: [{ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2031-01-01T00:00:00Z' }],
            empty: [],
          },
          flags: {
            checkout: [{ contextKind: 'user', contextKey: 'bob', variationId: 'v1', expiresAt: '2031-01-01T09:30:00.123+09:00' }],
          },
        },
      },
    },
  },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const REPLACEMENTS: Json[] = [
  null,
  1,
  true,
  '',
  ' ',
  '.',
  '..',
  'x',
  'included',
  'excluded',
  '2031-01-01T00:00:00Z',
  '2031-01-01',
  '2031-01-01T00:00:00',
  '2031-01-01t00:00:00z',
  '2031-01-01T00:00+0530',
  [],
  [{}],
  {},
  { a: 1 },
];
// Inherited names included: the checker must treat them as keys like any other.
const KEYS = ['zzz', '.', '..', ' ', 'segments', 'flags', 'contextKind', 'environments', 'constructor', '__proto__', 'toString'];

/** Every document one edit away from VALID: each value replaced, each key removed, renamed, or added. */
function mutations(): Json[] {
  const out: Json[] = [];
  const visit = (node: Json, rebuild: (replacement: Json | undefined) => Json) => {
    for (const r of REPLACEMENTS) out.push(rebuild(r));
    if (Array.isArray(node)) {
      node.forEach((item, i) =>
        visit(item, (r) => rebuild(r === undefined ? node.filter((_, j) => j !== i) : node.map((x, j) => (j === i ? r : x)))),
      );
      out.push(rebuild([...node, node[0] ?? {}]));
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        const { [key]: value, ...rest } = node;
        out.push(rebuild(rest));
        for (const k of KEYS) out.push(rebuild({ ...rest, [k]: value as Json }));
        visit(value as Json, (r) => rebuild(r === undefined ? rest : { ...node, [key]: r }));
      }
      for (const k of KEYS) if (!(k in node)) out.push(rebuild({ ...node, [k]: [] }), rebuild({ ...node, [k]: 'x' }));
    }
  };
  visit(VALID as Json, (r) => r ?? null);
  return out;
}

describe('the desired-state JSON Schema', () => {
  it('is the file the package ships', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(FILE_SCHEMA);
  });

  it('is a valid draft-07 schema', () => {
    const ajv = new Ajv({ strict: true });
    expect(ajv.validateSchema(FILE_SCHEMA as object)).toBe(true);
  });

  it('the checker and a full validator agree on every document one edit away from a valid one', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(FILE_SCHEMA as object);
    const documents = mutations();
    expect(documents.length).toBeGreaterThan(500);
    let valid = 0;
    const disagreements: string[] = [];
    for (const document of documents) {
      const text = stringify(document, { aliasDuplicateObjects: false });
      const parsed = parseSource(text);
      if (!parsed.ok) throw new Error(`${text}: ${parsed.problem.message}`);
      const ours = checkFile(parsed.tree, text);
      const theirs = validate(document);
      if (theirs) valid++;
      if (theirs !== (ours.length === 0)) disagreements.push(`${JSON.stringify(document)}: ajv ${theirs}, checker ${JSON.stringify(ours)}`);
    }
    expect(disagreements).toEqual([]);
    // Both kinds of verdict were exercised.
    expect(valid).toBeGreaterThan(20);
    expect(valid).toBeLessThan(documents.length - 300);
  });

  it('describes entry fields exactly as the generated instruction rules do', () => {
    const definitions = FILE_SCHEMA.definitions ?? {};
    const resolve = (s: SchemaNode | undefined): SchemaNode =>
      s?.$ref ? resolve(definitions[s.$ref.split('/').pop() as string]) : (s ?? {});
    const entries = { segment: definitions.segmentTarget, flag: definitions.flagTarget };
    for (const resource of ['segment', 'flag'] as const) {
      const rule = RESOURCE_RULES[resource].kinds.addExpiringTarget;
      const entry = entries[resource] as SchemaNode;
      // The file has expiresAt where the instruction has value (and no kind).
      const fields = Object.keys(rule.fields)
        .filter((f) => f !== 'kind' && f !== 'value')
        .sort();
      expect(
        Object.keys(entry.properties ?? {})
          .filter((f) => f !== 'expiresAt')
          .sort(),
      ).toEqual(fields);
      expect([...(entry.required ?? [])].filter((f) => f !== 'expiresAt').sort()).toEqual(
        rule.required.filter((f) => f !== 'kind' && f !== 'value').sort(),
      );
      for (const field of fields) {
        const generated = (rule.fields as Record<string, Record<string, unknown>>)[field] ?? {};
        const ours = resolve(entry.properties?.[field]);
        for (const keyword of ['enum', 'minLength', 'pattern'] as const)
          expect([resource, field, keyword, ours[keyword]]).toEqual([resource, field, keyword, generated[keyword]]);
        if (generated.enum === undefined) expect(ours.type).toBe(generated.type);
      }
    }
  });

  it('the checker refuses a schema keyword it does not implement', () => {
    expect(() => assertSupported({ type: 'object', properties: { a: { type: 'string', maxLength: 3 } as SchemaNode } })).toThrow(
      '#/properties/a: the desired-state checker does not implement the keyword maxLength',
    );
    expect(() => assertSupported({ type: 'number' as 'string' })).toThrow('does not implement type number');
  });

  it('property: on generated files, the reader and a full validator agree (the validator as the oracle)', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(FILE_SCHEMA as object);
    // Mostly valid pieces, with now and then a bad value or an odd key (inherited names among them).
    const some = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
      fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
    const odd = fc.constantFrom('.', ' ', 'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty');
    const key = some(fc.constantFrom('p', 'e', 's', 'x-1', 'beta'), odd);
    const bad = fc.constantFrom<Json>('', ' ', 'sideways', '2031-01-01', 1, true, null, [], {});
    const entry = some<Json>(
      fc.record({
        contextKind: some<Json>(fc.constantFrom('user', 'device'), bad),
        contextKey: some<Json>(fc.constantFrom('a', 'b', '0042'), bad),
        targetType: some<Json>(fc.constantFrom('included', 'excluded'), bad),
        expiresAt: some<Json>(fc.constant('2031-01-01T00:00:00Z'), bad),
      }),
      fc.dictionary(fc.constantFrom('contextKind', 'contextKey', 'variationId', 'constructor', '__proto__'), bad, { maxKeys: 3 }),
    );
    const group = fc.dictionary(key, some<Json>(fc.array(entry, { maxLength: 3 }), bad), { maxKeys: 3 });
    const environment = fc.dictionary(some(fc.constant('segments'), odd), some<Json>(group, bad), { minKeys: 1, maxKeys: 2 });
    const project = fc.dictionary(
      some(fc.constant('environments'), odd),
      some<Json>(fc.dictionary(key, environment, { minKeys: 1, maxKeys: 2 }), bad),
      { minKeys: 1, maxKeys: 1 },
    );
    const file = fc.dictionary(
      some(fc.constant('projects'), odd),
      some<Json>(fc.dictionary(key, project, { minKeys: 1, maxKeys: 2 }), bad),
      { minKeys: 1, maxKeys: 1 },
    );
    let valid = 0;
    fc.assert(
      fc.property(file, (document) => {
        const text = JSON.stringify(document);
        const parsed = parseSource(text);
        if (!parsed.ok) throw new Error(`${text}: ${parsed.problem.message}`);
        const theirs = validate(JSON.parse(text));
        if (theirs) valid++;
        expect(checkFile(parsed.tree, text).length === 0).toBe(theirs);
        // A file the schema refuses is never accepted by the reader.
        if (!theirs) expect(() => parseDesiredState(text, { now: 0, format: 'json' })).toThrow();
      }),
      { numRuns: 400, seed: 22 },
    );
    expect(valid).toBeGreaterThan(40);
    expect(valid).toBeLessThan(360);
  });
});
