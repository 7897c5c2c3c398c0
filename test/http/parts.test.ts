// The transport's parts that decide fates and waits on their own: whether a failed fetch can
// have reached the server (stageOf), the rate-limit gate, and the abortable sleep.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestAbortedError } from '../../src/core/errors.js';
import { stageOf } from '../../src/core/http.js';
import { pause } from '../../src/core/internal/pause.js';
import { RateBudget } from '../../src/core/internal/rate-budget.js';

afterEach(() => {
  vi.useRealTimers();
});

const coded = (code: string, message = `failed with ${code}`) => Object.assign(new Error(message), { code });
const fetchFailed = (cause?: unknown) => new TypeError('fetch failed', cause === undefined ? undefined : { cause });

describe('stageOf: can a failed fetch have reached the server?', () => {
  it.each([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EAI_NONAME',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EADDRNOTAVAIL',
    'UND_ERR_CONNECT_TIMEOUT',
  ])('%s: no, it failed before sending', (code) => {
    expect(stageOf(fetchFailed(coded(code)))).toBe('before-send');
    expect(stageOf(coded(code))).toBe('before-send');
  });

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT'])('%s: it may have', (code) => {
    expect(stageOf(fetchFailed(coded(code)))).toBe('after-send');
  });

  it('every address refused (an AggregateError of them, as happy eyeballs gives): before sending', () => {
    const all = new AggregateError([coded('ECONNREFUSED'), coded('EHOSTUNREACH')], 'connect failed');
    expect(stageOf(fetchFailed(all))).toBe('before-send');
  });

  it('one address refused and another reset: it may have', () => {
    const mixed = new AggregateError([coded('ECONNREFUSED'), coded('ECONNRESET')], 'connect failed');
    expect(stageOf(fetchFailed(mixed))).toBe('after-send');
    expect(stageOf(Object.assign(fetchFailed(coded('ECONNRESET')), { code: 'ECONNREFUSED' }))).toBe('after-send');
  });

  it('a code more than four causes deep is not seen', () => {
    let error: unknown = coded('ECONNREFUSED');
    for (let i = 0; i < 5; i++) error = new Error(`level ${i}`, { cause: error });
    expect(stageOf(error)).toBe('after-send');
    let shallow: unknown = coded('ECONNREFUSED');
    for (let i = 0; i < 4; i++) shallow = new Error(`level ${i}`, { cause: shallow });
    expect(stageOf(shallow)).toBe('before-send');
  });

  it("a blocked port (the Fetch standard's list): before sending", () => {
    expect(stageOf(fetchFailed(new Error('bad port')))).toBe('before-send');
    expect(stageOf(fetchFailed(new Error('Bad Port')))).toBe('before-send');
    expect(stageOf(fetchFailed(new Error('bad port 6000')))).toBe('after-send');
    expect(stageOf(fetchFailed(new Error('not a bad port')))).toBe('after-send');
  });

  it('codes nested in AggregateErrors more than four levels deep are not seen either', () => {
    let error: unknown = coded('ECONNREFUSED');
    for (let i = 0; i < 5; i++) error = new AggregateError([error], `level ${i}`);
    expect(stageOf(error)).toBe('after-send');
  });

  it('a TypeError with a cause that says nothing of the network: it may have', () => {
    expect(stageOf(new TypeError('terminated', { cause: new Error('other side closed') }))).toBe('after-send');
    expect(stageOf(new TypeError('Invalid header', { cause: new Error('inner') }))).toBe('after-send');
  });

  it('a TypeError of fetch refusing its input (no cause): before sending', () => {
    expect(stageOf(new TypeError('Failed to parse URL from ::'))).toBe('before-send');
    expect(stageOf(new TypeError('Headers.append: "a b" is an invalid header name.'))).toBe('before-send');
  });

  it.each([
    'fetch failed',
    'Failed to fetch',
    'NetworkError when attempting to fetch resource.',
    'Load failed',
    'The network connection was lost.',
  ])('a network TypeError without a cause (%s): it may have', (message) => {
    expect(stageOf(new TypeError(message))).toBe('after-send');
  });

  it('anything else: it may have', () => {
    expect(stageOf(new Error('socket hang up'))).toBe('after-send');
    expect(stageOf(fetchFailed(new Error('other side closed')))).toBe('after-send');
    expect(stageOf('a string')).toBe('after-send');
    expect(stageOf(null)).toBe('after-send');
    expect(stageOf(undefined)).toBe('after-send');
    expect(stageOf({ code: 42 })).toBe('after-send');
  });
});

describe('RateBudget.closeAll (a 429 that names no window)', () => {
  const ROUTE = 'GET /api/v2/x';

  it('never shortens a closure', () => {
    const budget = new RateBudget(() => 0);
    budget.closeAll(5000);
    budget.closeAll(2000);
    expect(budget.blockedMs(ROUTE)).toBe(5000);
    budget.closeAll(8000);
    expect(budget.blockedMs(ROUTE)).toBe(8000);
    expect(budget.blockedMs('PATCH /api/v2/y')).toBe(8000);
  });

  it('uses the real clock by default', () => {
    const budget = new RateBudget();
    budget.closeAll(Date.now() + 60_000);
    expect(budget.blockedMs(ROUTE)).toBeGreaterThan(50_000);
  });

  it('holds acquire() until open, again when the closure is pushed out meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const budget = new RateBudget();
    budget.closeAll(1000);
    let open = false;
    const waiting = budget.acquire(ROUTE).then(() => (open = true));
    await vi.advanceTimersByTimeAsync(500);
    budget.closeAll(1800);
    await vi.advanceTimersByTimeAsync(500);
    expect(open).toBe(false);
    await vi.advanceTimersByTimeAsync(799);
    expect(open).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(Date.now()).toBe(1800);
  });

  it('lets acquire() reject at once when aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const budget = new RateBudget();
    budget.closeAll(60_000);
    const controller = new AbortController();
    const waiting = budget.acquire(ROUTE, controller.signal).catch((e: unknown) => e);
    controller.abort('stop');
    const error = await waiting;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as Error).cause).toBe('stop');
    expect(Date.now()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the account window when a thousand other routes push the oldest out', () => {
    const budget = new RateBudget(() => 0);
    budget.observe(
      ROUTE,
      new Headers({ 'x-ratelimit-reset': '5000', 'x-ratelimit-route-remaining': '9', 'x-ratelimit-global-remaining': '0' }),
    );
    expect(budget.blockedMs('GET /other')).toBe(5000);
    for (let i = 0; i < 1500; i++) budget.observe(`GET /path/${i}`, new Headers());
    expect(budget.blockedMs('GET /other')).toBe(5000);
  });

  it('is not what an answer naming its window does: that closes only the window', () => {
    const budget = new RateBudget(() => 0);
    const named = new Headers({ 'x-ratelimit-reset': '5000', 'x-ratelimit-route-remaining': '0' });
    expect(budget.observe(ROUTE, named)).toBe(true);
    expect(budget.observe(ROUTE, new Headers({ 'retry-after': '3' }))).toBe(false);
    expect(budget.observe(ROUTE, new Headers({ 'x-ratelimit-reset': 'soon', 'x-ratelimit-route-remaining': '0' }))).toBe(false);
    expect(budget.blockedMs('PATCH /api/v2/y')).toBe(0);
  });
});

describe('pause', () => {
  it('waits the time given', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    let done = false;
    const p = pause(300).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('does not wait for zero or less, and leaves no timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const controller = new AbortController();
    await pause(0, controller.signal);
    await pause(-5);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once, with the reason, when the signal is already aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const error = await pause(1000, AbortSignal.abort('gone')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as Error).cause).toBe('gone');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects the moment the signal fires, and clears its timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const controller = new AbortController();
    const p = pause(20_000, controller.signal).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort('later');
    const error = await p;
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect((error as Error).cause).toBe('later');
    expect(vi.getTimerCount()).toBe(0);
    expect(Date.now()).toBe(10);
  });

  it('leaves no abort listener behind once it has slept', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const controller = new AbortController();
    const p = pause(100, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    await p;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('ends early when woken, and leaves neither its timer nor its waker behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    const wakers = new Set<() => void>();
    const p = pause(Number.POSITIVE_INFINITY, undefined, wakers);
    expect(wakers.size).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    for (const wake of [...wakers]) wake();
    await p;
    expect(wakers.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(Date.now()).toBe(5000);
  });
});
