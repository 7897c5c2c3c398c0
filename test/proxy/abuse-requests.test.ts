/**
 * The proxy against anonymous abuse, on the request side: oversize and hostile bodies, bodies
 * sent a byte at a time or never finished, odd methods, an `authorize` that never answers, and
 * load past the bounds. Each case asserts the status, the audit event, that `authorize` and
 * LaunchDarkly were not reached when they must not be, and the size of what the proxy answered
 * and logged. Real servers throughout: the proxy behind node:http, a stateful fake LaunchDarkly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyAuditEvent, ProxyAuthorization, ProxyCall, ProxyOptions } from '../../src/proxy/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { proxyServersPerTest, rawRequest } from '../support/proxy-server.js';
import { openRequest, writeOneByteChunks } from '../support/raw-socket.js';

const TOKEN = 'api-abuse-test-0000-token';
const SEGMENT = '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production';
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const FUTURE = Date.parse('2031-01-01T00:00:00Z');
const add = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: FUTURE };

let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
const serve = proxyServersPerTest();

beforeAll(async () => {
  fake = await startFakeLaunchDarkly({ token: TOKEN });
});
afterAll(async () => {
  await fake?.close();
});

/** A proxy behind node:http, its audit events, its authorize calls, and what reached upstream since. */
async function mount(
  options: Partial<ProxyOptions<string>> = {},
  decide: (call: ProxyCall) => ProxyAuthorization<string> | Promise<ProxyAuthorization<string>> = () => true,
) {
  const events: ProxyAuditEvent<string>[] = [];
  const calls: ProxyCall[] = [];
  let notify = () => undefined as void;
  let notifyCall = () => undefined as void;
  const proxy = createExpiringTargetsProxy<string>({
    apiKey: TOKEN,
    baseUrl: fake.url,
    basePath: '/ld-proxy',
    authorize: (call) => {
      calls.push(call);
      notifyCall();
      return decide(call);
    },
    onAudit: (event) => {
      events.push(event);
      notify();
    },
    ...options,
  });
  const server = await serve(proxy);
  const upstreamBefore = fake.log.length;
  return {
    url: server.url,
    events,
    calls,
    upstreamCount: () => fake.log.length - upstreamBefore,
    /** Resolves once `n` events have arrived. */
    eventCount: (n: number) =>
      new Promise<void>((resolve) => {
        notify = () => {
          if (events.length >= n) resolve();
        };
        notify();
      }),
    /** Resolves once authorize has been asked. */
    asked: () =>
      new Promise<void>((resolve) => {
        notifyCall = () => resolve();
        if (calls.length > 0) resolve();
      }),
  };
}

const patch = (url: string, body: string) => rawRequest(url, SEGMENT, { method: 'PATCH', headers: { 'Content-Type': SEMANTIC }, body });

describe('hostile bodies under the size cap: small answers, small events, authorize not asked', () => {
  it('1 MiB of empty instructions: 400 of a few hundred bytes, refused before parsing', async () => {
    const proxy = await mount();
    const body = `{"instructions":[${'{},'.repeat(349_000)}{}]}`;
    expect(body.length).toBeLessThanOrEqual(1024 * 1024);
    const response = await patch(proxy.url, body);
    expect(response.status).toBe(400);
    expect(response.body.length).toBeLessThan(512);
    expect(JSON.parse(response.body)).toEqual({
      code: 'invalid_body',
      message: 'The body holds more than 1500 instructions; at most 1500 are accepted',
    });
    expect(proxy.calls).toHaveLength(0);
    expect(proxy.upstreamCount()).toBe(0);
    expect(proxy.events).toMatchObject([{ outcome: 'refused', refusal: 'invalid-body', status: 400 }]);
  });

  it('a list of numbers past maxInstructions is refused by its length', async () => {
    const proxy = await mount({ maxInstructions: 10 });
    const response = await patch(proxy.url, JSON.stringify({ instructions: Array.from({ length: 11 }, (_, i) => i) }));
    expect([response.status, JSON.parse(response.body).message]).toEqual([400, 'The body holds 11 instructions; at most 10 are accepted']);
    expect(proxy.calls).toHaveLength(0);
  });

  it('exactly maxInstructions instructions are forwarded; braces and escaped quotes inside strings are not counted', async () => {
    const proxy = await mount({ maxInstructions: 2 });
    const second = { ...add, contextKey: 'b\\"{[{[{' };
    const response = await patch(proxy.url, JSON.stringify({ comment: '"{{{{[[[[', instructions: [add, second] }));
    expect(response.status).toBe(200);
    expect(proxy.events).toMatchObject([{ outcome: 'forwarded', instructionCount: 2 }]);
    expect(proxy.calls[0]?.instructions?.[1]?.contextKey).toBe('b\\"{[{[{');
  });

  it('one past maxInstructions is refused by the count, before any is validated', async () => {
    const proxy = await mount({ maxInstructions: 2 });
    const byCount = await patch(proxy.url, JSON.stringify({ instructions: [1, 2, 3] }));
    expect(JSON.parse(byCount.body)).toEqual({ code: 'invalid_body', message: 'The body holds 3 instructions; at most 2 are accepted' });
    const atLimit = await patch(proxy.url, JSON.stringify({ instructions: [1, 2] }));
    expect(JSON.parse(atLimit.body).message).toBe('Invalid semantic patch, 2 problems; nothing was sent');
    expect(proxy.calls).toHaveLength(0);
  });

  it('1,500 invalid instructions: the first 20 problems, each once, and how many more', async () => {
    const proxy = await mount();
    const bad = { ...add, targetType: 'both' };
    const response = await patch(proxy.url, JSON.stringify({ instructions: Array.from({ length: 1500 }, () => bad) }));
    const answer = JSON.parse(response.body) as {
      message: string;
      issues: { index: number; field: string; message: string }[];
      moreIssues: number;
    };
    expect(response.status).toBe(400);
    expect(answer.issues).toHaveLength(20);
    expect(answer.issues.map((i) => i.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(answer.issues[0]).toEqual({ index: 0, field: 'targetType', message: 'must be "included" or "excluded", got "both"' });
    expect(answer.moreIssues).toBe(1480);
    expect(answer.message).toBe('Invalid semantic patch, 1500 problems (the first 20 listed); nothing was sent');
    expect(answer.message).not.toContain('both');
    expect(response.body.length).toBeLessThan(4096);
    expect(proxy.calls).toHaveLength(0);
  });

  it('a long value quoted in a problem is cut', async () => {
    const proxy = await mount();
    const response = await patch(proxy.url, JSON.stringify({ instructions: [{ ...add, targetType: 'x'.repeat(500_000) }] }));
    expect(response.status).toBe(400);
    expect(response.body.length).toBeLessThan(1024);
  });

  it('a denied PATCH of 1,500 instructions: an event of ten instructions and the count, control and bidi characters escaped', async () => {
    const proxy = await mount({}, () => ({ allow: false, actor: 'mallory' }));
    const forged = 'bob\u001b[31m\r\n{"outcome":"forwarded"}\u202egnp.exe\u0085';
    const instructions = Array.from({ length: 1500 }, (_, i) => ({ ...add, contextKey: `${forged}-${i}` }));
    const response = await patch(proxy.url, JSON.stringify({ instructions }));
    expect(response.status).toBe(403);
    const [event] = proxy.events;
    expect(event).toMatchObject({ outcome: 'denied', actor: 'mallory', instructionCount: 1500 });
    expect(event?.instructions).toHaveLength(10);
    expect(event?.instructions?.[0]?.contextKey).toBe('bob\\x1b[31m\\x0d\\x0a{"outcome":"forwarded"}\\u{202e}gnp.exe\\x85-0');
    expect(JSON.stringify(event).length).toBeLessThan(4096);
    expect(proxy.upstreamCount()).toBe(0);
  });
});

describe('bodies that arrive slowly or never', () => {
  it('a body sent a byte at a time and never finished: 408 at bodyTimeoutMs, audited, authorize not asked', async () => {
    const proxy = await mount({ bodyTimeoutMs: 300 });
    const exchange = openRequest(
      proxy.url,
      `PATCH ${SEGMENT} HTTP/1.1\nHost: x\nContent-Type: ${SEMANTIC}\nTransfer-Encoding: chunked\n\n`,
    );
    await writeOneByteChunks(exchange.socket, `{"instructions":[${JSON.stringify(add)},`);
    const answer = await exchange.answer;
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({ code: 'body_timeout', message: 'The body did not arrive within 300 ms' });
    expect(answer.head.toLowerCase()).toContain('connection: close');
    expect(proxy.events).toMatchObject([{ outcome: 'refused', refusal: 'body-timeout', status: 408 }]);
    expect(proxy.calls).toHaveLength(0);
    expect(proxy.upstreamCount()).toBe(0);
  });

  it('a body sent a byte at a time that does finish is forwarded', async () => {
    const proxy = await mount();
    const exchange = openRequest(
      proxy.url,
      `PATCH ${SEGMENT} HTTP/1.1\nHost: x\nContent-Type: ${SEMANTIC}\nTransfer-Encoding: chunked\n\n`,
    );
    await writeOneByteChunks(exchange.socket, JSON.stringify({ instructions: [add] }), 7);
    exchange.socket.write('0\r\n\r\n');
    expect((await exchange.answer).status).toBe(200);
    expect(proxy.events).toMatchObject([{ outcome: 'forwarded', status: 200, instructionCount: 1 }]);
  });

  it('a declared length never delivered: 408', async () => {
    const proxy = await mount({ bodyTimeoutMs: 200 });
    const exchange = openRequest(
      proxy.url,
      `PATCH ${SEGMENT} HTTP/1.1\nHost: x\nContent-Type: ${SEMANTIC}\nContent-Length: 5000\n\n{"instr`,
    );
    expect((await exchange.answer).status).toBe(408);
    expect(proxy.events).toMatchObject([{ refusal: 'body-timeout' }]);
  });
});

describe('every method by the proxy’s own rules', () => {
  // TRACK and CONNECT never reach the listener: Node's parser answers them itself.
  it.each(['TRACE', 'DELETE', 'PUT', 'POST', 'PROPFIND'])('%s through the Node adapter: 405 with Allow, audited', async (method) => {
    const proxy = await mount();
    const exchange = openRequest(proxy.url, `${method} ${SEGMENT} HTTP/1.1\nHost: x\nContent-Length: 0\n\n`);
    const answer = await exchange.answer;
    expect(answer.status).toBe(405);
    expect(answer.head.toLowerCase()).toContain('allow: get, patch');
    expect(answer.head.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(proxy.events).toMatchObject([{ method, outcome: 'refused', refusal: 'method-not-allowed', status: 405 }]);
    expect(proxy.upstreamCount()).toBe(0);
  });

  it('TRACE elsewhere is a 404 like any other method', async () => {
    const proxy = await mount();
    const answer = await openRequest(proxy.url, 'TRACE /ld-proxy/api/v2/members HTTP/1.1\nHost: x\n\n').answer;
    expect(answer.status).toBe(404);
    expect(proxy.events).toMatchObject([{ method: 'TRACE', refusal: 'not-found' }]);
  });
});

describe('one deadline for the request', () => {
  it('an authorize that never settles: 504 at requestTimeoutMs, audited, nothing forwarded', async () => {
    const proxy = await mount({ requestTimeoutMs: 300 }, () => new Promise(() => undefined));
    const response = await rawRequest(proxy.url, SEGMENT);
    expect([response.status, JSON.parse(response.body)]).toEqual([504, { code: 'gateway_timeout', message: 'The request took too long' }]);
    expect(proxy.events).toMatchObject([
      { outcome: 'failed', status: 504, error: "the request's deadline (300 ms) passed during authorize" },
    ]);
    expect(proxy.upstreamCount()).toBe(0);
  });

  it('a client that leaves while authorize hangs is audited as abandoned', async () => {
    const proxy = await mount({}, () => new Promise(() => undefined));
    const exchange = openRequest(proxy.url, `GET ${SEGMENT} HTTP/1.1\nHost: x\n\n`);
    await proxy.asked();
    exchange.socket.destroy();
    await proxy.eventCount(1);
    expect(proxy.events).toMatchObject([{ outcome: 'abandoned', status: 499, error: 'the client went away during authorize' }]);
    expect(proxy.upstreamCount()).toBe(0);
  });
});

describe('load bounded across requests', () => {
  it('past maxInFlight: 503 with Retry-After, audited, authorize not asked', async () => {
    let release = () => undefined as void;
    const held = new Promise<boolean>((resolve) => {
      release = () => resolve(true);
    });
    const proxy = await mount({ maxInFlight: 1 }, () => held);
    const first = rawRequest(proxy.url, SEGMENT);
    await proxy.asked();
    const second = await rawRequest(proxy.url, SEGMENT);
    expect([second.status, second.headers['retry-after'], JSON.parse(second.body).code]).toEqual([503, '1', 'overloaded']);
    expect(proxy.events).toMatchObject([{ outcome: 'refused', refusal: 'overloaded', status: 503 }]);
    release();
    expect((await first).status).toBe(200);
    expect(proxy.calls).toHaveLength(1);
    expect((await rawRequest(proxy.url, SEGMENT)).status).toBe(200);
  });

  it('actorRateLimit: past the actor’s budget, 429 with Retry-After, audited; other actors go on', async () => {
    let actor = 'alice';
    const proxy = await mount({ actorRateLimit: { requests: 2, windowMs: 60_000 } }, () => ({ allow: true, actor }));
    expect((await rawRequest(proxy.url, SEGMENT)).status).toBe(200);
    expect((await rawRequest(proxy.url, SEGMENT)).status).toBe(200);
    const third = await rawRequest(proxy.url, SEGMENT);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(proxy.events[2]).toMatchObject({ outcome: 'refused', refusal: 'rate-limited', actor: 'alice', status: 429 });
    actor = 'bob';
    expect((await rawRequest(proxy.url, SEGMENT)).status).toBe(200);
    expect(proxy.upstreamCount()).toBe(3);
  });
});

describe('nosniff on every answer', () => {
  it('refusals, forwarded answers and preflights', async () => {
    const proxy = await mount({ allowedOrigins: ['http://admin.example.test'] });
    const answers = await Promise.all([
      rawRequest(proxy.url, '/ld-proxy/api/v2/members'),
      rawRequest(proxy.url, SEGMENT, { method: 'DELETE' }),
      rawRequest(proxy.url, SEGMENT),
      patch(proxy.url, JSON.stringify({ instructions: [add] })),
      rawRequest(proxy.url, SEGMENT, {
        method: 'OPTIONS',
        headers: { Origin: 'http://admin.example.test', 'Access-Control-Request-Method': 'PATCH' },
      }),
    ]);
    expect(answers.map((a) => [a.status, a.headers['x-content-type-options']])).toEqual([
      [404, 'nosniff'],
      [405, 'nosniff'],
      [200, 'nosniff'],
      [200, 'nosniff'],
      [204, 'nosniff'],
    ]);
  });
});
