// What CLI users expect from gh, kubectl and Terraform: version words, `help <command>`, "did you
// mean", shell completion from the declarations, --token-file, and a mock that says what it is.
// In-process (run) against real local servers; standard input and the mock through the built CLI.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { completionScript } from '../../src/cli/completion.js';
import { OPTIONS } from '../../src/cli/options.js';
import { run } from '../../src/cli/run.js';
import { nearest } from '../../src/cli/suggest.js';
import { VERSION } from '../../src/core/version.js';
import { CLI, ensureCliBuilt } from '../support/cli.js';
import { type RecordedRequest, json, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-conventions-SECRET-77aa01';
const where = ['--project', 'p', '--env', 'e', '--segment', 's'];
let dir: string;
let server: TestServer;
const requests: RecordedRequest[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-conventions-'));
  server = await startServer((req, res) => {
    requests.push(req);
    json(res, 200, { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] });
  });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

describe('version and help', () => {
  it.each(['--version', '-v', '-V', 'version'])('%s prints the version', async (word) => {
    expect(await cli([word])).toEqual({ code: 0, stdout: `ld-expiring-targets ${VERSION}\n`, stderr: '' });
  });
  it('the overview lists help, version and completion', async () => {
    const { stdout } = await cli(['--help']);
    expect(stdout).toMatch(/ld-expiring-targets help \[COMMAND\]/);
    expect(stdout).toMatch(/ld-expiring-targets version +the version \(also --version, -V\)/);
    expect(stdout).toMatch(/ld-expiring-targets completion SHELL/);
  });
  it.each([
    [['help'], ['--help']],
    [
      ['help', 'plan'],
      ['plan', '--help'],
    ],
    [
      ['help', 'segment'],
      ['segment', '--help'],
    ],
    [
      ['help', 'flag', 'apply'],
      ['flag', 'apply', '--help'],
    ],
  ])('%j prints what %j prints', async (words, same) => {
    const help = await cli(words);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await cli(same)).stdout);
  });
  it('help of an unknown command says so, and what was meant', async () => {
    expect(await cli(['help', 'plna'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('help: unknown command "plna" (did you mean plan?)'),
    });
    expect(await cli(['help', 'segment', 'ad'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown segment command "ad" (did you mean add?)'),
    });
  });
});

describe('did you mean', () => {
  it.each([
    [['segmnt', 'list'], 'unknown command "segmnt" (did you mean segment?)'],
    [['snyc', 'x.yaml'], 'unknown command "snyc" (did you mean sync?)'],
    [['flag', 'lst'], 'unknown flag command "lst" (did you mean list?)'],
    [['segment', 'add', ...where, '--contxt', 'user:a'], 'unknown option --contxt (did you mean --context?)'],
    [['segment', 'list', ...where, '--jsno'], 'unknown option --jsno (did you mean --json?)'],
    [['plan', 'x.yaml', '--prnue'], 'unknown option --prnue (did you mean --prune?)'],
    [['--verison'], 'unknown option "--verison" (did you mean --version?)'],
  ])('%j', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
  it('counts a swap of two neighbours as one edit', () => {
    expect(nearest('plna', ['plan', 'sync'])).toBe('plan');
    expect(nearest('snyc', ['plan', 'sync'])).toBe('sync');
  });
  it('suggests nothing for a word that is not a typo', async () => {
    expect(nearest('deploy', ['segment', 'flag', 'plan', 'sync'])).toBeUndefined();
    const result = await cli(['segment', 'list', ...where, '--zzzzzz']);
    expect(result.stderr).toContain('unknown option --zzzzzz');
    expect(result.stderr).not.toContain('did you mean');
  });
});

describe('completion', () => {
  it('every script offers every command and every option the parser accepts', async () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const { code, stdout } = await cli(['completion', shell]);
      expect(code).toBe(0);
      expect(stdout).toBe(completionScript(shell, COMMANDS));
      for (const c of COMMANDS) expect(stdout).toContain(c.name);
      for (const name of Object.keys(OPTIONS)) expect(stdout).toMatch(new RegExp(shell === 'fish' ? `-l ${name}\\b` : `--${name}\\b`));
    }
  });
  it('bash completes commands and options as typed', async () => {
    const script = path.join(dir, 'completion.bash');
    await writeFile(script, (await cli(['completion', 'bash'])).stdout);
    const cases = [
      ['seg'],
      ['segment', 'a'],
      ['flag', 'add', '--var'],
      ['segment', 'add', '--target'],
      ['plan', '--read'],
      ['completion', ''],
    ];
    // One bash for every case (a loaded machine starts processes slowly): each prints its words on one line.
    const calls = cases.map((words) => `c ${words.map((w) => `'${w}'`).join(' ')}`).join('\n');
    const program = `source "$1"\nc() { COMP_WORDS=(ld-expiring-targets "$@"); COMP_CWORD=$#; COMPREPLY=(); _ld_expiring_targets; echo "\${COMPREPLY[*]}"; }\n${calls}`;
    const lines = execFileSync('bash', ['-c', program, 'bash', script], { encoding: 'utf8' }).split('\n');
    expect(lines.slice(0, cases.length)).toEqual([
      'segment',
      'add apply',
      '--variation',
      '--target-type',
      '--read-concurrency',
      'bash zsh fish',
    ]);
  }, 60_000);
  it('an unknown shell is refused with the ones it knows', async () => {
    expect(await cli(['completion', 'bsh'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown shell "bsh" (did you mean bash?): use bash, zsh, fish'),
    });
  });
});

describe('--token-file', () => {
  const listArgs = () => ['segment', 'list', ...where, '--base-url', server.url];
  it('reads the token from a file, trimmed, and never prints it', async () => {
    const file = path.join(dir, 'token');
    await writeFile(file, `  ${TOKEN}\n`);
    await chmod(file, 0o600);
    requests.length = 0;
    const result = await cli([...listArgs(), '--token-file', file, '--json']);
    expect(result.code).toBe(0);
    expect(requests[0]?.headers.authorization).toBe(TOKEN);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
  it.each([
    ['missing', null, /--token-file .*missing: cannot read it \(no such file\)/],
    ['empty', '\n  \n', /--token-file .*empty: it is empty/],
    ['two-lines', 'first\nsecond\n', /--token-file .*two-lines: it holds more than one line/],
    ['huge', 'x'.repeat(5000), /--token-file .*huge: larger than 4096 bytes, so not a token/],
  ])('refuses a %s file, naming the option and never the content', async (name, content, message) => {
    const file = path.join(dir, name);
    if (content !== null) await writeFile(file, content);
    const result = await cli([...listArgs(), '--token-file', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('second');
  });
  it('refuses --token with --token-file', async () => {
    const result = await cli([...listArgs(), '--token', 'x', '--token-file', path.join(dir, 'token')]);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('give --token or --token-file, not both') });
  });
  it("'-' reads standard input", async () => {
    await ensureCliBuilt();
    requests.length = 0;
    // Asynchronously: the server answering it runs in this process.
    const child = spawn(process.execPath, [CLI, ...listArgs(), '--token-file', '-', '--json'], { env: { PATH: process.env.PATH } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.end(`${TOKEN}\n`);
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
    expect(stdout).not.toContain(TOKEN);
    expect(requests[0]?.headers.authorization).toBe(TOKEN);
  }, 120_000);
});

describe('--read-concurrency above 10', () => {
  it('reads without MaxListenersExceededWarning', async () => {
    const segments = Array.from(
      { length: 30 },
      (_, i) =>
        `          s${i}:\n            - { contextKind: user, contextKey: a, targetType: included, expiresAt: 2030-12-31T00:00:00Z }`,
    );
    const file = path.join(dir, 'many.yaml');
    await writeFile(file, `projects:\n  p:\n    environments:\n      e:\n        segments:\n${segments.join('\n')}\n`);
    // Holds every read until 25 are in flight at once, so 25 requests listen to the signal together.
    // The first read is answered at once: the client sends the first request of a route alone, to
    // learn its rate limit, before it sends more.
    const held: (() => void)[] = [];
    let most = 0;
    let first = true;
    const holding = await startServer(
      (_req, res) =>
        new Promise<void>((resolve) => {
          if (first) {
            first = false;
            json(res, 200, { items: [] });
            resolve();
            return;
          }
          held.push(() => {
            json(res, 200, { items: [] });
            resolve();
          });
          most = Math.max(most, held.length);
          if (held.length >= 25) for (const release of held.splice(0)) release();
          else if (most >= 25) for (const release of held.splice(0)) release();
        }),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const result = await cli(['plan', file, '--read-concurrency', '25', '--base-url', holding.url, '--token', TOKEN, '--json']);
      expect(result.code).toBe(4);
      expect(most).toBe(25);
      // A warning is emitted on the next tick: give it one macrotask to arrive before looking.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
      await holding.close();
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

describe('refusals name the flag', () => {
  it('--at in the past names --allow-past, not the library option', async () => {
    const result = await cli([
      'segment',
      'add',
      ...where,
      '--context',
      'user:a',
      '--target-type',
      'included',
      '--at',
      '2020-01-01T00:00:00Z',
      '--dry-run',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --at is in the past (2020-01-01T00:00:00.000Z); pass --allow-past to schedule it anyway');
    expect(result.stderr).not.toMatch(/allowPast/);
  });
  it('--timeout beyond an hour is refused before Node would overflow its timer', async () => {
    const result = await cli(['segment', 'list', ...where, '--base-url', server.url, '--token', TOKEN, '--timeout', '100000000']);
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout must be at most 3600 seconds, got "100000000"') });
  });
});

describe('the mock says what it is', () => {
  it('sync --mock --yes applies one round, says a second plan would show the same changes, and exits 0', async () => {
    const file = path.join(dir, 'mock.yaml');
    await writeFile(
      file,
      'projects:\n  p:\n    environments:\n      e:\n        segments:\n          s:\n            - { contextKind: user, contextKey: zed, targetType: included, expiresAt: 2030-12-31T00:00:00Z }\n',
    );
    const result = await cli(['sync', file, '--mock', '--yes'], { LD_API_KEY: TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('against the embedded mock (http://127.0.0.1:');
    expect(result.stdout).toContain('it keeps no state: it accepts changes and saves none');
    expect(result.stdout).toContain(
      'The mock accepted every change. It keeps no state, so a second plan against it would show the same 1 change(s) again',
    );
    expect(result.stdout).not.toContain('does not match');
    // The plan is printed once, not again after applying.
    expect(result.stdout.match(/\+ add {3}user:zed/g)).toHaveLength(1);
    const asJson = JSON.parse((await cli(['sync', file, '--mock', '--yes', '--json'])).stdout) as Record<string, unknown>;
    expect(asJson).toMatchObject({ ok: true, exitCode: 0, mock: expect.stringContaining('keeps no state') });
  }, 120_000);
});
