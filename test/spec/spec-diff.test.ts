import { describe, expect, it } from 'vitest';
import { diffDocuments, diffValues, showPair } from '../../scripts/lib/spec-diff.js';

const P = '/api/v2/x/{key}';

const before = {
  openapi: '3.1.0',
  info: { title: 'API', version: '1' },
  servers: [{ url: 'https://a.example' }],
  paths: {
    [P]: {
      parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
      patch: {
        operationId: 'patchX',
        tags: ['X'],
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } } },
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Union' } } } },
          '404': { description: 'missing' },
        },
      },
    },
  },
  components: {
    schemas: {
      Body: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string', enum: ['add', 'remove'] }, value: { type: 'integer' }, old: { type: 'string' } },
      },
      Union: {
        oneOf: [{ $ref: '#/components/schemas/A' }],
        discriminator: { propertyName: 'kind', mapping: { a: '#/components/schemas/A' } },
      },
      A: { type: 'object', description: 'An A.' },
      Gone: { type: 'string' },
    },
  },
};

const after = structuredClone(before) as any;
after.info.version = '2';
after.servers.push({ url: 'https://b.example', description: 'B' });
after.paths[P].parameters[0].description = 'The key';
after.paths[P].patch.tags = ['X', 'Y'];
after.paths[P].patch.parameters.push({ name: 'dryRun', in: 'query', schema: { type: 'boolean' } });
after.paths[P].patch.parameters[0].required = true;
after.paths[P].patch.requestBody.content['text/csv'] = { schema: { type: 'string' } };
after.paths[P].patch.responses['200'].content['application/json'].examples = { one: { value: 1 } };
delete after.paths[P].patch.responses['404'];
after.paths[P].patch.responses['422'] = { description: 'bad' };
after.paths[P].get = { operationId: 'getX', responses: { '200': { description: 'list' } } };
const body = after.components.schemas.Body;
body.required.push('value');
body.properties.kind.enum = ['add', 'copy'];
body.properties.value.type = ['integer', 'null'];
body.properties.value.deprecated = true;
delete body.properties.old;
body.properties.note = { type: 'string', enum: ['x', 'y'] };
body.properties.ref = { $ref: '#/components/schemas/A' };
after.components.schemas.Union.oneOf.push({ $ref: '#/components/schemas/B' });
after.components.schemas.Union.discriminator.mapping.b = '#/components/schemas/B';
after.components.schemas.B = { type: 'object' };
delete after.components.schemas.Gone;
after.components.parameters = { Limit: { name: 'limit', in: 'query', schema: { type: 'integer' } } };

describe('diffDocuments', () => {
  const changes = diffDocuments(before, after);

  it('names operations, parameters, request bodies, responses, media types, schemas, properties, enum values and required lists', () => {
    expect(changes.map((c) => c.line)).toEqual([
      'info: ~ version: "1" → "2"',
      '+ server https://b.example',
      'path /api/v2/x/{key} parameter path key: + description: "The key"',
      'operation patchX: tag + Y',
      'operation patchX parameter query limit: + required: true',
      'operation patchX: + parameter query dryRun (boolean)',
      'operation patchX request body: + media type text/csv (string)',
      'operation patchX response 200 media type application/json: + examples: {"one":{"value":1}}',
      'operation patchX: - response 404',
      'operation patchX: + response 422',
      '+ operation getX (GET /api/v2/x/{key})',
      'schema Body: required + value',
      'schema Body property kind: enum + copy',
      'schema Body property kind: enum - remove',
      'schema Body property value: ~ type: "integer" → ["integer","null"]',
      'schema Body property value: + deprecated: true',
      'schema Body: - property old',
      'schema Body: + property note (string enum x, y)',
      'schema Body: + property ref (A)',
      'schema Union: oneOf + B',
      'schema Union discriminator mapping: + b: "#/components/schemas/B"',
      '- schema Gone',
      '+ schema B (object)',
      '+ component parameter Limit (integer)',
    ]);
  });

  it('locates each change where the document states it, list members by their identity', () => {
    const at = (line: string) => changes.find((c) => c.line === line);
    expect(at('operation patchX: + parameter query dryRun (boolean)')).toEqual({
      location: ['paths', P, 'patch', 'parameters', 'query dryRun'],
      line: 'operation patchX: + parameter query dryRun (boolean)',
    });
    expect(at('schema Body property kind: enum + copy')).toMatchObject({
      location: ['components', 'schemas', 'Body', 'properties', 'kind', 'enum'],
      member: 'copy',
    });
    expect(at('schema Union: oneOf + B')).toMatchObject({
      location: ['components', 'schemas', 'Union', 'oneOf'],
      member: { $ref: '#/components/schemas/B' },
    });
  });

  it('sees nothing in a reordering of keys, list members with an identity, or set-like lists', () => {
    const reordered = JSON.parse(JSON.stringify(after), (_, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    reordered.paths[P].patch.parameters.reverse();
    reordered.components.schemas.Body.required.reverse();
    reordered.components.schemas.Body.properties.kind.enum.reverse();
    expect(diffDocuments(after, reordered)).toEqual([]);
  });

  it('shows long strings around their first difference', () => {
    const a = `${'Lorem ipsum dolor sit amet. '.repeat(4)}The old ending.`;
    const b = `${'Lorem ipsum dolor sit amet. '.repeat(4)}The new ending, longer.`;
    expect(showPair(a, b)).toBe('"…dolor sit amet. The old ending." → "…dolor sit amet. The new ending, longer."');
    expect(showPair('short', 'shorter')).toBe('"short" → "shorter"');
  });

  it('diffValues compares plain JSON member by member', () => {
    expect(
      diffValues(
        { segment: { kinds: { add: { required: ['a'] } } } },
        { segment: { kinds: { add: { required: ['a', 'b'] }, copy: {} } } },
        '',
      ).map((c) => c.line),
    ).toEqual(['segment kinds add: ~ required: ["a"] → ["a","b"]', 'segment kinds: + copy: {}']);
  });
});
