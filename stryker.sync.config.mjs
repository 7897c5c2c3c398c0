// @ts-check
/**
 * `npm run test:mutation:sync`: Stryker over src/sync/ alone, running only sync's own in-process
 * tests (vitest.stryker-sync.config.ts): the stateful fake LaunchDarkly over real HTTP, and the
 * pure rules. To measure part of it: `npx stryker run stryker.sync.config.mjs -m 'src/sync/apply.ts'`.
 *
 * Surviving mutants checked by hand and found equivalent (no behaviour can tell the mutant from
 * the original) are marked where they are, with `// Stryker disable next-line <mutator>: <reason>`.
 */
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'vitest.stryker-sync.config.ts' },
  mutate: ['src/sync/**/*.ts'],
  concurrency: 2,
  incrementalFile: 'reports/mutation/stryker-sync-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/sync.html' },
  jsonReporter: { fileName: 'reports/mutation/sync.json' },
  dryRunTimeoutMinutes: 15,
  // Its tests talk to real HTTP servers: on a loaded machine a healthy run can take seconds longer
  // than the initial run measured, and 5 s marked working mutants as timed out.
  timeoutMS: 10_000,
};
