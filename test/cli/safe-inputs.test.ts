/**
 * Inputs and outputs that cannot hurt the next tool: every bad row said in the CLI's terms, any
 * number of bad rows counted exactly, lines read in linear time, retry cells a spreadsheet cannot
 * run, and bidi characters shown instead of obeyed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile } from '../../src/cli/check-file.js';
import { RowsError } from '../../src/cli/errors.js';
import { fileItems } from '../../src/cli/input-file.js';
import { jsonText, neutralize, table } from '../../src/cli/output.js';
import { csvRow, outputPaths } from '../../src/cli/retry-file.js';
import { guardCell, unguardCell } from '../../src/cli/spreadsheet.js';
import { buildChange } from '../../src/cli/changes.js';
import { run } from '../../src/cli/run.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-safe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function problemsOf(name: string, content: string, resource: 'segment' | 'flag' = 'segment'): Promise<RowsError> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  const error = await checkFile(file, resource, NOW, false).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RowsError);
  return error as RowsError;
}

describe('every kind of bad row has a reason that names the field', () => {
  const header = 'action,contextKind,contextKey,targetType,expiresAt';
  const rows: [string, RegExp][] = [
    ['frobnicate,user,a1,included,+1d', /^action must be add, update or remove/],
    [',user,a2,included,+1d', /^action must be/],
    ['add,,a3,included,+1d', /contextKind/],
    ['add,user,,included,+1d', /contextKey/],
    ['add,user,a5,,+1d', /targetType/],
    ['add,user,a6,sideways,+1d', /targetType/],
    ['add,user,a7,included,', /^expiresAt is required for add/],
    ['update,user,a8,included,tomorrow', /^expiresAt must be/],
    ['add,user,a9,included,2020-01-01T00:00:00Z', /^expiresAt is in the past \(2020-01-01T00:00:00\.000Z\); pass --allow-past/],
    ['add,user,a10,included,1700000', /^expiresAt must be Unix milliseconds/],
    ['add,user,a11,included,-3d', /^expiresAt must be relative/],
    ['remove,user,a12,included,+1d', /^expiresAt must be empty for remove/],
    ['add,user,a13,included', /field\(s\); the header has/],
  ];
  it('in a CSV file', async () => {
    const error = await problemsOf('every-bad.csv', [header, ...rows.map(([r]) => r)].join('\n'));
    expect(error.issues.map((i) => i.line)).toEqual(rows.map((_, i) => i + 2));
    error.issues.forEach((issue, i) => {
      expect(issue.message).not.toBe('');
      expect(issue.message).toMatch(rows[i]?.[1] as RegExp);
      expect(issue.message).not.toMatch(/allowPast/);
    });
  });
  it('in a JSON Lines file, with the checks only JSON can fail', async () => {
    const lines: [unknown, RegExp][] = [
      [
        { action: 'add', contextKind: 'user', contextKey: 'j1', targetType: 'included', expiresAt: '2020-01-01T00:00:00Z' },
        /^expiresAt is in the past .*--allow-past/,
      ],
      [
        { action: 'add', contextKind: 'user', contextKey: 7, targetType: 'included', expiresAt: '+1d' },
        /^contextKey must be a string, got 7/,
      ],
      [
        { action: 'add', contextKind: 'user', contextKey: 'j3', targetType: 'included', expiresAt: true },
        /^expiresAt must be a string or a number/,
      ],
      [{ action: 'add', contextKind: 'user', contextKey: 'j4', variationId: 'v', expiresAt: '+1d' }, /variationId is a flag field/],
      [{ action: 'add', context: 'user:j5' }, /unknown field "context"/],
      [['add'], /must be a JSON object/],
    ];
    const text = `${lines.map(([v]) => JSON.stringify(v)).join('\n')}\n{"action": "add",\n`;
    const error = await problemsOf('every-bad.jsonl', text);
    expect(error.issues).toHaveLength(lines.length + 1);
    lines.forEach(([, pattern], i) => expect(error.issues[i]?.message).toMatch(pattern));
    expect(error.issues.at(-1)?.message).toMatch(/^is not valid JSON: /);
  });
  it('a flag file names variationId', async () => {
    const error = await problemsOf('flag-bad.csv', 'action,contextKind,contextKey,variationId,expiresAt\nadd,user,f1,,+1d\n', 'flag');
    expect(error.issues[0]?.message).toMatch(/variationId/);
  });
  it('--at in the past names --allow-past, not the library option', () => {
    let message = '';
    try {
      buildChange('segment', {
        line: undefined,
        action: 'add',
        contextKind: 'user',
        contextKey: 'a',
        target: 'included',
        expiresAt: Date.parse('2020-01-01T00:00:00Z'),
      });
    } catch (error) {
      message = (error as Error).message;
    }
    // The library's own error keeps its option name; the CLI's command test below checks the CLI's words.
    expect(message).toMatch(/allowPast/);
  });
});

describe('any number of bad rows', () => {
  it('150,000 rows of the same target: a bounded list, an exact count, exit 2', async () => {
    const file = path.join(dir, 'duplicates.csv');
    const row = 'add,user,alice,included,2030-01-01T00:00:00Z\n';
    await writeFile(file, `action,contextKind,contextKey,targetType,expiresAt\n${row.repeat(150_000)}`);
    // In-process (the whole CLI but the executable's signal handlers): a subprocess's 60 s kill
    // bound is too tight for three passes over 150,000 rows on a loaded machine.
    let stdout = '';
    let stderr = '';
    const code = await run(['segment', 'apply', file, '--project', 'p', '--env', 'e', '--segment', 's', '--dry-run', '--json'], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
    });
    const result = { code, stdout, stderr };
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as {
      error: { message: string; issues: { line: number; message: string }[]; issuesNotListed: number };
    };
    expect(report.error.message).toContain('149999 of 150000 row(s) are invalid; nothing was sent');
    expect(report.error.issues).toHaveLength(1000);
    expect(report.error.issues[0]).toEqual({ line: 3, message: 'the same context and targetType as line 2: give one row per target' });
    expect(report.error.issuesNotListed).toBe(149_999 - 1000);
    expect(result.stderr).not.toMatch(/call stack/);
  }, 300_000);
});

describe('line reading is linear in the line length', () => {
  /** Reads one JSON Lines row whose key is `size` characters, fed in 64 KiB chunks as a file is; returns ms. */
  async function readOneLine(size: number): Promise<number> {
    const line = Buffer.from(
      `{"action":"add","contextKind":"user","contextKey":"${'k'.repeat(size)}","targetType":"included","expiresAt":"+1d"}\n`,
    );
    async function* chunks() {
      for (let at = 0; at < line.length; at += 64 * 1024) yield line.subarray(at, at + 64 * 1024);
    }
    const started = performance.now();
    const items = [];
    for await (const item of fileItems(chunks(), 'long.jsonl', 'segment')) items.push(item);
    const ms = performance.now() - started;
    expect(items).toHaveLength(1);
    expect(((items[0] as { values: Record<string, string> }).values.contextKey ?? '').length).toBe(size);
    return ms;
  }
  it('8 times the length takes far less than 64 times as long (quadratic reading would)', async () => {
    await readOneLine(256 * 1024); // warm up
    // The fastest of three runs of each size: a loaded machine only ever makes a run slower.
    const small = Math.min(await readOneLine(1 << 20), await readOneLine(1 << 20), await readOneLine(1 << 20));
    const large = Math.min(await readOneLine(8 << 20), await readOneLine(8 << 20), await readOneLine(8 << 20));
    expect(large / Math.max(small, 1)).toBeLessThan(24);
  }, 120_000);
});

describe('retry files a spreadsheet cannot run', () => {
  const dangerous = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', "'=quoted", "'plain", 'safe'];
  it('guards every cell that would start a formula, and apply reads it back exactly', () => {
    for (const value of dangerous) {
      const guarded = guardCell(value);
      expect(guarded[0] === "'" || /^[a-z]/.test(guarded)).toBe(true);
      expect(unguardCell(guarded)).toBe(value);
    }
    expect(guardCell('alice')).toBe('alice');
    expect(unguardCell("'hand-written")).toBe("'hand-written");
  });
  it('a written row has no cell starting with = + - @', () => {
    const change = {
      line: 1,
      action: 'add' as const,
      contextKind: '=k',
      contextKey: '+1+1',
      target: '@x',
      expiresAt: NOW,
      instruction: {} as never,
    };
    const line = csvRow({ change, reason: '-failed' });
    expect(line.split(',').every((cell) => !/^[=+\-@]/.test(cell))).toBe(true);
    expect(line).toBe(`add,'=k,'+1+1,'@x,2026-06-01T00:00:00.000Z,'-failed\n`);
  });
  it('--retry-file and --unknown-file refuse a JSON Lines name, which apply would misread', () => {
    expect(() => outputPaths('in.csv', 'out.jsonl', undefined)).toThrow(
      '--retry-file out.jsonl: these files are CSV; give a name ending in .csv',
    );
    expect(() => outputPaths('in.csv', undefined, 'u.NDJSON')).toThrow('--unknown-file u.NDJSON: these files are CSV');
    expect(outputPaths('in.jsonl', undefined, undefined)).toEqual({ retry: 'in.retry.csv', unknown: 'in.unknown.csv' });
  });
  it('apply reads a guarded retry file back as the original keys', async () => {
    const file = path.join(dir, 'guarded.csv');
    await writeFile(
      file,
      `action,contextKind,contextKey,targetType,expiresAt,reason\nadd,user,'=cmd|' /C calc'!A0,included,2030-01-01T00:00:00Z,'-x\n`,
    );
    const items = [];
    const { fileBytes } = await import('../../src/cli/check-file.js');
    for await (const item of fileItems(fileBytes(file), file, 'segment')) items.push(item);
    expect((items[0] as { values: Record<string, string> }).values.contextKey).toBe("=cmd|' /C calc'!A0");
  });
});

describe('bidi and other invisible format characters are shown, not obeyed', () => {
  const sneaky = 'a\u202Eb\u2066c\u2069d\u200Ee\u200Ff\u061Cg\u202Ah';
  it('wherever control characters are', () => {
    expect(neutralize(sneaky)).toBe('a\\u202eb\\u2066c\\u2069d\\u200ee\\u200ff\\u061cg\\u202ah');
    expect(neutralize(`x\u202Ey\nz`, true)).toBe('x\\u202ey\nz');
    expect(table(['key'], [[sneaky]])).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
    const json = jsonText({ key: sneaky });
    expect(json).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
    expect(JSON.parse(json)).toEqual({ key: sneaky });
  });
});
