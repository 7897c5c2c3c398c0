/**
 * The bounds as options: each checked once when the proxy is created, with its default; and the
 * per-actor limiter's windows on a clock of the test's own.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyOptions } from '../../src/proxy/index.js';
import { ActorRateLimiter, InFlight } from '../../src/proxy/load.js';
import { DEFAULTS, normalizeProxyOptions } from '../../src/proxy/settings.js';

const base: ProxyOptions = { apiKey: 'api-settings-test-0000', baseUrl: 'http://127.0.0.1:1', authorize: () => true };

describe('the bounds as options', () => {
  it('have their documented defaults', () => {
    const settings = normalizeProxyOptions(base as ProxyOptions<unknown>);
    expect({
      maxBodyBytes: settings.maxBodyBytes,
      maxInstructions: settings.maxInstructions,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      timeoutMs: settings.timeoutMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      maxInFlight: settings.maxInFlight,
      actorRateLimit: settings.actorRateLimit,
    }).toEqual({
      maxBodyBytes: 1024 * 1024,
      maxInstructions: 1500,
      bodyTimeoutMs: 10_000,
      timeoutMs: 30_000,
      requestTimeoutMs: 45_000,
      maxResponseBytes: 32 * 1024 * 1024,
      maxInFlight: 256,
      actorRateLimit: undefined,
    });
    expect(DEFAULTS.requestTimeoutMs).toBe(45_000);
  });

  it('the request deadline leaves room for a long upstream wait unless set', () => {
    expect(normalizeProxyOptions({ ...base, timeoutMs: 60_000 } as ProxyOptions<unknown>).requestTimeoutMs).toBe(70_000);
    expect(normalizeProxyOptions({ ...base, timeoutMs: 60_000, requestTimeoutMs: 5000 } as ProxyOptions<unknown>).requestTimeoutMs).toBe(
      5000,
    );
    expect(
      normalizeProxyOptions({ ...base, actorRateLimit: { requests: 3, windowMs: 1000 } } as ProxyOptions<unknown>).actorRateLimit,
    ).toEqual({ requests: 3, windowMs: 1000 });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['maxInstructions 0', { maxInstructions: 0 }, /maxInstructions must be a positive integer, got 0/],
    ['bodyTimeoutMs 1.5', { bodyTimeoutMs: 1.5 }, /bodyTimeoutMs must be a positive integer/],
    ['timeoutMs -1', { timeoutMs: -1 }, /timeoutMs must be a positive integer/],
    ['requestTimeoutMs NaN', { requestTimeoutMs: Number.NaN }, /requestTimeoutMs must be a positive integer/],
    ['maxResponseBytes 0', { maxResponseBytes: 0 }, /maxResponseBytes must be a positive integer/],
    ['maxInFlight 0', { maxInFlight: 0 }, /maxInFlight must be a positive integer/],
    ['actorRateLimit null', { actorRateLimit: null }, /actorRateLimit must be \{ requests, windowMs \}/],
    ['actorRateLimit without requests', { actorRateLimit: { windowMs: 1000 } }, /actorRateLimit.requests must be a positive integer/],
    [
      'actorRateLimit with windowMs 0',
      { actorRateLimit: { requests: 1, windowMs: 0 } },
      /actorRateLimit.windowMs must be a positive integer/,
    ],
    ['onAudit that is not a function', { onAudit: 'log' }, /onAudit must be a function/],
    ['basePath that is not a string', { basePath: 42 }, /basePath must be a string/],
    ['no options at all', { __none: true }, /needs options/],
  ])('%s is a ConfigurationError', (_, override, message) => {
    const create = () => createExpiringTargetsProxy((override.__none ? null : { ...base, ...override }) as unknown as ProxyOptions);
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });

  it('a trailing slash of basePath is dropped', () => {
    expect(normalizeProxyOptions({ ...base, basePath: '/ld-proxy/' } as ProxyOptions<unknown>).basePath).toBe('/ld-proxy');
  });
});

describe('InFlight', () => {
  it('admits up to its limit, and again after one leaves', () => {
    const inFlight = new InFlight(2);
    expect([inFlight.enter(), inFlight.enter(), inFlight.enter()]).toEqual([true, true, false]);
    inFlight.leave();
    expect([inFlight.enter(), inFlight.enter()]).toEqual([true, false]);
  });
});

describe('ActorRateLimiter', () => {
  it('counts each actor in windows of its own, and says how long until the next', () => {
    let now = 1000;
    const limiter = new ActorRateLimiter({ requests: 2, windowMs: 100 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 100]);
    expect(limiter.take('b')).toBe(0);
    now = 1060;
    expect(limiter.take('a')).toBe(40);
    now = 1099;
    expect(limiter.take('a')).toBe(1);
    now = 1100;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 100]);
  });

  it('compares objects by identity and strings by value', () => {
    const limiter = new ActorRateLimiter({ requests: 1, windowMs: 100 }, () => 0);
    const user = { id: 1 };
    expect([limiter.take(user), limiter.take({ id: 1 }), limiter.take(user)]).toEqual([0, 0, 100]);
    expect([limiter.take('x'), limiter.take(`${'x'}`)]).toEqual([0, 100]);
  });

  it('remembers at most 10,000 actors: ended windows are forgotten first, then the oldest', () => {
    let now = 0;
    const limiter = new ActorRateLimiter({ requests: 1, windowMs: 100 }, () => now);
    for (let i = 0; i < 10_000; i++) limiter.take(i);
    now = 50;
    // Full of live windows: the oldest actor (0) is forgotten and may start afresh.
    expect(limiter.take('new')).toBe(0);
    expect(limiter.take(0)).toBe(0);
    expect(limiter.take(2)).toBe(50);
    now = 200;
    expect(limiter.take('later')).toBe(0);
    expect(limiter.take(5)).toBe(0);
  });
});
