import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Options, defineConfig } from 'tsup';

// Six entries, two formats each, each with its own declarations (.d.ts, .d.cts): the client
// (dist/index.js ESM, dist/index.cjs CJS), the backend proxy (dist/proxy.*, for
// `ld-expiring-targets/proxy`), desired-state sync (dist/sync.*, `ld-expiring-targets/sync`:
// only it loads the YAML parser), the inventory (dist/inventory.*, `ld-expiring-targets/inventory`,
// which reads a whole project and writes desired-state files), OpenTelemetry (dist/otel.*) and the
// TanStack Query options (dist/query.*, types only from @tanstack/query-core). Built together, the entries share chunks in each format, so
// their classes are one. generated/schema.ts is a relative import, so its types are inlined into
// the declarations; the runtime dependencies (openapi-fetch; js-yaml, which only the sync entry
// imports; yaml, which only the inventory imports) stay external.
const library: Options = {
  entry: {
    index: 'src/index.ts',
    proxy: 'src/proxy/index.ts',
    sync: 'src/sync/index.ts',
    inventory: 'src/inventory/index.ts',
    otel: 'src/otel/index.ts',
    query: 'src/query/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2022',
  // Keeps dist/cli.js, which the CLI build below writes at the same time.
  clean: ['!cli.js'],
  // ESM only: patchAll and reconciliation are imported on demand, so they become their own
  // chunks and a page that sends one patch does not load them. (CJS inlines them.)
  splitting: true,
  sourcemap: false,
  treeshake: true,
  outDir: 'dist',
};

// The CLI: a separate build, so nothing of it enters the library entry's graph (or its browser
// bundle). Node-only ESM with a shebang; csv-parse (a dev dependency) is bundled in, with its
// licence, so installing the library never pulls it in. openapi-fetch stays external.
function licenseOf(name: string): string {
  // csv-parse exports no package.json: walk up from its entry to its folder.
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  while (!existsSync(path.join(dir, 'LICENSE')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return readFileSync(path.join(dir, 'LICENSE'), 'utf8');
}
const csvParseLicense = licenseOf('csv-parse');
export const cli: Options = {
  entry: { cli: 'src/cli/main.ts' },
  format: ['esm'],
  dts: false,
  platform: 'node',
  target: 'node20',
  clean: false,
  splitting: false,
  sourcemap: false,
  treeshake: true,
  noExternal: ['csv-parse'],
  banner: { js: '#!/usr/bin/env node' },
  footer: { js: `/*! csv-parse, bundled above:\n${csvParseLicense.replace(/\*\//g, '* /')}*/` },
  outDir: 'dist',
};

export default defineConfig([library, cli]);
