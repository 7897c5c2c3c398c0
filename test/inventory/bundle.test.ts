/**
 * The inventory is a subpath of its own: a browser app that sends one `segments.patch` must not
 * carry the listings (their rules are generated beside the patch rules) or any inventory code.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/project.js';

const ENTRY = `import { createExpiringTargetsClient, segmentInstructions } from './src/index.ts';
const ld = createExpiringTargetsClient({ baseUrl: location.origin + '/ld' });
ld.segments.patch({ projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' },
  [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2031-01-01T00:00:00Z' })]);`;

describe('the browser bundle of one segments.patch', () => {
  it('holds nothing of the inventory or of the listing rules', async () => {
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: projectRoot, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      splitting: true,
      outdir: 'out',
      platform: 'browser',
      target: 'es2020',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.values(result.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([name]) => name),
    );
    expect(inputs.some((name) => name.includes('src/inventory/'))).toBe(false);
    expect(inputs.some((name) => name.includes('generated/instruction-rules'))).toBe(true);
    const text = result.outputFiles.map((f) => f.text).join('\n');
    // The listings' paths and operations are in the generated rules module, beside what the patch needs.
    expect(text).toContain('expiring-targets');
    expect(text).not.toContain('getFeatureFlags');
    expect(text).not.toContain('getSegments');
  });
});
