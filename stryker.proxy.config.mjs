// @ts-check
/**
 * `npm run test:mutation:proxy`: Stryker over src/proxy/ alone, running only the proxy's own
 * in-process tests (test/proxy/; which are left out and why: vitest.stryker-proxy.config.ts), so the
 * initial run fits a loaded machine. A full run is about 1,500 mutants (≈35 min per 350 at load
 * 15–20 on two cores): iterate with `-m src/proxy/<file>.ts` and a timeout, e.g.
 * `timeout 1500 npm run test:mutation:proxy -- -m src/proxy/body.ts`; the incremental file keeps
 * the results of the files a scoped run leaves out.
 *
 * Last scored, every file of src/proxy/ in one run: `timeout 1200 npm run test:mutation:proxy --
 * --concurrency 2` (11 min, load 2–3.5, most results reused from scoped runs through the incremental
 * file): 90.30 % (1,285 killed or timed out of 1,423; 124 survived, 14 without coverage). By file:
 * settings 100, cors 99.0, patch-body 98.6, checks 98.0, answers 97.2, audit 95.0, load 94.7,
 * body 93.9, handler 90.3, route 89.0, forward 87.2, node-listener 65.8 (index.ts only re-exports).
 * Survivors left: node-listener's stream plumbing (back-pressure, listener clean-up, the catch for
 * headers fetch refuses, TLS origins), forward's read path choices and span bookkeeping, and
 * module-level regexes and tables in route.ts, which the runner does not activate at load time.
 *
 * Mutants found equivalent (no behaviour can tell them from the original) are disabled where they
 * are, each with a `// Stryker disable next-line <mutator>: <reason>` comment:
 * - route.ts: the PARAM anchors (no literal segment holds braces); the template list's `?.`/`?? []`
 *   (never empty) and `some`/`every` over the one other template; the empty-prefix guard and the
 *   repeat loop's bound (a path ending in api/v2 matches no template); refusing an empty segment,
 *   an encoded separator, "." and ".." early, the emptied catch around decodeURIComponent, an
 *   undefined segment, and `||`→`&&` before keyIssues (keyIssues and the templates refuse the same).
 * - checks.ts: the filter over operations (both resources have both); the allowed-query test and
 *   its message (no operation takes a query parameter); the media type's fallback text and `?.`;
 *   trimming Content-Length (Headers trims).
 * - cors.ts: Expires, Last-Modified and Pragma in the safelist (never passed); the requested
 *   method's fallback (a preflight always has one).
 * - answers.ts / patch-body.ts: `issues: undefined` and a zero count, both left out of the JSON.
 * - audit.ts: the slices' bounds (slicing a text no longer than the limit returns it whole); an
 *   undefined sink and a sink's non-promise result (both throw inside the try that swallows them).
 * - body.ts: the abort listener's `{ once: true }` and its removal; growing a buffer exactly full;
 *   trimming Content-Length; the decoder's label; the emptied catch of utf8().
 * - load.ts: when ended windows are forgotten (memory only).
 * A table built while a module loads would throw in every test file's import, which Stryker's
 * vitest runner counts as no failed test: test/proxy/route-matching.test.ts imports the modules
 * inside a test, so such a mutant fails a test there.
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
