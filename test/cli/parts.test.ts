// The CLI's pieces, imported from src: time parsing, file reading with line numbers, the retry
// file's round trip and the progress bar. The subprocess tests cover the assembled command.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Change } from '../../src/cli/changes.js';
import { RowsError } from '../../src/cli/errors.js';
import { checkFile, checkRow } from '../../src/cli/check-file.js';
import { type FileItem, type RawRow, type RowProblem, detectFormat, fileItems } from '../../src/cli/input-file.js';
import { Output, jsonText, neutralize, screenfulTable, table } from '../../src/cli/output.js';
import { progressBar } from '../../src/cli/progress.js';
import { csvField, outputPaths, rowsCsv } from '../../src/cli/retry-file.js';
import { parseWhen } from '../../src/cli/times.js';

// Relative times (+1d) count from here; the client refuses times before the real now.
const NOW = Date.now();

describe('parseWhen', () => {
  it.each([
    ['+30d', NOW + 30 * 86_400_000],
    ['+12h', NOW + 12 * 3_600_000],
    ['+90m', NOW + 90 * 60_000],
    ['+2w', NOW + 14 * 86_400_000],
    ['1924905600000', 1_924_905_600_000],
    ['2030-12-31T00:00:00Z', 1_924_905_600_000],
    ['2030-12-31T01:00:00+01:00', 1_924_905_600_000],
    ['2030-12-31', 1_924_905_600_000],
  ])('%s', (text, ms) => {
    expect(parseWhen(text, NOW)).toEqual({ ok: true, ms });
  });

  it.each([
    ['', /empty/],
    ['+30y', /relative as \+N/],
    ['-1d', /relative as \+N/],
    ['1924905600', /seconds\?/],
    ['2030-12-31T00:00:00', /with a zone/],
    ['tomorrow', /ISO-8601/],
  ])('refuses %j', (text, reason) => {
    const result = parseWhen(text, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

/** The rows and problems of a file's content, fed in chunks of `size` bytes. */
async function items(content: string | Uint8Array, file = 'rows.csv', resource: 'segment' | 'flag' = 'segment', size = 1 << 16) {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  const found: FileItem[] = [];
  for await (const item of fileItems(chunks(), file, resource)) found.push(item);
  return found;
}
const rows = (found: FileItem[]) => found.filter((i): i is RawRow => !('problem' in i));
const problems = (found: FileItem[]) =>
  found.filter((i): i is RowProblem => 'problem' in i).map((p) => ({ line: p.line, message: p.problem }));

describe('reading files', () => {
  it.each([1, 3, 7, 1 << 16])(
    'numbers CSV rows by the line they start on, through blank lines, CRLF and quoted line breaks (chunks of %i bytes)',
    async (size) => {
      const text =
        'action,contextKind,contextKey,targetType,expiresAt\r\nadd,user,"two\r\nlines",included,+1d\r\n\r\n,,,,\r\nremove,user,bob,excluded,\r\n';
      const found = await items(text, 'rows.csv', 'segment', size);
      expect(problems(found)).toEqual([]);
      expect(rows(found).map((r) => [r.line, r.values.contextKey])).toEqual([
        [2, 'two\nlines'],
        [6, 'bob'],
      ]);
    },
  );

  it('reports header problems on line 1 and rows with the wrong number of fields', async () => {
    expect(problems(await items('action,contextKind,contextKey,variationId,expiresAt,extra\n')).map((i) => i.message)).toEqual([
      'header: variationId is a flag column; segment files use targetType',
      'header: unknown column "extra" (expected action, contextKind, contextKey, targetType, expiresAt)',
      'header: missing column targetType',
    ]);
    expect(problems(await items('action,contextKind,contextKey,targetType\nremove,user,a\n'))).toEqual([
      { line: 2, message: 'has 3 field(s); the header has 4' },
    ]);
    expect(problems(await items('action,contextKind,contextKey,targetType\nremove,user,"a\n'))[0]?.message).toMatch(/not valid CSV/);
  });

  it('reads JSON Lines with line numbers and checks each value', async () => {
    const text =
      '{"action":"add","contextKind":"user","contextKey":"a","variationId":"v","expiresAt":1924905600000}\r\n\n[1]\n{"action":"remove","contextKind":"user","contextKey":7,"variationId":"v"}';
    const found = await items(text, 'rows.jsonl', 'flag', 5);
    expect(problems(found)).toEqual([{ line: 3, message: expect.stringMatching(/must be a JSON object/) }]);
    const checked = rows(found).map((r) => checkRow('flag', r, NOW));
    expect(checked[1]).toEqual({ problem: 'contextKey must be a string, got 7' });
    expect(checked[0]).toMatchObject({
      change: {
        line: 1,
        instruction: { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', variationId: 'v', value: 1_924_905_600_000 },
      },
    });
  });

  it('detects the format by extension, else by content', async () => {
    expect(detectFormat('a.ndjson', 'action,…')).toBe('jsonl');
    expect(detectFormat('a.csv', '{')).toBe('csv');
    expect(detectFormat('a.txt', '\uFEFF  {"action":"add"}')).toBe('jsonl');
    expect(detectFormat('rows', 'action,contextKind')).toBe('csv');
    // The first non-blank character may come in a later chunk.
    expect(
      rows(
        await items('\n\n   \n{"action":"remove","contextKind":"user","contextKey":"a","targetType":"included"}\n', 'rows', 'segment', 2),
      ),
    ).toHaveLength(1);
  });

  it('finds every problem of a row', async () => {
    const found = rows(await items('action,contextKind,contextKey,targetType,expiresAt\nremove,,a,both,+1d\nadd,user,b,included,\n'));
    expect(found.map((r) => checkRow('segment', r, NOW))).toEqual([
      {
        problem:
          'expiresAt must be empty for remove; contextKind must be a non-empty string, got ""; targetType must be "included" or "excluded", got "both"',
      },
      { problem: 'expiresAt is required for add' },
    ]);
  });
});

describe('UTF-8', () => {
  const HEADER = 'action,contextKind,contextKey,targetType,expiresAt\n';
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  it.each([1, 2, 3, 4, 64])('accepts multi-byte text split anywhere (chunks of %i bytes), with a BOM', async (size) => {
    const text = `\uFEFF${HEADER}remove,user,müller,included,\nremove,user,日本語,included,\nremove,user,😀x,included,\n`;
    const found = await items(text, 'rows.csv', 'segment', size);
    expect(problems(found)).toEqual([]);
    expect(rows(found).map((r) => [r.line, r.values.contextKey])).toEqual([
      [2, 'müller'],
      [3, '日本語'],
      [4, '😀x'],
    ]);
  });

  it.each([1, 2, 5, 64])(
    'names the line of the first byte that is not UTF-8 (chunks of %i bytes), after the rows before it',
    async (size) => {
      const bytes = Buffer.concat([
        Buffer.from(`${HEADER}remove,user,a,included,\nremove,user,b,included,\n`),
        latin1('remove,user,müller,included,\nremove,user,zoë,included,\n'),
      ]);
      const found = await items(bytes, 'rows.csv', 'segment', size);
      expect(rows(found).map((r) => r.values.contextKey)).toEqual(['a', 'b']);
      expect(found.filter((i) => 'problem' in i)).toEqual([
        { line: 4, problem: expect.stringMatching(/^is not valid UTF-8/), kind: 'encoding' },
      ]);
    },
  );

  it('a sequence cut off at the end of the file is not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}remove,user,a,included,\n`), Buffer.from('日').subarray(0, 2)]);
    expect(problems(await items(bytes, 'rows.csv', 'segment', 3))).toEqual([
      { line: 3, message: expect.stringMatching(/not valid UTF-8/) },
    ]);
  });
});

describe('checking a whole file', () => {
  it('reports every bad row with its line, and targets given twice (confirmed on the identities)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-parts-'));
    try {
      const file = path.join(dir, 'rows.csv');
      const lines = ['action,contextKind,contextKey,targetType,expiresAt'];
      for (let i = 0; i < 3000; i++) lines.push(`add,user,u${i},included,+1d`);
      lines.push('add,user,u7,included,+2d', 'add,user,u8,excluded,+2d', 'ad,user,x,included,+1d', 'update,user,u2999,included,+3d');
      await writeFile(file, `${lines.join('\n')}\n`);
      const error = await checkFile(file, 'segment', NOW, false).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RowsError);
      expect((error as RowsError).message).toBe(`${file}: 3 of 3004 row(s) are invalid; nothing was sent`);
      expect((error as RowsError).issues).toEqual([
        { line: 3002, message: 'the same context and targetType as line 9: give one row per target' },
        { line: 3004, message: 'action must be add, update or remove, got "ad"' },
        { line: 3005, message: 'the same context and targetType as line 3001: give one row per target' },
      ]);
      await writeFile(file, lines.slice(0, 3001).join('\n'));
      expect(await checkFile(file, 'segment', NOW, false)).toEqual({ format: 'csv', rows: 3000 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('retry files', () => {
  it('round-trips awkward keys through CSV, with absolute times and the reason column ignored on reading', async () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded ')).toBe('" padded "');
    const keys = ['plain', 'comma,key', 'quote"key', 'line\nbreak', 'müller'];
    const input = `action,contextKind,contextKey,targetType,expiresAt\n${keys.map((k) => `add,user,${csvField(k)},included,+1d`).join('\n')}\n`;
    const changes = rows(await items(input)).map((r) => (checkRow('segment', r, NOW) as { change: Change }).change);
    const text = rowsCsv(
      'segment',
      changes.map((change) => ({ change, reason: `line ${change.line}: failed, "really" \x1b[2J` })),
    );
    expect(text).not.toContain('\x1b');
    const again = rows(await items(text)).map((r) => checkRow('segment', r, NOW + 5 * 86_400_000));
    expect(again.map((c) => ('change' in c ? [c.change.contextKey, c.change.expiresAt] : c.problem))).toEqual(
      keys.map((k) => [k, NOW + 86_400_000]),
    );
  });

  it('names the files beside the input and refuses to overwrite it', () => {
    expect(outputPaths('/data/cohort.csv', undefined, undefined)).toEqual({
      retry: '/data/cohort.retry.csv',
      unknown: '/data/cohort.unknown.csv',
    });
    expect(() => outputPaths('/data/cohort.csv', '/data/cohort.csv', undefined)).toThrow(/would overwrite/);
  });
});

describe('output', () => {
  it('redacts secrets everywhere it writes', () => {
    let written = '';
    const sink = { write: (t: string) => (written += t) };
    const out = new Output(sink, sink);
    out.addSecret('tok-123');
    out.out('a tok-123 b');
    out.err('tok-123');
    out.json({ t: 'tok-123' });
    expect(written).not.toContain('tok-123');
    expect(written).toContain('[redacted]');
  });

  it('pads table columns', () => {
    expect(table(['a', 'bb'], [['ccc', 'd']])).toBe('a    bb\n---  --\nccc  d');
  });

  it('tables of any length: no spread into Math.max, at most a screenful with how many more', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => [`k${i}`, 'x']);
    expect(table(['key', 'v'], many).split('\n')).toHaveLength(300_002);
    const text = screenfulTable(['key', 'v'], many.slice(0, 20), many.length, '--json lists them all');
    expect(text.split('\n')).toHaveLength(23);
    expect(text.split('\n').at(-1)).toBe('… and 299980 more (--json lists them all)');
  });

  it('neutralizes control characters from servers and files before they reach a terminal', () => {
    const hostile = 'ok\x1b[2J\x1b]0;title\x07\r\u009b31mfake\x7f';
    expect(neutralize(hostile)).toBe('ok\\x1b[2J\\x1b]0;title\\x07\\x0d\\x9b31mfake\\x7f');
    expect(neutralize('two\nlines', true)).toBe('two\nlines');
    expect(neutralize('two\nlines')).toBe('two\\x0alines');
    expect(table(['k'], [['a\x1b[31mb']])).toBe('k\n----------\na\\x1b[31mb');
    let written = '';
    const sink = { write: (t: string) => (written += t) };
    const out = new Output(sink, sink);
    out.out(`error: ${hostile}`);
    out.err(hostile);
    out.json({ message: hostile });
    expect(written).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(JSON.parse(jsonText({ message: hostile }))).toEqual({ message: hostile });
  });

  it('draws one line in place, throttled, always the last update, and clears it', () => {
    let t = 0;
    const frames: string[] = [];
    const bar = progressBar(
      (s) => frames.push(s),
      { write: () => undefined, columns: 100 },
      'apply',
      () => t,
    );
    const p = (done: number) => ({
      done,
      total: 100,
      applied: done,
      failed: 0,
      unknown: 0,
      notAttempted: 100 - done,
      reconciled: 0,
      resent: 0,
    });
    bar.update(p(10));
    t = 50;
    bar.update(p(20)); // within 100 ms: skipped
    t = 200;
    bar.update(p(30));
    bar.update(p(100)); // the last one always
    bar.finish();
    expect(frames).toHaveLength(4);
    expect(frames[0]).toMatch(/^\r\x1b\[2Kapply \[#+-+\] 10\/100 {2}applied 10 {2}failed 0 {2}unknown 0$/);
    expect(frames[2]).toMatch(/\[#{30}\] 100\/100/);
    expect(frames[3]).toBe('\r\x1b[2K');
  });
});
