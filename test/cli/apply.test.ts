import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, ensureCliBuilt, runCli } from '../support/cli.js';
import { json, type RecordedRequest, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-apply-SECRET-8f1e2d3c4b';
const HEADER = 'action,contextKind,contextKey,targetType,expiresAt';
const where = ['--project', 'proj', '--env', 'prod', '--segment', 'beta'];
const outputs: CliResult[] = [];
const files: string[] = [];

interface Instruction {
  kind: string;
  contextKind: string;
  contextKey: string;
  targetType?: string;
  value?: number;
}

const instructionsOf = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => r.method === 'PATCH').flatMap((r) => (r.json as { instructions: Instruction[] }).instructions);

/** A LaunchDarkly stand-in that applies everything except contexts whose key starts with `reject-`. */
function patchAnswer(instructions: Instruction[]) {
  const errors = instructions.flatMap((i, index) =>
    i.contextKey.startsWith('reject-') ? [{ instructionIndex: index, message: `context ${i.contextKey} is not in the segment` }] : [],
  );
  return {
    items: [],
    totalInstructions: instructions.length,
    successfulInstructions: instructions.length - errors.length,
    failedInstructions: errors.length,
    errors,
  };
}

let server: TestServer;
let dir: string;
beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((req, res) => {
    if (req.method === 'PATCH') return json(res, 200, patchAnswer((req.json as { instructions: Instruction[] }).instructions));
    return json(res, 200, { items: [] });
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-apply-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], options: { env?: Record<string, string> } = {}) {
  const result = await runCli(args, { env: { LD_API_KEY: TOKEN, ...options.env } });
  outputs.push(result);
  return result;
}

async function file(name: string, content: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  files.push(p);
  return p;
}

const readCsv = async (p: string) => {
  files.push(p);
  return parse(await readFile(p, 'utf8'), { columns: true }) as Record<string, string>[];
};

/** 1,000 rows: adds, updates and removes, with a header and times in every accepted form. */
function thousandRows(): string[] {
  const rows: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const key = `user-${String(i).padStart(4, '0')}`;
    if (i % 10 === 9) rows.push(`remove,user,${key},excluded,`);
    else if (i % 10 === 8) rows.push(`update,user,${key},included,2027-01-0${(i % 9) + 1}T00:00:00Z`);
    else if (i % 10 === 7) rows.push(`add,user,${key},included,+30d`);
    else rows.push(`add,user,${key},included,${1_924_905_600_000 + i}`);
  }
  return rows;
}

describe('apply, 1,000 rows', () => {
  const rows = thousandRows();
  // Data row n sits on line n + 2 (the header is line 1).
  const BAD = new Map<number, [string, RegExp]>([
    [17, ['add,user,user-0017,included,2026-13-01T00:00:00Z', /line 19: expiresAt .*not a real date|line 19: expiresAt/]],
    [500, ['ad,user,user-0500,included,+30d', /line 502: action must be add, update or remove, got "ad"/]],
    [998, ['add,user,user-0998,inclded,+30d', /line 1000: targetType must be "included" or "excluded", got "inclded"/]],
  ]);

  it('reports all three bad rows with their line numbers, sends nothing, exits 2', async () => {
    const bad = rows.map((row, i) => BAD.get(i)?.[0] ?? row);
    const input = await file('cohort.csv', `${HEADER}\n${bad.join('\n')}\n`);
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('3 of 1000 row(s) are invalid; nothing was sent');
    for (const [, message] of BAD.values()) expect(result.stderr).toMatch(message);
    expect(result.stderr.match(/^ {2}line \d+:/gm)).toHaveLength(3);
    expect(server.requests.length).toBe(before);
    expect(existsSync(path.join(dir, 'cohort.retry.csv'))).toBe(false);
  });

  it('applies the corrected file: every row accounted for, each sent exactly once, exit 0', async () => {
    const input = await file('cohort-fixed.csv', `${HEADER}\n${rows.join('\n')}\n`);
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url, '--comment', 'cohort ends']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/applied\s+1000/);
    expect(result.stdout).toContain('All 1000 row(s) applied.');
    const requests = server.requests.slice(before);
    expect(requests.every((r) => r.method === 'PATCH' && r.rawUrl === '/api/v2/segments/proj/beta/expiring-targets/prod')).toBe(true);
    expect(requests).toHaveLength(20); // batches of 50
    expect(requests.every((r) => (r.json as { comment: string }).comment === 'cohort ends')).toBe(true);
    const sent = instructionsOf(requests);
    expect(sent).toHaveLength(1000);
    const byKey = new Map<string, number>();
    for (const i of sent) byKey.set(i.contextKey, (byKey.get(i.contextKey) ?? 0) + 1);
    expect(byKey.size).toBe(1000);
    expect([...byKey.values()].every((n) => n === 1)).toBe(true);
    expect(sent[0]).toEqual({
      kind: 'addExpiringTarget',
      contextKind: 'user',
      contextKey: 'user-0000',
      targetType: 'included',
      value: 1_924_905_600_000,
    });
    expect(sent[9]).toEqual({ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'user-0009', targetType: 'excluded' });
    expect(existsSync(path.join(dir, 'cohort-fixed.retry.csv'))).toBe(false);
    expect(existsSync(path.join(dir, 'cohort-fixed.unknown.csv'))).toBe(false);
  });
});

describe('apply, partial failure', () => {
  it('exits 1 and writes exactly the failed rows to a retry file that apply accepts again', async () => {
    const lines = [];
    for (let i = 0; i < 120; i++) {
      const key = i % 25 === 3 ? `reject-${i}` : `ok-${i}`;
      lines.push(i % 2 === 0 ? `add,user,${key},included,2027-06-01T00:00:00Z` : `remove,user,${key},excluded,`);
    }
    const rejected = lines.filter((l) => l.includes('reject-'));
    expect(rejected).toHaveLength(5);
    const input = await file('partial.csv', `${HEADER}\n${lines.join('\n')}\n`);
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url, '--batch-size', '7']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/applied\s+115/);
    expect(result.stdout).toMatch(/failed\s+5/);
    expect(result.stdout).toContain(`5 row(s) did not apply (failed or not attempted): written to ${path.join(dir, 'partial.retry.csv')}`);
    expect(result.stdout).toMatch(/^5\s+remove\s+user:reject-3\s+excluded\s+-\s+failed: context reject-3 is not in the segment$/m);
    expect(result.stdout).toMatch(
      /^30\s+add\s+user:reject-28\s+included\s+2027-06-01T00:00:00.000Z\s+failed: context reject-28 is not in the segment$/m,
    );

    const retry = await readCsv(path.join(dir, 'partial.retry.csv'));
    expect(retry.map((r) => `${r.action},${r.contextKind},${r.contextKey},${r.targetType},${r.expiresAt}`)).toEqual(
      rejected.map((l) => l.replace('2027-06-01T00:00:00Z', '2027-06-01T00:00:00.000Z')),
    );
    expect(retry[0]?.reason).toMatch(/^line 5 of .*partial\.csv: failed: context reject-3 is not in the segment$/);
    expect(existsSync(path.join(dir, 'partial.unknown.csv'))).toBe(false);

    // The retry file goes straight back into apply; here LaunchDarkly still rejects them.
    const before = server.requests.length;
    const again = await cli(['segment', 'apply', path.join(dir, 'partial.retry.csv'), ...where, '--base-url', server.url]);
    expect(again.code).toBe(1);
    expect(instructionsOf(server.requests.slice(before)).map((i) => i.contextKey)).toEqual(retry.map((r) => r.contextKey));
    expect((await readCsv(path.join(dir, 'partial.retry.retry.csv'))).map((r) => r.contextKey)).toEqual(retry.map((r) => r.contextKey));
  });

  it('a retry file runs nothing in a spreadsheet, yet re-applies exactly the keys it lists', async () => {
    const kinds = ['=cmd', '+1+1', '-2', '@SUM(A1)', "'=quoted"];
    const input = await file(
      'formulas.jsonl',
      kinds
        .map((contextKind, i) => JSON.stringify({ action: 'remove', contextKind, contextKey: `reject-f${i}`, targetType: 'included' }))
        .join('\n'),
    );
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url]);
    expect(result.code).toBe(1);
    const text = await readFile(path.join(dir, 'formulas.retry.csv'), 'utf8');
    // No cell of the file starts a formula: each of those starts with the guard '.
    const cells = (parse(text, { relax_quotes: true }) as string[][]).slice(1).flat();
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(text).toContain("remove,'=cmd,reject-f0,included,,");
    const before = server.requests.length;
    const again = await cli(['segment', 'apply', path.join(dir, 'formulas.retry.csv'), ...where, '--base-url', server.url]);
    expect(again.code).toBe(1);
    expect(instructionsOf(server.requests.slice(before)).map((i) => i.contextKind)).toEqual(kinds);
  });

  it('--json output parses and lists each row that did not apply with its line', async () => {
    const input = await file(
      'partial.jsonl',
      [
        JSON.stringify({ action: 'add', contextKind: 'user', contextKey: 'ok-1', targetType: 'included', expiresAt: 1_924_905_600_000 }),
        '',
        JSON.stringify({ action: 'remove', contextKind: 'user', contextKey: 'reject-2', targetType: 'included' }),
        JSON.stringify({
          action: 'update',
          contextKind: 'user',
          contextKey: 'ok-3',
          targetType: 'excluded',
          expiresAt: '2027-01-01T00:00:00+02:00',
        }),
      ].join('\n'),
    );
    const retryFile = path.join(dir, 'chosen-retry.csv');
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url, '--json', '--retry-file', retryFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      ok: false,
      exitCode: 1,
      resource: 'segment',
      project: 'proj',
      environment: 'prod',
      segment: 'beta',
      counts: { total: 3, applied: 2, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0 },
      retryFile,
      unknownFile: null,
      stoppedBy: null,
      problems: [
        {
          line: 3,
          action: 'remove',
          contextKind: 'user',
          contextKey: 'reject-2',
          targetType: 'included',
          expiresAt: null,
          fate: 'failed',
          message: 'context reject-2 is not in the segment',
        },
      ],
    });
    expect((await readCsv(retryFile)).map((r) => r.contextKey)).toEqual(['reject-2']);
  });
});

describe('apply, API and network errors exit 3', () => {
  it('a 401 stops the run: exit 3, the token never shown (even when the server echoes it), every row in the retry file', async () => {
    const unauthorized = await startServer((req, res) =>
      json(res, 401, { code: 'unauthorized', message: `Invalid access token ${String(req.headers.authorization)}` }),
    );
    try {
      const lines = Array.from({ length: 10 }, (_, i) => `add,user,u${i},included,2027-01-01T00:00:00Z`);
      const input = await file('denied.csv', `${HEADER}\n${lines.join('\n')}\n`);
      const result = await cli(['segment', 'apply', input, ...where, '--base-url', unauthorized.url, '--batch-size', '4']);
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('The run stopped early');
      expect(result.stdout).toContain('401');
      expect(result.stdout).toMatch(/not attempted\s+6/);
      expect(unauthorized.requests).toHaveLength(1);
      expect(unauthorized.requests[0]?.headers.authorization).toBe(TOKEN);
      const retry = await readCsv(path.join(dir, 'denied.retry.csv'));
      expect(retry.map((r) => r.contextKey)).toEqual(lines.map((_, i) => `u${i}`));
      const text = await readFile(path.join(dir, 'denied.retry.csv'), 'utf8');
      expect(text).not.toContain(TOKEN);

      const list = await cli(['segment', 'list', ...where, '--base-url', unauthorized.url, '--token', TOKEN]);
      expect(list.code).toBe(3);
      expect(list.stderr).toContain('failed with 401 unauthorized');
      expect(list.stderr).toContain('hint: check the access token');
      const listJson = await cli(['segment', 'list', ...where, '--base-url', unauthorized.url, '--json']);
      expect(listJson.code).toBe(3);
      expect(JSON.parse(listJson.stdout)).toMatchObject({
        ok: false,
        exitCode: 3,
        error: { type: 'api', status: 401, code: 'unauthorized' },
      });
    } finally {
      await unauthorized.close();
    }
  });

  it('answers lost after sending (502, and reading back fails with 404): unknown rows go to their own file, not the retry file', async () => {
    const flaky = await startServer((req, res) =>
      req.method === 'PATCH' ? json(res, 502, { message: 'bad gateway' }) : json(res, 404, { code: 'not_found', message: 'gone' }),
    );
    try {
      const input = await file('lost.csv', `${HEADER}\nadd,user,a,included,2027-01-01T00:00:00Z\nremove,user,b,included,\n`);
      const result = await cli(['segment', 'apply', input, ...where, '--base-url', flaky.url]);
      expect(result.code).toBe(3);
      expect(result.stdout).toMatch(/unknown\s+2/);
      expect(result.stdout).toContain(`2 row(s) may or may not have applied (unknown): written to ${path.join(dir, 'lost.unknown.csv')}`);
      expect(existsSync(path.join(dir, 'lost.retry.csv'))).toBe(false);
      expect((await readCsv(path.join(dir, 'lost.unknown.csv'))).map((r) => r.contextKey)).toEqual(['a', 'b']);
      expect(flaky.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1); // never re-sent: it may have applied
    } finally {
      await flaky.close();
    }
  }, 60_000);

  it('an unreachable server exits 3', async () => {
    const gone = await startServer(() => undefined);
    const url = gone.url;
    await gone.close();
    const result = await cli(['segment', 'list', ...where, '--base-url', url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('hint: check the network');
  });
});

it('never prints or writes the token', async () => {
  expect(outputs.length).toBeGreaterThanOrEqual(9);
  for (const { stdout, stderr } of outputs) {
    expect(stdout).not.toContain(TOKEN);
    expect(stderr).not.toContain(TOKEN);
  }
  for (const f of files) if (existsSync(f)) expect(await readFile(f, 'utf8')).not.toContain(TOKEN);
});
