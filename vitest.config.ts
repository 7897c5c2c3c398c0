import { configDefaults, defineConfig } from 'vitest/config';

// The tests that call the Prism mock, and only they, run in the `prism` project, whose global
// setup starts one Prism; every other test file runs without it (seconds saved per run).
const PRISM_TESTS = [
  'test/cli/prism.test.ts',
  'test/client/prism.test.ts',
  'test/docs/code-blocks.test.ts',
  'test/package/packed.test.ts',
  'test/spec/prism.test.ts',
];

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
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/browser/**', ...PRISM_TESTS] },
      },
    ],
  },
});
