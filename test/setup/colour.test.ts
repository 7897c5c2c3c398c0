/**
 * Test output is plain text wherever it is not a terminal, or wherever NO_COLOR is set: vitest run
 * by the command `npm test` runs (test/setup/vitest.js, this project's config) on a failing test, whose
 * report has the most colour, read through a pipe and through a pseudo-terminal (util-linux
 * `script`). The runs that ask for colour are there to show the check would see it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrism } from '../../src/cli/prism.js';
import { BUNDLED_DOCUMENT, projectRoot } from '../support/project.js';
import { colourWanted } from './colour.js';

const ANY_ESCAPE = /\x1b\[/;
const COLOUR = /\x1b\[[0-9;]*m/;

const FAILING_TEST = `import { expect, it } from 'vitest';
it('differs', () => {
  expect({ a: 1, b: 'two' }).toEqual({ a: 2, b: 'three' });
});
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-colour-'));
  await mkdir(path.join(dir, 'test'));
  await writeFile(path.join(dir, 'test', 'fails.test.ts'), FAILING_TEST);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The environment of a shell with none of the colour switches, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'FORCE_TTY', 'CI']) delete env[name];
  return { ...env, ...extra };
}

// The vitest command of `npm test` itself (after its type check), so a change of that script is tested too.
const { scripts } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const testCommand = scripts.test!.split('&&').at(-1)!.trim().split(/\s+/);
const vitestArgs = () => {
  expect(testCommand[0]).toBe('node');
  // The project's own config, rooted at the scratch folder: its `unit` project finds the one failing file there.
  return [...testCommand.slice(1), '--root', dir, '--config', path.join(projectRoot, 'vitest.config.ts')];
};

/** stdout and stderr of the failing run, through pipes. */
function piped(extra: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, vitestArgs(), { cwd: projectRoot, env: envWith(extra), timeout: 120_000 }, (_error, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    );
  });
}

/** What a terminal would receive from the failing run (stdout and stderr both on a pseudo-terminal). */
function onTerminal(extra: Record<string, string>): Promise<string> {
  const command = [process.execPath, ...vitestArgs()].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { cwd: projectRoot, env: envWith(extra), timeout: 120_000 }, (_error, stdout) =>
      resolve(stdout),
    );
  });
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('colour in test output', () => {
  it('decides by NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal', () => {
    expect(colourWanted({}, { isTTY: true })).toBe(true);
    expect(colourWanted({}, { isTTY: false })).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
    expect(colourWanted({ NO_COLOR: '1' }, { isTTY: true })).toBe(false);
    expect(colourWanted({ NO_COLOR: '' }, { isTTY: true })).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '1' }, { isTTY: false })).toBe(true);
    expect(colourWanted({ FORCE_COLOR: '0' }, { isTTY: true })).toBe(false);
    expect(colourWanted({ FORCE_COLOR: 'false' }, { isTTY: true })).toBe(false);
    expect(colourWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, { isTTY: true })).toBe(false);
  });

  it.concurrent('a failing run read through a pipe has no escape codes at all; with FORCE_COLOR=1 it has colour', async () => {
    const [plain, forced] = await Promise.all([piped({}), piped({ FORCE_COLOR: '1' })]);
    expect(plain).toMatch(/vitest: 0 passed, 1 failed, 0 skipped/);
    expect(plain).toContain('differs');
    expect(plain).not.toMatch(ANY_ESCAPE);
    expect(forced).toMatch(/vitest: 0 passed, 1 failed, 0 skipped/);
    expect(forced).toMatch(COLOUR);
  }, 180_000);

  it.skipIf(!hasScript).concurrent(
    'on a terminal it has colour unless NO_COLOR is set (skipped where util-linux script, for a pseudo-terminal, is missing)',
    async () => {
      const [coloured, noColour] = await Promise.all([onTerminal({}), onTerminal({ NO_COLOR: '1' })]);
      expect(coloured).toMatch(/vitest: 0 passed, 1 failed, 0 skipped/);
      expect(coloured).toMatch(COLOUR);
      expect(noColour).toMatch(/vitest: 0 passed, 1 failed, 0 skipped/);
      expect(noColour).not.toMatch(COLOUR);
    },
    180_000,
  );

  it('Prism, which tests start and whose output their failures quote, logs plain text through a pipe', async () => {
    // Starting Prism takes seconds, and far longer under load: the bounds are generous.
    const prism = await startPrism({ document: BUNDLED_DOCUMENT, timeoutMs: 150_000 });
    try {
      await fetch(`${prism.url}/api/v2/segments/p/s/expiring-targets/e`, { headers: { Authorization: 'mock-token' } });
      expect(prism.logs()).toContain('Prism is listening');
      expect(prism.logs()).not.toMatch(ANY_ESCAPE);
    } finally {
      await prism.stop();
    }
  }, 180_000);
});
