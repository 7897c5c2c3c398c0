import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildSpec } from '../../scripts/lib/pipeline.js';
import { diffSpecs, formatReport, instructionKindsOf } from '../../scripts/lib/spec-report.js';
import { copySpecTree, projectRoot } from '../support/project.js';

const SCRIPT = path.join(projectRoot, 'scripts/spec-pull.js');
const FIXTURES = path.join(projectRoot, 'test/fixtures/spec-pull');
const SEGMENT_PAGE = 'openapi/upstream/segment-patch-expiring-targets.md';
const OFFICIAL = 'openapi/upstream/launchdarkly-openapi-expiring-targets.yaml';
const OUTPUTS = ['generated/expiring-targets.openapi.yaml', 'generated/schema.ts'];

/** What the local "upstream" serves, per scenario and source id; undefined answers 404. */
const routes: Record<string, Record<string, Buffer | undefined>> = {};
let server: Server;
let baseUrl: string;
const committed: Record<string, string> = {};
const scratchRoots: string[] = [];

beforeAll(async () => {
  for (const file of [SEGMENT_PAGE, OFFICIAL, ...OUTPUTS]) committed[file] = await readFile(path.join(projectRoot, file), 'utf8');
  const page = Buffer.from(committed[SEGMENT_PAGE]!);
  const official = Buffer.from(committed[OFFICIAL]!);
  const changedOfficial = await readFile(path.join(FIXTURES, 'changed/launchdarkly-openapi-expiring-targets.yaml'));
  routes.same = { 'segment-patch-page': page, 'official-openapi': official };
  routes.changed = { 'segment-patch-page': page, 'official-openapi': changedOfficial };
  // The page downloads fine (and differs), the official document is gone.
  routes.missing = { 'segment-patch-page': Buffer.concat([page, Buffer.from('\n<!-- edited -->\n')]), 'official-openapi': undefined };
  // Both download, but the page has lost its OpenAPI block, so extraction fails.
  routes.broken = { 'segment-patch-page': Buffer.from('# Update expiring targets for segment\n\nNo specification here.\n'), 'official-openapi': changedOfficial };

  server = createServer((req, res) => {
    const [, scenario = '', id = ''] = (req.url ?? '').split('/');
    const body = routes[scenario]?.[id];
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all(scratchRoots.map((root) => rm(root, { recursive: true, force: true })));
});

/** A scratch project whose sources.yaml points at `scenario` on the local server. */
async function scratchProject(scenario: string): Promise<string> {
  const root = await copySpecTree();
  scratchRoots.push(root);
  const file = path.join(root, 'openapi/sources.yaml');
  const config = parse(await readFile(file, 'utf8'));
  expect(config.sources.map((s: { id: string }) => s.id)).toEqual(['segment-patch-page', 'official-openapi']);
  for (const source of config.sources) source.url = `${baseUrl}/${scenario}/${source.id}`;
  await writeFile(file, stringify(config));
  return root;
}

// Not spawnSync: the fixture server runs in this process and must keep answering meanwhile.
function pull(root: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const read = (root: string, file: string) => readFile(path.join(root, file), 'utf8');

describe('npm run spec:pull', () => {
  it('reports no changes and reproduces the committed files when upstream is unchanged', async () => {
    const root = await scratchProject('same');
    const result = await pull(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`pulled official-openapi (${Buffer.byteLength(committed[OFFICIAL]!)} bytes)`);
    expect(result.stdout).toContain(
      [
        'operations: no changes',
        'schemas: no changes',
        'instruction kinds (segment): no changes',
        'instruction kinds (flag): no changes',
      ].join('\n'),
    );
    for (const file of [SEGMENT_PAGE, OFFICIAL, ...OUTPUTS]) expect(await read(root, file)).toBe(committed[file]);
  });

  it('reports a new flag instruction kind, its schema and the changed operation', async () => {
    const root = await scratchProject('changed');
    // As a maintainer would: adopt the new kind in the corrections before pulling.
    const overlayFile = path.join(root, 'openapi/corrections.overlay.yaml');
    const overlay = parse(await readFile(overlayFile, 'utf8'));
    overlay.actions.push(...parse(await readFile(path.join(FIXTURES, 'changed/overlay-actions.yaml'), 'utf8')));
    await writeFile(overlayFile, stringify(overlay));
    expect(committed['generated/schema.ts']).not.toContain('copyExpiringTarget');

    const result = await pull(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The edited overlay targets a schema only the new upstream has, so the baseline is the committed bundle.
    expect(result.stdout).toMatch(/note: the current inputs do not build \(.*matches nothing\); comparing with generated\/expiring-targets\.openapi\.yaml/);
    const report = result.stdout.slice(result.stdout.indexOf('operations:')).trim().split('\n');
    expect(report).toEqual([
      'operations: ~ patchExpiringTargets (description, summary)',
      'schemas: + FlagCopyExpiringTargetInstruction',
      'schemas: ~ patchFlagExpiringTargetInstruction (discriminator, oneOf)',
      'instruction kinds (segment): no changes',
      'instruction kinds (flag): + copyExpiringTarget',
    ]);

    expect(await read(root, OFFICIAL)).toBe(await readFile(path.join(FIXTURES, 'changed/launchdarkly-openapi-expiring-targets.yaml'), 'utf8'));
    const types = await read(root, 'generated/schema.ts');
    expect(types).toContain('kind: "copyExpiringTarget"');
    expect(types).toMatch(/patchFlagExpiringTargetInstruction: [^;]*\| components\["schemas"\]\["FlagCopyExpiringTargetInstruction"\];/);
    expect(types).toContain('targetVariationId: string;');
    // What was written is what the new inputs build.
    const rebuilt = await buildSpec(root);
    expect(await read(root, OUTPUTS[0]!)).toBe(rebuilt.documentYaml);
    expect(types).toBe(rebuilt.types);
  });

  it('replaces nothing and names the source when a download fails', async () => {
    const root = await scratchProject('missing');
    const result = await pull(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no vendored copy was replaced');
    expect(result.stderr).toContain(`official-openapi: ${baseUrl}/missing/official-openapi answered HTTP 404`);
    expect(result.stderr).not.toContain('segment-patch-page');
    expect(result.stdout).toBe('');
    for (const file of [SEGMENT_PAGE, OFFICIAL, ...OUTPUTS]) expect(await read(root, file)).toBe(committed[file]);
  });

  it('puts the previous copies back when the downloads do not regenerate', async () => {
    const root = await scratchProject('broken');
    const result = await pull(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the downloaded sources do not regenerate, so the previous copies were restored');
    expect(result.stderr).toContain('upstream/segment-patch-expiring-targets.md');
    for (const file of [SEGMENT_PAGE, OFFICIAL, ...OUTPUTS]) expect(await read(root, file)).toBe(committed[file]);
  });
});

describe('diffSpecs', () => {
  const op = (operationId: string, schema: object) => ({
    operationId,
    requestBody: { content: { 'application/json': { schema } } },
  });
  const doc = (schemas: Record<string, unknown>, summary = 'Patch') => ({
    paths: {
      '/segments': { patch: { ...op('patchExpiringTargetsForSegment', { $ref: '#/components/schemas/Body' }), summary } },
      '/flags': { patch: op('patchExpiringTargets', { properties: { instructions: { items: { $ref: '#/components/schemas/Flag' } } } }) },
    },
    components: { schemas },
  });
  const base = {
    // allOf around the body, a $ref'd enum for kind, anyOf members and a cycle.
    Body: { allOf: [{ $ref: '#/components/schemas/Instructions' }] },
    Instructions: { properties: { instructions: { type: 'array', items: { $ref: '#/components/schemas/Instruction' } } } },
    Instruction: { anyOf: [{ $ref: '#/components/schemas/Add' }, { properties: { kind: { $ref: '#/components/schemas/OtherKinds' } } }] },
    Add: { properties: { kind: { const: 'add' }, next: { $ref: '#/components/schemas/Instruction' } }, anyOf: [{ $ref: '#/components/schemas/Add' }] },
    OtherKinds: { type: 'string', enum: ['update', 'remove'] },
    Flag: { oneOf: [{ properties: { kind: { const: 'add' } } }] },
  };

  it('finds kinds through $refs, compositions and enums without looping', () => {
    expect(instructionKindsOf(doc(base), 'patchExpiringTargetsForSegment')).toEqual(['add', 'remove', 'update']);
    expect(instructionKindsOf(doc(base), 'patchExpiringTargets')).toEqual(['add']);
    expect(instructionKindsOf(doc(base), 'noSuchOperation')).toEqual([]);
  });

  it('says "no changes" for equal documents, whatever their key order', () => {
    const reordered = JSON.parse(JSON.stringify(doc(base)), (_, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    expect(formatReport(diffSpecs(doc(base), reordered))).toBe(
      ['operations', 'schemas', 'instruction kinds (segment)', 'instruction kinds (flag)'].map((s) => `${s}: no changes`).join('\n'),
    );
  });

  it('lists added, removed and changed entries', () => {
    const { Add: _dropped, ...rest } = base;
    const after = doc(
      {
        ...rest,
        OtherKinds: { type: 'string', enum: ['update', 'copy'] },
        Copy: { type: 'object' },
        Instruction: { anyOf: [{ properties: { kind: { $ref: '#/components/schemas/OtherKinds' } } }] },
      },
      'Patch it',
    );
    const report = diffSpecs(doc(base), after);
    expect(report.operations).toEqual({ added: [], removed: [], changed: [{ name: 'patchExpiringTargetsForSegment', keys: ['summary'] }] });
    expect(report.schemas.added).toEqual(['Copy']);
    expect(report.schemas.removed).toEqual(['Add']);
    expect(report.schemas.changed).toEqual([
      { name: 'Instruction', keys: ['anyOf'] },
      { name: 'OtherKinds', keys: ['enum'] },
    ]);
    expect(report.instructionKinds).toEqual({ segment: { added: ['copy'], removed: ['add', 'remove'] }, flag: { added: [], removed: [] } });
    expect(formatReport(report).split('\n')).toEqual([
      'operations: ~ patchExpiringTargetsForSegment (summary)',
      'schemas: + Copy',
      'schemas: - Add',
      'schemas: ~ Instruction (anyOf)',
      'schemas: ~ OtherKinds (enum)',
      'instruction kinds (segment): + copy',
      'instruction kinds (segment): - add',
      'instruction kinds (segment): - remove',
      'instruction kinds (flag): no changes',
    ]);
  });
});
