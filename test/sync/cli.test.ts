/**
 * `plan` and `sync` through the built command line (a subprocess) against the stateful fake
 * LaunchDarkly; the confirmation prompt through `run()` with terminal-like streams.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { type CliResult, ensureCliBuilt, runCli } from '../support/cli.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { BETA, CHECKOUT, TEAM_FILE, VARIATION } from '../support/sync-files.js';

const TOKEN = 'api-sync-SECRET-5b1d0e9a7c';
const T1 = Date.parse('2031-01-01T00:00:00Z');

const outputs: CliResult[] = [];
let dir: string;
let closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  await ensureCliBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-sync-'));
}, 120_000);
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  // The token never reaches a terminal or a JSON consumer.
  for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(TOKEN);
});

async function fake(options: Parameters<typeof startFakeLaunchDarkly>[0] = {}) {
  const server = await startFakeLaunchDarkly(options);
  closers.push(server.close);
  return server;
}

let fileNo = 0;
async function file(text = TEAM_FILE): Promise<string> {
  const p = path.join(dir, `targets-${++fileNo}.yaml`);
  await writeFile(p, text);
  return p;
}

async function cli(args: string[], url: string): Promise<CliResult> {
  const result = await runCli([...args, '--base-url', url], { env: { LD_API_KEY: TOKEN } });
  outputs.push(result);
  return result;
}

const rows = (targets: { contextKey: string; expirationDate: number }[]) =>
  targets.map((t) => `${t.contextKey} ${new Date(t.expirationDate).toISOString()}`).sort();

describe('plan', () => {
  it('shows adds per resource with their lines, exits 4 (changes pending), reads each resource once and sends nothing', async () => {
    const server = await fake();
    const f = await file();
    const result = await cli(['plan', f], server.url);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('segment beta (project default, environment production): 2 to add');
    expect(result.stdout).toMatch(/\+ add\s+user:alice\s+included\s+2031-01-01T00:00:00Z\s+8\n/);
    expect(result.stdout).toMatch(/\+ add\s+user:bob\s+excluded\s+2031-06-30T12:00:00Z\s+12\n/);
    expect(result.stdout).toMatch(new RegExp(`\\+ add\\s+user:contractor-17\\s+${VARIATION}\\s+2031-01-01T00:00:00Z\\s+18\\n`));
    expect(result.stdout).toContain('Plan: 3 to add, 0 to update, 0 to remove; 0 unchanged.');
    expect(server.stats.byResource).toEqual({ [BETA]: { gets: 1, patches: 0 }, [CHECKOUT]: { gets: 1, patches: 0 } });
  });

  it('shows drift made behind its back as updates (from → to), and as removals with --prune', async () => {
    const server = await fake();
    server.seed(
      BETA,
      [
        { contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: T1, _version: 1 },
        { contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: Date.parse('2031-06-30T12:00:00Z'), _version: 1 },
        { contextKind: 'user', contextKey: 'stray', targetType: 'included', expirationDate: T1, _version: 4 },
      ],
      'segment',
    );
    server.seed(
      CHECKOUT,
      [{ contextKind: 'user', contextKey: 'contractor-17', variationId: VARIATION, expirationDate: T1, _version: 1 }],
      'flag',
    );
    const f = await file();
    expect((await cli(['plan', f], server.url)).code).toBe(0);
    server.schedule(BETA, 'segment', {
      contextKind: 'user',
      contextKey: 'alice',
      targetType: 'included',
      expirationDate: Date.parse('2032-01-01T00:00:00Z'),
    });

    const kept = await cli(['plan', f], server.url);
    expect(kept.code).toBe(4);
    expect(kept.stdout).toMatch(/~ update\s+user:alice\s+included\s+2032-01-01T00:00:00Z → 2031-01-01T00:00:00Z\s+8\n/);
    expect(kept.stdout).toContain('1 scheduled removal(s) in LaunchDarkly are not in');
    expect(kept.stdout).not.toContain('- remove');

    const pruned = await cli(['plan', f, '--prune', '--json'], server.url);
    expect(pruned.code).toBe(4);
    const doc = JSON.parse(pruned.stdout);
    expect(doc).toMatchObject({
      ok: false,
      exitCode: 4,
      plan: { hasChanges: true, complete: true, prune: true, counts: { add: 0, update: 1, remove: 1, unchanged: 2, unmanaged: 0 } },
    });
    expect(doc.plan.resources[0].changes).toEqual([
      {
        action: 'update',
        line: 8,
        contextKind: 'user',
        contextKey: 'alice',
        targetType: 'included',
        from: '2032-01-01T00:00:00.000Z',
        to: '2031-01-01T00:00:00.000Z',
        version: 2,
      },
      {
        action: 'remove',
        line: null,
        contextKind: 'user',
        contextKey: 'stray',
        targetType: 'included',
        from: '2031-01-01T00:00:00.000Z',
        to: null,
        version: 4,
      },
    ]);
    expect(server.stats.patches).toBe(0);
  });

  it('a file with errors: every one with FILE:LINE:COLUMN, exit 2, nothing sent', async () => {
    const server = await fake();
    const f = await file(
      TEAM_FILE.replace('targetType: excluded', 'targetType: exclude').replace('2031-06-30T14:00:00+02:00', '2031-06-30'),
    );
    const result = await cli(['plan', f], server.url);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: 2 problem(s) in ${f}; nothing was sent`);
    expect(result.stderr).toContain(`${f}:14:27: targetType must be "included" or "excluded", got "exclude"`);
    expect(result.stderr).toMatch(new RegExp(`${f.replace(/[.]/g, '\\.')}:15:26: expiresAt must be an ISO-8601 date-time with a zone`));
    const json = await cli(['sync', f, '--yes', '--json'], server.url);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.issues).toEqual([
      {
        line: 14,
        column: 27,
        path: ['projects', 'default', 'environments', 'production', 'segments', 'beta', 1, 'targetType'],
        message: 'targetType must be "included" or "excluded", got "exclude"',
      },
      expect.objectContaining({
        line: 15,
        column: 26,
        path: ['projects', 'default', 'environments', 'production', 'segments', 'beta', 1, 'expiresAt'],
      }),
    ]);
    expect(server.stats.requests).toBe(0);
  });
});

describe('usage', () => {
  it('plan and sync need exactly one FILE and known options; their --help lists the exit codes', async () => {
    const url = 'http://127.0.0.1:9';
    const bare = await runCli(['plan']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: ld-expiring-targets plan FILE [options]');
    expect((await cli(['plan'], url)).stderr).toContain('plan takes exactly one FILE, got none');
    const two = await cli(['sync', 'a.yaml', 'b.yaml', '--yes'], url);
    expect(two).toMatchObject({ code: 2, stderr: expect.stringContaining('sync takes exactly one FILE, got "a.yaml" "b.yaml"') });
    expect(two.stderr).toContain("Run 'ld-expiring-targets sync --help' for usage.");
    expect((await cli(['plan', 'a.yaml', '--yes'], url)).stderr).toContain('unknown option --yes');
    expect((await cli(['sync', 'a.yaml', '--yes', '--batch-size', '0'], url)).stderr).toContain('--batch-size must be a positive integer');
    const help = await cli(['sync', '--help'], url);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('4  changes pending and nothing was sent');
    expect((await cli(['--help'], url)).stdout).toContain('plan FILE   compare LaunchDarkly with a desired-state file');
  });
});

describe('sync', () => {
  it('converges from empty; a second sync sends no PATCH, and plan then reports no changes', async () => {
    const server = await fake();
    const f = await file();
    const first = await cli(['sync', f, '--yes'], server.url);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied 3 of 3 change(s)');
    expect(first.stdout).toContain(`LaunchDarkly now matches ${f}.`);
    expect(rows(server.targets(BETA))).toEqual(['alice 2031-01-01T00:00:00.000Z', 'bob 2031-06-30T12:00:00.000Z']);
    expect(rows(server.targets(CHECKOUT))).toEqual(['contractor-17 2031-01-01T00:00:00.000Z']);
    const patches = server.stats.patches;

    const second = await cli(['sync', f, '--yes'], server.url);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`No changes: LaunchDarkly matches ${f} (3 scheduled removal(s)).`);
    expect(server.stats.patches).toBe(patches);
    expect((await cli(['plan', f], server.url)).code).toBe(0);
  });

  it('refuses to run outside a terminal without --yes, before reading anything', async () => {
    const server = await fake();
    const result = await cli(['sync', await file()], server.url);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('outside a terminal it needs --yes');
    expect(server.stats.requests).toBe(0);
  });

  it('a change made between plan and apply fails on its version, is planned again once, and converges', async () => {
    let moved = false;
    const server = await fake({
      beforePatch: () => {
        if (moved) return;
        moved = true;
        server.schedule(BETA, 'segment', { contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: T1 + 60_000 });
      },
    });
    server.seed(BETA, [{ contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: T1, _version: 1 }], 'segment');
    const result = await cli(['sync', await file(), '--yes', '--json'], server.url);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.plan.counts).toMatchObject({ add: 2, update: 1 });
    expect(doc.applied.counts).toMatchObject({ total: 3, applied: 3, failed: 0, replanned: 1 });
    expect(doc.after).toMatchObject({ hasChanges: false, complete: true });
    expect(rows(server.targets(BETA))).toContain('bob 2031-06-30T12:00:00.000Z');
  });

  it('answers lost after applying (502) are settled by reading back: converges, nothing sent twice', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? '502-after' : 'none') });
    const result = await cli(['sync', await file(), '--yes', '--batch-size', '1'], server.url);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/reconciled\s+3/);
    expect(server.received.size).toBe(3);
    expect([...server.received.values()]).toEqual([1, 1, 1]);
  });

  it('what LaunchDarkly refuses is reported with its line, exits 1, and stays pending', async () => {
    const server = await fake({ targeted: (_id, ins) => ins.contextKey !== 'bob' });
    const f = await file();
    const result = await cli(['sync', f, '--yes'], server.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/12\s+\+ add\s+user:bob\s+segment beta\s+failed: the context is not individually targeted/);
    expect(result.stdout).toContain(`LaunchDarkly does not match ${f} yet. What is still pending:`);
    const json = await cli(['sync', f, '--yes', '--json'], server.url);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).applied.problems).toEqual([
      expect.objectContaining({
        line: 12,
        contextKey: 'bob',
        fate: 'failed',
        message: 'the context is not individually targeted',
        segment: 'beta',
      }),
    ]);
    expect((await cli(['plan', f], server.url)).code).toBe(4);
  });
});

describe('sync on a terminal', () => {
  /** Runs the CLI in-process with terminal-like streams, typing `answer` at the prompt. */
  async function onTerminal(args: string[], answer: string) {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (t: string) => (stdout += t), isTTY: true, columns: 100 },
      stderr: {
        write: (t: string) => {
          stderr += t;
          if (t.includes("Only 'yes' is accepted")) stdin.write(`${answer}\n`);
        },
        isTTY: true,
        columns: 100,
      },
      stdin,
      env: { LD_API_KEY: TOKEN },
    };
    const code = await run(args, io);
    return { code, stdout, stderr };
  }

  it('asks before applying: "yes" applies', async () => {
    const server = await fake();
    const result = await onTerminal(['sync', await file(), '--base-url', server.url], 'yes');
    expect(result.stderr).toContain('Apply these 3 change(s) to');
    expect(result.code).toBe(0);
    expect(server.stats.patches).toBeGreaterThan(0);
  });

  it('any other answer sends nothing and exits 4', async () => {
    const server = await fake();
    const result = await onTerminal(['sync', await file(), '--base-url', server.url], 'y');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Nothing was sent.');
    expect(server.stats.patches).toBe(0);
  });
});
