// Options that cannot go on the wire are refused when the client is created, with a
// ConfigurationError that never quotes the value (it may be the token). Before, a NUL in the
// apiKey surfaced at call time as fetch's TypeError quoting the header, and CR/LF in a header
// made patchAll report its first batch unknown although nothing had been sent.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, createExpiringTargetsClient, segmentInstructions } from '../../src/index.js';
import { scriptedServer } from '../support/http-server.js';

const TOKEN = 'api-options-test-TOKEN-51c0ffee';
const CONTROLS = [...Array.from({ length: 0x20 }, (_, code) => code), 0x7f];
const name = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

const server = scriptedServer();

function creationError(options: Parameters<typeof createExpiringTargetsClient>[0]): unknown {
  try {
    createExpiringTargetsClient(options);
  } catch (error) {
    return error;
  }
  throw new Error('expected createExpiringTargetsClient to throw');
}

function expectQuotesNothing(error: unknown, values: readonly string[]): void {
  const e = error as Error;
  const texts = {
    message: e.message,
    string: String(e),
    json: JSON.stringify(e),
    inspect: inspect(e, { depth: 10, showHidden: true }),
    stack: String(e.stack),
  };
  for (const [how, text] of Object.entries(texts)) {
    for (const value of values) expect(text.includes(value), `${how} quotes the value: ${text}`).toBe(false);
  }
}

describe.each(CONTROLS.map((code) => [name(code), String.fromCharCode(code)] as const))('%s', (_code, ch) => {
  it('in apiKey: refused at creation, the token never quoted', () => {
    const error = creationError({ apiKey: `${TOKEN}${ch}tail`, baseUrl: server.url });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/^apiKey /);
    expectQuotesNothing(error, [TOKEN, 'tail']);
  });

  it('in a header value (secret or not): refused at creation, the value never quoted', () => {
    for (const [header, value] of [
      ['X-Proxy-Key', `proxy-${TOKEN}${ch}`],
      ['X-Trace', `trace-value${ch}more`],
    ] as const) {
      const error = creationError({ baseUrl: server.url, headers: { [header]: value } });
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(`headers.${header}`);
      expectQuotesNothing(error, [value, TOKEN, 'trace-value']);
    }
  });

  it('in a header name: refused at creation', () => {
    const error = creationError({ apiKey: TOKEN, baseUrl: server.url, headers: { [`X-A${ch}B`]: 'v' } });
    expect(error).toBeInstanceOf(ConfigurationError);
    expectQuotesNothing(error, [TOKEN]);
  });

  it('in apiVersion: refused at creation, never quoted', () => {
    const error = creationError({ apiKey: TOKEN, baseUrl: server.url, apiVersion: `2024${ch}${TOKEN}` });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/^apiVersion /);
    expectQuotesNothing(error, [TOKEN]);
  });
});

describe('what fetch cannot send either', () => {
  // Characters above U+00FF are not bytes. fetch refused them at call time, inside openapi-fetch's
  // header merge: a raw TypeError that patchAll counted as unknown although nothing was sent.
  it.each([
    ['a header value above U+00FF', { headers: { 'X-Note': 'coffee \u2615' } }, /^headers\.X-Note /],
    ['an apiVersion above U+00FF', { apiVersion: '2024\u20130415' }, /^apiVersion /],
    ['a header name with a space', { headers: { 'X Note': 'v' } }, /^header name "X Note" is not an HTTP token/],
    ['a header name with a colon', { headers: { 'X-Note:': 'v' } }, /is not an HTTP token/],
  ] as const)('%s is refused at creation', (_name, options, message) => {
    const error = creationError({ apiKey: TOKEN, baseUrl: server.url, ...options });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expectQuotesNothing(error, [TOKEN]);
  });

  it('Latin-1 header values are sent as they are', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, headers: { 'X-Note': 'caf\u00e9 \u00bd' } });
    const list = [
      segmentInstructions.add({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: Date.UTC(2031, 0, 1) }),
    ];
    const result = await ld.segments.patchAll({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, list);
    expect(result.ok).toBe(true);
    // Node reads header bytes as Latin-1: the same characters arrived.
    expect(server.requests.at(-1)!.headers['x-note']).toBe('caf\u00e9 \u00bd');
  });
});
