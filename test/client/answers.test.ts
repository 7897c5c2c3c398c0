// The client's own decisions, with a scripted fetch: how an error answer becomes an error (its
// message, code, ids, wait), unusable bodies, when patch reads back and what it then returns,
// the partial-failure message, patchAll's retry budget, and the headers every request carries.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createExpiringTargetsClient,
  type FetchLike,
  flagInstructions,
  InvalidResponseError,
  PartialFailureError,
  segmentInstructions,
  VERSION,
} from '../../src/index.js';

const TOKEN = 'api-client-unit-TOKEN-4242';
const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const T = Date.UTC(2031, 0, 1);
const add = (key = 'a') => segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: T });

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}
type Reply = (call: Call) => Response;

function scripted(...replies: Reply[]) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (input, init) => {
    const call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body as string | undefined,
    };
    calls.push(call);
    return replies[Math.min(calls.length - 1, replies.length - 1)]!(call);
  };
  return { fetch, calls };
}

const respond =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

const client = (fetch: FetchLike, extra: Parameters<typeof createExpiringTargetsClient>[0] = {}) =>
  createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: 'https://ld.example/base', fetch, maxRetries: 0, ...extra });

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as Error & Record<string, unknown>,
  );

describe('error answers', () => {
  it('a JSON error: status, code, id, request id, method, url and message', async () => {
    const { fetch } = scripted(
      respond(409, { code: 'optimistic_locking_error', message: 'Conflict', id: 'err-9' }, { 'X-Request-Id': 'req-9', 'Retry-After': '3' }),
    );
    const error = await rejection(client(fetch).segments.patch(REF, [add()]));
    expect(error).toMatchObject({
      name: 'ConflictError',
      status: 409,
      code: 'optimistic_locking_error',
      errorId: 'err-9',
      requestId: 'req-9',
      method: 'PATCH',
      url: 'https://ld.example/base/api/v2/segments/p/s/expiring-targets/e',
      retryAfterMs: 3000,
      mayHaveApplied: false,
      message: 'PATCH /base/api/v2/segments/p/s/expiring-targets/e failed with 409 optimistic_locking_error: Conflict',
    });
  });

  it('without a code or message: the status alone', async () => {
    const { fetch } = scripted(respond(404, {}));
    const error = await rejection(client(fetch).segments.get(REF));
    expect(error.message).toBe('GET /base/api/v2/segments/p/s/expiring-targets/e failed with 404');
    expect(error).toMatchObject({ code: undefined, errorId: undefined, requestId: undefined, retryAfterMs: undefined });
  });

  it('non-string code, message and id are ignored', async () => {
    const { fetch } = scripted(respond(400, { code: 7, message: { text: 'x' }, id: 8 }));
    const error = await rejection(client(fetch).segments.get(REF));
    expect(error).toMatchObject({
      code: undefined,
      errorId: undefined,
      message: 'GET /base/api/v2/segments/p/s/expiring-targets/e failed with 400',
    });
  });

  it('a text body is the detail: trimmed, cut to 200 characters', async () => {
    const { fetch } = scripted(() => new Response(`\n  ${'y'.repeat(250)}  `, { status: 502, headers: { 'Content-Type': 'text/plain' } }));
    const error = await rejection(client(fetch).segments.get(REF));
    expect(error.message).toBe(`GET /base/api/v2/segments/p/s/expiring-targets/e failed with 502: ${'y'.repeat(200)}`);
  });

  it('a JSON null body is no detail either', async () => {
    const { fetch } = scripted(respond(503, 'null'));
    const error = await rejection(client(fetch).segments.get(REF));
    expect(error).toMatchObject({
      name: 'ServerError',
      code: undefined,
      message: 'GET /base/api/v2/segments/p/s/expiring-targets/e failed with 503',
    });
  });

  it('a JSON array body is not a detail', async () => {
    const { fetch } = scripted(respond(500, ['a', 'b']));
    const error = await rejection(client(fetch).segments.get(REF));
    expect(error.message).toBe('GET /base/api/v2/segments/p/s/expiring-targets/e failed with 500');
  });
});

describe('unusable 200 answers', () => {
  it.each([
    ['an empty body', '', 'GET answered 200 with an empty body'],
    ['a blank body', '  \n ', 'GET answered 200 with an empty body'],
    ['a body that is not JSON', '<html>', 'GET answered 200 with a body that is not JSON'],
  ])('%s', async (_name, body, message) => {
    const { fetch } = scripted(() => new Response(body, { status: 200 }));
    const error = await rejection(client(fetch).segments.get(REF));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({
      message,
      status: 200,
      method: 'GET',
      url: 'https://ld.example/base/api/v2/segments/p/s/expiring-targets/e',
    });
  });

  it('a 204 to a PATCH is an empty body too', async () => {
    const { fetch } = scripted(() => new Response(null, { status: 204 }));
    const error = await rejection(client(fetch).segments.patch(REF, [add()]));
    expect(error).toMatchObject({
      name: 'InvalidResponseError',
      message: 'PATCH answered 204 with an empty body',
      instructionsFate: 'unknown',
    });
  });
});

describe('patch with reconcile', () => {
  const lost = respond(502, { message: 'bad gateway' });
  const state = (items: unknown[]) => respond(200, { items }, { 'X-Request-Id': 'req-read' });
  const target = (contextKey: string, expirationDate: number) => ({
    _id: contextKey,
    _version: 1,
    contextKind: 'user',
    contextKey,
    targetType: 'included',
    expirationDate,
    _resourceId: {},
  });

  it('reads back after an ambiguous answer: applied and not applied, with errors, items and request id from the read', async () => {
    const { fetch, calls } = scripted(lost, state([target('a', T)]));
    const result = await client(fetch).segments.patch(REF, [add('a'), add('b')], { reconcile: true });
    expect(calls.map((c) => c.method)).toEqual(['PATCH', 'GET']);
    expect(result.ok).toBe(false);
    expect(result.outcomes.map((o) => [o.fate, o.decidedBy])).toEqual([
      ['applied', 'read-back'],
      ['failed', 'read-back'],
    ]);
    expect(result.outcomes[0]?.error).toMatchObject({ name: 'ServerError', status: 502 });
    expect(result.errors).toEqual([
      { mapped: true, instructionIndex: 1, message: expect.stringMatching(/^decided by reading back: not applied/), instruction: add('b') },
    ]);
    expect(result.items.map((t) => t.contextKey)).toEqual(['a']);
    expect(result.requestId).toBe('req-read');
    expect(result.raw).toEqual({ items: [target('a', T)] });
    expect(result.counts).toEqual({ total: 2, applied: 1, failed: 1, unknown: 0, notAttempted: 0, reconciled: 2, resent: 0 });
  });

  it('when reading back fails too, every instruction stays unknown, with an empty raw body', async () => {
    const { fetch } = scripted(lost, respond(404, { code: 'not_found', message: 'gone' }));
    const result = await client(fetch).segments.patch(REF, [add('a')], { reconcile: true });
    expect(result.outcomes[0]).toMatchObject({
      fate: 'unknown',
      message: expect.stringMatching(/reading back failed: GET .* failed with 404 not_found: gone$/),
    });
    expect(result).toMatchObject({ ok: false, errors: [], items: [], requestId: undefined, raw: { items: [] } });
  });

  it('does not read back a refusal (fate failed), nor anything without reconcile', async () => {
    const refused = scripted(respond(400, { message: 'bad' }), state([]));
    await expect(client(refused.fetch).segments.patch(REF, [add()], { reconcile: true })).rejects.toMatchObject({
      name: 'BadRequestError',
    });
    expect(refused.calls.map((c) => c.method)).toEqual(['PATCH']);
    const plain = scripted(lost, state([]));
    await expect(client(plain.fetch).segments.patch(REF, [add()])).rejects.toMatchObject({
      name: 'ServerError',
      instructionsFate: 'unknown',
    });
    expect(plain.calls.map((c) => c.method)).toEqual(['PATCH']);
  });

  it('throwOnPartialFailure says how many failed and how many are unknown', async () => {
    const { fetch } = scripted(
      respond(200, {
        items: [],
        errors: [
          { instructionIndex: 0, message: 'no' },
          { instructionIndex: 9, message: 'elsewhere' },
        ],
      }),
    );
    const error = await rejection(client(fetch).segments.patch(REF, [add('a'), add('b'), add('c')], { throwOnPartialFailure: true }));
    expect(error).toBeInstanceOf(PartialFailureError);
    expect(error.message).toBe('1 of 3 instructions failed, 2 unknown');
    const { fetch: once } = scripted(respond(200, { items: [], errors: [{ instructionIndex: 1, message: 'no' }] }));
    expect((await rejection(client(once).segments.patch(REF, [add('a'), add('b')], { throwOnPartialFailure: true }))).message).toBe(
      '1 of 2 instructions failed',
    );
  });

  it('throwOnPartialFailure after reading back', async () => {
    const { fetch } = scripted(lost, state([]));
    const error = await rejection(client(fetch).segments.patch(REF, [add('a')], { reconcile: true, throwOnPartialFailure: true }));
    expect(error).toBeInstanceOf(PartialFailureError);
    expect(error.message).toBe('1 of 1 instructions failed');
  });
});

describe('patch', () => {
  it('refuses a time in the past unless allowPast', async () => {
    const { fetch, calls } = scripted(respond(200, { items: [], errors: [] }));
    const past = { ...add(), value: 1 };
    await expect(client(fetch).segments.patch(REF, [past])).rejects.toMatchObject({
      name: 'InstructionValidationError',
      issues: [{ index: 0, field: 'value' }],
    });
    expect(calls).toHaveLength(0);
    expect((await client(fetch).segments.patch(REF, [past], { allowPast: true })).ok).toBe(true);
    expect(calls).toHaveLength(1);
  });
});

describe('patchAll', () => {
  const limited = respond(429, { code: 'rate_limited' }, { 'Retry-After': '0' });

  it.each([
    ['a client with no retries gets at least five in a bulk run', 0, undefined, 6],
    ['a client allowing more keeps its own', 7, undefined, 8],
    ['a call may set its own', 0, 1, 2],
  ])('%s', async (_name, clientRetries, callRetries, attempts) => {
    const { fetch, calls } = scripted(limited);
    const result = await client(fetch, { maxRetries: clientRetries }).segments.patchAll(REF, [add()], {
      maxRetries: callRetries,
      reconcile: false,
    });
    expect(calls).toHaveLength(attempts);
    expect(result.counts.failed).toBe(1);
  });

  it('sends the comment with every batch, and none when there is none', async () => {
    const { fetch, calls } = scripted(respond(200, { items: [], errors: [] }));
    await client(fetch).segments.patchAll(REF, [add('a'), add('b')], { batchSize: 1, comment: 'cohort ends' });
    expect(calls.map((c) => JSON.parse(String(c.body)).comment)).toEqual(['cohort ends', 'cohort ends']);
    await client(fetch).segments.patch(REF, [add('c')]);
    expect(JSON.parse(String(calls.at(-1)?.body))).toEqual({ instructions: [add('c')] });
  });

  it('checks keys and every instruction before sending anything', async () => {
    const { fetch, calls } = scripted(respond(200, { items: [] }));
    await expect(client(fetch).segments.patchAll({ ...REF, segmentKey: '' }, [add()])).rejects.toMatchObject({
      name: 'InstructionValidationError',
    });
    await expect(client(fetch).segments.patchAll(REF, [add(), { ...add(), contextKey: '' }])).rejects.toMatchObject({
      name: 'InstructionValidationError',
    });
    await expect(client(fetch).segments.patchAll(REF, [{ ...add(), value: 1 }])).rejects.toMatchObject({
      name: 'InstructionValidationError',
    });
    expect(await client(fetch).segments.patchAll(REF, [{ ...add(), value: 1 }], { allowPast: true })).toMatchObject({ ok: true });
    expect(calls).toHaveLength(1);
  });
});

describe('every request', () => {
  it('carries the version headers, the token, the extra headers, and the semantic-patch type on PATCH', async () => {
    const { fetch, calls } = scripted(respond(200, { items: [], errors: [] }));
    const ld = client(fetch, { headers: { 'X-Team': 'growth' }, apiVersion: 'beta' });
    await ld.segments.get(REF);
    await ld.flags.patch({ projectKey: 'p', environmentKey: 'e', flagKey: 'f' }, [
      flagInstructions.remove({ contextKind: 'user', contextKey: 'a', variationId: 'v' }),
    ]);
    for (const call of calls) {
      expect(call.headers.get('authorization')).toBe(TOKEN);
      expect(call.headers.get('ld-api-version')).toBe('beta');
      expect(call.headers.get('x-launchdarkly-user-agent')).toBe(`ld-expiring-targets/${VERSION}`);
      expect(call.headers.get('x-team')).toBe('growth');
    }
    expect(calls.map((c) => [c.method, c.url, c.headers.get('content-type')])).toEqual([
      ['GET', 'https://ld.example/base/api/v2/segments/p/s/expiring-targets/e', null],
      ['PATCH', 'https://ld.example/base/api/v2/flags/p/f/expiring-targets/e', 'application/json; domain-model=launchdarkly.semanticpatch'],
    ]);
  });

  it('no Authorization without a token', async () => {
    const { fetch, calls } = scripted(respond(200, { items: [] }));
    await createExpiringTargetsClient({ baseUrl: 'https://proxy.example', fetch }).segments.get(REF);
    expect(calls[0]?.headers.has('authorization')).toBe(false);
  });

  it('raw calls get the client’s retries', async () => {
    const { fetch, calls } = scripted(respond(503, {}), respond(200, { items: [] }));
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: 'https://ld.example', fetch, maxRetries: 1, maxRetryDelayMs: 0 });
    const { response } = await ld.raw.GET('/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}', {
      params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } },
    });
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('flag keys are checked under their own names', async () => {
    const { fetch, calls } = scripted(respond(200, { items: [] }));
    await expect(client(fetch).flags.get({ projectKey: 'p', environmentKey: 'e', flagKey: '..' })).rejects.toMatchObject({
      issues: [{ field: 'flagKey', message: 'cannot be ".."' }],
      message: expect.stringMatching(/^Invalid resource keys; nothing was sent/),
    });
    await expect(client(fetch).flags.get({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' } as never)).rejects.toMatchObject({
      issues: [{ field: 'flagKey' }],
    });
    expect(calls).toHaveLength(0);
  });
});
