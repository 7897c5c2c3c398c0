import { describe, expect, it } from 'vitest';
import { toOpenApi31 } from '../../scripts/lib/convert.js';
import { pruneComponents, selectOperations } from '../../scripts/lib/select.js';

const ref = (type: string, name: string) => ({ $ref: `#/components/${type}/${name}` });

const api = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  tags: [{ name: 'Segments' }, { name: 'Flags' }, { name: 'Other' }],
  paths: {
    '/segments/{key}': {
      get: {
        operationId: 'get-segment-things',
        tags: ['Segments'],
        parameters: [ref('parameters', 'Key')],
        responses: {
          '200': ref('responses', 'Things'),
          '429': { description: 'slow down', headers: { 'Retry-After': ref('headers', 'RetryAfter') } },
        },
      },
      delete: { operationId: 'deleteSegmentThings', tags: ['Other'], responses: { '204': { description: 'gone' } } },
    },
    '/flags': {
      post: {
        operationId: 'postFlag',
        tags: ['Flags'],
        requestBody: ref('requestBodies', 'NewFlag'),
        responses: { '201': { description: 'made' } },
      },
    },
  },
  components: {
    parameters: { Key: { name: 'key', in: 'path', required: true, schema: ref('schemas', 'Key') }, Unused: { name: 'u', in: 'query' } },
    responses: { Things: { description: 'things', content: { 'application/json': { schema: ref('schemas', 'Things') } } } },
    headers: { RetryAfter: { schema: { type: 'integer' } } },
    requestBodies: { NewFlag: { content: { 'application/json': { schema: ref('schemas', 'Flag') } } } },
    schemas: {
      Key: { type: 'string' },
      Things: { type: 'array', items: ref('schemas', 'Thing') },
      Thing: { oneOf: [ref('schemas', 'A')], discriminator: { propertyName: 'kind', mapping: { b: '#/components/schemas/B' } } },
      A: { type: 'object', additionalProperties: {} },
      B: { type: 'object' },
      Flag: { type: 'object' },
      Unreferenced: { type: 'object' },
    },
    securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'Authorization' } },
  },
};

describe('selectOperations (openapi-format filter)', () => {
  it('keeps the wanted operations (matched once camelCased) and every component they reach, of every type', async () => {
    const subset = await selectOperations(api, ['getSegmentThings']);
    expect(Object.keys(subset.paths)).toEqual(['/segments/{key}']);
    expect(Object.keys(subset.paths['/segments/{key}'])).toEqual(['get']);
    // The id stays as upstream wrote it: this is what gets vendored.
    expect(subset.paths['/segments/{key}'].get.operationId).toBe('get-segment-things');
    expect(Object.keys(subset.components.parameters)).toEqual(['Key']);
    expect(Object.keys(subset.components.responses)).toEqual(['Things']);
    expect(Object.keys(subset.components.headers)).toEqual(['RetryAfter']);
    expect(subset.components).not.toHaveProperty('requestBodies.NewFlag');
    // Through parameters, responses, items, oneOf and a discriminator mapping.
    expect(Object.keys(subset.components.schemas).sort()).toEqual(['A', 'B', 'Key', 'Thing', 'Things']);
    expect(subset.components.schemas.A).toEqual({ type: 'object', additionalProperties: {} });
    expect(subset.tags).toEqual([{ name: 'Segments' }]);
    expect(subset.components.securitySchemes).toEqual(api.components.securitySchemes);
    expect(api.paths['/segments/{key}']).toHaveProperty('delete');
  });

  it('keeps no operation when none is wanted (an empty keep-list is not "everything")', async () => {
    const subset = await selectOperations(api, ['noSuchOperation']);
    expect(subset.paths).toEqual({});
    expect(subset.components.schemas ?? {}).toEqual({});
  });

  it('pruneComponents drops what nothing references and sorts by name', async () => {
    const pruned = await pruneComponents(structuredClone(api));
    expect(Object.keys(pruned.components.schemas)).toEqual(['A', 'B', 'Flag', 'Key', 'Thing', 'Things']);
    expect(Object.keys(pruned.components.parameters)).toEqual(['Key']);
  });
});

describe('toOpenApi31 (openapi-format converter)', () => {
  const v30 = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {},
    components: {
      schemas: {
        Page: {
          type: 'object',
          example: { _links: null },
          properties: {
            _links: { type: 'object', additionalProperties: { type: 'string' }, nullable: true },
            count: { type: 'integer', minimum: 0, exclusiveMinimum: true },
            limit: { type: 'integer', maximum: 100, exclusiveMaximum: false },
            either: { oneOf: [{ type: 'string' }, { type: 'integer' }], nullable: true },
          },
        },
      },
    },
  };

  it('converts nullable, boolean exclusive bounds and schema examples', async () => {
    const converted = await toOpenApi31(structuredClone(v30));
    expect(converted.openapi).toBe('3.1.0');
    const page = converted.components.schemas.Page;
    expect(page.properties._links).toEqual({ type: ['object', 'null'], additionalProperties: { type: 'string' } });
    expect(page.properties.count).toEqual({ type: 'integer', exclusiveMinimum: 0 });
    expect(page.properties.limit).toEqual({ type: 'integer', maximum: 100 });
    expect(page.properties.either).toEqual({ oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] });
    expect(page.examples).toEqual([{ _links: null }]);
    expect(page).not.toHaveProperty('example');
  });

  it('returns a 3.1 document as it is', async () => {
    const v31 = { ...structuredClone(v30), openapi: '3.1.0' };
    expect(await toOpenApi31(v31)).toBe(v31);
  });
});
