#!/usr/bin/env node
// @ts-check
/**
 * npm run check:generated
 * Regenerates into a temporary folder and fails, showing a unified diff, when the committed
 * bundle or types differ from what the sources and corrections produce.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.js';
import { redact } from './lib/redact.js';

const { values } = parseArgs({ options: { root: { type: 'string' } } });
const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const tmp = await mkdtemp(path.join(os.tmpdir(), 'ld-et-check-'));
let stale = 0;
try {
  const fresh = await generate({ root, out: tmp });
  for (const freshPath of fresh.written) {
    const rel = path.relative(tmp, freshPath);
    const committedPath = path.join(root, rel);
    const committed = await readFile(committedPath, 'utf8').catch(() => undefined);
    const expected = await readFile(freshPath, 'utf8');
    if (committed === expected) continue;
    stale++;
    const shown = path.relative(root, committedPath);
    if (committed === undefined) {
      console.error(`\n${shown} is missing: run npm run generate and commit it.`);
      continue;
    }
    const diff = spawnSync(
      'diff',
      ['-u', '--label', `${shown} (committed)`, '--label', `${shown} (regenerated)`, committedPath, freshPath],
      {
        encoding: 'utf8',
      },
    );
    console.error(`\n${shown} is stale; what regenerating would change:`);
    console.error(redact(diff.stdout || diff.stderr || '(diff unavailable; the files differ)'));
  }
} catch (error) {
  console.error(redact(`check:generated failed: ${error instanceof Error ? error.message : String(error)}`));
  process.exitCode = 1;
} finally {
  await rm(tmp, { recursive: true, force: true });
}
if (stale > 0) {
  console.error(`check:generated: ${stale} generated file(s) differ from the sources. Run \`npm run generate\` and commit the result.`);
  process.exitCode = 1;
} else if (!process.exitCode) {
  console.log('check:generated: generated files match the sources.');
}
