import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listOperations } from '../../scripts/lib/select.js';
import { buildSpec } from '../../scripts/lib/pipeline.js';
import { LISTING_RULES, RESOURCE_RULES } from '../../generated/instruction-rules.js';
import { copySpecTree, projectRoot } from '../support/project.js';

const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const SEGMENT_PATH = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const FLAG_PATH = '/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}';

let built: Awaited<ReturnType<typeof buildSpec>>;
beforeAll(async () => {
  built = await buildSpec(projectRoot);
});

describe('the bundled document', () => {
  it('holds exactly the four expiring-target operations and the two listings', () => {
    const ops = listOperations(built.document).map((o) => `${o.method} ${o.path} ${o.operationId}`);
    expect(ops.sort()).toEqual(
      [
        'get /api/v2/flags/{projectKey} getFeatureFlags',
        'get /api/v2/segments/{projectKey}/{environmentKey} getSegments',
        `get ${FLAG_PATH} getExpiringContextTargets`,
        `get ${SEGMENT_PATH} getExpiringTargetsForSegment`,
        `patch ${FLAG_PATH} patchExpiringTargets`,
        `patch ${SEGMENT_PATH} patchExpiringTargetsForSegment`,
      ].sort(),
    );
  });

  it('gives each listing its pages: the query parameters and the bounds of limit and offset', () => {
    expect(LISTING_RULES.flag).toMatchObject({
      path: '/api/v2/flags/{projectKey}',
      operation: 'getFeatureFlags',
      limit: { minimum: 1, maximum: 100 },
      offset: { minimum: 0 },
    });
    expect(LISTING_RULES.segment).toMatchObject({
      path: '/api/v2/segments/{projectKey}/{environmentKey}',
      pathParams: ['projectKey', 'environmentKey'],
      operation: 'getSegments',
    });
    expect(LISTING_RULES.segment.queryParams).toEqual(['filter', 'limit', 'offset', 'sort']);
    // The expiring-target rules stay per resource, the listings beside them.
    expect(Object.keys(RESOURCE_RULES).sort()).toEqual(['flag', 'segment']);
  });

  it('is OpenAPI 3.1 and is what is committed (byte for byte)', async () => {
    expect(built.document.openapi).toBe('3.1.0');
    expect(await readFile(path.join(projectRoot, 'generated/expiring-targets.openapi.yaml'), 'utf8')).toBe(built.documentYaml);
    expect(await readFile(path.join(projectRoot, 'generated/schema.ts'), 'utf8')).toBe(built.types);
  });

  it('accepts only the semantic-patch media type on both PATCHes', () => {
    for (const p of [SEGMENT_PATH, FLAG_PATH]) {
      const body = built.document.paths[p].patch.requestBody;
      expect(Object.keys(body.content)).toEqual([SEMANTIC]);
      expect(body.required).toBe(true);
    }
  });

  it('models the token as a security scheme, not as a per-operation header parameter', () => {
    expect(built.document.security).toEqual([{ ApiKey: [] }]);
    expect(built.document.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    for (const item of Object.values(built.document.paths) as Record<string, { parameters?: { name: string }[] }>[]) {
      for (const op of Object.values(item)) {
        expect((op.parameters ?? []).map((p) => p.name)).not.toContain('Authorization');
      }
    }
  });

  it('types instructions as unions on kind, with int64 times', () => {
    const s = built.document.components.schemas;
    expect(s.patchSegmentExpiringTargetInstruction.discriminator.propertyName).toBe('kind');
    expect(s.SegmentAddExpiringTargetInstruction.required).toEqual(['kind', 'contextKey', 'contextKind', 'targetType', 'value']);
    expect(s.SegmentRemoveExpiringTargetInstruction.properties).not.toHaveProperty('value');
    expect(s.SegmentAddExpiringTargetInstruction.properties).not.toHaveProperty('version');
    expect(s.SegmentUpdateExpiringTargetInstruction.properties).toHaveProperty('version');
    expect(s.FlagAddExpiringTargetInstruction.required).toContain('variationId');
    expect(s.FlagAddExpiringTargetInstruction.properties).not.toHaveProperty('targetType');
    expect(s.SegmentTargetType.enum).toEqual(['included', 'excluded']);
    expect(s.UnixMillis).toMatchObject({ type: 'integer', format: 'int64' });
    expect(s.ExpiringTarget.properties.expirationDate.$ref).toBe('#/components/schemas/UnixMillis');
    // The untyped upstream map and its deprecated example are gone.
    expect(s).not.toHaveProperty('Instruction');
    expect(JSON.stringify(built.document)).not.toContain('addExpireUserTargetDate');
  });

  it('keeps what the official document says where the page is silent (merged per property)', () => {
    const s = built.document.components.schemas;
    // The page states flagKey without `deprecated`; the official document marks it deprecated.
    expect(s.ResourceId.properties.flagKey).toMatchObject({ type: 'string', deprecated: true });
    expect(built.types).toMatch(/\* @deprecated\n[^\n]*\n\s+\*\/\n\s+flagKey\?: string;/);
    // The page's documentation-site tag is ignored (sources.yaml), so the official tag stands.
    expect(built.document.paths[SEGMENT_PATH].patch.tags).toEqual(['Segments']);
    expect(JSON.stringify(built.document)).not.toContain('subpackage_');
    // The page wins where both speak: its description of the 200 response, its title on schemas.
    expect(built.document.paths[SEGMENT_PATH].patch.responses['200'].description).toBe('Expiring  target response');
    expect(s.ExpiringTarget.title).toBe('ExpiringTarget');
    // Path parameters merge by name: the page's description, the official style.
    expect(built.document.paths[SEGMENT_PATH].patch.parameters[0]).toMatchObject({
      name: 'projectKey',
      in: 'path',
      style: 'simple',
      explode: false,
    });
  });

  it('holds no 3.0-only keywords: the official 3.0.3 document was converted, not relabelled', () => {
    const found: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`));
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'nullable' || ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean'))
          found.push(`${at}/${k}`);
        // A schema's `example` becomes `examples: [..]`; media types and parameters keep `example`.
        if (k === 'example' && at.includes('/components/schemas/')) found.push(`${at}/${k}`);
        walk(v, `${at}/${k}`);
      }
    };
    walk(built.document, '#');
    expect(found).toEqual([]);
    expect(built.document.components.schemas.ResourceId.properties.key.examples).toEqual(['segment-key-123abc']);
  });

  it('has every example time far in the future (Prism serves them as they are)', () => {
    const times: { at: string; value: number }[] = [];
    // Times are the numbers under `expirationDate`, or under `value` beside a `contextKey` (an
    // instruction), inside an example; an Example Object's own `value` is the example itself (an
    // object), so it is walked, not collected. Other `value`s (a metric's default) are not times.
    const walk = (node: unknown, at: string, inExample: boolean) => {
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`, inExample));
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        const here = inExample || k === 'example' || k === 'examples';
        const isTime = k === 'expirationDate' || (k === 'value' && 'contextKey' in node);
        if (here && isTime && typeof v === 'number') times.push({ at: `${at}/${k}`, value: v });
        else walk(v, `${at}/${k}`, here);
      }
    };
    walk(built.document, '#', false);
    expect(times.length).toBeGreaterThanOrEqual(8);
    const farFuture = Math.max(Date.now(), Date.UTC(2030, 0, 1));
    expect(times.filter((t) => !(t.value >= farFuture))).toEqual([]);
  });

  it('leaves the vendored upstream copies untouched', async () => {
    const seed = await readFile(path.join(projectRoot, '../shared/seeds/001_5bbda546c4d46632.txt'), 'utf8').catch(() => undefined);
    const vendored = await readFile(path.join(projectRoot, 'openapi/upstream/segment-patch-expiring-targets.md'), 'utf8');
    if (seed !== undefined) expect(vendored).toBe(seed);
    expect(vendored).toContain('operationId: patch-expiring-targets-for-segment');
  });
});

// Each step is a subprocess that loads Redocly and TypeScript: slow on a loaded machine.
describe('generate and check:generated', { timeout: 180_000 }, () => {
  let root: string;
  beforeAll(async () => {
    root = await copySpecTree();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const run = (script: string) =>
    spawnSync(process.execPath, [path.join(projectRoot, 'scripts', script), '--root', root], { encoding: 'utf8' });

  it('passes on the committed files', () => {
    const result = run('check-generated.js');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails with a readable diff when a field is renamed in the corrections file', async () => {
    const file = path.join(root, 'openapi/corrections.overlay.yaml');
    const original = await readFile(file, 'utf8');
    const overlay = parse(original);
    expect(JSON.stringify(overlay)).toContain('"version"');
    // Rename `version` to `expectedVersion` in the flag update instruction only.
    const renamed = original.replace(
      /(FlagUpdateExpiringTargetInstruction:[\s\S]*?)\n          version:/,
      '$1\n          expectedVersion:',
    );
    expect(renamed).not.toBe(original);
    await writeFile(file, renamed);
    const result = run('check-generated.js');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('generated/schema.ts is stale');
    expect(result.stderr).toMatch(/^\+\s+expectedVersion\?: number;$/m);
    expect(result.stderr).toMatch(/^-\s+version\?: number;$/m);
    expect(result.stderr).toContain('Run `npm run generate`');

    // Regenerating makes it pass again, and a second generate changes nothing.
    expect(run('generate.js').status).toBe(0);
    const first = await readFile(path.join(root, 'generated/schema.ts'), 'utf8');
    expect(run('generate.js').status).toBe(0);
    expect(await readFile(path.join(root, 'generated/schema.ts'), 'utf8')).toBe(first);
    expect(run('check-generated.js').status).toBe(0);
    await writeFile(file, original);
  });

  it('fails with a clear message when the corrections break the document', async () => {
    const file = path.join(root, 'openapi/corrections.overlay.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace("$ref: '#/components/schemas/SegmentTargetType'", "$ref: '#/components/schemas/NoSuchType'"));
    const result = run('generate.js');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/does not validate:[\s\S]*no-unresolved-refs/);
    await writeFile(file, original);
  });
});
