// The one redaction step: which secrets it knows, in which spellings, and what a redacted copy
// of a lower-level error keeps.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, redactedCause, SECRET_HEADER } from '../../src/core/redact.js';

const TOKEN = 'api-unit-TOKEN-77aa';

describe('createRedactor', () => {
  it('replaces every occurrence of each secret', () => {
    const redact = createRedactor([TOKEN, 'second-secret']);
    expect(redact(`a ${TOKEN} b ${TOKEN} c second-secret`)).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED}`);
    expect(REDACTED).toBe('[redacted]');
  });

  it('knows the spellings a server echoes a secret in: escaped in JSON, percent-encoded in a URL', () => {
    const secret = 'api-"quoted"\\slash/plus+eq=';
    const redact = createRedactor([secret]);
    const json = JSON.stringify({ message: secret });
    expect(json).not.toContain(secret);
    expect(redact(json)).toBe(`{"message":"${REDACTED}"}`);
    const url = `https://ld.example/x?k=${encodeURIComponent(secret)}`;
    expect(redact(url)).toBe(`https://ld.example/x?k=${REDACTED}`);
    expect(redact(`raw ${secret}`)).toBe(`raw ${REDACTED}`);
  });

  it('replaces a secret that contains another one whole', () => {
    const redact = createRedactor(['abcd', 'abcdefgh']);
    expect(redact('abcdefgh abcd')).toBe(`${REDACTED} ${REDACTED}`);
    const reversed = createRedactor(['abcdefgh', 'abcd']);
    expect(reversed('xabcdefghx')).toBe(`x${REDACTED}x`);
  });

  it('skips absent secrets and ones too short to redact without hiding everything', () => {
    const redact = createRedactor([undefined, 'abc', 'abcd']);
    expect(redact('abc abcd')).toBe(`abc ${REDACTED}`);
  });

  it('without secrets, gives text back unchanged', () => {
    const redact = createRedactor([undefined, '', 'ab']);
    const text = `nothing to hide ${REDACTED}`;
    expect(redact(text)).toBe(text);
  });
});

describe('SECRET_HEADER', () => {
  it.each([
    'Authorization',
    'Proxy-Authorization',
    'X-Proxy-Key',
    'X-API-Key',
    'apikey',
    'Api-Key',
    'Ocp-Apim-Subscription-Key',
    'Cookie',
    'X-Auth-Token',
    'X-Client-Secret',
    'X-Password',
    'X-Credential',
    'X-Session-Id',
    'X-Signature',
  ])('%s holds a credential', (name) => {
    expect(SECRET_HEADER.test(name)).toBe(true);
  });

  it.each(['Content-Type', 'Accept', 'LD-API-Version', 'X-LaunchDarkly-User-Agent', 'X-Trace', 'X-Request-Id', 'User-Agent'])(
    '%s does not',
    (name) => {
      expect(SECRET_HEADER.test(name)).toBe(false);
    },
  );
});

describe('redactedCause', () => {
  const redact = createRedactor([TOKEN]);

  it('copies name, message and code, each redacted, down the cause chain', () => {
    const inner = Object.assign(new Error(`connect failed with ${TOKEN}`), { code: `E_${TOKEN}` });
    const outer = new TypeError(`fetch failed for ${TOKEN}`, { cause: inner });
    outer.name = `TypeError ${TOKEN}`;
    const copy = redactedCause(outer, redact)!;
    expect(copy).toBeInstanceOf(Error);
    expect(copy).not.toBe(outer);
    expect(copy.name).toBe(`TypeError ${REDACTED}`);
    expect(copy.message).toBe(`fetch failed for ${REDACTED}`);
    expect(copy.stack).toBe(`TypeError ${REDACTED}: fetch failed for ${REDACTED}`);
    const cause = copy.cause as Error & { code?: string };
    expect(cause.message).toBe(`connect failed with ${REDACTED}`);
    expect(cause.code).toBe(`E_${REDACTED}`);
    expect(cause.name).toBe('Error');
    expect(inspect(copy, { depth: 10, showHidden: true })).not.toContain(TOKEN);
  });

  it('keeps only string names and codes', () => {
    const odd = { name: 42, message: 'm', code: 7 };
    const copy = redactedCause(odd, redact)! as Error & { code?: unknown };
    expect(copy.name).toBe('Error');
    expect(copy.code).toBeUndefined();
    expect('code' in copy).toBe(false);
  });

  it('turns anything else thrown into an Error with its text', () => {
    expect(redactedCause(`thrown string ${TOKEN}`, redact)?.message).toBe(`thrown string ${REDACTED}`);
    expect(redactedCause(null, redact)).toBeUndefined();
    expect(redactedCause(undefined, redact)).toBeUndefined();
  });

  it('stops after five levels (a cycle cannot loop)', () => {
    const cyclic = new Error('loop');
    (cyclic as { cause?: unknown }).cause = cyclic;
    let copy: unknown = redactedCause(cyclic, redact);
    let depth = 0;
    while (copy instanceof Error) {
      depth++;
      copy = copy.cause;
    }
    expect(depth).toBe(5);
    expect(redactedCause(new Error('deep'), redact, 5)).toBeUndefined();
    expect(redactedCause(new Error('last'), redact, 4)?.message).toBe('last');
  });

  it('has no cause when the original had none', () => {
    expect('cause' in redactedCause(new Error('alone'), redact)!).toBe(false);
  });
});
