import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createExpiringTargetsClient } from '../../src/index.js';

const g = globalThis as Record<string, unknown>;
afterEach(() => {
  delete g.window;
  delete g.document;
});

describe('browser safety', () => {
  it('refuses an apiKey where browser globals exist, unless dangerouslyAllowBrowser', () => {
    g.window = {};
    g.document = {};
    expect(() => createExpiringTargetsClient({ apiKey: 'api-secret-1234' })).toThrow(ConfigurationError);
    expect(() => createExpiringTargetsClient({ apiKey: 'api-secret-1234' })).toThrow(/dangerouslyAllowBrowser/);
    expect(() => createExpiringTargetsClient({ apiKey: 'api-secret-1234', dangerouslyAllowBrowser: true })).not.toThrow();
    // A browser app talking to its own backend needs no token at all.
    expect(() => createExpiringTargetsClient({ baseUrl: 'https://my-backend.example/ld' })).not.toThrow();
  });

  it('allows an apiKey in Node', () => {
    expect(() => createExpiringTargetsClient({ apiKey: 'api-secret-1234' })).not.toThrow();
  });

  it('never sends a token over plain http to a host that is not loopback', () => {
    expect(() => createExpiringTargetsClient({ apiKey: 'api-secret-1234', baseUrl: 'http://proxy.internal:8080' })).toThrow(
      /refusing to send an access token over plain http to proxy\.internal/,
    );
    for (const baseUrl of ['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010', 'http://api.localhost']) {
      expect(() => createExpiringTargetsClient({ apiKey: 'api-secret-1234', baseUrl })).not.toThrow();
    }
    // Without a token, plain http to a proxy is fine: there is nothing to leak.
    expect(() => createExpiringTargetsClient({ baseUrl: 'http://proxy.internal:8080' })).not.toThrow();
  });

  it('rejects bad options with a ConfigurationError naming them', () => {
    expect(() => createExpiringTargetsClient({ apiKey: 'a b' })).toThrow(
      /apiKey must be a token of visible ASCII characters, without spaces/,
    );
    expect(() => createExpiringTargetsClient({ apiKey: 'k', timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number/);
    expect(() => createExpiringTargetsClient({ apiKey: 'k', maxRetries: -1 })).toThrow(/maxRetries must be a non-negative integer/);
    expect(() => createExpiringTargetsClient({ apiKey: 'k', instance: 'mars' as 'eu' })).toThrow(
      /instance must be one of commercial, federal, eu/,
    );
    expect(() => createExpiringTargetsClient({ apiKey: 'k', baseUrl: 'ftp://x' })).toThrow(/must be http\(s\)/);
    expect(() => createExpiringTargetsClient({ apiKey: 'k', baseUrl: 'not a url' })).toThrow(/baseUrl is not a URL/);
  });
});
