import { configDefaults, defineConfig } from 'vitest/config';

// Each project's global setup runs only when the run holds one of its files: Prism starts for the
// files that call the mock, the package is packed once for the files that install the tarball
// (packed.test.ts also runs the README's first example against Prism), and the rest need neither.
const PRISM_TESTS = ['test/cli/prism.test.ts', 'test/client/prism.test.ts', 'test/docs/code-blocks.test.ts', 'test/spec/prism.test.ts'];
const PACKED_TESTS = ['test/package/**/*.test.ts', 'test/*/package.test.ts'];

export default defineConfig({
  test: {
    // The real-browser tests need Chromium: `npm run test:browser` runs them (vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'prism', include: PRISM_TESTS, globalSetup: ['test/setup/prism.ts'] } },
      {
        extends: true,
        test: { name: 'packed', include: PACKED_TESTS, globalSetup: ['test/setup/prism.ts', 'test/setup/packed-tarball.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**', ...PRISM_TESTS, ...PACKED_TESTS],
        },
      },
    ],
  },
});
