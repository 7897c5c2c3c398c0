// A desired-state file may be written by a stranger (CI plans pull requests): whatever it holds,
// reading it is refused or fails in bounded time and memory, and no message shows more than a
// short prefix of any value in it.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesiredStateError, readDesiredStateFile } from '../../src/sync/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SECRET = 'CI_SECRET_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz';
const HEAD = 'projects:\n  p:\n    environments:\n      e:\n';

/** The error reading `file` ends with; its whole text (message and issues) as printed. */
async function refusal(
  file: string,
  options: Parameters<typeof readDesiredStateFile>[1] = {},
): Promise<{ error: DesiredStateError; text: string }> {
  const error = await readDesiredStateFile(file, { now: Date.parse('2030-01-01T00:00:00Z'), ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DesiredStateError);
  const e = error as DesiredStateError;
  return { error: e, text: e.message + JSON.stringify(e.issues) };
}

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

describe('a hostile desired-state file', () => {
  it('a link (to a file of secrets) is refused without reading what it points to', async () => {
    const secrets = await write('secrets.env', `${SECRET}\n`);
    const link = path.join(dir, 'environ.yaml');
    await symlink(secrets, link);
    const { error, text } = await refusal(link);
    expect(error.issues[0]?.message).toMatch(/symbolic link/);
    expect(text).not.toContain('ghp_');
  });

  it('a plain value in place of the mapping is quoted by a short prefix only', async () => {
    const file = await write('scalar.yaml', `${SECRET.repeat(50)}\n`);
    const { error, text } = await refusal(file);
    expect(error.issues[0]?.message).toMatch(
      /the file must be a mapping, got "CI_SECRET_TOKEN=ghp_0123456789abcdefghij"… \(\d+ characters\)/,
    );
    expect(text.length).toBeLessThan(1000);
  });

  it('a FIFO is refused at once (no writer needed)', async () => {
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const { error } = await refusal(fifo);
    expect(error.issues[0]?.message).toBe('the path is a FIFO; only regular files are read');
  });

  it('/dev/zero is refused before a byte is read', async () => {
    const { error } = await refusal('/dev/zero');
    expect(error.issues[0]?.message).toBe('the path is a device; only regular files are read');
  });

  it('a file above maxBytes is refused before it is read', async () => {
    const file = await write('big.yaml', `${HEAD}        segments: {}\n${'#'.repeat(2000)}\n`);
    const { error } = await refusal(file, { maxBytes: 1000 });
    expect(error.issues[0]?.message).toMatch(/^the file has 2\d{3} bytes, more than the limit of 1000/);
  });

  it('invalid UTF-8 is refused with its line and column, not replaced', async () => {
    const file = await write(
      'latin1.yaml',
      Buffer.concat([
        Buffer.from(`${HEAD}        segments:\n          s:\n            - { contextKind: user, contextKey: m`),
        Buffer.from([0xfc]),
        Buffer.from('ller, targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n'),
      ]),
    );
    const { error } = await refusal(file);
    expect(error.issues).toEqual([{ line: 7, column: 49, path: [], message: 'the file is not valid UTF-8 here; save it as UTF-8' }]);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'the inherited name %s is an unknown key, as the JSON Schema says',
    async (key) => {
      const file = await write(
        `proto-${key}.yaml`,
        `${HEAD}        ${key}:\n          s:\n            - { contextKind: user, contextKey: a, targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n`,
      );
      const { error } = await refusal(file);
      expect(error.issues.map((i) => [i.line, i.message])).toEqual([[5, `unknown key "${key}" in e; expected segments, flags`]]);
    },
  );

  it('one 1 MB value, anchored and aliased 1,000 times: a bounded refusal that quotes a prefix', async () => {
    const long = 'k'.repeat(1024 * 1024);
    let yaml = `${HEAD}        segments:\n          s:\n            - { contextKind: user, contextKey: &k ${long}, targetType: included, expiresAt: 2020-01-01T00:00:00Z }\n`;
    for (let i = 0; i < 1000; i++)
      yaml += '            - { contextKind: user, contextKey: *k, targetType: included, expiresAt: 2020-01-01T00:00:00Z }\n';
    const { error, text } = await refusal(await write('aliases.yaml', yaml));
    expect(error.issues.length).toBe(1000);
    expect(error.issues[0]?.message).toMatch(/^expiresAt 2020-01-01T00:00:00.000Z is in the past for user:"kkkk/);
    expect(text.length).toBeLessThan(1_000_000);
  }, 60_000);

  it('a 1 MB key over 1,000 bad entries: the problem list and its paths stay small', async () => {
    const key = 's'.repeat(1024 * 1024);
    let yaml = `${HEAD}        segments:\n          ? ${key}\n          :\n`;
    for (let i = 0; i < 1500; i++)
      yaml += `            - { contextKind: 1, contextKey: c${i}, targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n`;
    const { error, text } = await refusal(await write('long-key.yaml', yaml));
    expect(error.issues.length).toBe(1000);
    expect(String(error.issues[0]?.path[5]).length).toBeLessThanOrEqual(201);
    expect(text.length).toBeLessThan(2_000_000);
  }, 60_000);

  it('more resources than maxResources need the option', async () => {
    let yaml = `${HEAD}        segments:\n`;
    for (let i = 0; i < 1001; i++) yaml += `          s${i}: []\n`;
    const file = await write('many.yaml', yaml);
    const { error } = await refusal(file);
    expect(error.issues[0]?.message).toMatch(/names 1001 segments and flags, more than the limit of 1000/);
    await expect(readDesiredStateFile(file, { maxResources: 1001 })).resolves.toMatchObject({ desired: { resources: { length: 1001 } } });
  });

  it('an aborted read ends with the abort, not the file', async () => {
    const file = await write('fine.yaml', `${HEAD}        segments:\n          s: []\n`);
    const controller = new AbortController();
    controller.abort('SIGTERM');
    await expect(readDesiredStateFile(file, { signal: controller.signal })).rejects.toMatchObject({ name: 'RequestAbortedError' });
  });
});

describe('JSON desired-state files', () => {
  const json = {
    projects: {
      p: {
        environments: {
          e: { segments: { s: [{ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: '2031-01-01T00:00:00Z' }] } },
        },
      },
    },
  };

  it('reads the same state as YAML, with positions, and hashes the bytes', async () => {
    const file = await write('state.json', JSON.stringify(json, null, 2));
    const read = await readDesiredStateFile(file);
    expect(read.desired.resources[0]).toMatchObject({ resource: 'segment', ref: { segmentKey: 's' }, source: { line: 7, column: 13 } });
    expect(read.desired.resources[0]?.targets[0]?.source).toMatchObject({ line: 8, column: 15 });
    expect(read.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports schema problems with line and column', async () => {
    const bad = structuredClone(json);
    (bad.projects.p.environments.e.segments.s[0] as { targetType: string }).targetType = 'sideways';
    const { error } = await refusal(await write('bad.json', JSON.stringify(bad, null, 2)));
    expect(error.issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [11, 31, 'targetType must be "included" or "excluded", got "sideways"'],
    ]);
  });

  it('refuses YAML that is not JSON', async () => {
    const { error } = await refusal(await write('yaml.json', `# a comment\n${HEAD}        segments: {}\n`));
    expect(error.issues[0]?.message).toMatch(/not valid JSON/);
  });
});
