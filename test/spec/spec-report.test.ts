import { describe, expect, it } from 'vitest';
import { mergeSources, type PreparedSource } from '../../scripts/lib/merge.js';
import { correctStage } from '../../scripts/lib/pipeline.js';
import { buildReport, formatReport } from '../../scripts/lib/spec-report.js';
import type { Overlay } from '../../scripts/lib/overlay.js';

const P = '/x';

/** A small upstream: an operation whose body reaches Body -> Kind, and an ExpiringTarget-like schema. */
function upstream() {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      [P]: {
        patch: {
          operationId: 'patchX',
          tags: ['docs_section'],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } } },
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Target' } } } } },
        },
      },
    },
    components: {
      schemas: {
        Body: { type: 'object', properties: { kind: { $ref: '#/components/schemas/Kind' } } },
        Kind: { type: 'string', enum: ['add'] },
        Target: { type: 'object', properties: { id: { type: 'string' } } },
      },
    },
  } as Record<string, any>;
}

// Our corrections: replace the untyped body with our own (so Body and Kind drop out), and
// correct Target.id's description.
const overlay: Overlay = {
  overlay: '1.0.0',
  actions: [
    { target: `$.paths['${P}'].patch.requestBody.content['application/json'].schema`, remove: true },
    { target: `$.paths['${P}'].patch.requestBody.content['application/json']`, update: { schema: { type: 'object' } } },
    { target: '$.components.schemas.Target.properties.id', update: { description: 'ours' } },
    { target: '$.components.schemas.Target.properties.added', remove: true },
  ],
};

async function report(edit: { page?: (d: any) => void; official?: (d: any) => void; officialBefore?: (d: any) => void }) {
  const pageBefore = upstream();
  const officialBefore = upstream();
  edit.officialBefore?.(officialBefore);
  const pageAfter = structuredClone(pageBefore);
  const officialAfter = structuredClone(officialBefore);
  edit.page?.(pageAfter);
  edit.official?.(officialAfter);
  const sources = (page: any, official: any): PreparedSource[] => [
    { id: 'page', document: page, ignore: ['$.paths.*.*.tags'] },
    { id: 'official', document: official },
  ];
  const mergedBefore = mergeSources(sources(pageBefore, officialBefore));
  const mergedAfter = mergeSources(sources(pageAfter, officialAfter));
  const correctedBefore = await correctStage(mergedBefore, overlay, { lenient: true });
  const correctedAfter = await correctStage(mergedAfter, overlay, { lenient: true });
  return formatReport(
    buildReport({
      sources: [
        { id: 'page', ignore: ['$.paths.*.*.tags'], before: pageBefore, after: pageAfter },
        { id: 'official', before: officialBefore, after: officialAfter },
      ],
      merged: { before: mergedBefore, after: mergedAfter },
      corrected: {
        before: correctedBefore.document,
        after: correctedAfter.document,
        applied: correctedAfter.applied,
        skippedBefore: correctedBefore.skipped,
      },
      outputs: {
        before: { bundle: undefined, types: undefined, rules: undefined },
        after: { bundle: undefined, types: undefined, rules: undefined },
        names: { bundle: 'b', types: 't', rules: 'r' },
      },
    }),
  ).split('\n');
}

describe('buildReport: why a change does not show further down', () => {
  it('a member the source ignores (sources.yaml) is flagged as such', async () => {
    const lines = await report({ page: (d) => (d.paths[P].patch.tags = ['docs_other']) });
    expect(lines.slice(0, 4)).toEqual([
      '(a) upstream sources, each against its previous vendored copy',
      '  page: operation patchX: tag + docs_other  [not in the merged document: sources.yaml ignores $.paths.*.*.tags in page]',
      '  page: operation patchX: tag - docs_section  [not in the merged document: sources.yaml ignores $.paths.*.*.tags in page]',
      '  official: no changes',
    ]);
  });

  it('a change the merged document already held, or one the earlier source wins, says so', async () => {
    const deprecate = (d: any) => (d.components.schemas.Target.properties.id.deprecated = true);
    expect((await report({ official: deprecate }))[2]).toBe('  official: schema Target property id: + deprecated: true');
    // The official document said it before; now the page says it too.
    expect((await report({ officialBefore: deprecate, official: deprecate, page: deprecate }))[1]).toBe(
      '  page: schema Target property id: + deprecated: true  [not in the merged document: the merged document already says so]',
    );
    const both = await report({ page: deprecate, official: (d) => (d.components.schemas.Target.properties.id.deprecated = false) });
    expect(both.slice(1, 3)).toEqual([
      '  page: schema Target property id: + deprecated: true',
      '  official: schema Target property id: + deprecated: false  [not in the merged document: page wins here]',
    ]);
  });

  it('a change inside a component the corrections left unused names the corrections that removed its references', async () => {
    const lines = await report({ page: (d) => d.components.schemas.Kind.enum.push('copy') });
    const target = `$.paths['${P}'].patch.requestBody.content['application/json']`;
    expect(lines).toEqual([
      '(a) upstream sources, each against its previous vendored copy',
      '  page: schema Kind: enum + copy  [hidden by corrections: correction 1, correction 2]',
      '  official: no changes',
      '(b) merged document, before corrections',
      '  schema Kind: enum + copy  [hidden by corrections: correction 1, correction 2]',
      'corrections that may be stale',
      `  correction 1 (remove ${target}.schema) may be stale: upstream now says schema Kind: enum + copy`,
      `  correction 2 (update ${target}) may be stale: upstream now says schema Kind: enum + copy`,
      '(c) corrected bundle and generated files',
      '  no changes',
    ]);
  });

  it('a correction overriding what upstream now says is stale; one whose target is new upstream is named', async () => {
    const lines = await report({ official: (d) => (d.components.schemas.Target.properties.added = { type: 'string' }) });
    expect(lines).toContain('  schema Target: + property added (string)  [hidden by corrections: correction 4]');
    expect(lines).toContain(
      '  correction 4 (remove $.components.schemas.Target.properties.added) may be stale: upstream now says schema Target: + property added (string)',
    );
    expect(lines).toContain(
      '  correction 4 (remove $.components.schemas.Target.properties.added) matched nothing in the previous upstream and matches now',
    );
    const description = await report({ page: (d) => (d.components.schemas.Target.properties.id.description = 'theirs') });
    expect(description).toContain('  schema Target property id: + description: "theirs"  [hidden by corrections: correction 3]');
  });
});
