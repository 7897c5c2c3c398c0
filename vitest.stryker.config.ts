import { configDefaults, defineConfig } from 'vitest/config';

// The tests `npm run test:mutation` runs against each mutant: the in-process tests of src/ outside
// src/cli/. Left out, because they test something mutants do not reach or cost seconds per mutant:
// the CLI and the CLI half of the echo matrix (a built bundle in a subprocess), the packed tarball,
// the spec pipeline (regenerating, tsc), the browser, the Prism conformance tests (one Prism per
// Stryker worker), and the 5,000-instruction bulk runs (bulk-load.test.ts).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/client/**/*.test.ts', 'test/resilience/**/*.test.ts', 'test/security/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/client/prism.test.ts', 'test/security/*-cli.test.ts', 'test/resilience/bulk-load.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
