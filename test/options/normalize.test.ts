// normalizeOptions: every default it fills in, every refusal, and what the redactor it builds
// knows; callSettings and pickCallOptions; where a token may travel over plain http.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import {
  type AttemptSettings,
  callSettings,
  DEFAULT_API_VERSION,
  type FetchLike,
  isBrowserLike,
  isLoopbackHost,
  normalizeOptions,
} from '../../src/core/options.js';
import { pickCallOptions } from '../../src/core/call-options.js';

const TOKEN = 'api-options-unit-TOKEN-1234';
const fetch: FetchLike = async () => new Response('{}');
const g = globalThis as Record<string, unknown>;

afterEach(() => {
  delete g.window;
  delete g.document;
  delete g.importScripts;
  delete g.location;
});

const refusal = (options: Parameters<typeof normalizeOptions>[0]): string => {
  try {
    normalizeOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
};

describe('normalizeOptions: defaults', () => {
  it('fills in every default', () => {
    const n = normalizeOptions({ apiKey: TOKEN, fetch });
    expect(n).toMatchObject({
      apiKey: TOKEN,
      baseUrl: 'https://app.launchdarkly.com',
      apiVersion: DEFAULT_API_VERSION,
      headers: {},
      onRetry: undefined,
      settings: { timeoutMs: 30_000, maxRetries: 2, maxRetryDelayMs: 60_000, initialRetryDelayMs: 500, retryUnsafe: false },
    });
    expect(n.fetch).toBe(fetch);
    expect(DEFAULT_API_VERSION).toBe('20240415');
    expect('signal' in n.settings).toBe(false);
  });

  it('keeps what is given', () => {
    const onRetry = () => undefined;
    const n = normalizeOptions({
      apiKey: TOKEN,
      fetch,
      instance: 'eu',
      apiVersion: 'beta',
      headers: { 'X-Trace': 't' },
      timeoutMs: 1500,
      maxRetries: 0,
      maxRetryDelayMs: 0,
      retryUnsafe: true,
      onRetry,
    });
    expect(n).toMatchObject({
      baseUrl: 'https://app.eu.launchdarkly.com',
      apiVersion: 'beta',
      headers: { 'X-Trace': 't' },
      settings: { timeoutMs: 1500, maxRetries: 0, maxRetryDelayMs: 0, retryUnsafe: true },
    });
    expect(n.onRetry).toBe(onRetry);
    expect(normalizeOptions({ apiKey: TOKEN, fetch, instance: 'federal' }).baseUrl).toBe('https://app.launchdarkly.us');
    expect(normalizeOptions({ apiKey: TOKEN, fetch, instance: 'commercial' }).baseUrl).toBe('https://app.launchdarkly.com');
  });

  it('an empty apiKey is no apiKey', () => {
    expect(normalizeOptions({ apiKey: '', baseUrl: 'https://proxy.example', fetch }).apiKey).toBeUndefined();
  });

  it('only retryUnsafe: true turns it on', () => {
    expect(normalizeOptions({ apiKey: TOKEN, fetch, retryUnsafe: 'yes' as unknown as boolean }).settings.retryUnsafe).toBe(false);
  });

  it('drops trailing slashes from baseUrl and keeps its path', () => {
    expect(normalizeOptions({ baseUrl: 'https://proxy.example/ld//', fetch }).baseUrl).toBe('https://proxy.example/ld');
    expect(normalizeOptions({ baseUrl: 'https://proxy.example', fetch }).baseUrl).toBe('https://proxy.example');
  });

  it('uses the global fetch when none is given', () => {
    const n = normalizeOptions({ apiKey: TOKEN });
    expect(typeof n.fetch).toBe('function');
  });
});

describe('normalizeOptions: refusals', () => {
  it.each<[string, Parameters<typeof normalizeOptions>[0], RegExp]>([
    ['a non-string apiKey', { apiKey: 42 as unknown as string, fetch }, /^apiKey must be a token of visible ASCII characters/],
    ['an apiKey with a space', { apiKey: 'api 1234', fetch }, /^apiKey /],
    ['an apiKey with a non-ASCII character', { apiKey: 'api-\u00e91234', fetch }, /^apiKey /],
    [
      'a non-string header value',
      { fetch, baseUrl: 'https://p.example', headers: { 'X-A': 1 as unknown as string } },
      /^headers\.X-A must be a string/,
    ],
    [
      'an unknown instance',
      { apiKey: TOKEN, fetch, instance: 'mars' as 'eu' },
      /^instance must be one of commercial, federal, eu, got "mars"$/,
    ],
    ['an inherited name as instance', { apiKey: TOKEN, fetch, instance: 'toString' as 'eu' }, /^instance must be one of/],
    ['a baseUrl that is not a URL', { fetch, baseUrl: 'not a url' }, /^baseUrl is not a URL$/],
    [
      'a relative baseUrl outside a page',
      { fetch, baseUrl: '/ld-proxy' },
      /^baseUrl "\/ld-proxy" is relative: outside a browser page, give an absolute URL such as https:\/\/example\.com\/ld-proxy$/,
    ],
    ['credentials in baseUrl', { fetch, baseUrl: 'https://user:pw@proxy.example' }, /^baseUrl must not contain credentials/],
    ['a user name alone in baseUrl', { fetch, baseUrl: 'https://user@proxy.example' }, /^baseUrl must not contain credentials/],
    ['a password alone in baseUrl', { fetch, baseUrl: 'https://:pw@proxy.example' }, /^baseUrl must not contain credentials/],
    ['a query in baseUrl', { fetch, baseUrl: 'https://proxy.example/?a=1' }, /^baseUrl must not have a query/],
    ['an empty query in baseUrl', { fetch, baseUrl: 'https://proxy.example/?' }, /^baseUrl must not have a query/],
    ['a fragment in baseUrl', { fetch, baseUrl: 'https://proxy.example/#x' }, /^baseUrl must not have a fragment/],
    ['an empty fragment in baseUrl', { fetch, baseUrl: 'https://proxy.example/#' }, /^baseUrl must not have a fragment/],
    ['a baseUrl that is not http(s)', { fetch, baseUrl: 'ftp://proxy.example' }, /^baseUrl must be http\(s\), got ftp:$/],
    [
      'a token over plain http to a remote host',
      { apiKey: TOKEN, fetch, baseUrl: 'http://proxy.example:8080' },
      /^refusing to send an access token over plain http to proxy\.example; use https$/,
    ],
    ['no token for LaunchDarkly itself', { fetch }, /^apiKey is required to call https:\/\/app\.launchdarkly\.com directly/],
    [
      'no token for the EU instance',
      { fetch, instance: 'eu' },
      /^apiKey is required to call https:\/\/app\.eu\.launchdarkly\.com directly/,
    ],
    [
      'no token for LaunchDarkly given as a baseUrl with a slash',
      { fetch, baseUrl: 'https://app.launchdarkly.us/' },
      /^apiKey is required/,
    ],
    ['an empty apiVersion', { apiKey: TOKEN, fetch, apiVersion: '' }, /^apiVersion must be a non-empty string/],
    ['a blank apiVersion', { apiKey: TOKEN, fetch, apiVersion: '   ' }, /^apiVersion must be a non-empty string/],
    ['a non-string apiVersion', { apiKey: TOKEN, fetch, apiVersion: 20240415 as unknown as string }, /^apiVersion /],
    ['a zero timeout', { apiKey: TOKEN, fetch, timeoutMs: 0 }, /^timeoutMs must be a positive number, got 0$/],
    ['a negative timeout', { apiKey: TOKEN, fetch, timeoutMs: -1 }, /^timeoutMs must be a positive number, got -1$/],
    ['an infinite timeout', { apiKey: TOKEN, fetch, timeoutMs: Number.POSITIVE_INFINITY }, /^timeoutMs must be a positive number/],
    ['a NaN timeout', { apiKey: TOKEN, fetch, timeoutMs: Number.NaN }, /^timeoutMs must be a positive number/],
    ['a fractional maxRetries', { apiKey: TOKEN, fetch, maxRetries: 1.5 }, /^maxRetries must be a non-negative integer, got 1.5$/],
    ['a negative maxRetries', { apiKey: TOKEN, fetch, maxRetries: -1 }, /^maxRetries must be a non-negative integer, got -1$/],
    [
      'a negative maxRetryDelayMs',
      { apiKey: TOKEN, fetch, maxRetryDelayMs: -5 },
      /^maxRetryDelayMs must be a non-negative integer, got -5$/,
    ],
  ])('%s', (_name, options, message) => {
    expect(refusal(options)).toMatch(message);
  });

  it('accepts the smallest values that make sense', () => {
    expect(normalizeOptions({ apiKey: TOKEN, fetch, timeoutMs: 0.5, maxRetries: 0, maxRetryDelayMs: 0 }).settings).toMatchObject({
      timeoutMs: 0.5,
      maxRetries: 0,
    });
  });

  it('no fetch anywhere', () => {
    const saved = globalThis.fetch;
    (globalThis as { fetch?: unknown }).fetch = undefined;
    try {
      expect(refusal({ apiKey: TOKEN })).toBe('no fetch available: pass options.fetch');
    } finally {
      globalThis.fetch = saved;
    }
  });
});

describe('normalizeOptions: in a page', () => {
  const page = (origin: string) => {
    g.window = {};
    g.document = {};
    g.location = { origin };
  };

  it('resolves a relative baseUrl against the page origin', () => {
    page('https://app.example');
    expect(normalizeOptions({ fetch, baseUrl: '/ld-proxy/' }).baseUrl).toBe('https://app.example/ld-proxy');
  });

  it('a location without a page (no window and document) resolves nothing', () => {
    g.location = { origin: 'https://app.example' };
    expect(refusal({ fetch, baseUrl: '/ld-proxy' })).toMatch(/is relative/);
  });

  it('an opaque origin gives a relative baseUrl nothing to resolve against', () => {
    page('null');
    expect(refusal({ fetch, baseUrl: '/ld-proxy' })).toMatch(/is relative/);
  });

  it('refuses a token unless dangerouslyAllowBrowser, also in a worker', () => {
    page('https://app.example');
    expect(refusal({ apiKey: TOKEN, fetch })).toMatch(/^an apiKey in browser code can be read by anyone/);
    expect(() => normalizeOptions({ apiKey: TOKEN, fetch, dangerouslyAllowBrowser: true })).not.toThrow();
    delete g.window;
    delete g.document;
    g.importScripts = () => undefined;
    expect(refusal({ apiKey: TOKEN, fetch })).toMatch(/^an apiKey in browser code/);
  });
});

describe('isBrowserLike', () => {
  it('needs a window and a document, or a worker’s importScripts', () => {
    expect(isBrowserLike()).toBe(false);
    g.window = {};
    expect(isBrowserLike()).toBe(false);
    g.document = {};
    expect(isBrowserLike()).toBe(true);
    delete g.window;
    expect(isBrowserLike()).toBe(false);
    g.importScripts = 'not a function';
    expect(isBrowserLike()).toBe(false);
    g.importScripts = () => undefined;
    expect(isBrowserLike()).toBe(true);
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '127.255.255.254', '[::1]', '::1', 'api.localhost', 'A.LOCALHOST'])(
    '%s may use plain http',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    'example.com',
    '127.0.0.1.example.com',
    'localhost.example.com',
    'my-localhost',
    '10.0.0.1',
    '128.0.0.1',
    '127.0.0',
    'x127.0.0.1',
    '[::2]',
  ])('%s may not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('the redactor normalizeOptions builds', () => {
  it('knows the token and the values of credential-like headers, not other header values', () => {
    const { redact } = normalizeOptions({
      apiKey: TOKEN,
      fetch,
      headers: { 'X-Proxy-Key': 'proxy-key-5678', Cookie: 'session=abcdef', 'X-Trace': 'trace-9999' },
    });
    expect(redact(`${TOKEN} proxy-key-5678 session=abcdef trace-9999`)).toBe('[redacted] [redacted] [redacted] trace-9999');
  });
});

describe('callSettings', () => {
  const defaults: AttemptSettings = {
    timeoutMs: 30_000,
    maxRetries: 2,
    maxRetryDelayMs: 60_000,
    initialRetryDelayMs: 500,
    retryUnsafe: false,
  };

  it('without call options, the client settings themselves', () => {
    expect(callSettings(defaults, undefined)).toBe(defaults);
  });

  it('takes each option the call sets, and the signal', () => {
    const signal = new AbortController().signal;
    expect(callSettings(defaults, { timeoutMs: 10, maxRetries: 0, retryUnsafe: true, signal })).toEqual({
      ...defaults,
      timeoutMs: 10,
      maxRetries: 0,
      retryUnsafe: true,
      signal,
    });
    expect(callSettings({ ...defaults, retryUnsafe: true }, { retryUnsafe: false }).retryUnsafe).toBe(false);
    expect(callSettings({ ...defaults, retryUnsafe: true }, {})).toEqual({ ...defaults, retryUnsafe: true, signal: undefined });
  });

  it('checks what the call sets', () => {
    expect(() => callSettings(defaults, { timeoutMs: 0 })).toThrow(/^timeoutMs must be a positive number, got 0$/);
    expect(() => callSettings(defaults, { maxRetries: -1 })).toThrow(/^maxRetries must be a non-negative integer, got -1$/);
  });
});

describe('pickCallOptions', () => {
  it('keeps only the per-call options', () => {
    const signal = new AbortController().signal;
    expect(pickCallOptions({ signal, timeoutMs: 1, maxRetries: 2, retryUnsafe: true, comment: 'x', batchSize: 3 } as never)).toEqual({
      signal,
      timeoutMs: 1,
      maxRetries: 2,
      retryUnsafe: true,
    });
    expect(pickCallOptions(undefined)).toEqual({ signal: undefined, timeoutMs: undefined, maxRetries: undefined, retryUnsafe: undefined });
  });
});
