import { defineConfig } from 'tsup';

// One entry, two formats: dist/index.js (ESM) and dist/index.cjs (CJS), each with its own
// declarations (index.d.ts, index.d.cts). generated/schema.ts is a relative import, so its
// types are inlined into the declarations; openapi-fetch, the only runtime dependency, stays external.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2022',
  clean: true,
  splitting: false,
  sourcemap: false,
  treeshake: true,
  outDir: 'dist',
});
