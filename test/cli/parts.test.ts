// The CLI's pieces, imported from src: time parsing, file reading with line numbers, the retry
// file's round trip and the progress bar. The subprocess tests cover the assembled command.
import { describe, expect, it } from 'vitest';
import { changesFromRows, detectFormat, parseCsv, parseJsonl } from '../../src/cli/input-file.js';
import { Output, table } from '../../src/cli/output.js';
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

describe('reading files', () => {
  it('numbers CSV rows by the line they start on, through blank lines, CRLF and quoted line breaks', () => {
    const text = 'action,contextKind,contextKey,targetType,expiresAt\r\nadd,user,"two\r\nlines",included,+1d\r\n\r\nremove,user,bob,excluded,\r\n';
    const { rows, issues } = parseCsv(text, 'segment');
    expect(issues).toEqual([]);
    expect(rows.map((r) => [r.line, r.values.contextKey])).toEqual([
      [2, 'two\nlines'],
      [5, 'bob'],
    ]);
  });

  it('reports header problems on line 1 and rows with the wrong number of fields', () => {
    expect(parseCsv('action,contextKind,contextKey,variationId,expiresAt,extra\n', 'segment').issues.map((i) => i.message)).toEqual([
      'header: variationId is a flag column; segment files use targetType',
      'header: unknown column "extra" (expected action, contextKind, contextKey, targetType, expiresAt)',
      'header: missing column targetType',
    ]);
    expect(parseCsv('action,contextKind,contextKey,targetType\nremove,user,a\n', 'segment').issues).toEqual([
      { line: 2, message: 'has 3 field(s); the header has 4' },
    ]);
    expect(parseCsv('action,contextKind,contextKey,targetType\nremove,user,"a\n', 'segment').issues[0]?.message).toMatch(/not valid CSV/);
  });

  it('reads JSON Lines with line numbers and checks each value', () => {
    const text = '{"action":"add","contextKind":"user","contextKey":"a","variationId":"v","expiresAt":1924905600000}\n\n[1]\n{"action":"remove","contextKind":"user","contextKey":7,"variationId":"v"}\n';
    const parsed = parseJsonl(text, 'flag');
    expect(parsed.issues).toEqual([{ line: 3, message: expect.stringMatching(/must be a JSON object/) }]);
    const checked = changesFromRows('flag', parsed.rows, NOW);
    expect(checked.issues).toEqual([{ line: 4, message: 'contextKey must be a string, got 7' }]);
    expect(checked.changes[0]?.instruction).toEqual({ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', variationId: 'v', value: 1_924_905_600_000 });
  });

  it('detects the format by extension, else by content', () => {
    expect(detectFormat('a.ndjson', 'action,…')).toBe('jsonl');
    expect(detectFormat('a.csv', '{')).toBe('csv');
    expect(detectFormat('a.txt', '\uFEFF  {"action":"add"}')).toBe('jsonl');
    expect(detectFormat('rows', 'action,contextKind')).toBe('csv');
  });

  it('finds every problem of a row, and the same target twice', () => {
    const { rows } = parseCsv(
      'action,contextKind,contextKey,targetType,expiresAt\nremove,,a,both,+1d\nadd,user,b,included,\nadd,user,c,included,+1d\nupdate,user,c,included,+2d\n',
      'segment',
    );
    expect(changesFromRows('segment', rows, NOW).issues).toEqual([
      { line: 2, message: 'expiresAt must be empty for remove; contextKind must be a non-empty string, got ""; targetType must be "included" or "excluded", got "both"' },
      { line: 3, message: 'expiresAt is required for add' },
      { line: 5, message: 'the same context and targetType as line 4: give one row per target' },
    ]);
  });
});

describe('retry files', () => {
  it('round-trips awkward keys through CSV, with absolute times and the reason column ignored on reading', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded ')).toBe('" padded "');
    const keys = ['plain', 'comma,key', 'quote"key', 'line\nbreak'];
    const { rows } = parseCsv(
      `action,contextKind,contextKey,targetType,expiresAt\n${keys.map((k) => `add,user,${csvField(k)},included,+1d`).join('\n')}\n`,
      'segment',
    );
    const { changes } = changesFromRows('segment', rows, NOW);
    const text = rowsCsv('segment', changes.map((change) => ({ change, reason: `line ${change.line}: failed, "really"` })));
    const again = changesFromRows('segment', parseCsv(text, 'segment').rows, NOW + 5 * 86_400_000);
    expect(again.issues).toEqual([]);
    expect(again.changes.map((c) => [c.contextKey, c.expiresAt])).toEqual(keys.map((k) => [k, NOW + 86_400_000]));
  });

  it('names the files beside the input and refuses to overwrite it', () => {
    expect(outputPaths('/data/cohort.csv', undefined, undefined)).toEqual({ retry: '/data/cohort.retry.csv', unknown: '/data/cohort.unknown.csv' });
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

  it('draws one line in place, throttled, always the last update, and clears it', () => {
    let t = 0;
    const frames: string[] = [];
    const bar = progressBar((s) => frames.push(s), { write: () => undefined, columns: 100 }, 'apply', () => t);
    const p = (done: number) => ({ done, total: 100, applied: done, failed: 0, unknown: 0, notAttempted: 100 - done, reconciled: 0, resent: 0 });
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
