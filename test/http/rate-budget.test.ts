import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestAbortedError } from '../../src/core/errors.js';
import { RateBudget, routeKeyOf } from '../../src/core/internal/rate-budget.js';
import { matchTemplate } from '../../src/core/internal/url-template.js';
import { createExpiringTargetsClient } from '../../src/index.js';
import type { ServerResponse } from 'node:http';
import { json, startServer } from '../support/http-server.js';

const at = (start: number) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};
const FLAG = '/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}';
const headers = (h: Record<string, string>) => new Headers(h);

afterEach(() => {
  vi.useRealTimers();
});

describe('routeKeyOf', () => {
  /** The route of a request as the client computes it: one template match, whatever the base path. */
  const routeOf = (method: string, url: string) => {
    const path = new URL(url).pathname;
    return routeKeyOf(method, path, matchTemplate(path, [FLAG]));
  };

  it('names a route by verb and template; other paths by verb and path', () => {
    const a = routeOf('GET', 'https://ld.example/api/v2/flags/p/a/expiring-targets/e');
    expect(a).toBe(`GET ${FLAG}`);
    expect(a).toBe(routeOf('GET', 'https://ld.example/proxy/api/v2/flags/q/b%20c/expiring-targets/f'));
    expect(a).not.toBe(routeOf('PATCH', 'https://ld.example/api/v2/flags/p/a/expiring-targets/e'));
    expect(routeOf('GET', 'https://ld.example/api/v2/flags/p?limit=100&offset=200')).toBe('GET /api/v2/flags/p');
    expect(routeOf('GET', 'https://ld.example/api/v2/flags/p/a/expiring-targets/e/x')).toBe('GET /api/v2/flags/p/a/expiring-targets/e/x');
  });

  it('matches a template after any base path, and keeps that base path apart', () => {
    expect(matchTemplate('/proxy/api/v2/flags/q/b%20c/expiring-targets/f', [FLAG])).toEqual({ base: '/proxy', template: FLAG });
    expect(matchTemplate('/api/v2/flags/p/a/expiring-targets/e', [FLAG])).toEqual({ base: '', template: FLAG });
    expect(matchTemplate('/api/v2/flags/p/a/b/expiring-targets/e', [FLAG])).toBeUndefined();
  });
});

describe('RateBudget', () => {
  it('sends one request of an unknown route at a time, then paces by what the answer says', async () => {
    const clock = at(10_000);
    const budget = new RateBudget(clock.now);
    const probe = await budget.acquire('GET /a');
    expect(budget.blockedMs('GET /a')).toBe(Number.POSITIVE_INFINITY);
    expect(budget.blockedMs('GET /b')).toBe(0);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '2', 'X-Ratelimit-Reset': '10750' }));
    probe();
    // Two left: two may be in flight, not a third (each may not be counted yet).
    const releases = [await budget.acquire('GET /a'), await budget.acquire('GET /a')];
    expect(budget.blockedMs('GET /a')).toBe(750);
    releases[0]?.();
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '1', 'X-Ratelimit-Reset': '10750' }));
    expect(budget.blockedMs('GET /a')).toBe(750);
    releases[1]?.();
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': '10750' }));
    expect(budget.blockedMs('GET /a')).toBe(750);
    // Another route is not held back by this one.
    expect(budget.blockedMs('GET /b')).toBe(0);
    clock.advance(750);
    // After the reset: as many as the window held at most (2 left after the first, so 3).
    const next = [await budget.acquire('GET /a'), await budget.acquire('GET /a'), await budget.acquire('GET /a')];
    expect(budget.blockedMs('GET /a')).toBe(Number.POSITIVE_INFINITY);
    for (const release of next) release();
    expect(budget.blockedMs('GET /a')).toBe(0);
  });

  it('ignores an answer from a window already over, and keeps the lower count of the current one', () => {
    const clock = at(0);
    const budget = new RateBudget(clock.now);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': '2000' }));
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '5', 'X-Ratelimit-Reset': '1000' }));
    expect(budget.blockedMs('GET /a')).toBe(2000);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '3', 'X-Ratelimit-Reset': '2000' }));
    expect(budget.blockedMs('GET /a')).toBe(2000);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '4', 'X-Ratelimit-Reset': '3000' }));
    expect(budget.blockedMs('GET /a')).toBe(0);
  });

  it('holds every route while the account window is spent', () => {
    const budget = new RateBudget(at(0).now);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Global-Remaining': '0', 'X-Ratelimit-Reset': '500' }));
    expect(budget.blockedMs('GET /a')).toBe(500);
    expect(budget.blockedMs('PATCH /b')).toBe(500);
  });

  it.each<[string, Record<string, string>]>([
    ['no rate-limit headers', {}],
    ['no reset', { 'X-Ratelimit-Route-Remaining': '0' }],
    ['a count that is no number', { 'X-Ratelimit-Route-Remaining': 'many', 'X-Ratelimit-Reset': '10750' }],
    ['a reset already past', { 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': '9000' }],
    ['a reset that is now', { 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': '10000' }],
  ])('lets the next request go when an answer gives %s', (_name, h) => {
    const budget = new RateBudget(at(10_000).now);
    budget.observe('GET /a', headers(h));
    expect(budget.blockedMs('GET /a')).toBe(0);
  });

  it('a route whose answers name no window is not limited: any number in flight', async () => {
    const budget = new RateBudget(at(0).now);
    budget.observe('GET /a', headers({}));
    for (let i = 0; i < 50; i++) await budget.acquire('GET /a');
    expect(budget.blockedMs('GET /a')).toBe(0);
  });

  it('a waiting request goes when an answer makes room, or at the reset', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const budget = new RateBudget();
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '1', 'X-Ratelimit-Reset': '1000' }));
    const first = await budget.acquire('GET /a');
    let second = false;
    const waiting = budget.acquire('GET /a').then(() => (second = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(second).toBe(false);
    // The first one's answer: 1 left after it counted, so the second may go.
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '1', 'X-Ratelimit-Reset': '1000' }));
    first();
    await waiting;
    expect(Date.now()).toBe(10);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': '1000' }));
    let third = false;
    const atReset = budget.acquire('GET /a').then(() => (third = true));
    await vi.advanceTimersByTimeAsync(989);
    expect(third).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await atReset;
    expect(Date.now()).toBe(1000);
  });

  it('waits at most maxWaitMs, however far off the reset (a skewed clock, a reset in microseconds) or however long the first request takes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const budget = new RateBudget();
    // A reset an hour away, and one past setTimeout's 2^31 - 1 ms (which would fire at once and spin).
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': String(3_600_000) }));
    budget.observe('GET /b', headers({ 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': String(2 ** 40) }));
    const went: string[] = [];
    const a = budget.acquire('GET /a', undefined, 5_000).then(() => went.push(`a@${Date.now()}`));
    const b = budget.acquire('GET /b', undefined, 5_000).then(() => went.push(`b@${Date.now()}`));
    // An unknown route's first request never answers: the next one goes after maxWaitMs all the same.
    await budget.acquire('GET /c');
    const c = budget.acquire('GET /c', undefined, 5_000).then(() => went.push(`c@${Date.now()}`));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(went).toEqual([]);
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([a, b, c]);
    expect(went.sort()).toEqual(['a@5000', 'b@5000', 'c@5000']);
  });

  it('a waiting request rejects at once when aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const budget = new RateBudget();
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': '60000' }));
    const controller = new AbortController();
    const waiting = budget.acquire('GET /a', controller.signal).catch((e: unknown) => e);
    controller.abort('stop');
    const error = await waiting;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as Error).cause).toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RateBudget and answers without headers', () => {
  it('counts an answer without headers (an error, say) against a route known to be limited', () => {
    const budget = new RateBudget(at(0).now);
    budget.observe('GET /a', headers({ 'X-Ratelimit-Route-Remaining': '1', 'X-Ratelimit-Reset': '1000' }));
    expect(budget.blockedMs('GET /a')).toBe(0);
    budget.observe('GET /a', headers({}));
    expect(budget.blockedMs('GET /a')).toBe(1000);
  });
});

describe('RateBudget when LaunchDarkly does not answer', () => {
  it('a route whose first request gets no answer stops holding the others: they go together, not each after the one before', async () => {
    // The first request's connection is reset; the next ones are held until two are open at once,
    // then both are answered. Had the route kept sending one request at a time, the second would
    // be held until its timeout and the third would then wait alone: both would time out.
    const held: ServerResponse[] = [];
    let arrived = 0;
    const server = await startServer((_req, res, socket) => {
      if (++arrived === 1) return void socket.destroy();
      held.push(res);
      if (held.length === 2) for (const r of held) json(r, 200, { items: [] });
    });
    try {
      const ld = createExpiringTargetsClient({
        apiKey: 'api-test-token',
        baseUrl: server.url,
        timeoutMs: 2_000,
        maxRetries: 0,
        logLevel: 'off',
      });
      const ref = (segmentKey: string) => ({ projectKey: 'p', environmentKey: 'e', segmentKey });
      const results = await Promise.allSettled(['a', 'b', 'c'].map((key) => ld.segments.get(ref(key))));
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'answered'))).toEqual([
        'ApiConnectionError',
        'answered',
        'answered',
      ]);
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});
