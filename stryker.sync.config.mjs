// @ts-check
/**
 * `npm run test:mutation:sync`: Stryker over src/sync/ alone, running only sync's own in-process
 * tests (vitest.stryker-sync.config.ts): the stateful fake LaunchDarkly over real HTTP, and the
 * pure rules. To measure part of it: `npx stryker run stryker.sync.config.mjs -m 'src/sync/apply.ts'`.
 *
 * Surviving mutants checked by hand and found equivalent (no behaviour can tell the mutant from
 * the original) are marked where they are, with `// Stryker disable next-line <mutator>: <reason>`.
 *
 * Last scored run: `npx stryker run stryker.sync.config.mjs -m 'src/sync/rounds.ts,src/sync/apply-options.ts,
 * src/sync/apply-progress.ts,src/sync/targets.ts,src/sync/concurrency.ts'`: 89.71 % (155 killed, 2 timed
 * out, 17 survived, 1 without coverage). Tests added since for rounds.ts (pause, read-back resends) and
 * targets.ts (messages) are not in that figure. apply.ts, plan.ts, saved-plan.ts, markdown.ts and the
 * reading files were not scored yet: at load 20 a run of apply.ts alone (258 mutants) needs about 30 min.
 *
 * Survivors left, not equivalent (a test is missing):
 * - concurrency.ts, limiter: `active < limit` → true / `<=`, `active++` → `active--`: no test counts
 *   the read-backs in flight at once (`readConcurrency` of applyPlan).
 * - rounds.ts, pause: `ms <= 0` → `ms < 0` and `false || signal?.aborted` wait a 0 ms timer instead of
 *   none: the same end one timer tick later (equivalent in effect, left unmarked because the line's
 *   other mutants of the same kinds are not).
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
