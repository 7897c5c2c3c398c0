import type { ServerResponse } from 'node:http';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiConnectionError,
  ApiTimeoutError,
  ConflictError,
  createExpiringTargetsClient,
  InvalidResponseError,
  RateLimitError,
  RequestAbortedError,
  type RetryEvent,
  segmentInstructions,
  ServerError,
} from '../../src/index.js';
import { freePort } from '../../src/cli/prism.js';
import { json, type RecordedRequest, startServer, type TestServer } from '../support/http-server.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const ok = { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] };
const add = segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: 1_924_905_600_000 });

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers request N with script[N] (the last entry repeats). */
async function scripted(script: ((req: RecordedRequest, res: ServerResponse, socket: import('node:net').Socket) => void)[]) {
  let n = 0;
  server = await startServer((req, res, socket) => script[Math.min(n++, script.length - 1)]!(req, res, socket));
  return server;
}

function client(extra: Parameters<typeof createExpiringTargetsClient>[0] = {}) {
  const retries: RetryEvent[] = [];
  const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server!.url, onRetry: (e) => retries.push(e), ...extra });
  return { ld, retries };
}

const gaps = (s: TestServer) => s.requests.slice(1).map((r, i) => r.at - s.requests[i]!.at);
// Waits are measured on a real server here, so only bounds that hold on a loaded machine are
// asserted: never shorter than asked, and far below what a wrong wait would take. The exact
// waits are asserted on fake timers in waits.test.ts.
const FAR_BELOW = 10_000;

describe('retries', () => {
  it('429 with Retry-After: 1 then 200: exactly two requests about 1 s apart, and the 200 result', async () => {
    const s = await scripted([
      (_r, res) => json(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'Retry-After': '1' }),
      (_r, res) =>
        json(res, 200, {
          ...ok,
          items: [{ _id: 'x', _version: 1, expirationDate: 5, contextKind: 'user', contextKey: 'alice', _resourceId: {} }],
        }),
    ]);
    const { ld, retries } = client();
    const result = await ld.segments.patch(REF, [add]);
    expect(s.requests).toHaveLength(2);
    expect(gaps(s)[0]).toBeGreaterThanOrEqual(950);
    expect(retries).toMatchObject([{ attempt: 1, status: 429, delayMs: 1000 }]);
    expect(result.ok).toBe(true);
    expect(result.items[0]?.expiresAt.getTime()).toBe(5);
    expect(s.requests[0]!.body).toBe(s.requests[1]!.body);
    expect(s.requests[1]!.headers.authorization).toBe('test-token');
  });

  it('429 with an HTTP-date Retry-After waits until that date', async () => {
    const s = await scripted([
      (_r, res) => json(res, 429, { code: 'rate_limited', message: '' }, { 'Retry-After': new Date(Date.now() + 2000).toUTCString() }),
      (_r, res) => json(res, 200, ok),
    ]);
    const { ld } = client();
    await ld.segments.patch(REF, [add]);
    // HTTP dates have whole-second precision: the wait is between 1 and 2 s.
    expect(gaps(s)[0]).toBeGreaterThanOrEqual(900);
  });

  it('429 with X-Ratelimit-Reset (epoch ms) waits for the reset', async () => {
    const s = await scripted([
      (_r, res) => json(res, 429, { code: 'rate_limited', message: '' }, { 'X-Ratelimit-Reset': String(Date.now() + 400) }),
      (_r, res) => json(res, 200, ok),
    ]);
    const { ld } = client();
    await ld.segments.patch(REF, [add]);
    expect(s.requests).toHaveLength(2);
    expect(gaps(s)[0]).toBeGreaterThanOrEqual(350);
  });

  it('caps a long Retry-After at maxRetryDelayMs', async () => {
    const s = await scripted([
      (_r, res) => json(res, 429, { code: 'rate_limited', message: '' }, { 'Retry-After': '30' }),
      (_r, res) => json(res, 200, ok),
    ]);
    const { ld, retries } = client({ maxRetryDelayMs: 200 });
    await ld.segments.patch(REF, [add]);
    expect(retries[0]?.delayMs).toBe(200);
    // Asked for 30 s: anything far below that means the cap held.
    expect(gaps(s)[0]).toBeLessThan(FAR_BELOW);
  });

  it('a 200 with remaining 0 holds the next request until the reset instead of provoking a 429', async () => {
    const s = await scripted([
      (_r, res) => json(res, 200, { items: [] }, { 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': String(Date.now() + 500) }),
      (_r, res) => json(res, 200, { items: [] }, { 'X-Ratelimit-Global-Remaining': '10' }),
    ]);
    const { ld } = client();
    await ld.segments.get(REF);
    await ld.segments.get(REF);
    expect(s.requests).toHaveLength(2);
    expect(gaps(s)[0]).toBeGreaterThanOrEqual(400);
  });

  it('gives up after maxRetries (per call) with a RateLimitError carrying retryAfterMs', async () => {
    const s = await scripted([(_r, res) => json(res, 429, { code: 'rate_limited', message: 'no' }, { 'Retry-After': '0' })]);
    const { ld } = client();
    const error = await ld.segments.patch(REF, [add], { maxRetries: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 0, instructionsFate: 'failed' });
    expect(s.requests).toHaveLength(4);
  });

  it('retries a 409 PATCH: LaunchDarkly did not apply it', async () => {
    const s = await scripted([
      (_r, res) => json(res, 409, { code: 'optimistic_locking_error', message: 'Conflict' }),
      (_r, res) => json(res, 200, ok),
    ]);
    const { ld } = client({ maxRetryDelayMs: 50 });
    expect((await ld.segments.patch(REF, [add])).ok).toBe(true);
    expect(s.requests).toHaveLength(2);
    const s2 = await scripted([(_r, res) => json(res, 409, { code: 'optimistic_locking_error', message: 'Conflict' })]);
    const { ld: ld2 } = client({ maxRetryDelayMs: 10, maxRetries: 1 });
    await expect(ld2.segments.patch(REF, [add])).rejects.toBeInstanceOf(ConflictError);
    expect(s2.requests).toHaveLength(2);
  });

  it('a PATCH answered 503 is not retried by default: ServerError 503, fate unknown', async () => {
    const s = await scripted([(_r, res) => json(res, 503, { code: 'unavailable', message: 'down' }), (_r, res) => json(res, 200, ok)]);
    const { ld, retries } = client();
    const error = await ld.segments.patch(REF, [add]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, instructionsFate: 'unknown' });
    expect(s.requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('with retryUnsafe a PATCH answered 503 is retried', async () => {
    const s = await scripted([(_r, res) => json(res, 503, { code: 'unavailable', message: 'down' }), (_r, res) => json(res, 200, ok)]);
    const { ld } = client({ retryUnsafe: true, maxRetryDelayMs: 50 });
    expect((await ld.segments.patch(REF, [add])).ok).toBe(true);
    expect(s.requests).toHaveLength(2);
  });

  it('a burst of 503s on a GET is retried with backoff until it succeeds', async () => {
    const s = await scripted([
      (_r, res) => json(res, 503, { code: 'unavailable', message: '' }),
      (_r, res) => json(res, 503, { code: 'unavailable', message: '' }),
      (_r, res) => json(res, 503, { code: 'unavailable', message: '' }),
      (_r, res) => json(res, 200, { items: [] }),
    ]);
    const { ld, retries } = client({ maxRetries: 3, maxRetryDelayMs: 100 });
    expect((await ld.segments.get(REF)).items).toEqual([]);
    expect(s.requests).toHaveLength(4);
    expect(retries.map((r) => r.status)).toEqual([503, 503, 503]);
    for (const r of retries) expect(r.delayMs).toBeLessThanOrEqual(100);
  });

  it('an HTML 502 body still gives a typed ServerError with its status', async () => {
    await scripted([
      (_r, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
      },
    ]);
    const { ld } = client({ maxRetries: 0 });
    const error = await ld.segments.get(REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, code: undefined });
  });

  it('invalid JSON on a 200 is an InvalidResponseError (fate unknown on a PATCH)', async () => {
    await scripted([
      (_r, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"items": [');
      },
    ]);
    const { ld } = client();
    const error = await ld.segments.patch(REF, [add]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 200, instructionsFate: 'unknown' });
  });
});

describe('connections and timeouts', () => {
  it('a reset mid-response: a GET is retried, a PATCH is not (the change may have applied)', async () => {
    const breakOff = (_r: RecordedRequest, res: ServerResponse, socket: import('node:net').Socket) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"items":[');
      setTimeout(() => socket.destroy(), 10);
    };
    const s = await scripted([breakOff, (_r, res) => json(res, 200, { items: [] })]);
    const { ld } = client({ maxRetryDelayMs: 20 });
    expect((await ld.segments.get(REF)).items).toEqual([]);
    expect(s.requests).toHaveLength(2);

    const s2 = await scripted([breakOff, (_r, res) => json(res, 200, ok)]);
    const { ld: ld2 } = client({ maxRetryDelayMs: 20 });
    const error = await ld2.segments.patch(REF, [add]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ stage: 'after-send', instructionsFate: 'unknown' });
    expect(s2.requests).toHaveLength(1);
  });

  it('a response that never finishes times out per attempt (body included)', async () => {
    const s = await scripted([
      (_r, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"items":[');
      },
    ]);
    const { ld } = client({ timeoutMs: 300, maxRetries: 1, maxRetryDelayMs: 10 });
    const started = Date.now();
    const error = await ld.segments.get(REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 300 });
    expect(s.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(580);
    // The server never finishes: without the per-attempt timeout this call would not end at all.
    expect(Date.now() - started).toBeLessThan(FAR_BELOW);
    // A PATCH that stalls is not repeated.
    const before = s.requests.length;
    const patchError = await ld.segments.patch(REF, [add]).catch((e: unknown) => e);
    expect(patchError).toBeInstanceOf(ApiTimeoutError);
    expect(s.requests.length - before).toBe(1);
  });

  it('a refused connection is retried even for a PATCH (nothing was sent)', async () => {
    const port = await freePort();
    let late: http.Server | undefined;
    const hits: string[] = [];
    const ld = createExpiringTargetsClient({
      apiKey: 'test-token',
      baseUrl: `http://127.0.0.1:${port}`,
      maxRetryDelayMs: 50,
      onRetry: (e) => {
        hits.push(e.error ?? '');
        // Bring the server up before the retry: the second attempt finds it.
        late ??= http
          .createServer((req, res) => {
            req.resume();
            req.on('end', () => json(res, 200, ok));
          })
          .listen(port, '127.0.0.1');
      },
    });
    try {
      const result = await ld.segments.patch(REF, [add]);
      expect(result.ok).toBe(true);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toContain('ECONNREFUSED');
    } finally {
      await new Promise((r) => (late ? late.close(r) : r(undefined)));
    }
  });

  it('an already-aborted signal sends nothing', async () => {
    const s = await scripted([(_r, res) => json(res, 200, ok)]);
    const { ld } = client();
    const error = await ld.segments.patch(REF, [add], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({ maybeSent: false });
    expect(s.requests).toHaveLength(0);
  });

  it('an abort during a 20 s Retry-After wait rejects long before the wait ends', async () => {
    const s = await scripted([(_r, res) => json(res, 429, { code: 'rate_limited', message: '' }, { 'Retry-After': '20' })]);
    const { ld } = client();
    const controller = new AbortController();
    const pending = ld.segments.patch(REF, [add], { signal: controller.signal }).catch((e: unknown) => e);
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    const abortedAt = Date.now();
    controller.abort();
    const error = await pending;
    expect(Date.now() - abortedAt).toBeLessThan(FAR_BELOW);
    expect(error).toBeInstanceOf(RequestAbortedError);
    // The only attempt was a 429: nothing can have applied.
    expect(error).toMatchObject({ maybeSent: false, instructionsFate: 'notAttempted' });
    expect(s.requests).toHaveLength(1);
  });
});
