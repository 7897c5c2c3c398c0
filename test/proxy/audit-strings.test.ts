/**
 * auditedString: the one step every string from a request passes before an audit event carries
 * it (redacted, control and bidi characters made visible, cut), pinned character class by
 * character class; and a sink that rejects, which must not become an unhandled rejection.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/core/redact.js';
import { MAX_AUDITED_STRING, auditedString, emit } from '../../src/proxy/audit.js';
import type { ProxyAuditEvent } from '../../src/proxy/index.js';

const TOKEN = 'api-audit-strings-0000-token';
const redact = createRedactor([TOKEN]);

describe('auditedString', () => {
  it.each([
    ['NUL', '\u0000', '\\x00'],
    ['the last C0 control', '\u001f', '\\x1f'],
    ['DEL', '\u007f', '\\x7f'],
    ['the first C1 control', '\u0080', '\\x80'],
    ['the last C1 control', '\u009f', '\\x9f'],
    ['ALM', '\u061c', '\\u{61c}'],
    ['LRM', '\u200e', '\\u{200e}'],
    ['RLM', '\u200f', '\\u{200f}'],
    ['LRE, the first embedding', '\u202a', '\\u{202a}'],
    ['RLO, the last override', '\u202e', '\\u{202e}'],
    ['LRI, the first isolate', '\u2066', '\\u{2066}'],
    ['PDI, the last isolate', '\u2069', '\\u{2069}'],
  ])('escapes %s', (_, character, shown) => {
    expect(auditedString(`a${character}b${character}`, redact)).toBe(`a${shown}b${shown}`);
  });

  it('leaves the neighbours of those classes as they are', () => {
    const neighbours = ' ~\u00a0\u00ff\u061b\u061d\u200d\u2010\u2029\u202f\u2065\u206a';
    expect(auditedString(neighbours, redact)).toBe(neighbours);
  });

  it('redacts, then escapes, then cuts to MAX_AUDITED_STRING', () => {
    expect(auditedString(`key ${TOKEN}\n`, redact)).toBe('key [redacted]\\x0a');
    expect(auditedString('x'.repeat(MAX_AUDITED_STRING + 1), redact)).toBe('x'.repeat(MAX_AUDITED_STRING));
    expect(auditedString('x'.repeat(MAX_AUDITED_STRING), redact)).toBe('x'.repeat(MAX_AUDITED_STRING));
    // Escaping lengthens the text; the cut comes after it.
    expect(auditedString('\n'.repeat(MAX_AUDITED_STRING), redact)).toBe('\\x0a'.repeat(MAX_AUDITED_STRING / 4));
  });

  it('reads at most twice MAX_AUDITED_STRING of a long string: what lies past it never moves into view', () => {
    // 2,000 characters of tokens redact to about 700; the text behind them is never reached.
    const read = MAX_AUDITED_STRING * 2;
    const tokens = TOKEN.repeat(Math.ceil(read / TOKEN.length)).slice(0, read);
    const audited = auditedString(`${tokens}${'tail'.repeat(1000)}`, redact);
    expect(audited).toBe('[redacted]'.repeat(Math.floor(read / TOKEN.length)) + TOKEN.slice(0, read % TOKEN.length));
  });
});

describe('emit', () => {
  const event = { at: new Date(0), method: 'GET', path: '/', origin: undefined, outcome: 'refused', status: 404, durationMs: 1 } as const;

  it('hands the event to the sink once; a sink that rejects is caught', async () => {
    const seen: ProxyAuditEvent[] = [];
    let rejected: Promise<void> | undefined;
    emit((e) => {
      seen.push(e);
      rejected = Promise.reject(new Error('log pipeline down'));
      return rejected;
    }, event);
    expect(seen).toEqual([event]);
    // Had emit not attached a handler, this rejection would be unhandled and fail the run.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rejected).toBeInstanceOf(Promise);
  });

  it('no sink, a sink that throws, and a sink that returns a value that is not a promise change nothing', () => {
    expect(() => emit(undefined, event)).not.toThrow();
    expect(() =>
      emit(() => {
        throw new Error('down');
      }, event),
    ).not.toThrow();
    expect(() => emit((() => 42) as unknown as () => void, event)).not.toThrow();
  });
});
