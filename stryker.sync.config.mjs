// @ts-check
/**
 * `npm run test:mutation:sync`: Stryker over src/sync/ alone, running only sync's own in-process
 * tests (vitest.stryker-sync.config.ts): the stateful fake LaunchDarkly over real HTTP, and the
 * pure rules. To measure part of it: `npx stryker run stryker.sync.config.mjs -m 'src/sync/apply.ts'`.
 *
 * Surviving mutants checked by hand and found equivalent (no behaviour can tell the mutant from
 * the original) are marked where they are, with `// Stryker disable next-line <mutator>: <reason>`.
 *
 * Last scored run, on the code as merged (the reading half rewritten for one check per entry
 * meanwhile): `npx stryker run stryker.sync.config.mjs --concurrency 2` over all of src/sync/,
 * incremental on the file of the run below (929 of 2,424 results reused, 1,458 mutants run; 24 min
 * at load 3 to 5): 89.69 % = (2083 killed + 57 timed out) / 2386, 220 survived, 26 without coverage,
 * 1 runtime error. Per file: yaml-source.ts 81.46 (59 survivors, the most: the notes below were
 * written for the code before the rewrite), parse-desired.ts 86.70, file-check.ts 85.63,
 * compile-desired.ts 90.37, plan.ts 90.27, source-tree.ts 93.33, read-file.ts 93.33, file-schema.ts
 * 93.23, targets.ts 95.45, bounds.ts 96.30, markdown.ts 96.74, saved-plan.ts 97.55, apply.ts 84.88,
 * apply-options.ts, apply-progress.ts, concurrency.ts, desired-state-error.ts and rounds.ts 100.
 *
 * The run before it, all of src/sync/ (load average 7 to 11 on 2 cores, shared), in two halves
 * with one incremental file each, merged: the reading half, `npx stryker run stryker.sync.config.mjs
 * --concurrency 2 -m '<yaml-source, source-tree, parse-desired, compile-desired, file-check,
 * file-schema, read-file, bounds, desired-state, desired-state-error, index>'` (full, then
 * incremental after the marks and tests), and the other half (apply, plan, saved-plan, markdown,
 * apply-options, apply-progress, concurrency, rounds, targets, sync-result) at concurrency 1:
 * 90.58 % over all 18 files with mutants, (killed + timeout) / (killed + timeout + survived + no
 * coverage) = (2034 + 52) / 2303, 193 survived, 24 without coverage, 44 marked equivalent and
 * 1 runtime error (concurrency.ts, `queue.shift()?.()` → `()`: crashes the runner; not counted);
 * the reading half 89.09 % (1306 / 1466), the other half 93.19 % (780 / 837).
 * Per file: yaml-source.ts 85.96, source-tree.ts 92.00, parse-desired.ts 87.13, compile-desired.ts
 * 90.81, file-check.ts 85.76, file-schema.ts 93.23, read-file.ts 93.75, bounds.ts 96.30,
 * desired-state-error.ts 100; apply.ts 84.88 (87.60 last round, same tests: not looked into),
 * plan.ts 90.99, saved-plan.ts 97.55, markdown.ts 96.74, apply-options.ts, apply-progress.ts,
 * concurrency.ts, rounds.ts and targets.ts 100.
 * sync-result.ts, desired-state.ts and index.ts hold types and exports only (no mutant).
 *
 * Survivors left in the reading half (tests missing unless said; not marked, so they count):
 * - Static mutants (run when a module loads) that make the module throw as it loads: vitest
 *   records a test file that fails to import as a failed file with no test results, which the
 *   vitest runner does not count as a failure, so they showed as survived (file-schema.ts's
 *   assertSupported and KNOWN_TYPES, 27 of them). reading-modules.test.ts imports the reading
 *   modules inside a test, where failing to load fails that test: 26 of the 27 are killed now.
 *   file-schema.ts's 9 left: the regex cache, codePointsBelow's length shortcut and `>=`/`<`
 *   bounds (the same answers, not marked yet), valueMatches' minLength and pattern guards → true
 *   (no schema here has one without the other), and assertSupported's `role === 'schema'` → true.
 * - file-check.ts: expectation()'s branches for a pattern, minLength or more than two enum values
 *   with no title (no schema in the shipped file has one: unreachable, NoCoverage); the MAX_ISSUES
 *   early returns in checkNode, checkMap and the list loop (report() enforces the bound; these only
 *   save work, but each line has a killed mutant of the same kind, so it cannot be marked);
 *   constraintsOf's cache and `any` (a schema here with minLength or not also has a pattern);
 *   kindOf's 'other' (the core schema has no other scalar type).
 * - compile-desired.ts: the sort of an entry's problems (no test has an entry whose problems come
 *   out of field order), the `value` → `expiresAt` rename (no entry gets a problem on value),
 *   the MAX_ISSUES loop guards (add() enforces it; reading-limits.test.ts now crosses it mid-entry).
 * - parse-desired.ts: defensive checks on what the schema already refused (textOf, mapUnder, the
 *   loops' `<=`: one past the end reads undefined and is skipped), and the shared list of names.
 * - yaml-source.ts: module-level resolver tables (static, as above); tab before a colon (no test);
 *   the anchor of a node at offset 1; rethrowing errors that are not YAML's; the second-document
 *   and empty-root branches js-yaml's events make equal; the sharing of texts on lines that also
 *   have killed mutants of the same kinds.
 * - read-file.ts: EISDIR (Linux opens a folder and stat says folder), the buffer's first size,
 *   closing the handle in `finally` (a leaked descriptor no test counts), a bad byte's line when
 *   it follows a line break exactly.
 * The other half's survivors are those listed below (apply.ts, markdown.ts) and plan.ts (10) and
 * saved-plan.ts (5), not triaged this round.
 *
 * Survivors left in apply.ts (tests missing, not equivalent unless said):
 * - readableLater (4): no test reads back a 401/403 after writing and checks it is not read again.
 * - up-front instruction check `{ allowPast: true }` (2) and `allowPast: true` to patchAll: the clock
 *   check above already filtered past times, so no test sends a past time through; likely equivalent.
 * - `options.allowPast ?? plan.allowPast` → `&&`, `c.to >= now` → `>`: no test of a change due exactly now
 *   or of options.allowPast overriding the plan's.
 * - notSentBecause's default and the `notSent.length > 0 || halted()` / `stop?.aborted && …` branches:
 *   the message of changes never sent after a stop with an aborted caller signal is not asserted.
 * - read-back bookkeeping (`new Array(n)`, `reads = []`, the first-run filter, `after === undefined`,
 *   `if (halted()) break`, `stop ?? call.signal`, `call.signal?.reason`): most are equivalent in
 *   effect (a resource without changes planned again is unchanged; an extra element in `reads` is
 *   not a promise and awaits as itself); not yet marked.
 * - `replanConflicts === false` filter → `() => undefined`: no test of replanConflicts false with a conflict.
 * markdown.ts: `text.length > QUOTED_CHARS` → `>=` (a value of exactly 40 characters gets an ellipsis),
 * and `time(undefined)` (every row with a time passes a defined one).
 *
 * Killed since (concurrency.test.ts, pause's timer count, the one-target message), listed as they were:
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
