import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult, ensureCliBuilt, runCli } from '../support/cli.js';
import { json, startServer, type TestServer } from '../support/http-server.js';
import { projectRoot } from '../support/project.js';

const TOKEN = 'api-usage-SECRET-3c9d7e21f0';
const outputs: CliResult[] = [];
const cli = async (args: string[], env: Record<string, string> = {}) => {
  const result = await runCli(args, { env });
  outputs.push(result);
  return result;
};

let server: TestServer;
let dir: string;
beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((_req, res) =>
    json(res, 200, { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] }),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-usage-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const where = ['--project', 'p', '--env', 'e', '--segment', 's'];
const flagWhere = ['--project', 'p', '--env', 'e', '--flag', 'f'];
const remote = () => ['--base-url', server.url, '--token', TOKEN];

describe('help', () => {
  it('prints the overview on --help (exit 0) and on no arguments (stderr, exit 2)', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
    for (const command of ['list', 'add', 'update', 'remove', 'apply']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).toContain('Exit codes:');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage:');
  });

  it.each([
    ['segment', 'list', ['--segment', '--project', '--env', '--mock', '--json', '--token', '--base-url', '--instance', '--api-version']],
    ['segment', 'add', ['--context', '--target-type', '--at', '--dry-run', '--comment']],
    ['segment', 'update', ['--context', '--target-type', '--at']],
    ['segment', 'remove', ['--context', '--target-type']],
    ['segment', 'apply', ['FILE', 'action,contextKind,contextKey,targetType,expiresAt', '--retry-file', '--batch-size', '.unknown.csv']],
    ['flag', 'list', ['--flag']],
    ['flag', 'add', ['--variation', '--at']],
    ['flag', 'update', ['--variation']],
    ['flag', 'remove', ['--variation']],
    ['flag', 'apply', ['action,contextKind,contextKey,variationId,expiresAt']],
  ])('%s %s --help lists its options', async (resource, command, expected) => {
    const result = await cli([resource, command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: ld-expiring-targets ${resource} ${command}`);
    for (const text of expected) expect(result.stdout).toContain(text);
    if (resource === 'flag') expect(result.stdout).not.toContain('--target-type');
    if (command === 'remove') expect(result.stdout).not.toContain('--at ');
  });

  it("the overview's first example works as shown, with no token and no server", async () => {
    const help = await cli(['--help']);
    const first = /^Examples:\n {2}(.+)$/m.exec(help.stdout)?.[1];
    expect(first).toMatch(/^ld-expiring-targets /);
    const result = await cli(first!.split(' ').slice(1));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing was sent');
  });

  it('--help wins over other arguments, even wrong ones', async () => {
    const result = await cli(['segment', 'add', '--nonsense', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--target-type');
  });

  it('prints its version', async () => {
    const result = await cli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ld-expiring-targets \d+\.\d+\.\d+\n$/);
  });
});

describe('argument errors exit 2 with a message and send nothing', () => {
  const add = ['segment', 'add', ...where, '--context', 'user:alice', '--target-type', 'included', '--at', '+30d'];
  it.each([
    ['an unknown resource', ['segments', 'list'], /unknown command "segments"/],
    ['an unknown command', ['segment', 'delete'], /unknown segment command "delete": use list, add, update, remove, apply/],
    ['an unknown option', [...add, '--bogus'], /unknown option --bogus\b/],
    ['a missing --project', ['segment', 'list', '--env', 'e', '--segment', 's'], /--project is required/],
    ['a missing --segment', ['segment', 'list', '--project', 'p', '--env', 'e'], /--segment is required/],
    [
      'a context without a kind',
      ['segment', 'add', ...where, '--context', 'alice', '--target-type', 'included', '--at', '+1d'],
      /--context must be KIND:KEY/,
    ],
    ['no --context', ['segment', 'remove', ...where, '--target-type', 'included'], /--context is required/],
    [
      'a zone-less time',
      ['segment', 'add', ...where, '--context', 'user:a', '--target-type', 'included', '--at', '2030-12-31T00:00:00'],
      /--at .*with a zone/,
    ],
    [
      'Unix seconds',
      ['segment', 'add', ...where, '--context', 'user:a', '--target-type', 'included', '--at', '1924905600'],
      /--at .*seconds\?/,
    ],
    [
      'a bad relative time',
      ['segment', 'add', ...where, '--context', 'user:a', '--target-type', 'included', '--at', '+30y'],
      /--at must be relative as \+N/,
    ],
    [
      '--at on remove',
      ['segment', 'remove', ...where, '--context', 'user:a', '--target-type', 'included', '--at', '+1d'],
      /unknown option --at\b/,
    ],
    [
      'a wrong target type',
      ['segment', 'add', ...where, '--context', 'user:a', '--target-type', 'both', '--at', '+1d'],
      /--target-type must be "included" or "excluded", got "both"/,
    ],
    [
      '--target-type on a flag',
      ['flag', 'remove', ...flagWhere, '--context', 'user:a', '--target-type', 'included'],
      /unknown option --target-type\b/,
    ],
    ['no --variation on a flag', ['flag', 'remove', ...flagWhere, '--context', 'user:a'], /--variation is required/],
    ['an unknown instance', [...add, '--instance', 'mars'], /--instance must be one of commercial, federal, eu/],
    ['--mock with --base-url', [...add, '--mock', '--base-url', 'http://127.0.0.1:1'], /cannot be combined/],
    ['apply without a file', ['segment', 'apply', ...where], /apply takes exactly one FILE, got none/],
    ['apply with a missing file', ['segment', 'apply', 'nope.csv', ...where], /cannot read nope.csv: no such file/],
    ['a zero batch size', ['segment', 'apply', 'x.csv', ...where, '--batch-size', '0'], /--batch-size must be a positive integer/],
    [
      'the same context twice',
      ['segment', 'remove', ...where, '--context', 'user:a', '--context', 'user:a', '--target-type', 'included'],
      /given twice/,
    ],
  ])('%s', async (_name, args, message) => {
    const before = server.requests.length;
    const result = await cli([...args, ...(args.includes('--mock') || args.includes('--instance') ? [] : remote())]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(server.requests.length).toBe(before);
  });

  it.each([
    [['bogus', 'list'], ''],
    [['segments'], ''],
    [['flag', 'delete'], 'flag'],
    [['segment', 'add', '--bogus'], 'segment add'],
    [['flag', 'list', '--project', 'p'], 'flag list'],
  ])('after %j, the suggested help command itself works', async (args, topic) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    const suggested = /^Run '(.*)' for usage\.$/m.exec(result.stderr)?.[1];
    expect(suggested).toBe(['ld-expiring-targets', topic, '--help'].filter(Boolean).join(' '));
    const help = await cli(suggested!.split(' ').slice(1));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:/m);
  });

  it.each([
    ['an empty CSV', 'empty.csv', '', 'the file is empty', 'a header row, then one row per change'],
    ['a CSV with only blank lines', 'blank.csv', '\n\n', 'the file is empty', 'a header row, then one row per change'],
    [
      'a CSV with only a header',
      'header.csv',
      'action,contextKind,contextKey,targetType,expiresAt\n',
      'the file has no data rows',
      'a header row, then one row per change',
    ],
    ['an empty JSON Lines file', 'empty.jsonl', '', 'the file is empty', 'one JSON object per line, one per change'],
  ])('%s says there is nothing to apply, not that rows are invalid', async (_name, name, content, what, expected) => {
    const file = path.join(dir, name);
    await writeFile(file, content);
    const result = await cli(['segment', 'apply', file, ...where, ...remote()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: ${file}: nothing to apply (${what}); nothing was sent\n  line 1: expected ${expected}\n`);
  });

  it('no token and no --base-url: says how to give one', async () => {
    const result = await cli(add);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no access token: set LD_API_KEY (or pass --token), or try the embedded mock with --mock');
  });

  it('--json reports a usage error as JSON on stdout', async () => {
    const result = await cli([...add.filter((a) => a !== '+30d' && a !== '--at'), '--json', ...remote()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    const body = JSON.parse(result.stdout) as { ok: boolean; exitCode: number; error: { type: string; message: string } };
    expect(body).toMatchObject({ ok: false, exitCode: 2, error: { type: 'usage', message: '--at is required' } });
  });
});

describe('--dry-run', () => {
  it('validates and prints the instructions, sends nothing, needs no token', async () => {
    const before = server.requests.length;
    const result = await cli([
      'segment',
      'add',
      ...where,
      '--context',
      'user:alice',
      '--context',
      'org:acme',
      '--target-type',
      'excluded',
      '--at',
      '2030-12-31T00:00:00Z',
      '--dry-run',
      '--base-url',
      server.url,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing was sent');
    expect(result.stdout).toContain(
      '{"kind":"addExpiringTarget","contextKind":"user","contextKey":"alice","targetType":"excluded","value":1924905600000}',
    );
    expect(result.stdout).toContain(
      '{"kind":"addExpiringTarget","contextKind":"org","contextKey":"acme","targetType":"excluded","value":1924905600000}',
    );
    expect(server.requests.length).toBe(before);
  });

  it('--json gives the wire instructions', async () => {
    const result = await cli([
      'flag',
      'remove',
      ...flagWhere,
      '--context',
      'user:bob',
      '--variation',
      'v-1',
      '--dry-run',
      '--json',
      ...remote(),
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      dryRun: true,
      resource: 'flag',
      project: 'p',
      environment: 'e',
      flag: 'f',
      count: 1,
      instructions: [{ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'bob', variationId: 'v-1' }],
    });
  });

  it('apply --dry-run checks the whole file and prints every row with its line', async () => {
    const file = path.join(dir, 'dry.csv');
    await writeFile(
      file,
      'action,contextKind,contextKey,targetType,expiresAt\nadd,user,a,included,1924905600000\nremove,user,b,excluded,\n',
    );
    const before = server.requests.length;
    const result = await cli(['segment', 'apply', file, ...where, '--dry-run', ...remote()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^2\s+add\s+user:a\s+included\s+2030-12-31T00:00:00.000Z$/m);
    expect(result.stdout).toMatch(/^3\s+remove\s+user:b\s+excluded\s+-$/m);
    expect(server.requests.length).toBe(before);
    expect(existsSync(path.join(dir, 'dry.retry.csv'))).toBe(false);
  });
});

describe('on the wire', () => {
  it('sends the token, API version, comment and keys the options give', async () => {
    const before = server.requests.length;
    const result = await cli([
      'flag',
      'update',
      '--project',
      'my proj',
      '--env',
      'e',
      '--flag',
      'f/1',
      '--context',
      'user:a:b',
      '--variation',
      'v-1',
      '--at',
      '1924905600000',
      '--api-version',
      '20991231',
      '--comment',
      'extend',
      ...remote(),
    ]);
    expect(result.code).toBe(0);
    const [req] = server.requests.slice(before);
    expect(server.requests.length - before).toBe(1);
    expect(req?.method).toBe('PATCH');
    expect(req?.rawUrl).toBe('/api/v2/flags/my%20proj/f%2F1/expiring-targets/e');
    expect(req?.headers.authorization).toBe(TOKEN);
    expect(req?.headers['ld-api-version']).toBe('20991231');
    expect(req?.json).toEqual({
      comment: 'extend',
      instructions: [
        { kind: 'updateExpiringTarget', contextKind: 'user', contextKey: 'a:b', variationId: 'v-1', value: 1_924_905_600_000 },
      ],
    });
  });

  it('takes the token from LD_API_KEY', async () => {
    const before = server.requests.length;
    const result = await cli(['segment', 'list', ...where, '--base-url', server.url], { LD_API_KEY: TOKEN });
    expect(result.code).toBe(0);
    expect(server.requests.slice(before).map((r) => r.headers.authorization)).toEqual([TOKEN]);
  });
});

describe('--mock', () => {
  it('the acceptance command schedules a removal 30 days out on the embedded mock and prints the time', async () => {
    const before = Date.now();
    // LD_API_KEY is set, as it may well be: the mock must not be sent it (nor print it).
    const result = await cli(
      [
        'segment',
        'add',
        '--mock',
        '--project',
        'p',
        '--env',
        'e',
        '--segment',
        's',
        '--context',
        'user:alice',
        '--target-type',
        'included',
        '--at',
        '+30d',
      ],
      { LD_API_KEY: TOKEN },
    );
    const after = Date.now();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const time = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/.exec(result.stdout)?.[0];
    expect(time).toBeDefined();
    const ms = Date.parse(time!);
    expect(ms).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(ms).toBeLessThanOrEqual(after + 30 * 86_400_000);
    expect(result.stdout).toMatch(/^add\s+user:alice\s+included\s+\S+\s+applied$/m);
  });

  it('without Prism, exits 2 naming the one command that installs it; with Prism in the current project, works', async () => {
    // An install without dev dependencies: the built CLI, its package.json and document, and its runtime dependencies.
    const root = path.join(dir, 'installed');
    await mkdir(path.join(root, 'dist'), { recursive: true });
    await mkdir(path.join(root, 'generated'));
    await mkdir(path.join(root, 'node_modules'));
    await copyFile(CLI, path.join(root, 'dist', 'cli.js'));
    await copyFile(path.join(projectRoot, 'package.json'), path.join(root, 'package.json'));
    await copyFile(
      path.join(projectRoot, 'generated', 'expiring-targets.openapi.yaml'),
      path.join(root, 'generated', 'expiring-targets.openapi.yaml'),
    );
    for (const dep of ['openapi-fetch', 'openapi-typescript-helpers', 'yaml', 'js-yaml']) {
      await symlink(path.join(projectRoot, 'node_modules', dep), path.join(root, 'node_modules', dep), 'dir');
    }
    const installed = path.join(root, 'dist', 'cli.js');
    const result = await runCli(['segment', 'list', ...where, '--mock'], { cli: installed, cwd: root });
    outputs.push(result);
    // Exactly one way forward: the install of the optional peer dependency at its declared range.
    const { peerDependencies } = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
    };
    expect(result.stderr).toBe(
      `error: --mock needs Prism (@stoplight/prism-cli), which is not installed. Install it with: npm install --save-dev @stoplight/prism-cli@${peerDependencies['@stoplight/prism-cli']}\n`,
    );
    expect(result.code).toBe(2);
    const asJson = await runCli(['segment', 'list', ...where, '--mock', '--json'], { cli: installed, cwd: root });
    expect(JSON.parse(asJson.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { type: 'mock-unavailable' } });
    // The same install still works without --mock.
    const dry = await runCli(['segment', 'remove', ...where, '--context', 'user:a', '--target-type', 'included', '--dry-run'], {
      cli: installed,
      cwd: root,
    });
    expect(dry.code).toBe(0);

    // That command installs into the project of the current directory, which may not be where this
    // package lives (a global install, npx): --mock also finds Prism there.
    const project = path.join(dir, 'project-with-prism');
    await mkdir(path.join(project, 'node_modules', '@stoplight'), { recursive: true });
    await symlink(
      path.join(projectRoot, 'node_modules', '@stoplight', 'prism-cli'),
      path.join(project, 'node_modules', '@stoplight', 'prism-cli'),
      'dir',
    );
    const mocked = await runCli(['segment', 'list', ...where, '--mock', '--json'], { cli: installed, cwd: project });
    outputs.push(mocked);
    expect(mocked.stderr).toBe('');
    expect(mocked.code).toBe(0);
    expect((JSON.parse(mocked.stdout) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});

it('never prints the token', () => {
  expect(outputs.length).toBeGreaterThan(30);
  for (const { stdout, stderr } of outputs) {
    expect(stdout).not.toContain(TOKEN);
    expect(stderr).not.toContain(TOKEN);
  }
});
