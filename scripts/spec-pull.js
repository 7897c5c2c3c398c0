#!/usr/bin/env node
// @ts-check
/**
 * npm run spec:pull [-- --root DIR]
 * Downloads every source named in openapi/sources.yaml, vendors it (a markdown page as served,
 * an OpenAPI document as the selected subset under a provenance header), regenerates, and prints
 * the change report (scripts/lib/spec-report.js) with the time and memory the pull took.
 * All or nothing: if any download fails or does not build, no copy is replaced; if the new
 * copies do not regenerate, the previous ones are put back.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startOutputChecker } from './lib/outputs.js';
import { redact } from './lib/redact.js';

/**
 * @param {{ root: string, log?: (line: string) => void, now?: () => Date, checker?: import('./lib/outputs.js').OutputChecker,
 *   startedAt?: number }} options
 *   `checker`: a validation and types worker the caller started (and stops); by default one is
 *   started first thing, so that it loads while the sources download.
 *   `startedAt`: where the footer's time starts, on the performance clock (the command passes 0,
 *   its own start, so that loading its modules counts); by default, this call
 * @returns {Promise<{ report: import('./lib/spec-report.js').SpecReport, figures: import('./lib/spec-report.js').Figures }>}
 */
export async function specPull({
  root,
  log = (line) => console.log(redact(line)),
  now = () => new Date(),
  checker,
  startedAt = performance.now(),
}) {
  // The worker starts before the rest of the pull is even loaded: loading Redocly and TypeScript
  // in it is the longest single step, and the main thread has its own modules to load meanwhile.
  const own = checker ?? startOutputChecker();
  try {
    const { pullWith } = await import('./lib/pull.js');
    return await pullWith(own, { root, log, now, startedAt });
  } finally {
    if (checker === undefined) await own.stop();
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  specPull({ root, startedAt: 0 }).then(
    async ({ report, figures }) => {
      const { formatReport } = await import('./lib/spec-report.js');
      console.log(redact(`\nChange report:\n${formatReport(report, figures)}`));
    },
    (error) => {
      console.error(redact(`spec:pull failed: ${error instanceof Error ? error.message : String(error)}`));
      process.exitCode = 1;
    },
  );
}
