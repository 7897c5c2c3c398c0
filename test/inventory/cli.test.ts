/**
 * `report` and `export`, the built CLI against the fake LaunchDarkly: paginated listings, a 429
 * mid-way, one resource failing with 500; and the round trip through `plan`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { REPORT_CSV_COLUMNS } from '../../src/inventory/index.js';
import { closedAfterEach } from '../support/bulk-runs.js';
import { ensureCliBuilt, runCli } from '../support/cli.js';
import { syntheticProject } from '../support/fake-catalog.js';

const { fake } = closedAfterEach();
const ENV = { LD_API_KEY: 'cli-token', NO_COLOR: '1' };
let dir: string;
beforeAll(async () => {
  await ensureCliBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-inventory-cli-'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** 150 flags and 120 segments (two pages each), every 10th with two removals; flag-00050 answers 500; the 40th request, a read mid-way, gets 429. */
async function project({ failing = true } = {}) {
  const { catalog, seeds } = syntheticProject({ flags: 150, segments: 120, every: 10 });
  const server = await fake({
    catalog,
    fault: ({ method, id, requestNo }) =>
      method === 'GET' && failing && id === 'flags/p/flag-00050/e' ? '500' : requestNo === 40 ? '429' : 'none',
  });
  for (const s of seeds) server.seed(s.id, s.targets, s.resource);
  const expected = seeds.filter((s) => !(failing && s.id === 'flags/p/flag-00050/e')).flatMap((s) => s.targets.map((t) => t.contextKey));
  return { server, expected, args: ['--project', 'p', '--env', 'e', '--base-url', server.url] };
}

describe('report', () => {
  it('reports every other removal, names the resource failing with 500, and exits 3 (text, --json, --csv)', async () => {
    const { server, expected, args } = await project();
    const text = await runCli(['report', ...args], { env: ENV });
    expect(text.code).toBe(3);
    for (const key of expected) expect(text.stdout).toContain(` ${key} `);
    expect(text.stdout).toMatch(/^\d{4}-\d{2}-\d{2} +\d+ +#+$/m);
    expect(text.stdout).toContain('flag flag-00050');
    expect(text.stdout).not.toContain('\u001b[');

    const json = await runCli(['report', ...args, '--json'], { env: ENV });
    expect(json.code).toBe(3);
    const body = JSON.parse(json.stdout);
    expect(body.removals.map((r: { contextKey: string }) => r.contextKey).sort()).toEqual([...expected].sort());
    expect(body.unreadable).toEqual([expect.objectContaining({ resourceKind: 'flag', resourceKey: 'flag-00050', error: 'ServerError' })]);
    expect(json.stderr).toContain('flag-00050');

    const csv = await runCli(['report', ...args, '--csv'], { env: ENV });
    expect(csv.code).toBe(3);
    const rows = parseCsv(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...REPORT_CSV_COLUMNS]);
    expect(rows.map((r) => r.contextKey).sort()).toEqual([...expected].sort());
    expect(rows.find((r) => r.resourceKey === 'flag-00010')).toMatchObject({ resourceKind: 'flag', variationName: 'On', targetType: '' });
  }, 120_000);

  it('rides out a 429 mid-way and exits 0 when every resource was read; --within filters by time', async () => {
    const { server, expected, args } = await project({ failing: false });
    const all = await runCli(['report', ...args, '--json'], { env: ENV });
    expect(all.code).toBe(0);
    expect(server.stats.rateLimited).toBe(1);
    expect(JSON.parse(all.stdout).removals).toHaveLength(expected.length);
    const soon = await runCli(['report', ...args, '--json', '--within', '30h'], { env: ENV });
    const removals = JSON.parse(soon.stdout).removals as { expiresAt: string }[];
    expect(removals.length).toBeGreaterThan(0);
    expect(removals.length).toBeLessThan(expected.length);
    expect(removals.every((r) => Date.parse(r.expiresAt) < Date.now() + 30 * 3_600_000)).toBe(true);
  }, 120_000);

  it('colours the text only on a terminal without NO_COLOR', async () => {
    const { args } = await project({ failing: false });
    const inProcess = async (terminal: boolean, env: Record<string, string>) => {
      let stdout = '';
      const sink = { write: (t: string) => (stdout += t), isTTY: terminal };
      const code = await run(['report', ...args], {
        stdout: sink,
        stderr: { write: () => true, isTTY: terminal },
        env: { LD_API_KEY: 't', ...env },
      });
      return { code, stdout };
    };
    const coloured = await inProcess(true, {});
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toContain('\u001b[36m#');
    for (const [terminal, env] of [
      [true, { NO_COLOR: '1' }],
      [false, {}],
    ] as const) {
      const plain = await inProcess(terminal, env);
      expect(plain.stdout).not.toContain('\u001b[');
      expect(plain.stdout.replace(/\u001b\[\d+m/g, '')).toBe(coloured.stdout.replace(/\u001b\[\d+m/g, ''));
    }
  }, 120_000);

  it('refuses a bad duration before sending anything (exit 2)', async () => {
    const { server, args } = await project();
    const result = await runCli(['report', ...args, '--within', 'soon'], { env: ENV });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('within');
    expect(server.stats.requests).toBe(0);
  });
});

describe('export', () => {
  it('writes a file plan reads with no changes; after one removal changes, plan shows exactly that one', async () => {
    const { server, expected, args } = await project({ failing: false });
    const file = path.join(dir, 'state.yaml');
    const exported = await runCli(['export', ...args, '--output', file], { env: ENV });
    expect(exported.code, exported.stderr).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# Flag 10; variations: flag-00010-on = On');
    for (const key of expected) expect(text).toContain(`contextKey: ${key}`);
    const plan = await runCli(['plan', file, '--base-url', server.url], { env: ENV });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const target = server.targets('segments/p/segment-00020/e')[0];
    if (!target) throw new Error('segment-00020 has no removal');
    server.schedule('segments/p/segment-00020/e', 'segment', { ...target, expirationDate: target.expirationDate + 3_600_000 });
    const changed = await runCli(['plan', file, '--base-url', server.url, '--json'], { env: ENV });
    expect(changed.code).toBe(4);
    const changes = JSON.parse(changed.stdout).plan.resources.flatMap((r: { changes: unknown[] }) => r.changes);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ action: 'update', contextKey: target.contextKey });
  }, 120_000);

  it('refuses to overwrite without --force, writes JSON by the name, and leaves out due removals with a count on stderr', async () => {
    const { server, args } = await project({ failing: false });
    server.schedule('segments/p/segment-00001/e', 'segment', {
      contextKind: 'user',
      contextKey: 'due',
      targetType: 'included',
      expirationDate: Date.now() - 60_000,
    });
    const file = path.join(dir, 'state.json');
    await writeFile(file, 'keep me');
    const refused = await runCli(['export', ...args, '--output', file], { env: ENV });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(file, 'utf8')).toBe('keep me');
    const forced = await runCli(['export', ...args, '--output', file, '--force'], { env: ENV });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('left out 1 removal');
    const state = JSON.parse(await readFile(file, 'utf8'));
    expect(state.projects.p.environments.e.segments['segment-00001']).toBeUndefined();
  }, 120_000);

  it('writes nothing and exits 3 when a resource cannot be read', async () => {
    const { args } = await project();
    const file = path.join(dir, 'partial.yaml');
    const result = await runCli(['export', ...args, '--output', file], { env: ENV });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('flag-00050');
    await expect(readFile(file, 'utf8')).rejects.toThrow();
  }, 120_000);
});
