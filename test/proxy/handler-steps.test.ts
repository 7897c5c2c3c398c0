/**
 * Each step of the handler and what it answers when the step fails, through the bare fetch
 * handler in front of the fake LaunchDarkly: a body that cannot be read or is not UTF-8, a client
 * that leaves while the body arrives or while `authorize` thinks, `authorize` answering a
 * Response of its own, the per-actor limit and the in-flight limit, word for word with the
 * events they leave.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyAuthorization, ProxyCall } from '../../src/proxy/index.js';
import { ADMIN_ORIGIN, handlersBeforeFakeLaunchDarkly, SEGMENT_URL, SEMANTIC_PATCH, VALID_PATCH } from '../support/proxy-handler.js';

const proxyWith = handlersBeforeFakeLaunchDarkly('api-handler-steps-0000-token', { allowedOrigins: [ADMIN_ORIGIN] });

/** A PATCH whose body is the given stream. */
const patchOf = (body: ReadableStream<Uint8Array>, signal?: AbortSignal) =>
  new Request(SEGMENT_URL, { method: 'PATCH', headers: { 'Content-Type': SEMANTIC_PATCH }, body, duplex: 'half', signal } as RequestInit);

describe('reading the body', () => {
  it('a body that fails while read: 400, could not be read, nothing forwarded', async () => {
    const { send, events } = proxyWith();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"instructions":'));
        controller.error(new Error('socket reset'));
      },
    });
    const answer = await send(patchOf(body));
    expect([answer.status, answer.body, answer.upstream]).toEqual([
      400,
      { code: 'invalid_body', message: 'The body could not be read' },
      0,
    ]);
    expect(events.map((e) => [e.outcome, e.refusal, e.status])).toEqual([['refused', 'invalid-body', 400]]);
  });

  it('a body that is not UTF-8: 400, said so', async () => {
    const { send } = proxyWith();
    const answer = await send(
      new Request(SEGMENT_URL, { method: 'PATCH', headers: { 'Content-Type': SEMANTIC_PATCH }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }),
    );
    expect([answer.status, answer.body, answer.upstream]).toEqual([400, { code: 'invalid_body', message: 'The body is not UTF-8' }, 0]);
  });

  it('a client that leaves while the body arrives: 499, audited as abandoned, authorize never asked', async () => {
    let asked = 0;
    const { send, events } = proxyWith({}, () => {
      asked++;
      return true;
    });
    const client = new AbortController();
    let pulled!: () => void;
    const started = new Promise<void>((resolve) => (pulled = resolve));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{'));
        pulled();
        // Never more: the upload stalls until the client leaves.
        return new Promise(() => undefined);
      },
    });
    const pending = send(patchOf(body, client.signal));
    await started;
    client.abort();
    const answer = await pending;
    expect([answer.status, answer.body, answer.upstream, asked]).toEqual([
      499,
      { code: 'client_gone', message: 'The client went away' },
      0,
      0,
    ]);
    expect(events.map((e) => [e.outcome, e.status, e.error])).toEqual([['abandoned', 499, 'the client went away during reading the body']]);
  });
});

describe('authorize', () => {
  it('a client that leaves while authorize thinks: 499, abandoned during authorize', async () => {
    let asked!: () => void;
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    const { send, events } = proxyWith({}, () => {
      asked();
      return new Promise<ProxyAuthorization<string>>(() => undefined);
    });
    const client = new AbortController();
    const pending = send(new Request(SEGMENT_URL, { signal: client.signal }));
    await waiting;
    client.abort();
    const answer = await pending;
    expect([answer.status, answer.body, answer.upstream]).toEqual([499, { code: 'client_gone', message: 'The client went away' }, 0]);
    expect(events.map((e) => [e.outcome, e.error, e.operation])).toEqual([['abandoned', 'the client went away during authorize', 'get']]);
  });

  it('a Response from authorize is the answer, with nosniff and the CORS headers added', async () => {
    const { send, events } = proxyWith(
      {},
      () => new Response('{"why":"sign in"}', { status: 401, headers: { 'Content-Type': 'application/json' } }),
    );
    const answer = await send(new Request(SEGMENT_URL, { headers: { Origin: ADMIN_ORIGIN } }));
    expect([answer.status, answer.body, answer.upstream]).toEqual([401, { why: 'sign in' }, 0]);
    expect([answer.headers.get('x-content-type-options'), answer.headers.get('access-control-allow-origin')]).toEqual([
      'nosniff',
      ADMIN_ORIGIN,
    ]);
    expect(events.map((e) => [e.outcome, e.status])).toEqual([['answered', 401]]);
  });

  it('a denial with an actor: 403, the actor in the event; an object without allow is a denial too', async () => {
    const { send, events } = proxyWith({}, (call) =>
      call.operation === 'get' ? { allow: false, actor: 'mallory' } : ({ actor: 'eve' } as never),
    );
    const denied = await send(new Request(SEGMENT_URL));
    expect([denied.status, denied.body, denied.upstream]).toEqual([403, { code: 'forbidden', message: 'Not allowed' }, 0]);
    const patched = await send(
      new Request(SEGMENT_URL, { method: 'PATCH', headers: { 'Content-Type': SEMANTIC_PATCH }, body: VALID_PATCH }),
    );
    expect([patched.status, patched.upstream]).toEqual([403, 0]);
    expect(events.map((e) => [e.outcome, e.actor, e.status])).toEqual([
      ['denied', 'mallory', 403],
      ['denied', 'eve', 403],
    ]);
  });

  it('the call authorize gets: the operation, its id, the keys, and for a PATCH the instructions and comment', async () => {
    const calls: ProxyCall[] = [];
    const { send } = proxyWith({}, (call) => {
      calls.push(call);
      return true;
    });
    await send(new Request(SEGMENT_URL));
    await send(
      new Request(SEGMENT_URL, {
        method: 'PATCH',
        headers: { 'Content-Type': SEMANTIC_PATCH },
        body: JSON.stringify({ ...JSON.parse(VALID_PATCH), comment: 'why' }),
      }),
    );
    expect(calls.map(({ request, ...rest }) => [request instanceof Request, rest])).toEqual([
      [
        true,
        {
          operation: 'get',
          operationId: 'getExpiringTargetsForSegment',
          resource: 'segment',
          projectKey: 'default',
          environmentKey: 'production',
          key: 'beta-testers',
          instructions: undefined,
          comment: undefined,
        },
      ],
      [
        true,
        {
          operation: 'patch',
          operationId: 'patchExpiringTargetsForSegment',
          resource: 'segment',
          projectKey: 'default',
          environmentKey: 'production',
          key: 'beta-testers',
          instructions: JSON.parse(VALID_PATCH).instructions,
          comment: 'why',
        },
      ],
    ]);
  });
});

describe('load', () => {
  it('per actor: past the limit 429 with Retry-After in whole seconds, said so; requests without an actor are not counted', async () => {
    let actor: string | undefined = 'alice';
    const { send, events } = proxyWith({ actorRateLimit: { requests: 1, windowMs: 90_500 } }, () => ({ allow: true, actor }));
    expect((await send(new Request(SEGMENT_URL))).status).toBe(200);
    const limited = await send(new Request(SEGMENT_URL));
    expect([limited.status, limited.body, limited.headers.get('retry-after'), limited.upstream]).toEqual([
      429,
      { code: 'rate_limited', message: 'Too many requests from this user; try again later' },
      '91',
      0,
    ]);
    actor = undefined;
    expect((await send(new Request(SEGMENT_URL))).status).toBe(200);
    expect((await send(new Request(SEGMENT_URL))).status).toBe(200);
    expect(events.map((e) => [e.outcome, e.refusal, e.actor])).toEqual([
      ['forwarded', undefined, 'alice'],
      ['refused', 'rate-limited', 'alice'],
      ['forwarded', undefined, undefined],
      ['forwarded', undefined, undefined],
    ]);
  });

  it('in flight: past the limit 503 with Retry-After 1, said so, and a minimal event; room again once one ends', async () => {
    let release!: () => void;
    let asked!: () => void;
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    const { send, events } = proxyWith({ maxInFlight: 1 }, () => {
      asked();
      return new Promise<boolean>((resolve) => (release = () => resolve(true)));
    });
    const first = send(new Request(SEGMENT_URL));
    await waiting;
    const busy = await send(new Request(`${SEGMENT_URL}?x=1`, { headers: { Origin: ADMIN_ORIGIN } }));
    expect([busy.status, busy.body, busy.headers.get('retry-after'), busy.headers.get('x-content-type-options'), busy.upstream]).toEqual([
      503,
      { code: 'overloaded', message: 'The proxy is busy; try again shortly' },
      '1',
      'nosniff',
      0,
    ]);
    expect(events[0]).toMatchObject({
      method: 'GET',
      path: '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production',
      origin: undefined,
      outcome: 'refused',
      refusal: 'overloaded',
      status: 503,
    });
    expect(events[0]?.durationMs).toBeGreaterThanOrEqual(0);
    release();
    expect((await first).status).toBe(200);
    // The one in flight has left: the next gets through (and is refused for its query, by the rules).
    expect((await send(new Request(`${SEGMENT_URL}?x=1`))).status).toBe(400);
  });
});

describe('events', () => {
  it('a GET that is refused after routing names the operation; one refused for its method does not', async () => {
    const { send, events } = proxyWith();
    await send(new Request(`${SEGMENT_URL}?x=1`));
    await send(new Request(SEGMENT_URL, { headers: { 'X-HTTP-Method-Override': 'PATCH' } }));
    await send(new Request(SEGMENT_URL, { method: 'DELETE' }));
    expect(events.map((e) => [e.refusal, e.operation, e.operationId, e.resource, e.key])).toEqual([
      ['query-not-allowed', 'get', 'getExpiringTargetsForSegment', 'segment', 'beta-testers'],
      ['method-not-allowed', undefined, undefined, 'segment', 'beta-testers'],
      ['method-not-allowed', undefined, undefined, 'segment', 'beta-testers'],
    ]);
  });

  it('the method as sent, the path, the origin; a path that matches nothing has no keys', async () => {
    const { send, events } = proxyWith();
    await send(new Request('http://app.example.test/ld-proxy/api/v2/other', { method: 'patch', headers: { Origin: ADMIN_ORIGIN } }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      method: 'patch',
      path: '/ld-proxy/api/v2/other',
      origin: ADMIN_ORIGIN,
      outcome: 'refused',
      refusal: 'not-found',
      status: 404,
    });
    expect([events[0]?.resource, events[0]?.key, events[0]?.projectKey]).toEqual([undefined, undefined, undefined]);
  });
});
