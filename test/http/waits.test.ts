// How long the client waits (backoff, Retry-After, X-Ratelimit-Reset, the rate-limit gate, the
// per-attempt timeout) and how fast an abort ends a wait, asserted to the millisecond on fake
// timers. The answers come from a scripted fetch, so no socket or real clock is involved; the
// same behaviour against a real server is in retries.test.ts, with bounds a loaded machine keeps.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiTimeoutError,
  createExpiringTargetsClient,
  type FetchLike,
  RateLimitError,
  RequestAbortedError,
  type RetryEvent,
  segmentInstructions,
} from '../../src/index.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const T0 = Date.UTC(2031, 0, 1);
const ok = { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2030, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

type Answer = (call: number, signal: AbortSignal) => Response | Promise<Response>;

/** A fetch that answers call N with answers[N] (the last repeats) and records when each came. */
function scriptedFetch(answers: Answer[]) {
  const at: number[] = [];
  const fetch: FetchLike = async (_input, init) => {
    at.push(Date.now());
    const n = at.length - 1;
    return answers[Math.min(n, answers.length - 1)]!(n, init?.signal as AbortSignal);
  };
  return { fetch, at };
}

const reply =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
/** Like fetch on a server that never answers: settles only when the attempt is aborted. */
const never: Answer = (_n, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

function client(fetch: FetchLike, extra: Parameters<typeof createExpiringTargetsClient>[0] = {}) {
  const retries: RetryEvent[] = [];
  // Logging off: a first call that listens waits for the logging module to load (real I/O, which
  // fake timers do not advance); these tests count timer ticks.
  const ld = createExpiringTargetsClient({
    apiKey: 'test-token',
    baseUrl: 'https://ld.example',
    fetch,
    onRetry: (e) => retries.push(e),
    logLevel: 'off',
    ...extra,
  });
  return { ld, retries };
}

const add = () => segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: T0 });

/** Whether a promise has settled after the microtasks queued so far have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('waits, to the millisecond', () => {
  it('Retry-After: 1 holds the retry exactly 1000 ms', async () => {
    const { fetch, at } = scriptedFetch([reply(429, { code: 'rate_limited' }, { 'Retry-After': '1' }), reply(200, ok)]);
    const { ld, retries } = client(fetch);
    const pending = ld.segments.patch(REF, [add()]);
    await vi.advanceTimersByTimeAsync(999);
    expect(at).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).ok).toBe(true);
    expect(at[1]! - at[0]!).toBe(1000);
    expect(retries).toMatchObject([{ attempt: 1, status: 429, delayMs: 1000 }]);
  });

  it('X-Ratelimit-Reset (epoch ms) holds the retry until the reset', async () => {
    const reset = Date.now() + 437;
    const { fetch, at } = scriptedFetch([reply(429, {}, { 'X-Ratelimit-Reset': String(reset) }), reply(200, ok)]);
    const { ld } = client(fetch);
    const pending = ld.segments.patch(REF, [add()]);
    await vi.advanceTimersByTimeAsync(436);
    expect(at).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(at[1]).toBe(reset);
  });

  it('a Retry-After longer than maxRetryDelayMs is cut to maxRetryDelayMs', async () => {
    const { fetch, at } = scriptedFetch([reply(429, {}, { 'Retry-After': '30' }), reply(200, ok)]);
    const { ld, retries } = client(fetch, { maxRetryDelayMs: 200 });
    const pending = ld.segments.patch(REF, [add()]);
    await vi.advanceTimersByTimeAsync(200);
    await pending;
    expect(at[1]! - at[0]!).toBe(200);
    expect(retries[0]?.delayMs).toBe(200);
  });

  it('without a server hint, backoff doubles its ceiling per retry (full jitter stays below it)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const { fetch, at } = scriptedFetch([reply(503, {}), reply(503, {}), reply(503, {}), reply(200, { items: [] })]);
    const { ld, retries } = client(fetch, { maxRetries: 3 });
    const pending = ld.segments.get(REF);
    await vi.advanceTimersByTimeAsync(10_000);
    await pending;
    // Ceilings 500, 1000, 2000 ms; random() = 0.999 picks just below each.
    expect(retries.map((r) => r.delayMs)).toEqual([499, 999, 1998]);
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual([499, 999, 1998]);
  });

  it('a 200 with a remaining count of 0 holds the next request until X-Ratelimit-Reset', async () => {
    const reset = Date.now() + 750;
    const { fetch, at } = scriptedFetch([
      reply(200, { items: [] }, { 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': String(reset) }),
      reply(200, { items: [] }),
    ]);
    const { ld } = client(fetch);
    await ld.segments.get(REF);
    const second = ld.segments.get(REF);
    await vi.advanceTimersByTimeAsync(749);
    expect(at).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(at[1]).toBe(reset);
  });

  it('a 429 holds back the other requests of the same client too', async () => {
    const { fetch, at } = scriptedFetch([reply(429, {}, { 'Retry-After': '2' }), reply(200, { items: [] })]);
    const { ld } = client(fetch);
    const first = ld.segments.get(REF);
    await vi.advanceTimersByTimeAsync(0);
    const other = ld.segments.get(REF);
    await vi.advanceTimersByTimeAsync(1999);
    expect(at).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([first, other]);
    expect(at.slice(1)).toEqual([at[0]! + 2000, at[0]! + 2000]);
  });

  it('only a 429 holds back the other requests: a 503 backoff is this request’s own', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { fetch, at } = scriptedFetch([reply(503, {}), reply(200, { items: [] })]);
    const { ld } = client(fetch);
    const first = ld.segments.get(REF);
    await vi.advanceTimersByTimeAsync(10);
    const other = ld.segments.get(REF);
    await vi.advanceTimersByTimeAsync(0);
    expect(at.map((t) => t - at[0]!)).toEqual([0, 10]);
    await vi.advanceTimersByTimeAsync(240);
    await Promise.all([first, other]);
    expect(at.map((t) => t - at[0]!)).toEqual([0, 10, 250]);
  });

  it('the per-attempt timeout ends an attempt that never answers at exactly timeoutMs', async () => {
    const { fetch, at } = scriptedFetch([never]);
    const { ld } = client(fetch, { timeoutMs: 300, maxRetries: 0 });
    const pending = ld.segments.get(REF).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(299);
    expect(await settled(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect(error).toMatchObject({
      timeoutMs: 300,
      stage: 'after-send',
      method: 'GET',
      url: 'https://ld.example/api/v2/segments/p/s/expiring-targets/e',
    });
    expect(at).toHaveLength(1);
  });

  it('the per-attempt timeout covers the body: a body that stalls ends at exactly timeoutMs', async () => {
    // Like a real fetch, the body fails when the attempt's signal aborts.
    const stalling: Answer = (_n, signal) =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"items":['));
            signal.addEventListener('abort', () => controller.error(signal.reason));
          },
        }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      );
    const { fetch, at } = scriptedFetch([stalling]);
    const { ld } = client(fetch, { timeoutMs: 400, maxRetries: 0 });
    const pending = ld.segments.patch(REF, [add()]).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(399);
    expect(await settled(pending)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ name: 'ApiTimeoutError', timeoutMs: 400, instructionsFate: 'unknown' });
    expect(at).toHaveLength(1);
  });

  it('a call may set its own timeout', async () => {
    const { fetch } = scriptedFetch([never]);
    const { ld } = client(fetch, { timeoutMs: 30_000, maxRetries: 0 });
    const pending = ld.segments.get(REF, { timeoutMs: 50 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await pending).toMatchObject({ name: 'ApiTimeoutError', timeoutMs: 50 });
  });

  it('gives up after maxRetries with the last 429 as a RateLimitError', async () => {
    const { fetch, at } = scriptedFetch([reply(429, { code: 'rate_limited' }, { 'Retry-After': '1' })]);
    const { ld } = client(fetch, { maxRetries: 2 });
    const pending = ld.segments.get(REF).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await pending).toBeInstanceOf(RateLimitError);
    expect(at.map((t) => t - at[0]!)).toEqual([0, 1000, 2000]);
  });
});

describe('an abort ends a wait at once', () => {
  it('during a 20 s Retry-After wait: rejects with no time passing, nothing more sent', async () => {
    const { fetch, at } = scriptedFetch([reply(429, {}, { 'Retry-After': '20' }), reply(200, ok)]);
    const { ld } = client(fetch);
    const controller = new AbortController();
    const pending = ld.segments.patch(REF, [add()], { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await settled(pending)).toBe(false);
    const abortedAt = Date.now();
    controller.abort();
    expect(await settled(pending)).toBe(true);
    expect(Date.now()).toBe(abortedAt);
    const error = await pending;
    expect(error).toBeInstanceOf(RequestAbortedError);
    // The only attempt was a 429: nothing can have applied.
    expect(error).toMatchObject({ maybeSent: false, instructionsFate: 'notAttempted' });
    expect(at).toHaveLength(1);
  });

  it('during the rate-limit gate: rejects with no time passing', async () => {
    const { fetch, at } = scriptedFetch([
      reply(200, { items: [] }, { 'X-Ratelimit-Global-Remaining': '0', 'X-Ratelimit-Reset': String(Date.now() + 60_000) }),
    ]);
    const { ld } = client(fetch);
    await ld.segments.get(REF);
    const controller = new AbortController();
    const pending = ld.segments.get(REF, { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await settled(pending)).toBe(true);
    expect(await pending).toBeInstanceOf(RequestAbortedError);
    expect(at).toHaveLength(1);
  });

  it('during an attempt: rejects at once, maybeSent for a PATCH', async () => {
    const { fetch } = scriptedFetch([never]);
    const { ld } = client(fetch);
    const controller = new AbortController();
    const pending = ld.segments.patch(REF, [add()], { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect(await settled(pending)).toBe(true);
    expect(await pending).toMatchObject({ name: 'RequestAbortedError', maybeSent: true, instructionsFate: 'unknown' });
  });
});
