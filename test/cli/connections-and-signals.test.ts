// The CLI against base URLs it must refuse, servers it cannot reach or that never answer, and a
// SIGTERM in the middle of an apply: real subprocesses and real local servers.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcceptAllServer } from '../support/accept-all-server.js';
import { type CliResult, ensureCliBuilt, runCli, startCli } from '../support/cli.js';
import { type Fault, startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { json, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-connections-SECRET-9e8d7c6b5a';
const HEADER = 'action,contextKind,contextKey,targetType,expiresAt';
const where = ['--project', 'p', '--env', 'e', '--segment', 's'];

let server: TestServer;
let dir: string;
beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((_req, res) => json(res, 200, { items: [] }));
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-connections-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const outputs: CliResult[] = [];
async function cli(args: string[]) {
  const result = await runCli(args, { env: { LD_API_KEY: TOKEN } });
  outputs.push(result);
  return result;
}

async function rowsFile(name: string, n: number): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${HEADER}\n${Array.from({ length: n }, (_, i) => `add,user,u${i},included,2030-12-31T00:00:00Z`).join('\n')}\n`);
  return file;
}

const readRows = async (file: string) => parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[];

describe('base URLs', () => {
  const port = () => new URL(server.url).port;
  it.each([
    ['credentials', () => `http://admin:hunter2-pass@127.0.0.1:${port()}`, /baseUrl must not contain credentials/],
    ['a query', () => `http://127.0.0.1:${port()}/?x=1`, /baseUrl must not have a query/],
    ['a fragment', () => `http://127.0.0.1:${port()}/#frag`, /baseUrl must not have a fragment/],
  ])('with %s: refused at start (exit 2), the URL never printed, nothing sent', async (_name, url, message) => {
    const before = server.requests.length;
    const file = await rowsFile('base-url.csv', 3);
    for (const args of [
      ['segment', 'list', ...where],
      ['segment', 'apply', file, ...where],
    ]) {
      const result = await cli([...args, '--base-url', url()]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('hint: give --base-url as scheme://host[:port][/path]');
      expect(result.stdout + result.stderr).not.toContain('hunter2-pass');
      expect(result.stdout + result.stderr).not.toContain('admin:');
    }
    expect(server.requests.length).toBe(before);
    expect(existsSync(path.join(dir, 'base-url.retry.csv'))).toBe(false);
  });
});

describe('servers that cannot be reached', () => {
  it('a port fetch refuses (1): every row not attempted, in the retry file, none unknown; the run stops at the first batch', async () => {
    const file = await rowsFile('bad-port.csv', 200);
    const result = await cli(['segment', 'apply', file, ...where, '--base-url', 'http://127.0.0.1:1']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/not attempted\s+200/);
    expect(result.stdout).toMatch(/unknown\s+0/);
    expect(result.stdout).toContain('The run stopped early: Request to 127.0.0.1:1 failed (bad port)');
    expect((await readRows(path.join(dir, 'bad-port.retry.csv'))).map((r) => r.contextKey)).toEqual(
      Array.from({ length: 200 }, (_, i) => `u${i}`),
    );
    expect(existsSync(path.join(dir, 'bad-port.unknown.csv'))).toBe(false);
  }, 60_000);

  it('a closed port names the host; rows go to the retry file', async () => {
    const gone = await startServer(() => undefined);
    const { url } = gone;
    await gone.close();
    const file = await rowsFile('closed.csv', 120);
    const result = await cli(['segment', 'apply', file, ...where, '--base-url', url, '--json']);
    expect(result.code).toBe(3);
    const body = JSON.parse(result.stdout) as { counts: Record<string, number>; stoppedBy: string; unknownFile: string | null };
    expect(body.counts).toMatchObject({ total: 120, notAttempted: 120, unknown: 0 });
    expect(body.stoppedBy).toBe(`Request to ${new URL(url).host} failed (ECONNREFUSED)`);
    expect(body.unknownFile).toBeNull();
    expect(await readRows(path.join(dir, 'closed.retry.csv'))).toHaveLength(120);
  }, 60_000);

  it('a host that does not resolve is named in the error (.invalid never resolves)', async () => {
    const result = await cli(['segment', 'list', ...where, '--base-url', 'https://ld-expiring-targets-test.invalid']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Request to ld-expiring-targets-test\.invalid failed \((ENOTFOUND|EAI_AGAIN)\)/);
    expect(result.stderr).toContain('hint: check the network, --base-url or --instance');
  }, 60_000);

  it('--timeout sets the per-attempt timeout: a server that never answers fails list after a few short attempts', async () => {
    const silent = await startServer(() => new Promise(() => undefined));
    try {
      const result = await cli(['segment', 'list', ...where, '--base-url', silent.url, '--timeout', '0.3']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('Request timed out after 300 ms');
      // The first attempt and two retries, each cut off at 0.3 s.
      expect(silent.requests).toHaveLength(3);
      const bad = await cli(['segment', 'list', ...where, '--base-url', silent.url, '--timeout', '0']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--timeout must be a positive number of seconds');
    } finally {
      await silent.close();
    }
  }, 60_000);
});

describe('signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s mid-apply: summary, retry and unknown files, exit %i; every row in exactly one place',
    async (signal, exitCode) => {
      const slow = await startAcceptAllServer({ delayMs: 150 });
      try {
        const rows = 3000;
        const file = await rowsFile(`${signal}.csv`, rows);
        const running = startCli(['segment', 'apply', file, ...where, '--base-url', slow.url], { env: { LD_API_KEY: TOKEN } });
        // Wait until the run is well under way: some batches answered, one in flight.
        for (let waited = 0; slow.stats.patches < 4 && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
        expect(slow.stats.patches).toBeGreaterThanOrEqual(4);
        running.child.kill(signal);
        const result = await running.done;
        outputs.push(result);
        expect(result.code).toBe(exitCode);
        expect(result.stdout).toContain(`Summary of ${rows} row(s):`);
        expect(result.stdout).toContain(`The run stopped early: interrupted (${signal})`);
        const applied = Number(/applied\s+(\d+)/.exec(result.stdout)?.[1]);
        const retry = await readRows(path.join(dir, `${signal}.retry.csv`));
        const unknownFile = path.join(dir, `${signal}.unknown.csv`);
        const unknown = existsSync(unknownFile) ? await readRows(unknownFile) : [];
        expect(applied).toBeGreaterThan(0);
        expect(applied + retry.length + unknown.length).toBe(rows);
        const keys = [...retry, ...unknown].map((r) => r.contextKey);
        expect(new Set(keys).size).toBe(keys.length);
        // Rows that were never sent are in the retry file; the server never saw them.
        expect(slow.stats.instructions).toBeLessThanOrEqual(rows - retry.length);
        expect(slow.stats.instructions).toBeGreaterThanOrEqual(applied);
        expect(retry.every((r) => /not attempted/.test(r.reason ?? ''))).toBe(true);
      } finally {
        await slow.close();
      }
    },
    60_000,
  );
});

describe('faults during apply', () => {
  it('against the fault-injecting fake (502 after applying, resets, 503 before): every row applied, failed or unknown exactly once, matching the server', async () => {
    let n = 0;
    const fake = await startFakeLaunchDarkly({
      fault: ({ method }) =>
        method !== 'PATCH' ? 'none' : ((['502-after', 'none', 'reset-after', 'none', '503-before', 'none'] as Fault[])[n++ % 6] ?? 'none'),
    });
    try {
      const rows = 1200;
      const file = await rowsFile('faults.csv', rows);
      const result = await cli(['segment', 'apply', file, ...where, '--base-url', fake.url, '--batch-size', '20', '--json']);
      const body = JSON.parse(result.stdout) as { counts: Record<string, number>; exitCode: number };
      expect(body.counts).toMatchObject({ total: rows, unknown: 0 });
      const retry = existsSync(path.join(dir, 'faults.retry.csv')) ? await readRows(path.join(dir, 'faults.retry.csv')) : [];
      expect(body.counts.applied! + retry.length).toBe(rows);
      const serverApplied = new Set([...fake.applied].map((s) => (JSON.parse(s) as { contextKey: string }).contextKey));
      expect(serverApplied.size).toBe(body.counts.applied);
      // Nothing in the retry file was applied: sending it again cannot apply anything twice.
      expect(retry.filter((r) => serverApplied.has(r.contextKey ?? ''))).toEqual([]);
      expect(body.counts.reconciled).toBeGreaterThan(0);
      expect(Math.max(...fake.received.values())).toBe(1);
    } finally {
      await fake.close();
    }
  }, 60_000);
});

it('never prints the token', () => {
  expect(outputs.length).toBeGreaterThan(6);
  for (const { stdout, stderr } of outputs) expect(stdout + stderr).not.toContain(TOKEN);
});
