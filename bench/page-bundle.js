// @ts-check
/**
 * A page's script built as an app's bundler would build it (esbuild: ESM with code splitting,
 * minified, for browsers), split into what the page loads first (the entry and every chunk it
 * imports statically) and what it loads only on demand (chunks reached by dynamic imports alone).
 * Each file is gzipped (level 9) on its own, as a server would send it. The benchmarks
 * (bench/client.js, bench/telemetry.js) and the page-weight tests measure pages with it.
 */
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * @typedef {object} PageFile
 * @property {string} path Relative to the entry's `resolveDir`.
 * @property {string} text
 * @property {number} minBytes
 * @property {number} gzipBytes
 * @property {Record<string, number>} inputs Each source file with bytes in this output, and how many.
 */

/**
 * The page of one `segments.patch` through a proxy (no token in the page), importing the client
 * from `specifier`: the call the benchmarks weigh.
 * @param {string} specifier
 */
export const onePatchPage = (specifier) => `
import { createExpiringTargetsClient, segmentInstructions } from ${JSON.stringify(specifier)};
const ld = createExpiringTargetsClient({ baseUrl: location.origin + '/ld' });
ld.segments
  .patch({ projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' }, [
    segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-01-01T00:00:00Z' }),
  ])
  .then((r) => console.log(r.ok));
`;

/**
 * Bundles the page whose entry is `contents` (imports resolved from `resolveDir`).
 * @param {{ contents: string, resolveDir: string, loader?: 'js' | 'ts' }} entry
 * @returns {Promise<{ initial: PageFile[], lazy: PageFile[] }>}
 */
export async function bundleForBrowser({ contents, resolveDir, loader = 'js' }) {
  const result = await build({
    stdin: { contents, resolveDir, loader, sourcefile: 'entry.js' },
    absWorkingDir: resolveDir,
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    outdir: 'out', // nothing is written: the files stay in memory
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = result.metafile.outputs;
  const entry = /** @type {string} */ (Object.keys(outputs).find((key) => outputs[key]?.entryPoint));
  const first = new Set([entry]);
  for (const key of first) for (const i of outputs[key]?.imports ?? []) if (i.kind === 'import-statement') first.add(i.path);
  /** @type {PageFile[]} */
  const files = result.outputFiles.map((f) => {
    // The metafile names outputs relative to the working directory, with forward slashes.
    const key = path.relative(resolveDir, f.path).split(path.sep).join('/');
    const inputs = Object.entries(outputs[key]?.inputs ?? {}).filter(([, i]) => i.bytesInOutput > 0);
    return {
      path: key,
      text: f.text,
      minBytes: f.contents.length,
      gzipBytes: gzipSync(f.contents, { level: 9 }).length,
      inputs: Object.fromEntries(inputs.map(([name, i]) => [name, i.bytesInOutput])),
    };
  });
  return { initial: files.filter((f) => first.has(f.path)), lazy: files.filter((f) => !first.has(f.path)) };
}

/**
 * The sum of one figure over some files.
 * @param {PageFile[]} files @param {'minBytes' | 'gzipBytes'} figure
 */
export const total = (files, figure) => files.reduce((n, f) => n + f[figure], 0);
