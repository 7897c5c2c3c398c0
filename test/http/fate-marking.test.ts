// Which fate a request's instructions get when its attempts end in a mix of answers and
// failures. The rule: once any attempt of a PATCH may have been applied (a 5xx, a failure after
// sending, an abort in flight), nothing later may report it as not attempted or failed, or the
// CLI would put a possibly-applied change in the retry file. The attempts are scripted with a
// fetch stand-in on fake timers, so each sequence is exact.
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiConnectionError,
  createExpiringTargetsClient,
  type FetchLike,
  RateLimitError,
  RequestAbortedError,
  segmentInstructions,
} from '../../src/index.js';

const TOKEN = 'api-fates-test-TOKEN-c0de';
const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const PATH = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const ok = { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] };
const add = segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: Date.UTC(2031, 0, 1) });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2030, 0, 1) });
  // Backoff picks its wait at random below a ceiling: pinned mid-way, never 0.
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

type Step = (init?: RequestInit) => Response | Promise<Response>;
const status =
  (code: number, headers: Record<string, string> = {}): Step =>
  () =>
    new Response(JSON.stringify(code === 200 ? ok : { code: 'c', message: 'm' }), {
      status: code,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
const coded = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
/** fetch failing as undici does: a TypeError whose cause has the system error code. */
const fails =
  (code: string): Step =>
  () =>
    Promise.reject(new TypeError('fetch failed', { cause: coded(code) }));
const refused = fails('ECONNREFUSED');
const reset = fails('ECONNRESET');

function scripted(steps: Step[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  let markCalled!: () => void;
  /** Settles when the first request reaches the network. */
  const called = new Promise<void>((resolve) => (markCalled = resolve));
  const fetch: FetchLike = async (input, init) => {
    calls.push({ url: String(input), init });
    markCalled();
    return steps[Math.min(calls.length - 1, steps.length - 1)]!(init);
  };
  return { fetch, calls, called };
}

/** An `onRetry` and a promise that settles at its first call: the client is then entering its backoff. */
function backoff() {
  let mark!: () => void;
  const entered = new Promise<void>((resolve) => (mark = resolve));
  return { onRetry: () => mark(), entered };
}

/**
 * Runs `call` while advancing fake time. With `abortAt`, aborts as soon as that promise settles
 * (an event of the call itself, such as entering its backoff: never a count of turns of the loop).
 */
async function settle<T>(call: (signal: AbortSignal) => Promise<T>, abortAt?: Promise<unknown>): Promise<{ value?: T; error?: unknown }> {
  const controller = new AbortController();
  const outcome = call(controller.signal).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (abortAt !== undefined) {
    await abortAt;
    await vi.advanceTimersByTimeAsync(1);
    controller.abort('stop');
  }
  await vi.advanceTimersByTimeAsync(120_000);
  return outcome;
}

const client = (fetch: FetchLike, extra: Parameters<typeof createExpiringTargetsClient>[0] = {}) =>
  createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: 'https://ld.example', fetch, maxRetryDelayMs: 1000, ...extra });

describe('an abort during the backoff after an answer', () => {
  it.each<[string, Step, boolean, boolean, 'unknown' | 'notAttempted']>([
    ['a 502 to a PATCH (retryUnsafe)', status(502), true, true, 'unknown'],
    ['a 500 to a PATCH (retryUnsafe)', status(500), true, true, 'unknown'],
    ['a 503 to a GET', status(503), false, false, 'notAttempted'],
    ['a 429 to a PATCH', status(429), true, false, 'notAttempted'],
    ['a 409 to a PATCH', status(409), true, false, 'notAttempted'],
    ['a reset after sending a PATCH (retryUnsafe)', reset, true, true, 'unknown'],
    ['a refused connection for a PATCH', refused, true, false, 'notAttempted'],
  ])('after %s', async (_name, first, isPatch, maybeSent, fate) => {
    const { fetch, calls } = scripted([first, status(200)]);
    const { onRetry, entered } = backoff();
    const ld = client(fetch, { retryUnsafe: true, onRetry });
    const { error } = await settle(
      (signal) => (isPatch ? ld.segments.patch(REF, [add], { signal }) : ld.segments.get(REF, { signal })),
      entered,
    );
    expect(calls).toHaveLength(1);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({ maybeSent, instructionsFate: fate });
  });

  it('patchAll counts the batch unknown after a 502 with retryUnsafe, never notAttempted', async () => {
    const { fetch, calls } = scripted([status(502), status(200)]);
    const { onRetry, entered } = backoff();
    const ld = client(fetch, { retryUnsafe: true, onRetry });
    const { value } = await settle((signal) => ld.segments.patchAll(REF, [add], { signal, reconcile: false }), entered);
    expect(calls).toHaveLength(1);
    expect(value?.counts).toMatchObject({ total: 1, unknown: 1, notAttempted: 0 });
    expect(value?.stoppedBy).toBeInstanceOf(RequestAbortedError);
  });
});

describe('retries exhausted after a mix of failures', () => {
  it('a PATCH whose first attempt may have applied and whose last was refused: unknown, not notAttempted', async () => {
    const { fetch, calls } = scripted([reset, refused]);
    const { error } = await settle(() => client(fetch, { retryUnsafe: true, maxRetries: 1 }).segments.patch(REF, [add]));
    expect(calls).toHaveLength(2);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ stage: 'before-send', mayHaveApplied: true, instructionsFate: 'unknown', method: 'PATCH' });
    expect((error as ApiConnectionError).url).toBe('https://ld.example/api/v2/segments/p/s/expiring-targets/e');
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('a PATCH answered 502 and then refused: unknown', async () => {
    const { fetch } = scripted([status(502), refused]);
    const { error } = await settle(() => client(fetch, { retryUnsafe: true, maxRetries: 1 }).segments.patch(REF, [add]));
    expect(error).toMatchObject({ name: 'ApiConnectionError', mayHaveApplied: true, instructionsFate: 'unknown' });
  });

  it('a PATCH answered 502 and then 429: a RateLimitError that says it may have applied', async () => {
    const { fetch } = scripted([status(502), status(429, { 'Retry-After': '0' })]);
    const { error } = await settle(() => client(fetch, { retryUnsafe: true, maxRetries: 1 }).segments.patch(REF, [add]));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ mayHaveApplied: true, instructionsFate: 'unknown' });
  });

  it('a PATCH refused every time: notAttempted, the very error of the last attempt', async () => {
    const { fetch, calls } = scripted([refused]);
    const { error } = await settle(() => client(fetch, { maxRetries: 2 }).segments.patch(REF, [add]));
    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({
      name: 'ApiConnectionError',
      stage: 'before-send',
      mayHaveApplied: false,
      instructionsFate: 'notAttempted',
    });
  });

  it('a PATCH answered 429 every time: failed, LaunchDarkly applied none of them', async () => {
    const { fetch } = scripted([status(429, { 'Retry-After': '0' })]);
    const { error } = await settle(() => client(fetch, { maxRetries: 2 }).segments.patch(REF, [add]));
    expect(error).toMatchObject({ name: 'RateLimitError', mayHaveApplied: false, instructionsFate: 'failed' });
  });

  it('a GET reset and then refused: the refusal as it is (a read changes nothing)', async () => {
    const { fetch } = scripted([reset, refused]);
    const { error } = await settle(() => client(fetch, { maxRetries: 1 }).segments.get(REF));
    expect(error).toMatchObject({ name: 'ApiConnectionError', stage: 'before-send', mayHaveApplied: false });
  });

  it('a PATCH reset without retryUnsafe: not retried, after-send, unknown', async () => {
    const { fetch, calls } = scripted([reset, status(200)]);
    const { error } = await settle(() => client(fetch, { maxRetries: 3 }).segments.patch(REF, [add]));
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ name: 'ApiConnectionError', stage: 'after-send', instructionsFate: 'unknown' });
  });

  it('the retry events say what failed: the status, or the connection error', async () => {
    const events: unknown[] = [];
    const { fetch } = scripted([status(503), reset, status(200, {})]);
    await settle(() => client(fetch, { maxRetries: 2, onRetry: (e) => events.push(e), retryUnsafe: true }).segments.patch(REF, [add]));
    expect(events).toEqual([
      {
        method: 'PATCH',
        url: 'https://ld.example/api/v2/segments/p/s/expiring-targets/e',
        attempt: 1,
        delayMs: expect.any(Number),
        status: 503,
      },
      {
        method: 'PATCH',
        url: 'https://ld.example/api/v2/segments/p/s/expiring-targets/e',
        attempt: 2,
        delayMs: expect.any(Number),
        error: 'Request to ld.example failed (ECONNRESET)',
      },
    ]);
  });
});

describe('an answer that breaks off', () => {
  // Once response headers arrived, the request was delivered, whatever the body's error says.
  it('a body that fails with a before-send code is still after-send for a PATCH', async () => {
    const breaking: Step = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"items":['));
            controller.error(coded('ECONNREFUSED'));
          },
        }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      );
    const { fetch } = scripted([breaking]);
    const { error } = await settle(() => client(fetch).segments.patch(REF, [add]));
    expect(error).toMatchObject({ name: 'ApiConnectionError', stage: 'after-send', instructionsFate: 'unknown' });
    expect((error as Error).message).toBe('Connection to ld.example broke while reading the response (ECONNREFUSED)');
  });
});

describe('connection errors that quote the credential', () => {
  // A proxy agent or a wrapping fetch may put request headers into its error: the message, the
  // cause chain and every rendering must still be free of the token.
  it('are redacted in the message and the cause', async () => {
    const quoting: Step = () =>
      Promise.reject(new TypeError('fetch failed', { cause: new Error(`proxy refused a request with Authorization: ${TOKEN}`) }));
    const { fetch } = scripted([quoting]);
    const { error } = await settle(() => client(fetch, { maxRetries: 0 }).segments.patch(REF, [add]));
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect((error as Error).message).toBe('Request to ld.example failed (proxy refused a request with Authorization: [redacted])');
    const { inspect } = await import('node:util');
    for (const text of [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      String((error as Error).stack),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(((error as Error).cause as Error).message).toBe('fetch failed');
    expect((((error as Error).cause as Error).cause as Error).message).toContain('[redacted]');
  });

  it('a code, when there is one, is what the message shows', async () => {
    const { fetch } = scripted([() => Promise.reject(new TypeError('fetch failed', { cause: coded('ENOTFOUND') }))]);
    const { error } = await settle(() => client(fetch, { maxRetries: 0 }).segments.get(REF));
    expect((error as Error).message).toBe('Request to ld.example failed (ENOTFOUND)');
    const { fetch: bare } = scripted([() => Promise.reject(new Error('plain failure'))]);
    const { error: plain } = await settle(() => client(bare, { maxRetries: 0 }).segments.get(REF));
    expect((plain as Error).message).toBe('Request to ld.example failed (plain failure)');
    const { fetch: thrown } = scripted([() => Promise.reject('a string')]);
    const { error: text } = await settle(() => client(thrown, { maxRetries: 0 }).segments.get(REF));
    expect((text as Error).message).toBe('Request to ld.example failed (a string)');
  });

  it('a fetch that rejects with nothing is still a connection error', async () => {
    for (const nothing of [null, undefined]) {
      const { fetch } = scripted([() => Promise.reject(nothing)]);
      const { error } = await settle(() => client(fetch, { maxRetries: 0 }).segments.patch(REF, [add]));
      expect(error).toBeInstanceOf(ApiConnectionError);
      expect(error).toMatchObject({
        stage: 'after-send',
        instructionsFate: 'unknown',
        message: `Request to ld.example failed (${String(nothing)})`,
      });
    }
  });
});

describe('raw calls, which carry no trace of their own', () => {
  const params = { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } };

  it('a raw GET aborted in its backoff after a 503 was not maybe-sent', async () => {
    const { fetch } = scripted([status(503), status(200)]);
    const { onRetry, entered } = backoff();
    const ld = client(fetch, { onRetry });
    const { error } = await settle((signal) => ld.raw.GET(PATH, { params, signal }), entered);
    expect(error).toMatchObject({ name: 'RequestAbortedError', maybeSent: false, instructionsFate: 'notAttempted' });
  });

  it('a raw PATCH aborted in its backoff after a 502 (retryUnsafe) may have applied', async () => {
    const { fetch } = scripted([status(502), status(200)]);
    const { onRetry, entered } = backoff();
    const ld = client(fetch, { retryUnsafe: true, onRetry });
    const { error } = await settle((signal) => ld.raw.PATCH(PATH, { params, body: { instructions: [add] }, signal }), entered);
    expect(error).toMatchObject({ name: 'RequestAbortedError', maybeSent: true, instructionsFate: 'unknown' });
  });

  it('a HEAD changes nothing: aborted in flight, it was not maybe-sent', async () => {
    // Like fetch: settles only when the attempt is aborted.
    const never: Step = (init) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const { fetch, calls, called } = scripted([never]);
    const ld = client(fetch);
    const head = ld.raw.HEAD as unknown as (path: string, init: { params: typeof params; signal: AbortSignal }) => Promise<unknown>;
    const { error } = await settle((signal) => head(PATH, { params, signal }), called);
    expect(calls[0]?.init?.method).toBe('HEAD');
    expect(error).toMatchObject({ name: 'RequestAbortedError', maybeSent: false });
  });
});

describe('what each attempt is sent with', () => {
  it('every attempt of a PATCH sends the same body, headers and redirect mode', async () => {
    const { fetch, calls } = scripted([status(429, { 'Retry-After': '0' }), status(200)]);
    await settle(() => client(fetch).segments.patch(REF, [add], { comment: 'c' }));
    expect(calls).toHaveLength(2);
    for (const { init } of calls) {
      expect(init?.method).toBe('PATCH');
      expect(JSON.parse(String(init?.body))).toEqual({ instructions: [add], comment: 'c' });
      expect(new Headers(init?.headers).get('authorization')).toBe(TOKEN);
      expect(init?.redirect).toBe('follow');
      expect(init?.signal).toBeInstanceOf(AbortSignal);
    }
  });

  it("a raw call's redirect mode reaches fetch", async () => {
    const { fetch, calls } = scripted([() => new Response(null, { status: 302, headers: { Location: '/elsewhere' } })]);
    const { value } = await settle(() =>
      client(fetch).raw.GET(PATH, { params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } }, redirect: 'manual' }),
    );
    expect(calls[0]?.init?.redirect).toBe('manual');
    expect(value?.response.status).toBe(302);
  });

  it("a raw call's AbortSignal cancels it", async () => {
    const { fetch, calls } = scripted([status(200)]);
    const { error } = await settle(() =>
      client(fetch).raw.GET(PATH, {
        params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } },
        signal: AbortSignal.abort(),
      }),
    );
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(calls).toHaveLength(0);
  });

  it('a GET sends no body', async () => {
    const { fetch, calls } = scripted([status(200)]);
    await settle(() => client(fetch).segments.get(REF));
    expect(calls[0]?.init?.body).toBeUndefined();
    expect(calls[0]?.init?.method).toBe('GET');
  });

  it("leaves no timer and no listener on the caller's signal once done", async () => {
    const { fetch } = scripted([status(200)]);
    const controller = new AbortController();
    await client(fetch).segments.get(REF, { signal: controller.signal });
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('the answer handed up', () => {
  const raw = (fetch: FetchLike) =>
    client(fetch).raw.GET(PATH, { params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } }, parseAs: 'text' });

  it('drops the headers that describe the bytes on the wire, keeps the others', async () => {
    const { fetch } = scripted([
      () =>
        new Response('{"items":[]}', {
          status: 200,
          statusText: 'Fine',
          headers: {
            'Content-Length': '999',
            'Content-Encoding': 'gzip',
            'Transfer-Encoding': 'chunked',
            'X-Request-Id': 'r-1',
            'Content-Type': 'application/json',
          },
        }),
    ]);
    const { response, data } = await raw(fetch);
    expect(data).toBe('{"items":[]}');
    expect(response.statusText).toBe('Fine');
    expect([...response.headers.keys()].sort()).toEqual(['content-type', 'x-request-id']);
  });

  it('is redacted: body, every header value and the status text', async () => {
    const { fetch } = scripted([
      () =>
        new Response(`{"items":[],"echo":"${TOKEN}"}`, {
          status: 200,
          statusText: `OK ${TOKEN}`,
          headers: { 'X-Echo': `value ${TOKEN}`, 'X-Request-Id': TOKEN, 'Content-Type': 'application/json' },
        }),
    ]);
    const { response, data } = await raw(fetch);
    expect(data).toBe('{"items":[],"echo":"[redacted]"}');
    expect(response.statusText).toBe('OK [redacted]');
    expect(response.headers.get('x-echo')).toBe('value [redacted]');
    expect(response.headers.get('x-request-id')).toBe('[redacted]');
  });

  it('keeps a repeated header as the server sent it', async () => {
    const headers = new Headers();
    headers.append('Set-Cookie', 'a=1');
    headers.append('Set-Cookie', 'b=2');
    headers.append('Vary', 'Accept');
    headers.append('Vary', 'Origin');
    const { fetch } = scripted([() => new Response('{"items":[]}', { status: 200, headers })]);
    const { response } = await raw(fetch);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('vary')).toBe('Accept, Origin');
  });

  it.each([204, 205, 304])('a %d has no body', async (code) => {
    const { fetch } = scripted([() => new Response(null, { status: code })]);
    const { response } = await raw(fetch);
    expect(response.status).toBe(code);
    expect(response.body).toBeNull();
  });
});
