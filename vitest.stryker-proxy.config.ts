import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.stryker.config.js';

/**
 * Stryker stops a mutant's run at its first failing test, so the files whose tests take
 * milliseconds and touch every rule go first; those that wait on deadlines or send megabytes last.
 */
class CheapestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = [
      'route-matching',
      'check-answers',
      'handler-steps',
      'listener-requests',
      'settings-options',
      'upstream-answers',
      'audit-strings',
      'body-reading',
      'deadline',
      'refusal-details',
      'layers',
      'security',
      'forwarding',
      'node-listener',
      'same-origin-client',
      'abuse-settings',
      'abuse-upstream',
      'abuse-requests',
    ];
    const rank = (file: TestSpecification) => {
      const at = order.findIndex((name) => file.moduleId.endsWith(`/test/proxy/${name}.test.ts`));
      return at < 0 ? order.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// `npm run test:mutation:proxy`: the proxy's own in-process tests only (stryker.proxy.config.mjs).
// Left out as in the base config: test/proxy/abuse-memory.test.ts (peak RSS of a child process
// running a bundle of the source, which the active mutant does not reach; `npm test` runs it).
// test/package/proxy-abuse.test.ts runs the packed tarball, which mutants do not reach either.
export default defineConfig({
  test: { ...base.test, include: ['test/proxy/**/*.test.ts'], sequence: { sequencer: CheapestFirst } },
});
