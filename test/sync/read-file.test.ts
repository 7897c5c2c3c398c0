// Reading a desired-state file's bytes: which paths are refused and with what words, the size
// limit at its edge, a file that grows while read (a /proc file says it has 0 bytes), the UTF-8
// check against the runtime's own decoder, and which names are read as JSON.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestAbortedError } from '../../src/core/errors.js';
import { DesiredStateError } from '../../src/sync/desired-state-error.js';
import { firstInvalidUtf8, readDesiredStateFile, readRegularFile } from '../../src/sync/read-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'read-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/** The issues a read is refused with. */
async function refusedWith(read: Promise<unknown>): Promise<DesiredStateError['issues']> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DesiredStateError);
  return (error as DesiredStateError).issues;
}

const STATE = 'projects:\n  p:\n    environments:\n      e:\n        segments:\n          s: []\n';

describe('readRegularFile', () => {
  it('refuses a missing path, a folder, a device and a path through a file, each in its words', async () => {
    const file = await write('plain.yaml', STATE);
    const message = async (p: string) => (await refusedWith(readRegularFile(p)))[0]?.message;
    expect(await message(path.join(dir, 'missing.yaml'))).toBe('no such file');
    expect(await message(dir)).toBe('the path is a folder; only regular files are read');
    expect(await message('/dev/null')).toBe('the path is a device; only regular files are read');
    expect(await message(path.join(file, 'below'))).toBe('cannot open the file (ENOTDIR)');
    const issues = await refusedWith(readRegularFile(path.join(dir, 'missing.yaml')));
    expect(issues).toEqual([{ line: undefined, column: undefined, path: [], message: 'no such file' }]);
  });

  it('reads a file of exactly maxBytes and refuses one byte more, naming both sizes', async () => {
    const exact = await write('exact.yaml', 'x'.repeat(100));
    expect((await readRegularFile(exact, { maxBytes: 100 })).toString()).toBe('x'.repeat(100));
    const over = await write('over.yaml', 'x'.repeat(101));
    expect((await refusedWith(readRegularFile(over, { maxBytes: 100 })))[0]?.message).toBe(
      'the file has 101 bytes, more than the limit of 100 (raise it with maxBytes; --max-file-bytes on the command line)',
    );
  });

  it('reads a file bigger than its first buffer and bigger than one chunk, byte for byte', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 5);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 251;
    const file = await write('big.bin', content);
    expect((await readRegularFile(file)).equals(content)).toBe(true);
  });

  it('a file that says it has 0 bytes is read past its first buffer, and refused when it passes the limit', async () => {
    // /proc files report a size of 0; this one holds several kilobytes.
    const maps = await readRegularFile('/proc/self/smaps');
    expect(maps.length).toBeGreaterThan(8192);
    expect(maps.toString('utf8')).toMatch(/\n$/);
    expect(maps.toString('utf8')).toContain('Size:');
    expect((await refusedWith(readRegularFile('/proc/self/smaps', { maxBytes: 5000 })))[0]?.message).toBe(
      'the file grew past the limit of 5000 bytes while being read',
    );
  });

  it('an aborted signal ends the read before the file is opened, with its reason', async () => {
    const controller = new AbortController();
    controller.abort('stop');
    const error = await readRegularFile(path.join(dir, 'missing.yaml'), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as RequestAbortedError).cause).toBe('stop');
  });

  it('a signal that aborts once the file is open ends the read between chunks, with its reason', async () => {
    const file = await write('chunks.yaml', STATE);
    let looks = 0;
    // Not aborted when the read starts; aborted when the reading loop first looks.
    const signal = {
      get aborted() {
        looks++;
        return looks > 1;
      },
      reason: 'later',
    } as unknown as AbortSignal;
    const error = await readRegularFile(file, { signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as RequestAbortedError).cause).toBe('later');
  });

  it('refuses a maxBytes that is not a positive integer', async () => {
    await expect(readRegularFile('/dev/null', { maxBytes: 0 })).rejects.toThrow('maxBytes must be a positive integer, got 0');
  });
});

describe('firstInvalidUtf8', () => {
  // The replacing decoder marks each fault with U+FFFD, which none of the sequences below encodes.
  const replacing = new TextDecoder('utf-8');
  const valid = (bytes: Uint8Array) => !replacing.decode(bytes).includes('\uFFFD');

  it('agrees with the runtime decoder on every lead byte and second byte, with continuation bytes after', () => {
    const disagreements: string[] = [];
    for (let lead = 0; lead < 256; lead++)
      for (let second = 0; second < 256; second++)
        for (const tail of [[], [0x80], [0x80, 0x80], [0x41, 0x41], [0x80, 0x41]]) {
          const bytes = Uint8Array.from([lead, second, ...tail]);
          const ours = firstInvalidUtf8(bytes);
          if (valid(bytes) !== (ours === -1)) disagreements.push(`${[...bytes].map((b) => b.toString(16))}: ${ours}`);
        }
    expect(disagreements).toEqual([]);
  });

  it('names the offset of the first bad byte, after valid ones of each length', () => {
    const prefix = [0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80];
    expect(firstInvalidUtf8(Uint8Array.from(prefix))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([...prefix, 0xff]))).toBe(10);
    expect(firstInvalidUtf8(Uint8Array.from([...prefix, 0xe2, 0x82]))).toBe(10);
    expect(firstInvalidUtf8(Uint8Array.from([...prefix, 0xf0, 0x9f, 0x98, 0x41]))).toBe(10);
    expect(firstInvalidUtf8(Uint8Array.from([...prefix, 0xe2, 0x41, 0x80]))).toBe(10);
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array(0))).toBe(-1);
  });
});

describe('readDesiredStateFile', () => {
  it('returns the SHA-256 and size of the bytes, a leading BOM dropped before reading', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(STATE)]);
    const file = await write('bom.yaml', bytes);
    const read = await readDesiredStateFile(file);
    expect(read.bytes).toBe(bytes.length);
    expect(read.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(read.desired.resources.map((r) => r.ref)).toEqual([{ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }]);
  });

  it('reads a name ending in .json (any case) as JSON, and any other name as YAML', async () => {
    const yaml = `# a comment\n${STATE}`;
    for (const name of ['upper.JSON', 'lower.json']) {
      const issues = await refusedWith(readDesiredStateFile(await write(name, yaml)));
      expect(issues[0]?.message).toBe('the file is not valid JSON (it reads as YAML: fix it, or name it .yaml)');
    }
    for (const name of ['state.json.yaml', 'state.jsonl', 'json']) {
      const read = await readDesiredStateFile(await write(name, yaml));
      expect(read.desired.resources).toHaveLength(1);
    }
  });

  it('places bad UTF-8 by line and column: on the first line, and just after a line break', async () => {
    const first = await write('bad-first.yaml', Buffer.from([0x61, 0x62, 0xc0, 0x0a]));
    expect(await refusedWith(readDesiredStateFile(first))).toEqual([
      { line: 1, column: 3, path: [], message: 'the file is not valid UTF-8 here; save it as UTF-8' },
    ]);
    const second = await write('bad-second.yaml', Buffer.from([0x61, 0x0a, 0x0a, 0xff, 0x62]));
    expect((await refusedWith(readDesiredStateFile(second)))[0]).toMatchObject({ line: 3, column: 1 });
  });
});
