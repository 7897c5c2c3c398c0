import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Stryker stops a mutant's run at its first failing test, so the cheap tests go first: the core's
 * modules one at a time, then the client's, then those with servers and timers. (Vitest's own order puts the
 * slowest files first.)
 */
class CheapestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = [
      '/test/errors/',
      '/test/results/',
      '/test/time/',
      '/test/validation/',
      '/test/instructions/',
      '/test/options/',
      '/test/redact/',
      '/test/retry-policy/',
      '/test/client/',
      '/test/http/',
      '/test/bulk/',
      '/test/security/',
      '/test/sync/',
      '/test/proxy/',
    ];
    const rank = (file: TestSpecification) => {
      const at = order.findIndex((dir) => file.moduleId.includes(dir));
      return at < 0 ? order.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// The tests `npm run test:mutation` runs against each mutant: the in-process tests of src/ outside
// src/cli/, on fake timers or local servers, that take milliseconds each. Left out, because they
// test something mutants do not reach or cost seconds per mutant:
// - the CLI, the CLI half of the echo matrix and sync's CLI and package tests: a built bundle or
//   the packed tarball in a subprocess;
// - the packed tarball, the spec pipeline (regenerating, tsc) and the browser;
// - the Prism conformance tests (one Prism per Stryker worker);
// - bulk/at-scale.test.ts (5,000-instruction runs) and http/retries.test.ts (real waits of up to 2 s): the
//   same rules are pinned exactly on fake timers in waits.test.ts and fate-marking.test.ts;
// - test/proxy/abuse-memory.test.ts: it measures a child process running a bundle of the source,
//   which the active mutant does not reach; the behaviour it loads is pinned in process by the
//   other abuse tests;
// - echoed-secrets.test.ts (170 calls against a real server): the redaction it checks end to end
//   is pinned by test/redact/redactor.test.ts, the answer redaction in http/fate-marking.test.ts
//   and the token-secrecy tests of test/errors/from-answers.test.ts.
export default defineConfig({
  test: {
    include: [
      'test/{errors,results,time,validation,instructions,options,redact,retry-policy,client,http,bulk}/**/*.test.ts',
      'test/security/**/*.test.ts',
      'test/proxy/**/*.test.ts',
      'test/sync/**/*.test.ts',
    ],
    exclude: [
      ...configDefaults.exclude,
      'test/client/prism.test.ts',
      'test/security/*-cli.test.ts',
      'test/security/echoed-secrets.test.ts',
      'test/bulk/at-scale.test.ts',
      'test/http/retries.test.ts',
      'test/sync/cli.test.ts',
      'test/sync/package.test.ts',
      'test/proxy/abuse-memory.test.ts',
    ],
    sequence: { sequencer: CheapestFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
