import { describe, expect, it } from 'vitest';
import { mergeSources } from '../../scripts/lib/merge.js';

const P = '/api/v2/x/{key}';

const page = {
  openapi: '3.1.0',
  info: { title: 'page', version: '2.0' },
  servers: [{ url: 'https://a.example' }],
  paths: {
    [P]: {
      patch: {
        operationId: 'patchX',
        summary: 'From the page',
        tags: ['subpackage_x'],
        parameters: [
          { name: 'key', in: 'path', required: true, description: 'The key (page)', schema: { type: 'string' } },
          { name: 'Authorization', in: 'header', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'page says OK' } },
      },
    },
  },
  components: {
    schemas: {
      Target: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', description: 'page id' },
          when: { $ref: '#/components/schemas/Millis', description: 'page when' },
          flagKey: { type: 'string', description: 'Deprecated' },
          mode: { type: 'string', enum: ['a', 'b'] },
        },
      },
      Millis: { type: 'integer' },
    },
  },
};

const official = {
  openapi: '3.1.0',
  info: { title: 'official', version: '2.0', description: 'official description' },
  servers: [{ url: 'https://a.example', description: 'Default' }, { url: 'https://b.example' }],
  paths: {
    [P]: {
      get: { operationId: 'getX', responses: { '200': { description: 'list' } } },
      patch: {
        operationId: 'patchX',
        summary: 'From the official document',
        description: 'Only the official document describes it',
        tags: ['X'],
        parameters: [
          { name: 'key', in: 'path', required: true, style: 'simple', schema: { type: 'string', format: 'string' } },
          { name: 'dryRun', in: 'query', schema: { type: 'boolean' } },
          { $ref: '#/components/parameters/Limit' },
        ],
        responses: {
          '200': { description: 'official says OK', headers: { 'X-Rate': { schema: { type: 'integer' } } } },
          '404': { description: 'missing' },
        },
      },
    },
  },
  components: {
    schemas: {
      Target: {
        type: 'object',
        required: ['id', 'when'],
        example: { id: 'x' },
        properties: {
          id: { type: 'string', description: 'official id', examples: ['abc'] },
          when: { type: 'integer', format: 'int64' },
          flagKey: { type: 'string', deprecated: true },
          mode: { type: 'string', enum: ['a', 'b', 'c'] },
          extra: { type: 'boolean' },
        },
      },
      OnlyOfficial: { type: 'string' },
    },
    parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer' } } },
    securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'Authorization' } },
  },
};

describe('mergeSources (property by property, the earlier source winning)', () => {
  const merged = mergeSources(
    [
      { id: 'page', document: structuredClone(page), ignore: ['$.paths.*.*.tags'] },
      { id: 'official', document: structuredClone(official) },
    ],
    [P],
  );
  const patch = merged.paths[P].patch;
  const target = merged.components.schemas.Target;

  it('lets the earlier source win a member both state, and keeps what only the later one states', () => {
    expect(patch.summary).toBe('From the page');
    expect(patch.description).toBe('Only the official document describes it');
    expect(patch.responses['200']).toEqual({ description: 'page says OK', headers: { 'X-Rate': { schema: { type: 'integer' } } } });
    expect(patch.responses['404']).toEqual({ description: 'missing' });
    expect(merged.paths[P].get.operationId).toBe('getX');
    expect(target.properties.id).toEqual({ type: 'string', description: 'page id', examples: ['abc'] });
    expect(target.properties.flagKey).toEqual({ type: 'string', description: 'Deprecated', deprecated: true });
    expect(target.properties.extra).toEqual({ type: 'boolean' });
    expect(target.example).toEqual({ id: 'x' });
    expect(merged.info).toEqual({ title: 'page', version: '2.0', description: 'official description' });
  });

  it('takes a reference, a list and a scalar whole from the winner', () => {
    // A $ref beside the official inline type would mean both; the page's reference stands alone.
    expect(target.properties.when).toEqual({ $ref: '#/components/schemas/Millis', description: 'page when' });
    expect(target.required).toEqual(['id']);
    expect(target.properties.mode.enum).toEqual(['a', 'b']);
  });

  it('merges parameters by location and name (or reference), and servers by URL', () => {
    expect(patch.parameters).toEqual([
      {
        name: 'key',
        in: 'path',
        required: true,
        description: 'The key (page)',
        schema: { type: 'string', format: 'string' },
        style: 'simple',
      },
      { name: 'Authorization', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'dryRun', in: 'query', schema: { type: 'boolean' } },
      { $ref: '#/components/parameters/Limit' },
    ]);
    expect(merged.servers).toEqual([{ url: 'https://a.example', description: 'Default' }, { url: 'https://b.example' }]);
  });

  it('leaves to later sources what sources.yaml ignores in a source', () => {
    expect(patch.tags).toEqual(['X']);
  });

  it('carries every component type and puts paths in the configured order', () => {
    expect(Object.keys(merged.components)).toEqual(['schemas', 'parameters', 'securitySchemes']);
    expect(merged.components.parameters.Limit.name).toBe('limit');
    expect(Object.keys(merged.components.schemas)).toEqual(['Target', 'Millis', 'OnlyOfficial']);
    expect(Object.keys(merged.paths[P])).toEqual(['get', 'patch']);
    expect(Object.keys(merged)).toEqual(['openapi', 'info', 'servers', 'paths', 'components']);
  });

  it('does not change its inputs', () => {
    const pageCopy = structuredClone(page);
    mergeSources([
      { id: 'page', document: pageCopy },
      { id: 'official', document: structuredClone(official) },
    ]);
    expect(pageCopy).toEqual(page);
  });
});
