import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.stryker.config.js';

/**
 * Stryker stops a mutant's run at its first failing test: the reading half's unit tests first (pure
 * and fast, each aimed at one file), then the rules without a server, the big hostile files and
 * the schema's exhaustive comparisons (slowest) last.
 */
class CheapestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const order = [
      'reading-modules',
      'reading-bounds',
      'file-schema-rules',
      'yaml-source',
      'file-check',
      'compile-desired',
      'parse-desired',
      'read-file',
      'desired-state',
      'rounds',
      'apply-',
      'markdown',
      'plan-apply',
      'saved-plan',
      'converge',
      'hostile-files',
      'file-schema',
    ];
    const rank = (file: TestSpecification) => {
      const at = order.findIndex((name) => file.moduleId.includes(`/test/sync/${name}`));
      return at < 0 ? order.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// `npm run test:mutation:sync`: sync's own in-process tests only (stryker.sync.config.mjs). The CLI's
// tests (cli, cli-ci) and the packed-package test run a built bundle in a subprocess, which mutants
// do not reach.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/sync/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/sync/cli.test.ts', 'test/sync/cli-ci.test.ts', 'test/sync/package.test.ts'],
    sequence: { sequencer: CheapestFirst },
  },
});
