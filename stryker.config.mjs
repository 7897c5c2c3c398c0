// @ts-check
/**
 * `npm run test:mutation`: Stryker over src/ (the command line in src/cli/ is tested through its
 * built bundle in a subprocess, which mutants do not reach, so it is left out). The tests it runs
 * per mutant are the in-process ones listed in vitest.stryker.config.ts. Too slow for .ci/run.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  // Tests reach most modules through src/index.ts, which vitest's related-file lookup misses.
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  mutate: ['src/**/*.ts', '!src/cli/**'],
  coverageAnalysis: 'perTest',
  // Re-runs only mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'node_modules/.cache/stryker-tmp',
  cleanTempDir: 'always',
  concurrency: 2,
  timeoutMS: 5_000,
  thresholds: { high: 90, low: 85, break: 85 },
};
