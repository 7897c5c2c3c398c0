// The one exit-code table: every --help and the docs' table are read from it, and a signal ends
// every command with 130 (SIGINT) or 143 (SIGTERM), in-process against real local servers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { EXIT, EXIT_CODES, exitCodesMarkdown } from '../../src/cli/exit-codes.js';
import { run } from '../../src/cli/run.js';
import { json, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-exit-codes-SECRET-1f2e3d';
const where = ['--project', 'p', '--env', 'e', '--segment', 's'];
let dir: string;
let csv: string;
let yaml: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-exit-codes-'));
  csv = path.join(dir, 'rows.csv');
  await writeFile(csv, 'action,contextKind,contextKey,targetType,expiresAt\nadd,user,a,included,2030-12-31T00:00:00Z\n');
  yaml = path.join(dir, 'desired.yaml');
  await writeFile(
    yaml,
    'projects:\n  p:\n    environments:\n      e:\n        segments:\n          s:\n            - { contextKind: user, contextKey: a, targetType: included, expiresAt: 2030-12-31T00:00:00Z }\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], options: { signal?: AbortSignal; onStderr?: (text: string) => void; terminal?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const terminal = options.terminal === true;
  const code = await run(args, {
    stdout: { write: (t: string) => (stdout += t), isTTY: terminal },
    stderr: {
      write: (t: string) => {
        stderr += t;
        options.onStderr?.(t);
      },
      isTTY: terminal,
    },
    stdin: terminal ? Object.assign(new PassThrough(), { isTTY: true }) : undefined,
    env: { LD_API_KEY: TOKEN },
    signal: options.signal,
  });
  return { code, stdout, stderr };
}

describe('the exit-code table', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    "%s --help lists exactly the codes it declares, with the table's meanings",
    async (_name, command) => {
      const args = command.scope === 'resource' ? ['segment', command.name, '--help'] : [command.name, '--help'];
      const { code, stdout } = await cli(args);
      expect(code).toBe(0);
      const section = stdout.slice(stdout.indexOf('Exit codes:\n'), stdout.indexOf('\n\nEnvironment:'));
      const listed = [...section.matchAll(/^ {2}(\d+) {2}(.+)$/gm)].map((m) => Number(m[1]));
      expect(listed).toEqual(command.exits.map((n) => EXIT_CODES[n].code));
      for (const n of command.exits) {
        const doc: { code: number; meaning: string; per?: Record<string, string> } = EXIT_CODES[n];
        expect(section).toContain(`${doc.code}  ${doc.per?.[command.name] ?? doc.meaning}`);
      }
    },
  );

  it('every long-running command may end with 130 and 143; the overview lists every code once, none under Environment', async () => {
    for (const c of COMMANDS) expect(c.exits).toEqual(expect.arrayContaining(['interrupted', 'terminated']));
    const { stdout } = await cli(['--help']);
    const section = stdout.slice(stdout.indexOf('Exit codes:\n'), stdout.indexOf('\n\nEnvironment:'));
    expect([...section.matchAll(/^ {2}(\d+) {2}/gm)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4, 130, 143]);
    expect(stdout.slice(stdout.indexOf('Environment:'))).not.toMatch(/^ {2}\d/m);
  });

  it('renders as a Markdown table for the docs: one row per code, naming the commands that end with it', () => {
    const markdown = exitCodesMarkdown(COMMANDS);
    const rows = markdown.split('\n');
    expect(rows.slice(0, 2)).toEqual(['| Code | Meaning | Commands |', '| --- | --- | --- |']);
    expect(rows.slice(2).map((r) => Number(r.split('|')[1]))).toEqual([0, 1, 2, 3, 4, 130, 143]);
    expect(rows.find((r) => r.startsWith('| 4 |'))).toMatch(/\| `plan`, `sync` \|$/);
    expect(rows.find((r) => r.startsWith('| 143 |'))).toContain('`list`, `add`, `update`, `remove`, `apply`, `plan`, `sync`');
  });
});

describe('signals end every command with 130 or 143', () => {
  let silent: TestServer;
  let empty: TestServer;
  beforeAll(async () => {
    silent = await startServer(() => new Promise(() => undefined));
    empty = await startServer((_req, res) => json(res, 200, { items: [] }));
  });
  afterAll(async () => {
    await silent?.close();
    await empty?.close();
  });

  const commands: [string, string[]][] = [
    ['list', ['segment', 'list', ...where]],
    ['add', ['segment', 'add', ...where, '--context', 'user:a', '--target-type', 'included', '--at', '+30d']],
    ['update', ['segment', 'update', ...where, '--context', 'user:a', '--target-type', 'included', '--at', '+30d']],
    ['remove', ['segment', 'remove', ...where, '--context', 'user:a', '--target-type', 'included']],
    ['apply', ['segment', 'apply', 'CSV', ...where]],
    ['plan', ['plan', 'YAML']],
    ['sync', ['sync', 'YAML', '--yes']],
  ];
  it.each(
    commands.flatMap(([name, args]) =>
      (['SIGINT', 'SIGTERM'] as const).map(
        (signal) => [name, signal, signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted, args] as const,
      ),
    ),
  )(
    '%s, %s while a request is in flight: exit %i',
    async (_name, signal, expected, args) => {
      const controller = new AbortController();
      const before = silent.requests.length;
      const argv = [...args.map((a) => (a === 'CSV' ? csv : a === 'YAML' ? yaml : a)), '--base-url', silent.url];
      const running = cli(argv, { signal: controller.signal });
      while (silent.requests.length === before) await new Promise((r) => setTimeout(r, 10));
      controller.abort(signal);
      expect((await running).code).toBe(expected);
    },
    30_000,
  );

  it.each([
    ['SIGINT', EXIT.interrupted],
    ['SIGTERM', EXIT.terminated],
  ] as const)('sync, %s at the confirmation prompt: nothing sent, exit %i', async (signal, expected) => {
    const controller = new AbortController();
    const before = empty.requests.length;
    const result = await cli(['sync', yaml, '--base-url', empty.url], {
      signal: controller.signal,
      terminal: true,
      onStderr: (t) => {
        if (t.includes("Only 'yes' is accepted")) controller.abort(signal);
      },
    });
    expect(result.stderr).toContain('Apply these 1 change(s)');
    expect(result.code).toBe(expected);
    expect(empty.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });
});
