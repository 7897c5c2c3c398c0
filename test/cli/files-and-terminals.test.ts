// What the CLI reads and writes when the input file, the file system or the server is hostile:
// encodings, planted links, escape sequences, and output that must stay a screenful.
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliResult, ensureCliBuilt, runCli } from '../support/cli.js';
import { type RecordedRequest, json, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-files-SECRET-5b7a9c1d3e';
const HEADER = 'action,contextKind,contextKey,targetType,expiresAt';
const where = ['--project', 'p', '--env', 'e', '--segment', 's'];
// What a hostile server (or file) may try: clear the screen, move home, print a fake line, set the title.
const ESCAPES = '\x1b[2J\x1b[H\x1b]0;pwned\x07All 3 row(s) applied.\r\x9b31m';
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

interface Instruction {
  contextKey: string;
}

let server: TestServer;
let dir: string;
/** What the server answers to a PATCH; by default: every instruction applied. */
let patchReply: (req: RecordedRequest) => { status: number; body: unknown } = (req) => {
  const n = (req.json as { instructions: unknown[] }).instructions.length;
  return { status: 200, body: { items: [], totalInstructions: n, successfulInstructions: n, failedInstructions: 0, errors: [] } };
};
const acceptAll = patchReply;

beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((req, res) => {
    if (req.method !== 'PATCH') return json(res, 200, { items: [] });
    const { status, body } = patchReply(req);
    json(res, status, body);
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-files-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  patchReply = acceptAll;
});

const outputs: CliResult[] = [];
async function cli(args: string[]) {
  const result = await runCli(args, { env: { LD_API_KEY: TOKEN } });
  outputs.push(result);
  return result;
}
const sentKeys = (from: number) =>
  server.requests
    .slice(from)
    .filter((r) => r.method === 'PATCH')
    .flatMap((r) => (r.json as { instructions: Instruction[] }).instructions.map((i) => i.contextKey));

describe('encodings', () => {
  it('a Latin-1 file is refused, naming the first line that is not UTF-8; nothing is sent', async () => {
    const file = path.join(dir, 'latin1.csv');
    await writeFile(
      file,
      Buffer.from(`${HEADER}\nremove,user,alice,included,\nremove,user,müller,included,\nremove,user,zoë,included,\n`, 'latin1'),
    );
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', file, ...where, '--base-url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: line 3 is not valid UTF-8; nothing was sent`);
    expect(result.stderr).toMatch(/^ {2}line 3: is not valid UTF-8/m);
    expect(server.requests.length).toBe(before);
    expect(existsSync(path.join(dir, 'latin1.retry.csv'))).toBe(false);
  });

  it('UTF-8 with a byte order mark is accepted and keys reach the server exactly', async () => {
    const file = path.join(dir, 'bom.csv');
    await writeFile(file, `\uFEFF${HEADER}\nremove,user,müller,included,\nremove,user,日本,included,\n`);
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', file, ...where, '--base-url', server.url]);
    expect(result.code).toBe(0);
    expect(sentKeys(before)).toEqual(['müller', '日本']);
  });
});

describe('output files', () => {
  it('a symbolic link planted at the retry path is refused before anything is sent; its target is untouched', async () => {
    const sub = path.join(dir, 'planted');
    await mkdir(sub);
    const victim = path.join(sub, 'victim.txt');
    await writeFile(victim, 'precious');
    const input = path.join(sub, 'cohort.csv');
    await writeFile(input, `${HEADER}\nremove,user,a,included,\n`);
    await symlink(victim, path.join(sub, 'cohort.retry.csv'));
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`refusing to write ${path.join(sub, 'cohort.retry.csv')}: it exists and is a symbolic link`);
    expect(server.requests.length).toBe(before);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readlink(path.join(sub, 'cohort.retry.csv'))).toBe(victim);
  });

  it('a retry file in a folder that does not exist is refused before anything is sent', async () => {
    const input = path.join(dir, 'nowhere.csv');
    await writeFile(input, `${HEADER}\nremove,user,a,included,\n`);
    const before = server.requests.length;
    const result = await cli([
      'segment',
      'apply',
      input,
      ...where,
      '--base-url',
      server.url,
      '--retry-file',
      path.join(dir, 'missing', 'r.csv'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot write ${path.join(dir, 'missing', 'r.csv')}: ENOENT`);
    expect(server.requests.length).toBe(before);
  });

  it('an existing regular retry file is replaced; no temporary file is left behind', async () => {
    const sub = path.join(dir, 'replace');
    await mkdir(sub);
    const input = path.join(sub, 'cohort.csv');
    await writeFile(input, `${HEADER}\nremove,user,reject-1,included,\nremove,user,ok,included,\n`);
    await writeFile(path.join(sub, 'cohort.retry.csv'), 'old content\n');
    patchReply = (req) => {
      const list = (req.json as { instructions: Instruction[] }).instructions;
      const errors = list.flatMap((i, index) =>
        i.contextKey.startsWith('reject') ? [{ instructionIndex: index, message: 'not targeted' }] : [],
      );
      return {
        status: 200,
        body: {
          items: [],
          totalInstructions: list.length,
          successfulInstructions: list.length - errors.length,
          failedInstructions: errors.length,
          errors,
        },
      };
    };
    const result = await cli(['segment', 'apply', input, ...where, '--base-url', server.url]);
    expect(result.code).toBe(1);
    const rows = parse(await readFile(path.join(sub, 'cohort.retry.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.contextKey)).toEqual(['reject-1']);
    expect((await lstat(path.join(sub, 'cohort.retry.csv'))).isFile()).toBe(true);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(sub)).sort()).toEqual(['cohort.csv', 'cohort.retry.csv']);
  });
});

describe('terminals', () => {
  it('escape sequences in server messages and in keys reach no terminal raw; the keys themselves are sent and written exactly', async () => {
    const evilKey = 'evil\x1b[31mkey';
    patchReply = (req) => {
      const list = (req.json as { instructions: Instruction[] }).instructions;
      const errors = list.map((_, instructionIndex) => ({ instructionIndex, message: `nope ${ESCAPES}` }));
      return {
        status: 200,
        body: { items: [], totalInstructions: list.length, successfulInstructions: 0, failedInstructions: list.length, errors },
      };
    };
    const file = path.join(dir, 'escapes.jsonl');
    await writeFile(file, `${JSON.stringify({ action: 'remove', contextKind: 'user', contextKey: evilKey, targetType: 'included' })}\n`);
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', file, ...where, '--base-url', server.url]);
    expect(result.code).toBe(1);
    expect(sentKeys(before)).toEqual([evilKey]);
    expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('nope \\x1b[2J\\x1b[H\\x1b]0;pwned\\x07All 3 row(s) applied.\\x0d\\x9b31m');
    expect(result.stdout).toContain('user:evil\\x1b[31mkey');
    const retry = await readFile(path.join(dir, 'escapes.retry.csv'), 'utf8');
    // The key round-trips into the retry file; the reason (a message) is neutralized.
    expect((parse(retry, { columns: true }) as Record<string, string>[])[0]).toMatchObject({
      contextKey: evilKey,
      reason: expect.stringContaining('nope \\x1b[2J'),
    });
    expect(retry.replace(evilKey, '')).not.toMatch(RAW_CONTROL);

    const asJson = await cli([
      'segment',
      'apply',
      file,
      ...where,
      '--base-url',
      server.url,
      '--json',
      '--retry-file',
      path.join(dir, 'escapes-2.csv'),
    ]);
    expect(asJson.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(asJson.stdout).problems[0]).toMatchObject({ contextKey: evilKey, message: `nope ${ESCAPES}` });
  });

  it('an error a server sends with escape sequences (list) is neutralized too', async () => {
    const hostile = await startServer((_req, res) => json(res, 404, { code: 'not_found', message: ESCAPES }));
    try {
      const result = await cli(['segment', 'list', ...where, '--base-url', hostile.url]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('\\x1b[2J');
      expect(result.stdout + result.stderr).not.toMatch(RAW_CONTROL);
    } finally {
      await hostile.close();
    }
  });
});

describe('a screenful', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `remove,user,u${i},included,`);

  it('apply --dry-run of 5,000 rows prints a bounded summary; --json lists every instruction', async () => {
    const file = path.join(dir, 'big-dry.csv');
    await writeFile(file, `${HEADER}\n${rows.join('\n')}\n`);
    const result = await cli(['segment', 'apply', file, ...where, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: 5000 instruction(s)');
    expect(result.stdout).toContain('… and 4980 more (--json lists every instruction)');
    expect(result.stdout.split('\n').length).toBeLessThan(60);
    const asJson = await cli(['segment', 'apply', file, ...where, '--dry-run', '--json']);
    const body = JSON.parse(asJson.stdout) as { count: number; instructions: Instruction[] };
    expect(body.count).toBe(5000);
    expect(body.instructions.map((i) => i.contextKey)).toEqual(rows.map((_, i) => `u${i}`));
  });

  it('list of a segment with 50,000 targets shows a screenful; --json lists them all', async () => {
    const items = Array.from({ length: 50_000 }, (_, i) => ({
      contextKind: 'user',
      contextKey: `k${i}`,
      targetType: 'included',
      expirationDate: 1_924_905_600_000,
      _version: 1,
    }));
    const big = await startServer((_req, res) => json(res, 200, { items }));
    try {
      const result = await cli(['segment', 'list', ...where, '--base-url', big.url]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(': 50000');
      expect(result.stdout).toContain('… and 49980 more (--json lists them all)');
      expect(result.stdout.split('\n').length).toBeLessThan(30);
      const asJson = await cli(['segment', 'list', ...where, '--base-url', big.url, '--json']);
      expect((JSON.parse(asJson.stdout) as { items: unknown[] }).items).toHaveLength(50_000);
    } finally {
      await big.close();
    }
  });
});

it('never prints or writes the token', () => {
  expect(outputs.length).toBeGreaterThan(8);
  for (const { stdout, stderr } of outputs) expect(stdout + stderr).not.toContain(TOKEN);
});
