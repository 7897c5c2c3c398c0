import { defineConfig } from 'vitest/config';

// `npm run test:browser`: tests that drive a real Chromium (/usr/bin/chromium or CHROMIUM_PATH).
// They start their own Prism, so no global setup; `npm test` excludes this folder.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
