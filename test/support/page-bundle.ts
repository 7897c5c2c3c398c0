/**
 * The browser bundle of one `segments.patch` through a proxy, built as an app's bundler would
 * (esbuild, ESM with code splitting, minified): what the page loads first (the entry and the
 * chunks it imports statically) apart from what it loads only on demand.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { projectRoot } from './project.js';

export const PAGE_ENTRY = `import { createExpiringTargetsClient, segmentInstructions } from './src/index.ts';
const ld = createExpiringTargetsClient({ baseUrl: location.origin + '/ld' });
ld.segments.patch({ projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' },
  [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2031-01-01T00:00:00Z' })]);`;

export interface PageFile {
  path: string;
  text: string;
  gzipBytes: number;
  /** Source files with bytes in this output. */
  inputs: string[];
}

export async function bundlePage(): Promise<{ initial: PageFile[]; lazy: PageFile[] }> {
  const result = await build({
    stdin: { contents: PAGE_ENTRY, resolveDir: projectRoot, loader: 'ts', sourcefile: 'entry.ts' },
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
  const outputs = result.metafile.outputs;
  const key = (path: string) => Object.keys(outputs).find((k) => path.endsWith(k)) ?? path;
  const entry = Object.keys(outputs).find((k) => outputs[k]?.entryPoint) as string;
  const first = new Set([entry]);
  for (const file of first) for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') first.add(i.path);
  const files = result.outputFiles.map((f) => ({
    path: key(f.path),
    text: f.text,
    gzipBytes: gzipSync(f.contents, { level: 9 }).length,
    inputs: Object.entries(outputs[key(f.path)]?.inputs ?? {})
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([name]) => name),
  }));
  return { initial: files.filter((f) => first.has(f.path)), lazy: files.filter((f) => !first.has(f.path)) };
}
