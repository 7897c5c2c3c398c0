import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startOutputChecker, type OutputChecker } from '../../scripts/lib/outputs.js';
import { buildSpec } from '../../scripts/lib/pipeline.js';
import { formatReport } from '../../scripts/lib/spec-report.js';
import { specPull } from '../../scripts/spec-pull.js';
import { projectRoot } from '../support/project.js';
import { LocalUpstream, OFFICIAL_FILE, PAGE_FILE, scratchProject, upstreamFor } from './upstream-edits.js';

const SCRIPT = path.join(projectRoot, 'scripts/spec-pull.js');
const OUTPUTS = ['generated/expiring-targets.openapi.yaml', 'generated/schema.ts', 'generated/instruction-rules.ts'];
const SCENARIOS = [
  'unchanged',
  'page-instruction-field',
  'official-segment-instruction-field',
  'official-flag-instruction-field',
  'official-flag-instruction-enum',
  'page-new-kind',
  'page-value-string',
  'official-expiring-target-field',
  'official-segment-query-parameter',
  'official-listing-query-parameter',
  'official-variation-nullable',
  'official-new-flag-kind',
  'official-new-response',
  'required-and-deprecated',
  'openapi-3.0-keywords',
  'component-parameter',
];

const upstream = new LocalUpstream();
const committed: Record<string, string> = {};
const scratchRoots: string[] = [];
// One validation-and-types worker for the in-process pulls, as loading it is most of a pull's cost.
let checker: OutputChecker;

beforeAll(async () => {
  checker = startOutputChecker();
  await upstream.start();
  for (const file of [PAGE_FILE, OFFICIAL_FILE, ...OUTPUTS]) committed[file] = await readFile(path.join(projectRoot, file), 'utf8');
  for (const scenario of SCENARIOS) {
    const { page, official } = await upstreamFor(scenario);
    upstream.serve(scenario, 'segment-patch-page', page);
    upstream.serve(scenario, 'official-openapi', official);
  }
  // The page downloads fine, the official document is gone.
  upstream.serve('missing', 'segment-patch-page', Buffer.from(`${committed[PAGE_FILE]}\n<!-- edited -->\n`));
  // Both download, but the page has lost its OpenAPI block, so extraction fails.
  upstream.serve('broken', 'segment-patch-page', Buffer.from('# Update expiring targets for segment\n\nNo specification here.\n'));
  upstream.serve('broken', 'official-openapi', (await upstreamFor('unchanged')).official);
});

afterAll(async () => {
  await checker?.stop();
  await upstream.stop();
  await Promise.all(scratchRoots.map((root) => rm(root, { recursive: true, force: true })));
});

async function project(scenario: string): Promise<string> {
  const root = await scratchProject(upstream, scenario);
  scratchRoots.push(root);
  return root;
}

// Not spawnSync: the local upstream runs in this process and must keep answering meanwhile.
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

/** The report as printed, without the footer (its figures vary). */
async function reportOf(scenario: string): Promise<{ root: string; lines: string[] }> {
  const root = await project(scenario);
  const { report } = await specPull({ root, log: () => {}, checker });
  return { root, lines: formatReport(report).split('\n') };
}

/** The expected report: its four sections, each given as its lines (without the heading). */
function expected(sections: { a: string[]; b: string[]; stale?: string[]; c: string[] }): string[] {
  return [
    '(a) upstream sources, each against its previous vendored copy',
    ...sections.a.map((l) => `  ${l}`),
    '(b) merged document, before corrections',
    ...(sections.b.length === 0 ? ['  no changes'] : sections.b.map((l) => `  ${l}`)),
    'corrections that may be stale',
    ...(sections.stale === undefined || sections.stale.length === 0 ? ['  none'] : sections.stale.map((l) => `  ${l}`)),
    '(c) corrected bundle and generated files',
    ...(sections.c.length === 0 ? ['  no changes'] : sections.c.map((l) => `  ${l}`)),
  ];
}

// Each pull is a subprocess that loads Redocly and TypeScript: slow on a loaded machine.
describe('npm run spec:pull, as a command against a local upstream', { timeout: 180_000 }, () => {
  it('reports no changes and reproduces the generated files when upstream is unchanged; vendors the official subset under a provenance header', async () => {
    const root = await project('unchanged');
    const served = (await upstreamFor('unchanged')).official;
    const result = await pull(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`pulled official-openapi (${served.length} bytes)`);
    const report = result.stdout.slice(result.stdout.indexOf('(a) ')).trim().split('\n');
    expect(report.slice(0, -1)).toEqual(expected({ a: ['segment-patch-page: no changes', 'official-openapi: no changes'], b: [], c: [] }));
    expect(report.at(-1)).toMatch(
      new RegExp(
        `^pulled and regenerated in \\d+\\.\\d\\d s, peak RSS \\d+ MB; segment-patch-page ${Buffer.byteLength(committed[PAGE_FILE]!)} bytes; ` +
          `official-openapi ${served.length} bytes \\(parsed in \\d+ ms, selected in \\d+ ms\\)$`,
      ),
    );
    for (const file of [PAGE_FILE, ...OUTPUTS]) expect(await read(root, file)).toBe(committed[file]);

    const vendored = await read(root, OFFICIAL_FILE);
    const header = vendored.split('\n').filter((l) => l.startsWith('#'));
    expect(header[0]).toBe(
      `# Subset of ${upstream.baseUrl}/unchanged/official-openapi, selected by \`npm run spec:pull\` (scripts/spec-pull.js).`,
    );
    expect(header[1]).toMatch(new RegExp(`^# Retrieved \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; the full download was ${served.length} bytes\\.$`));
    expect(header[2]).toBe(`# sha256 of the full download: ${createHash('sha256').update(served).digest('hex')}`);
    expect(parse(vendored)).toEqual(parse(committed[OFFICIAL_FILE]!));

    // Pulled again unchanged, the vendored copy stays as it is, retrieval date included.
    const again = await pull(root);
    expect(again.status).toBe(0);
    expect(await read(root, OFFICIAL_FILE)).toBe(vendored);
  });

  it('prints each layer of a change', async () => {
    const root = await project('official-expiring-target-field');
    const result = await pull(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      [
        '(a) upstream sources, each against its previous vendored copy',
        '  segment-patch-page: no changes',
        '  official-openapi: schema ExpiringTarget: + property reason (string)',
        '(b) merged document, before corrections',
        '  schema ExpiringTarget: + property reason (string)',
      ].join('\n'),
    );
    // What was written is what the new inputs build.
    const rebuilt = await buildSpec(root);
    expect(await read(root, OUTPUTS[0]!)).toBe(rebuilt.documentYaml);
    expect(await read(root, OUTPUTS[1]!)).toBe(rebuilt.types);
    expect(await read(root, OUTPUTS[2]!)).toBe(rebuilt.rules);
  });

  it('replaces nothing and names the source when a download fails', async () => {
    const root = await project('missing');
    const result = await pull(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no vendored copy was replaced');
    expect(result.stderr).toContain(`official-openapi: ${upstream.baseUrl}/missing/official-openapi answered HTTP 404`);
    expect(result.stderr).not.toContain('segment-patch-page');
    expect(result.stdout).toBe('');
    for (const file of [PAGE_FILE, OFFICIAL_FILE, ...OUTPUTS]) expect(await read(root, file)).toBe(committed[file]);
  });

  it('prints no credential a source URL carries', async () => {
    const root = await project('missing');
    const sourcesFile = path.join(root, 'openapi/sources.yaml');
    const config = parse(await readFile(sourcesFile, 'utf8'));
    config.sources[0].url = `${upstream.baseUrl}/missing/segment-patch-page?token=hunter2-in-query`;
    config.sources[1].url = config.sources[1].url.replace('http://', 'http://maintainer:hunter2-in-userinfo@');
    await writeFile(sourcesFile, stringify(config));
    const result = await pull(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${upstream.baseUrl}/missing/segment-patch-page?token=[redacted] answered HTTP 404`);
    expect(result.stderr).toContain('http://[redacted]@127.0.0.1:');
    expect(result.stderr + result.stdout).not.toContain('hunter2');
  });

  it('replaces nothing when a download does not build', async () => {
    const root = await project('broken');
    const result = await pull(root);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the downloaded sources do not build, no vendored copy was replaced');
    expect(result.stderr).toContain('upstream/segment-patch-expiring-targets.md: no OpenAPI specification found');
    for (const file of [PAGE_FILE, OFFICIAL_FILE, ...OUTPUTS]) expect(await read(root, file)).toBe(committed[file]);
  });
});

/** The footer's figures: seconds and peak RSS of the whole pull. */
function figuresOf(stdout: string): { seconds: number; peakRssMb: number } {
  const m = /^pulled and regenerated in (\d+\.\d\d) s, peak RSS (\d+) MB;/m.exec(stdout);
  if (!m) throw new Error(`no figures in:\n${stdout}`);
  return { seconds: Number(m[1]), peakRssMb: Number(m[2]) };
}

/**
 * The vendored official subset repeated with renamed paths, operationIds and schemas until the
 * JSON holds `bytes`: the real structure at the size where parsing and selection dominate.
 */
function syntheticOfficial(official: Record<string, any>, bytes: number): Buffer {
  const one = JSON.stringify({ paths: official.paths, schemas: official.components.schemas });
  const document = structuredClone(official);
  for (let i = 1; i <= Math.ceil(bytes / one.length); i++) {
    const copy = JSON.parse(
      one
        .replaceAll('#/components/schemas/', `#/components/schemas/copy${i}_`)
        .replaceAll('"operationId":"', `"operationId":"copy${i}_`)
        .replaceAll('"/api/v2/', `"/api/v2/copy${i}/`),
    );
    Object.assign(document.paths, copy.paths);
    for (const [name, schema] of Object.entries(copy.schemas)) document.components.schemas[`copy${i}_${name}`] = schema;
  }
  return Buffer.from(JSON.stringify(document));
}

const FULL_REFERENCE = path.join(projectRoot, '../shared/reference/launchdarkly-openapi-full.yaml');

describe('pulling large upstream documents', () => {
  it.skipIf(!existsSync(FULL_REFERENCE))(
    'the full official document (the reference copy beside the repository; skipped where there is none): within 250 MB, vendoring only the subset',
    async () => {
      const full = Buffer.from(JSON.stringify(parse(await readFile(FULL_REFERENCE, 'utf8'))));
      upstream.serve('full', 'segment-patch-page', Buffer.from(committed[PAGE_FILE]!));
      upstream.serve('full', 'official-openapi', full);
      const root = await project('full');
      const result = await pull(root);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(figuresOf(result.stdout).peakRssMb).toBeLessThanOrEqual(250);
      const vendored = await read(root, OFFICIAL_FILE);
      expect(vendored).toContain(`# sha256 of the full download: ${createHash('sha256').update(full).digest('hex')}`);
      expect(vendored).toContain(`the full download was ${full.length} bytes`);
      // The listings of flags and segments bring the flag and segment schemas: about a tenth.
      expect(Buffer.byteLength(vendored)).toBeLessThan(full.length / 8);
      expect(Object.keys(parse(vendored).paths).sort()).toEqual(Object.keys(parse(committed[OFFICIAL_FILE]!).paths).sort());
      const rebuilt = await buildSpec(root, { checker });
      expect(await read(root, OUTPUTS[0]!)).toBe(rebuilt.documentYaml);
    },
    120_000,
  );

  it('a 40 MB document (the official subset repeated) within 600 MB, selecting exactly what the small one gives', async () => {
    const official = parse(committed[OFFICIAL_FILE]!);
    const large = syntheticOfficial(official, 40e6);
    expect(large.length).toBeGreaterThan(40e6);
    upstream.serve('large', 'segment-patch-page', Buffer.from(committed[PAGE_FILE]!));
    upstream.serve('large', 'official-openapi', large);
    const root = await project('large');
    const result = await pull(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(figuresOf(result.stdout).peakRssMb).toBeLessThanOrEqual(600);
    expect(result.stdout).toContain('  official-openapi: no changes\n(b) merged document, before corrections\n  no changes\n');
    expect(parse(await read(root, OFFICIAL_FILE))).toEqual(official);
    for (const file of OUTPUTS) expect(await read(root, file)).toBe(committed[file]);
  }, 180_000);
});

describe('the change report, one kind of upstream change at a time', { timeout: 120_000 }, () => {
  const segmentField = 'schema patchSegmentExpiringTargetInstruction: + property reason (string)';
  const bySegmentUnion = 'hidden by corrections: correction 10, correction 11';
  const segmentUnionStale = (line: string) => [
    `correction 10 (remove $.components.schemas.patchSegmentExpiringTargetInstruction) may be stale: upstream now says ${line}`,
    `correction 11 (update $.components.schemas) may be stale: upstream now says ${line}`,
  ];
  const byFlagUnion = 'hidden by corrections: correction 12, correction 13';
  const flagUnionStale = (line: string) => [
    `correction 12 (remove $.components.schemas.patchFlagsRequest.properties.instructions) may be stale: upstream now says ${line}`,
    `correction 13 (update $.components.schemas.patchFlagsRequest) may be stale: upstream now says ${line}`,
  ];
  const kindEnum =
    'schema Instruction: + property kind (string enum addExpiringTarget, updateExpiringTarget, removeExpiringTarget, copyExpiringTarget)';
  const pageKind = 'schema PatchSegmentExpiringTargetInstructionKind: enum + copyExpiringTarget';
  const valueString = 'schema patchSegmentExpiringTargetInstruction property value: ~ type: "integer" → "string"';
  const summary =
    'operation patchExpiringTargets: ~ summary: "Update expiring context targets on feature flag" → "Update or copy expiring context targets on feature flag"';
  const bundle = (line: string) => `expiring-targets.openapi.yaml: ${line}`;
  const types = (...lines: string[]) => lines.map((l) => `schema.ts: ${l}`);

  it.each<[string, string, { a: string[]; b: string[]; stale?: string[]; c: string[] }]>([
    [
      'page: a new optional field on the segment instruction, hidden by the corrections that replace that schema',
      'page-instruction-field',
      {
        a: [`segment-patch-page: ${segmentField}  [${bySegmentUnion}]`, 'official-openapi: no changes'],
        b: [`${segmentField}  [${bySegmentUnion}]`],
        stale: segmentUnionStale(segmentField),
        c: [],
      },
    ],
    [
      'official: a new optional field on the segment instruction, which the page (silent on it) lets through to the merge',
      'official-segment-instruction-field',
      {
        a: ['segment-patch-page: no changes', `official-openapi: ${segmentField}  [${bySegmentUnion}]`],
        b: [`${segmentField}  [${bySegmentUnion}]`],
        stale: segmentUnionStale(segmentField),
        c: [],
      },
    ],
    [
      'official: a new field on the untyped flag Instruction, dropped with it once the corrections type the flag body',
      'official-flag-instruction-field',
      {
        a: ['segment-patch-page: no changes', `official-openapi: schema Instruction: + property reason (string)  [${byFlagUnion}]`],
        b: [`schema Instruction: + property reason (string)  [${byFlagUnion}]`],
        stale: flagUnionStale('schema Instruction: + property reason (string)'),
        c: [],
      },
    ],
    [
      'official: an enum of kinds given to the flag Instruction',
      'official-flag-instruction-enum',
      {
        a: ['segment-patch-page: no changes', `official-openapi: ${kindEnum}  [${byFlagUnion}]`],
        b: [`${kindEnum}  [${byFlagUnion}]`],
        stale: flagUnionStale(kindEnum),
        c: [],
      },
    ],
    [
      'page: a new instruction kind in its enum',
      'page-new-kind',
      {
        a: [`segment-patch-page: ${pageKind}  [${bySegmentUnion}]`, 'official-openapi: no changes'],
        b: [`${pageKind}  [${bySegmentUnion}]`],
        stale: segmentUnionStale(pageKind),
        c: [],
      },
    ],
    [
      'page: the instruction value turned into a string',
      'page-value-string',
      {
        a: [`segment-patch-page: ${valueString}  [${bySegmentUnion}]`, 'official-openapi: no changes'],
        b: [`${valueString}  [${bySegmentUnion}]`],
        stale: segmentUnionStale(valueString),
        c: [],
      },
    ],
    [
      'official: a new field on ExpiringTarget, a schema the page also defines, reaches the bundle and the types',
      'official-expiring-target-field',
      {
        a: ['segment-patch-page: no changes', 'official-openapi: schema ExpiringTarget: + property reason (string)'],
        b: ['schema ExpiringTarget: + property reason (string)'],
        c: [
          bundle('schema ExpiringTarget: + property reason (string)'),
          ...types('+ /** @description Why the context expires */', '+ reason?: string;'),
        ],
      },
    ],
    [
      'official: a new query parameter on the segment PATCH, an operation the page wins',
      'official-segment-query-parameter',
      {
        a: [
          'segment-patch-page: no changes',
          'official-openapi: operation patchExpiringTargetsForSegment: + parameter query dryRun (boolean)',
        ],
        b: ['operation patchExpiringTargetsForSegment: + parameter query dryRun (boolean)'],
        c: [
          bundle('operation patchExpiringTargetsForSegment: + parameter query dryRun (boolean)'),
          ...types(
            '- query?: never;',
            '+ query?: {',
            '+ /** @description Validate the instructions without applying them */',
            '+ dryRun?: boolean;',
            '+ };',
          ),
          // The proxy forwards only query parameters the document defines: the rules say so too.
          'instruction-rules.ts: segment queryParams: ~ patch: [] → ["dryRun"]',
        ],
      },
    ],
    [
      'official: a new query parameter on the flag listing, which the inventory reads',
      'official-listing-query-parameter',
      {
        a: ['segment-patch-page: no changes', 'official-openapi: operation getFeatureFlags: + parameter query maintainer (string)'],
        b: ['operation getFeatureFlags: + parameter query maintainer (string)'],
        c: [
          bundle('operation getFeatureFlags: + parameter query maintainer (string)'),
          ...types('+ /** @description Filter feature flags by maintainer */', '+ maintainer?: string;'),
          'instruction-rules.ts: listings flag: ~ queryParams: ["archived","compare","env","expand","filter","limit","offset","sort","summary"… → ["archived","compare","env","expand","filter","limit","maintainer","offset","so…',
        ],
      },
    ],
    [
      'official: nullable on variationId (3.0, converted), where the page states the type and wins',
      'official-variation-nullable',
      {
        a: [
          'segment-patch-page: no changes',
          'official-openapi: schema ExpiringTarget property variationId: ~ type: "string" → ["string","null"]  [not in the merged document: segment-patch-page wins here]',
        ],
        b: [],
        c: [],
      },
    ],
    [
      'official: a kind named in the flag PATCH summary, adopted in the corrections (a schema, a union member, a run-time rule)',
      'official-new-flag-kind',
      {
        a: ['segment-patch-page: no changes', `official-openapi: ${summary}`],
        b: [summary],
        c: [
          bundle(summary),
          bundle('schema patchFlagExpiringTargetInstruction: oneOf + FlagCopyExpiringTargetInstruction'),
          bundle(
            'schema patchFlagExpiringTargetInstruction discriminator mapping: + copyExpiringTarget: "#/components/schemas/FlagCopyExpiringTargetInstruction"',
          ),
          bundle('+ schema FlagCopyExpiringTargetInstruction (object)'),
          ...types(
            '- * Update expiring context targets on feature flag',
            '+ * Update or copy expiring context targets on feature flag',
            '+ /** @description Copies the scheduled removal of a context to another variation of the flag. */',
            '+ FlagCopyExpiringTargetInstruction: {',
            '+ /**',
            '+ * @description discriminator enum property added by openapi-typescript',
            '+ * @enum {string}',
            '+ */',
            '+ kind: "copyExpiringTarget";',
            '+ contextKey: string;',
            '+ contextKind: string;',
            '+ variationId: string;',
            '+ targetVariationId: string;',
            '+ };',
            '- patchFlagExpiringTargetInstruction: components["schemas"]["FlagAddExpiringTargetInstruction"] | components["schemas"]["FlagUpdateExpiringTargetInstruction"] | components["schemas"]["FlagRemoveExpiringTargetInstruction"];',
            '+ patchFlagExpiringTargetInstruction: components["schemas"]["FlagAddExpiringTargetInstruction"] | components["schemas"]["FlagUpdateExpiringTargetInstruction"] | components["schemas"]["FlagRemoveExpiringTargetInstruction"] | components["schemas"]["FlagCopyExpiringTargetInstruction"];',
          ),
          'instruction-rules.ts: flag kinds: + copyExpiringTarget: {"schema":"FlagCopyExpiringTargetInstruction","required":["kind","contextKey","…',
        ],
      },
    ],
    [
      'official: a new response on the flag PATCH and a new media type on the flag GET',
      'official-new-response',
      {
        a: [
          'segment-patch-page: no changes',
          'official-openapi: operation getExpiringContextTargets response 200: + media type text/csv (string)',
          'official-openapi: operation patchExpiringTargets: + response 422',
        ],
        b: [
          'operation getExpiringContextTargets response 200: + media type text/csv (string)',
          'operation patchExpiringTargets: + response 422',
        ],
        c: [
          bundle('operation getExpiringContextTargets response 200: + media type text/csv (string)'),
          bundle('operation patchExpiringTargets: + response 422'),
          ...types(
            '+ "text/csv": string;',
            '+ /** @description Unprocessable instructions */',
            '+ 422: {',
            '+ headers: {',
            '+ [name: string]: unknown;',
            '+ };',
            '+ content: {',
            '+ "application/json": components["schemas"]["InvalidRequestErrorRep"];',
            '+ };',
            '+ };',
          ),
        ],
      },
    ],
    [
      'page: a shorter required list; official: a deprecated field',
      'required-and-deprecated',
      {
        a: [
          'segment-patch-page: schema ExpiringTarget: required - _resourceId',
          'official-openapi: schema ResourceId property environmentKey: + deprecated: true',
        ],
        b: ['schema ResourceId property environmentKey: + deprecated: true', 'schema ExpiringTarget: required - _resourceId'],
        c: [
          bundle('schema ExpiringTarget: required - _resourceId'),
          bundle('schema ResourceId property environmentKey: + deprecated: true'),
          ...types(
            '- _resourceId: components["schemas"]["ResourceId"];',
            '+ _resourceId?: components["schemas"]["ResourceId"];',
            '+ * @deprecated',
          ),
        ],
      },
    ],
    [
      'official (3.0.3): nullable under _links and a boolean exclusiveMinimum, converted to 3.1',
      'openapi-3.0-keywords',
      {
        a: [
          'segment-patch-page: no changes',
          'official-openapi: schema ExpiringTarget property _version: + exclusiveMinimum: 0',
          'official-openapi: schema ExpiringTargetGetResponse property _links: ~ type: "object" → ["object","null"]',
        ],
        b: [
          'schema ExpiringTarget property _version: + exclusiveMinimum: 0',
          'schema ExpiringTargetGetResponse property _links: ~ type: "object" → ["object","null"]',
        ],
        c: [
          bundle('schema ExpiringTarget property _version: + exclusiveMinimum: 0'),
          bundle('schema ExpiringTargetGetResponse property _links: ~ type: "object" → ["object","null"]'),
          ...types('- };', '+ } | null;'),
        ],
      },
    ],
    [
      'official: a path parameter moved into components/parameters',
      'component-parameter',
      {
        a: [
          'segment-patch-page: no changes',
          'official-openapi: operation getExpiringContextTargets: - parameter path projectKey',
          'official-openapi: operation getExpiringContextTargets: + parameter ProjectKey (reference)',
          'official-openapi: + component parameter ProjectKey (string)',
        ],
        b: [
          'operation getExpiringContextTargets: - parameter path projectKey',
          'operation getExpiringContextTargets: + parameter ProjectKey (reference)',
          '+ component parameter ProjectKey (string)',
        ],
        c: [
          bundle('operation getExpiringContextTargets: - parameter path projectKey'),
          bundle('operation getExpiringContextTargets: + parameter ProjectKey (reference)'),
          bundle('+ component parameter ProjectKey (string)'),
          ...types(
            '- parameters: never;',
            '+ parameters: {',
            '+ /** @description The project key */',
            '+ ProjectKey: string;',
            '+ };',
            '- /** @description The project key */',
            '- projectKey: string;',
            '+ /** @description The project key */',
            '+ projectKey: components["parameters"]["ProjectKey"];',
          ),
        ],
      },
    ],
  ])('%s', async (_, scenario, sections) => {
    const { lines } = await reportOf(scenario);
    expect(lines).toEqual(expected(sections));
  });

  it('3.0.3 upstream: the converted bundle validates, and its types say null where upstream said nullable', async () => {
    const { root } = await reportOf('openapi-3.0-keywords');
    const bundled = parse(await read(root, OUTPUTS[0]!));
    expect(bundled.components.schemas.ExpiringTargetGetResponse.properties._links).toMatchObject({ type: ['object', 'null'] });
    expect(bundled.components.schemas.ExpiringTarget.properties._version).toMatchObject({ exclusiveMinimum: 0 });
    expect(bundled.components.schemas.ExpiringTarget.properties._version).not.toHaveProperty('minimum');
    expect(JSON.stringify(bundled)).not.toContain('nullable');
    expect(await read(root, OUTPUTS[1]!)).toMatch(/_links\?: \{\n\s+\[key: string\]: components\["schemas"\]\["Link"\];\n\s+\} \| null;/);
  });

  it('a component parameter is carried into the bundle with the operation that references it', async () => {
    const { root } = await reportOf('component-parameter');
    const bundled = parse(await read(root, OUTPUTS[0]!));
    expect(bundled.components.parameters.ProjectKey).toMatchObject({ name: 'projectKey', in: 'path', required: true });
    const flagGet = bundled.paths['/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}'].get;
    expect(flagGet.parameters).toContainEqual({ $ref: '#/components/parameters/ProjectKey' });
  });
});
