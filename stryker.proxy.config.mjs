// @ts-check
/**
 * `npm run test:mutation:proxy`: Stryker over src/proxy/ alone, running only the proxy's own
 * in-process tests (test/proxy/), so the initial run fits a loaded machine. The survivors found
 * and why they stay are listed in stryker.config.mjs, under src/proxy.
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
};
