/**
 * The proxy's options as normalizeProxyOptions reads them, value by value: the mount point, the
 * allowed origins and headers, the flags that count only when `true`, and the exact wording of
 * each ConfigurationError (abuse-settings.test.ts covers the numeric bounds).
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/proxy/index.js';
import type { ProxyOptions } from '../../src/proxy/index.js';
import { normalizeProxyOptions } from '../../src/proxy/settings.js';

const KEY = 'api-settings-options-0000';
const base = { apiKey: KEY, baseUrl: 'http://127.0.0.1:1', authorize: () => true } as ProxyOptions<unknown>;
const settingsOf = (override: Record<string, unknown>) => normalizeProxyOptions({ ...base, ...override } as ProxyOptions<unknown>);
/** The ConfigurationError's message, or what came instead. */
function refusal(options: unknown): string {
  try {
    normalizeProxyOptions(options as ProxyOptions<unknown>);
  } catch (error) {
    return error instanceof ConfigurationError ? error.message : `not a ConfigurationError: ${String(error)}`;
  }
  return 'accepted';
}

describe('basePath', () => {
  it('empty by default; a trailing slash dropped; any path of unreserved characters kept', () => {
    expect(settingsOf({}).basePath).toBe('');
    expect(settingsOf({ basePath: '' }).basePath).toBe('');
    expect(settingsOf({ basePath: '/' }).basePath).toBe('');
    expect(settingsOf({ basePath: '/a/b/' }).basePath).toBe('/a/b');
    expect(settingsOf({ basePath: "/A-z0._~!$&'()*+,;=:@" }).basePath).toBe("/A-z0._~!$&'()*+,;=:@");
    expect(settingsOf({ basePath: '/.x/x./...' }).basePath).toBe('/.x/x./...');
  });

  it('anything else is refused, quoted', () => {
    for (const bad of [
      'ld-proxy',
      'x/ld-proxy',
      '/ld-proxy?x=1',
      '/ld proxy',
      '/ld%20proxy',
      '/a//b',
      '//',
      '/a/./b',
      '/a/../b',
      '/..',
      '/a/.',
    ])
      expect([bad, refusal({ ...base, basePath: bad })]).toEqual([
        bad,
        `basePath must be '' or a path such as /ld-proxy (no query, encoding, empty or dot segments), got ${JSON.stringify(bad.endsWith('/') ? bad.slice(0, -1) : bad)}`,
      ]);
    expect(refusal({ ...base, basePath: 42 })).toBe('basePath must be a string such as /ld-proxy');
    expect(refusal({ ...base, basePath: null })).toBe('basePath must be a string such as /ld-proxy');
  });
});

describe('allowedOrigins', () => {
  it('none by default; origins kept as given', () => {
    expect([...settingsOf({}).allowedOrigins]).toEqual([]);
    expect([...settingsOf({ allowedOrigins: ['https://admin.example.com', 'http://localhost:3000'] }).allowedOrigins]).toEqual([
      'https://admin.example.com',
      'http://localhost:3000',
    ]);
  });

  it('anything but an http(s) origin written as the browser sends it is refused, quoted', () => {
    for (const bad of [
      '*',
      'null',
      'https://admin.example.com/',
      'https://admin.example.com/x',
      'HTTPS://admin.example.com',
      'ftp://admin.example.com',
      'admin.example.com',
      42,
    ])
      expect([bad, refusal({ ...base, allowedOrigins: [bad] })]).toEqual([
        bad,
        `allowedOrigins must hold origins such as https://admin.example.com (scheme, host and port only; no "*" or "null"), got ${JSON.stringify(bad)}`,
      ]);
  });
});

describe('allowedHeaders', () => {
  it('the client’s own headers always; others added in lower case', () => {
    expect([...settingsOf({}).allowedHeaders]).toEqual(['content-type', 'ld-api-version', 'x-launchdarkly-user-agent']);
    expect([...settingsOf({ allowedHeaders: ['X-Trace', 'content-type'] }).allowedHeaders]).toEqual([
      'content-type',
      'ld-api-version',
      'x-launchdarkly-user-agent',
      'x-trace',
    ]);
  });

  it('anything but a header name is refused, quoted', () => {
    for (const bad of ['bad header', 'x:y', '', 7])
      expect([bad, refusal({ ...base, allowedHeaders: [bad] })]).toEqual([
        bad,
        `allowedHeaders must hold header names, got ${JSON.stringify(bad)}`,
      ]);
  });
});

describe('the rest', () => {
  it('flags count only when true', () => {
    expect([settingsOf({}).allowCredentials, settingsOf({}).allowPast]).toEqual([false, false]);
    expect([settingsOf({ allowCredentials: 'yes', allowPast: 1 }).allowCredentials, settingsOf({ allowPast: 1 }).allowPast]).toEqual([
      false,
      false,
    ]);
    expect([settingsOf({ allowCredentials: true }).allowCredentials, settingsOf({ allowPast: true }).allowPast]).toEqual([true, true]);
  });

  it('the token, the upstream and its redaction', () => {
    const settings = settingsOf({ apiVersion: 'beta' });
    expect(settings.apiKey).toBe(KEY);
    expect(settings.upstream.baseUrl).toBe('http://127.0.0.1:1');
    expect(settings.upstream.apiVersion).toBe('beta');
    expect(settings.redact(`token ${KEY} here`)).not.toContain(KEY);
    expect(settings.agent).toMatch(/^ld-expiring-targets\//);
  });

  it('the required options and their wording', () => {
    expect(refusal(undefined)).toBe('createExpiringTargetsProxy needs options');
    expect(refusal('options')).toBe('createExpiringTargetsProxy needs options');
    expect(refusal({ ...base, authorize: undefined })).toBe(
      'authorize is required: a function that checks your own session for every request before the token is used',
    );
    for (const apiKey of ['', undefined, 42])
      expect(refusal({ ...base, apiKey })).toBe('apiKey is required: the proxy adds it to every request it forwards');
    expect(refusal({ ...base, onAudit: undefined })).toBe('accepted');
    expect(refusal({ ...base, actorRateLimit: 'many' })).toBe('actorRateLimit must be { requests, windowMs }');
    expect(refusal({ ...base, actorRateLimit: undefined })).toBe('accepted');
  });

  it('the request deadline is never shorter than the default, nor than the upstream wait plus the body’s', () => {
    expect(settingsOf({ timeoutMs: 1000 }).requestTimeoutMs).toBe(45_000);
    expect(settingsOf({ timeoutMs: 40_000 }).requestTimeoutMs).toBe(50_000);
    expect(settingsOf({ timeoutMs: 40_000, bodyTimeoutMs: 1000 }).requestTimeoutMs).toBe(50_000);
  });
});
