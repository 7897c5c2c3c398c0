/**
 * The proxy and the client stay apart: the browser entry carries nothing of the proxy, and the
 * proxy carries nothing of the client (openapi-fetch, the retrying transport, results, bulk) or
 * the CLI, and nothing platform-specific, so it runs in Workers and Deno as it does in Node.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/project.js';

async function inputsOf(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [path.join(projectRoot, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'neutral',
    format: 'esm',
    logLevel: 'silent',
    absWorkingDir: projectRoot,
    external: ['openapi-fetch'],
  });
  const imported = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  return [...Object.keys(metafile.inputs), ...imported.map((p) => `external:${p}`)].sort();
}

describe('import layers', () => {
  it('the proxy entry imports only errors, redaction, options, the resource table, validation, time, version, the internal transport facts, deadline, adapted request and telemetry hook, and the generated rules below it', async () => {
    expect(await inputsOf('src/proxy/index.ts')).toEqual([
      'generated/instruction-rules.ts',
      'src/core/errors.ts',
      'src/core/internal/adapted-request.ts',
      'src/core/internal/call-scope.ts',
      'src/core/internal/deadline.ts',
      'src/core/internal/log-line.ts',
      'src/core/internal/positive-integer.ts',
      'src/core/internal/proxy-telemetry.ts',
      'src/core/internal/telemetry.ts',
      'src/core/internal/transport.ts',
      'src/core/internal/url-template.ts',
      'src/core/options.ts',
      'src/core/redact.ts',
      'src/core/resources.ts',
      'src/core/time.ts',
      'src/core/validation.ts',
      'src/core/version.ts',
      'src/proxy/answers.ts',
      'src/proxy/audit.ts',
      'src/proxy/body.ts',
      'src/proxy/checks.ts',
      'src/proxy/cors.ts',
      'src/proxy/forward.ts',
      'src/proxy/handler.ts',
      'src/proxy/index.ts',
      'src/proxy/load.ts',
      'src/proxy/node-listener.ts',
      'src/proxy/patch-body.ts',
      'src/proxy/route.ts',
      'src/proxy/settings.ts',
    ]);
  });

  it('the main entry stands on the core alone: every source it bundles is under src/core/', async () => {
    const sources = (await inputsOf('src/index.ts')).filter((file) => file.startsWith('src/'));
    expect(sources.filter((file) => file !== 'src/index.ts' && !file.startsWith('src/core/'))).toEqual([]);
    expect(sources).toContain('src/core/bulk.ts');
  });

  it('the main entry imports nothing of the proxy', async () => {
    const inputs = await inputsOf('src/index.ts');
    expect(inputs.filter((file) => file.startsWith('src/proxy/'))).toEqual([]);
    expect(inputs).toContain('src/core/client.ts');
  });
});
