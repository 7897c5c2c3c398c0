// @ts-check
/**
 * `npm run test:mutation:proxy`: Stryker over src/proxy/ alone, running only the proxy's own
 * in-process tests (test/proxy/; which are left out and why: vitest.stryker-proxy.config.ts), so the
 * initial run fits a loaded machine. Mutants found equivalent are explained where they are, with a
 * `// Stryker disable next-line <mutator>: <reason>` comment in src/proxy/. A full run is about
 * 1,500 mutants (≈35 min per 350 at load 15–20 on two cores): iterate with `-m src/proxy/<file>.ts`
 * and a timeout, e.g. `timeout 1500 npm run test:mutation:proxy -- -m src/proxy/body.ts`.
 */
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'vitest.stryker-proxy.config.ts' },
  mutate: ['src/proxy/**/*.ts', '!src/proxy/types.ts'],
  incrementalFile: 'reports/mutation/stryker-proxy-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/proxy.html' },
  jsonReporter: { fileName: 'reports/mutation/proxy.json' },
  dryRunTimeoutMinutes: 15,
  // Two cores shared by several people: at most two test runners.
  concurrency: 2,
};
