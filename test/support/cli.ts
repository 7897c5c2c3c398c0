/**
 * Runs the BUILT command line (`node dist/cli.js …`) as a subprocess.
 *
 * `ensureCliBuilt` builds dist/cli.js with the CLI half of tsup.config.ts when it is missing or
 * older than any of its sources, so `npm test` works on a fresh clone. It builds into a private
 * temporary folder and renames the result into place: test files that build at the same time, or
 * someone's `npm run build` cleaning dist/, never see a half-written file.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from './project.js';

export const CLI = path.join(projectRoot, 'dist', 'cli.js');

async function newestMtime(entry: string): Promise<number> {
  const s = await stat(entry);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const name of await readdir(entry)) newest = Math.max(newest, await newestMtime(path.join(entry, name)));
  return newest;
}

export async function ensureCliBuilt(): Promise<void> {
  const sources = ['src', 'generated', 'tsup.config.ts', 'package.json'].map((p) => path.join(projectRoot, p));
  let newestSource = 0;
  for (const s of sources) newestSource = Math.max(newestSource, await newestMtime(s));
  if (existsSync(CLI) && (await stat(CLI)).mtimeMs >= newestSource) return;
  const { build } = await import('tsup');
  const { cli } = await import('../../tsup.config.js');
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-build-'));
  try {
    await build({ ...cli, outDir, silent: true, config: false });
    await mkdir(path.dirname(CLI), { recursive: true });
    const staged = `${CLI}.${process.pid}.${Date.now()}.tmp`;
    await copyFile(path.join(outDir, 'cli.js'), staged);
    await rename(staged, CLI);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Added to a copy of the environment without LD_API_KEY. */
  env?: Record<string, string>;
  cwd?: string;
  /** Another built CLI to run (e.g. a copy in a folder without Prism). */
  cli?: string;
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.env?.LD_API_KEY === undefined) delete env.LD_API_KEY;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [options.cli ?? CLI, ...args],
      { env, cwd: options.cwd ?? projectRoot, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves when it exits: the code (128 + n after a signal it did not handle) and its output. */
  done: Promise<CliResult>;
}

/** Starts the built CLI as a subprocess the test can signal while it runs. */
export function startCli(args: readonly string[], options: CliRunOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.env?.LD_API_KEY === undefined) delete env.LD_API_KEY;
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    env,
    cwd: options.cwd ?? projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) =>
      resolve({ code: code ?? 128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 9), stdout, stderr }),
    );
  });
  return { child, stdout: () => stdout, done };
}
