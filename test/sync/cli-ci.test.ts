/**
 * `plan` and `sync` as a CI job uses them, through the built command line against the stateful
 * fake: one run converges through faults, a saved plan applies what was reviewed, a signal stops
 * sending cleanly, and a hostile file ends in seconds with exit 2 and nothing sent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, ensureCliBuilt, runCli, startCli } from '../support/cli.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

const TOKEN = 'api-sync-ci-SECRET-77c1';
const T0 = Date.parse('2031-01-01T00:00:00Z');
const SEGMENTS = 4;
const CONTEXTS = 40;
const id = (s: number) => `segments/p/seg-${s}/production`;

let dir: string;
let closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  await ensureCliBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-sync-ci-'));
}, 120_000);
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fake(options: Parameters<typeof startFakeLaunchDarkly>[0] = {}) {
  const server = await startFakeLaunchDarkly(options);
  closers.push(server.close);
  return server;
}

function desiredYaml(contexts = CONTEXTS): string {
  let yaml = 'projects:\n  p:\n    environments:\n      production:\n        segments:\n';
  for (let s = 0; s < SEGMENTS; s++) {
    yaml += `          seg-${s}:\n`;
    for (let i = 0; i < contexts; i++)
      yaml += `            - { contextKind: user, contextKey: u-${i}, targetType: included, expiresAt: ${new Date(T0 + (s * contexts + i) * 1000).toISOString()} }\n`;
  }
  return yaml;
}

let fileNo = 0;
async function file(text: string | Buffer, ext = 'yaml'): Promise<string> {
  const p = path.join(dir, `f-${++fileNo}.${ext}`);
  await writeFile(p, text);
  return p;
}

const cli = (args: string[], url: string): Promise<CliResult> => runCli([...args, '--base-url', url], { env: { LD_API_KEY: TOKEN } });

describe('sync converges in one run', () => {
  it('through 503s and resets before applying and 502s and resets after: exit 0, LaunchDarkly equals the file, nothing applied twice, a second run sends no PATCH', async () => {
    const faults = ['503-before', 'reset-after', 'reset-before', '502-after', 'none'] as const;
    const seen = new Set<string>();
    let n = 0;
    const server = await fake({
      fault: ({ method, instructions }) => {
        if (method !== 'PATCH') return 'none';
        const batch = JSON.stringify(instructions);
        if (seen.has(batch)) return 'none';
        seen.add(batch);
        return faults[n++ % faults.length] as (typeof faults)[number];
      },
    });
    const f = await file(desiredYaml());
    const result = await cli(['sync', f, '--yes', '--prune', '--batch-size', '10'], server.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/LaunchDarkly now matches .* \(after 2 rounds\)\./);
    expect(server.stats.faults).toMatchObject({
      '503-before': expect.any(Number),
      'reset-before': expect.any(Number),
      '502-after': expect.any(Number),
      'reset-after': expect.any(Number),
    });
    for (let s = 0; s < SEGMENTS; s++) expect(server.targets(id(s))).toHaveLength(CONTEXTS);
    expect(Math.max(...server.received.values())).toBe(1);
    const patches = server.stats.patches;
    const again = await cli(['sync', f, '--yes', '--prune'], server.url);
    expect(again.code).toBe(0);
    expect(server.stats.patches).toBe(patches);
  }, 60_000);

  it('--max-rounds 1 leaves what a 503 refused pending (exit 1)', async () => {
    const server = await fake({ fault: ({ method, requestNo }) => (method === 'PATCH' && requestNo % 3 === 0 ? '503-before' : 'none') });
    const result = await cli(['sync', await file(desiredYaml(5)), '--yes', '--max-rounds', '1'], server.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('does not match');
  }, 60_000);
});

describe('saved plans', () => {
  it('plan --out, then sync --plan applies exactly the plan; an edited file is refused with exit 2 and nothing sent', async () => {
    const server = await fake();
    const f = await file(desiredYaml(3));
    const saved = path.join(dir, 'plan.json');
    const planned = await cli(['plan', f, '--out', saved, '--target', 'segment:p/production/seg-1'], server.url);
    expect(planned.code).toBe(4);
    const doc = JSON.parse(await readFile(saved, 'utf8'));
    expect(doc).toMatchObject({
      format: 'ld-expiring-targets/plan',
      version: 1,
      targets: ['segment:p/production/seg-1'],
      files: [{ path: f }],
    });
    expect(doc.resources.map((r: { ref: { segmentKey: string } }) => r.ref.segmentKey)).toEqual(['seg-1']);

    const applied = await cli(['sync', '--plan', saved, '--yes'], server.url);
    expect(applied.code).toBe(0);
    expect(server.targets(id(1))).toHaveLength(3);
    expect(server.targets(id(0))).toHaveLength(0);

    const patches = server.stats.patches;
    await writeFile(f, desiredYaml(4));
    const stale = await cli(['sync', '--plan', saved, '--yes'], server.url);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(`${f} changed since ${saved} was made; nothing was sent: plan again`);
    expect(server.stats.patches).toBe(patches);
  }, 60_000);

  it('plan --out never leaves an older plan: an incomplete plan (exit 3) or a file with errors (exit 2) removes it, so sync --plan has nothing stale to apply', async () => {
    const f = await file(desiredYaml(2));
    const saved = path.join(dir, 'stale-plan.json');
    const first = await fake();
    expect((await cli(['plan', f, '--out', saved], first.url)).code).toBe(4);
    expect(JSON.parse(await readFile(saved, 'utf8'))).toMatchObject({ format: 'ld-expiring-targets/plan' });

    // seg-3 is unknown to this LaunchDarkly (404): the plan is incomplete.
    const server = await fake({
      catalog: { projectKey: 'p', environmentKey: 'production', flags: [], segments: [0, 1, 2].map((s) => ({ key: `seg-${s}` })) },
    } as Parameters<typeof startFakeLaunchDarkly>[0]);
    const incomplete = await cli(['plan', f, '--out', saved], server.url);
    expect(incomplete.code).toBe(3);
    expect(incomplete.stderr).toContain(
      `${saved} was not written: the plan is incomplete; the older ${saved} was removed, so 'sync --plan' cannot apply it.`,
    );
    await expect(readFile(saved)).rejects.toMatchObject({ code: 'ENOENT' });
    const gets = server.stats.gets;
    const refused = await cli(['sync', '--plan', saved, '--yes'], server.url);
    expect(refused.code).toBe(2);
    expect(server.stats).toMatchObject({ gets, patches: 0 });

    // The same with --json: savedTo is null.
    expect((await cli(['plan', f, '--out', saved], first.url)).code).toBe(4);
    const asJson = await cli(['plan', f, '--out', saved, '--json'], server.url);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ exitCode: 3, savedTo: null });
    await expect(readFile(saved)).rejects.toMatchObject({ code: 'ENOENT' });

    // A file with errors: nothing is read, and the older plan is gone too.
    expect((await cli(['plan', f, '--out', saved], first.url)).code).toBe(4);
    const bad = await file(desiredYaml(2).replace('contextKind: user, contextKey: u-0,', 'contextKind: user,'));
    const before = first.stats.gets;
    const broken = await cli(['plan', bad, '--out', saved], first.url);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${saved} was not written: ${bad} has errors; the older ${saved} was removed`);
    expect(first.stats.gets).toBe(before);
    await expect(readFile(saved)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('plan --out refuses the desired-state file itself and a folder, with exit 2, nothing read and the file intact', async () => {
    const server = await fake();
    const text = desiredYaml(1);
    const f = await file(text);
    const itself = await cli(['plan', f, '--out', f], server.url);
    expect(itself.code).toBe(2);
    expect(itself.stderr).toContain('is the desired-state file itself: give another path');
    expect(await readFile(f, 'utf8')).toBe(text);
    const folder = await cli(['plan', f, '--out', dir], server.url);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('is a folder: give the path of a file');
    // The desired-state file reached through a link named as FILE, with the real file as --out.
    const link = path.join(dir, `link-${path.basename(f)}`);
    await symlink(f, link);
    const throughLink = await cli(['plan', link, '--out', f], server.url);
    expect(throughLink.code).toBe(2);
    expect(throughLink.stderr).toContain('is the desired-state file itself: give another path');
    expect(await readFile(f, 'utf8')).toBe(text);
    // A link (or a FIFO, a device) at --out is never removed.
    const other = await file('not a plan');
    const outLink = path.join(dir, 'out-link.json');
    await symlink(other, outLink);
    const linkOut = await cli(['plan', f, '--out', outLink], server.url);
    expect(linkOut.code).toBe(2);
    expect(linkOut.stderr).toContain('is not a regular file: give the path of a file');
    expect(await readFile(outLink, 'utf8')).toBe('not a plan');
    expect(server.stats.gets).toBe(0);
  }, 60_000);

  it('plan --format markdown prints a pull-request comment', async () => {
    const server = await fake();
    const result = await cli(['plan', await file(desiredYaml(1)), '--format', 'markdown'], server.url);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('**4 to add, 0 to update, 0 to remove**; 0 unchanged.');
    expect(result.stdout).toContain('| ➕ add | user:u-0 | included | 2031-01-01T00:00:00Z | 7 |');
  }, 60_000);

  it('reads JSON desired-state files', async () => {
    const server = await fake();
    const json = {
      projects: {
        p: {
          environments: {
            production: {
              segments: { 'seg-0': [{ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: '2031-01-01T00:00:00Z' }] },
            },
          },
        },
      },
    };
    const result = await cli(['plan', await file(JSON.stringify(json, null, 2), 'json')], server.url);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/\+ add\s+user:a\s+included\s+2031-01-01T00:00:00Z\s+8\n/);
  }, 60_000);
});

describe('interrupted', () => {
  it('SIGTERM: the batch in flight finishes, nothing more is sent, what was applied is reported, exit 143', async () => {
    let running: ReturnType<typeof startCli> | undefined;
    // The first batch is applied, then its answer is held back while SIGTERM reaches the CLI (a
    // signal is handled in microseconds; the second is a wide margin, not a race being won).
    const server = await fake({
      beforeAnswer: async () => {
        if (running === undefined || running.child.killed) return;
        running.child.kill('SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      },
    });
    const f = await file(desiredYaml());
    running = startCli(['sync', f, '--yes', '--batch-size', '20', '--base-url', server.url], { env: { LD_API_KEY: TOKEN } });
    const result = await running.done;
    expect(result.code).toBe(143);
    expect(server.stats.patches).toBe(1);
    expect(result.stdout).toMatch(/Applied 20 of 160 change\(s\)/);
    expect(result.stdout).toContain('Interrupted (SIGTERM)');
    expect(result.stdout).toContain('What is still pending');
    expect(result.stdout + result.stderr).not.toContain('Request aborted by the caller');
  }, 60_000);
});

describe('a hostile file ends in seconds with exit 2 and nothing sent', () => {
  const SECRET = 'CI_SECRET_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz';
  const hostile: [string, () => Promise<string>][] = [
    [
      'a link to a file of secrets',
      async () => {
        const target = await file(`${SECRET}\n`, 'env');
        const link = path.join(dir, 'environ.yaml');
        await symlink(target, link);
        return link;
      },
    ],
    [
      'a FIFO',
      async () => {
        const fifo = path.join(dir, 'pipe.yaml');
        execFileSync('mkfifo', [fifo]);
        return fifo;
      },
    ],
    ['/dev/zero', async () => '/dev/zero'],
    ['prototype keys', async () => file('projects:\n  p:\n    environments:\n      production:\n        constructor:\n          s: []\n')],
    [
      'invalid UTF-8',
      async () =>
        file(
          Buffer.concat([
            Buffer.from('projects:\n  p:\n    environments:\n      production:\n        segments:\n          m'),
            Buffer.from([0xfc]),
            Buffer.from('ller: []\n'),
          ]),
        ),
    ],
    [
      'a 1 MB value aliased 1,000 times',
      async () => {
        let yaml = `projects:\n  p:\n    environments:\n      production:\n        segments:\n          s:\n            - { contextKind: user, contextKey: &k ${'k'.repeat(1024 * 1024)}, targetType: included, expiresAt: 2020-01-01T00:00:00Z }\n`;
        for (let i = 0; i < 1000; i++)
          yaml += '            - { contextKind: user, contextKey: *k, targetType: included, expiresAt: 2020-01-01T00:00:00Z }\n';
        return file(yaml);
      },
    ],
    [
      'a 1 MB key over many bad entries',
      async () => {
        let yaml = `projects:\n  p:\n    environments:\n      production:\n        segments:\n          ? ${'s'.repeat(1024 * 1024)}\n          :\n`;
        for (let i = 0; i < 1500; i++)
          yaml += `            - { contextKind: 1, contextKey: c${i}, targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n`;
        return file(yaml);
      },
    ],
  ];
  it.each(hostile)(
    '%s',
    async (_name, make) => {
      const server = await fake();
      const f = await make();
      // A small heap: reading must not need more, whatever the file.
      const result = await runCli(['plan', f, '--json', '--base-url', server.url], {
        env: { LD_API_KEY: TOKEN, NODE_OPTIONS: '--max-old-space-size=256' },
      });
      expect(result.code).toBe(2);
      expect(server.stats.requests).toBe(0);
      expect(result.stdout + result.stderr).not.toContain('ghp_');
      expect((result.stdout + result.stderr).length).toBeLessThan(1_000_000);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, exitCode: 2 });
    },
    60_000,
  );
});
