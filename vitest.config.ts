import { configDefaults, defineConfig } from 'vitest/config';

// The tests that call a Prism mock: only their project starts one (test/setup/prism.ts), so a
// run of any other file starts no Prism.
const PRISM_TESTS = ['test/client/prism.test.ts', 'test/spec/prism.test.ts', 'test/cli/prism.test.ts', 'test/package/packed.test.ts'];

export default defineConfig({
  test: {
    // The real-browser tests need Chromium: `npm run test:browser` runs them (vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'prism', include: PRISM_TESTS, globalSetup: ['test/setup/prism.ts'] } },
      { extends: true, test: { name: 'offline', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/browser/**', ...PRISM_TESTS] } },
    ],
  },
});
