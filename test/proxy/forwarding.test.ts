/**
 * What the proxy sends and what it answers, with the real client on one side and a stateful fake
 * LaunchDarkly that requires the token on the other: mounted in node:http and used as a plain
 * fetch handler. Also: who retries a 429 (the client, once per attempt), audit events, CORS for
 * an allowed origin, and the token never leaving the backend.
 */
import type http from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitError, createExpiringTargetsClient, segmentInstructions, flagInstructions } from '../../src/index.js';
import type { RetryEvent } from '../../src/index.js';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ExpiringTargetsProxy, ProxyAuditEvent, ProxyOptions } from '../../src/proxy/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type TestServer, json, startServer } from '../support/http-server.js';
import { type ProxyServer, rawRequest, startProxyServer } from '../support/proxy-server.js';

const TOKEN = 'api-proxy-forwarding-0000';
const ALLOWED_ORIGIN = 'http://admin.example.test';
const SEGMENT = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const SEGMENT_ID = 'segments/default/beta-testers/production';
const FLAG = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };
const SEGMENT_PATH = '/api/v2/segments/default/beta-testers/expiring-targets/production';
const JAN_2031 = Date.parse('2031-01-01T00:00:00Z');
const FEB_2031 = Date.parse('2031-02-01T00:00:00Z');

type Actor = { user: string };

let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
let events: ProxyAuditEvent<Actor>[] = [];
const servers: { close(): Promise<void> }[] = [];

function proxyFor(upstream: string, extra: Partial<ProxyOptions<Actor>> = {}): ExpiringTargetsProxy {
  return createExpiringTargetsProxy<Actor>({
    apiKey: TOKEN,
    baseUrl: upstream,
    basePath: '/ld-proxy',
    allowedOrigins: [ALLOWED_ORIGIN],
    authorize: ({ projectKey }) => ({ allow: projectKey === 'default', actor: { user: 'alice' } }),
    onAudit: (event) => {
      events.push(event);
    },
    ...extra,
  });
}

async function mounted(proxy: ExpiringTargetsProxy, wrap?: Parameters<typeof startProxyServer>[1]): Promise<ProxyServer> {
  const server = await startProxyServer(proxy, wrap);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  fake = await startFakeLaunchDarkly({ token: TOKEN });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  events = [];
  fake.seed(
    SEGMENT_ID,
    [{ contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: JAN_2031, _version: 1 }],
    'segment',
  );
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Every header value and body of what a browser would get from the proxy, for a token search. */
function visible(response: { headers: http.IncomingHttpHeaders | Headers; body: string }): string {
  const headers = response.headers instanceof Headers ? [...response.headers] : Object.entries(response.headers);
  return JSON.stringify(headers) + response.body;
}

describe('mounted in a node:http server', () => {
  it('schedules, reschedules and cancels through the proxy; LaunchDarkly gets the token, the client never had one', async () => {
    const server = await mounted(proxyFor(fake.url));
    const ld = createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 0 });
    const before = fake.log.length;

    const scheduled = await ld.segments.patch(
      SEGMENT,
      [segmentInstructions.add({ contextKind: 'user', contextKey: 'carol', targetType: 'included', expiresAt: JAN_2031 })],
      { comment: 'beta ends' },
    );
    const rescheduled = await ld.segments.patch(SEGMENT, [
      segmentInstructions.update({ contextKind: 'user', contextKey: 'carol', targetType: 'included', expiresAt: FEB_2031 }),
    ]);
    const cancelled = await ld.segments.patch(SEGMENT, [
      segmentInstructions.remove({ contextKind: 'user', contextKey: 'alice', targetType: 'included' }),
    ]);
    const { items, requestId } = await ld.segments.get(SEGMENT);

    expect([scheduled.ok, rescheduled.ok, cancelled.ok]).toEqual([true, true, true]);
    expect(items.map((t) => [t.contextKey, t.expiresAt.getTime()])).toEqual([['carol', FEB_2031]]);
    expect(requestId).toMatch(/^fake-\d+$/);
    const upstream = fake.log.slice(before);
    expect(upstream.map((r) => [r.method, r.url])).toEqual([
      ['PATCH', SEGMENT_PATH],
      ['PATCH', SEGMENT_PATH],
      ['PATCH', SEGMENT_PATH],
      ['GET', SEGMENT_PATH],
    ]);
    expect(upstream.every((r) => r.headers.authorization === TOKEN)).toBe(true);
    expect(JSON.parse(upstream[0]!.body)).toEqual({
      instructions: [{ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'carol', targetType: 'included', value: JAN_2031 }],
      comment: 'beta ends',
    });
    expect(fake.stats.unauthorized).toBe(0);
  });

  it('sends only its own headers upstream: no inbound Authorization, Cookie, X-Forwarded-* or anything else', async () => {
    const server = await mounted(proxyFor(fake.url));
    const ld = createExpiringTargetsClient({
      baseUrl: `${server.url}/ld-proxy`,
      apiVersion: '20191212',
      maxRetries: 0,
      headers: {
        Authorization: 'Bearer the-users-own-session',
        Cookie: 'session=abc123',
        'X-Forwarded-For': '203.0.113.9',
        'X-Forwarded-Host': 'evil.example',
        Forwarded: 'for=203.0.113.9',
        'X-Real-IP': '203.0.113.9',
        'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
        'X-LaunchDarkly-Event-Schema': '4',
        'X-Custom': 'kept?',
      },
    });
    const before = fake.log.length;
    await ld.segments.patch(SEGMENT, [segmentInstructions.remove({ contextKind: 'user', contextKey: 'alice', targetType: 'included' })]);
    const [sent] = fake.log.slice(before);
    // What Node's fetch adds to any request by itself; everything else is the proxy's choice.
    const fetchAdds = new Set(['accept-encoding', 'accept-language', 'sec-fetch-mode', 'connection', 'host', 'content-length']);
    expect(
      Object.keys(sent!.headers)
        .filter((name) => !fetchAdds.has(name))
        .sort(),
    ).toEqual(['accept', 'authorization', 'content-type', 'ld-api-version', 'user-agent', 'x-launchdarkly-user-agent']);
    expect(sent!.headers).toMatchObject({
      authorization: TOKEN,
      'content-type': 'application/json; domain-model=launchdarkly.semanticpatch',
      'ld-api-version': '20240415',
      'user-agent': 'ld-expiring-targets/0.1.0',
      'x-launchdarkly-user-agent': 'ld-expiring-targets/0.1.0',
      host: new URL(fake.url).host,
    });
  });

  it('encodes the decoded keys again for LaunchDarkly', async () => {
    const server = await mounted(proxyFor(fake.url));
    const ld = createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 0 });
    const before = fake.log.length;
    await ld.flags.get({ projectKey: 'default', environmentKey: 'prod env', flagKey: 'café' });
    expect(fake.log.slice(before).map((r) => r.url)).toEqual(['/api/v2/flags/default/caf%C3%A9/expiring-targets/prod%20env']);
    expect(events[0]).toMatchObject({
      resource: 'flag',
      key: 'café',
      environmentKey: 'prod env',
      operationId: 'getExpiringContextTargets',
    });
  });

  it('works for a framework that strips its mount path from req.url (Express keeps it in originalUrl)', async () => {
    const server = await mounted(proxyFor(fake.url), (listener) => (req, res) => {
      const express = req as http.IncomingMessage & { originalUrl?: string };
      express.originalUrl = req.url ?? '/';
      req.url = (req.url ?? '').slice('/ld-proxy'.length);
      listener(express, res);
    });
    const { items } = await createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 0 }).segments.get(SEGMENT);
    expect(items.map((t) => t.contextKey)).toEqual(['alice']);
  });

  it('answers 502 when LaunchDarkly cannot be reached and 504 when it stalls, with the reason only in the audit', async () => {
    const stalled: TestServer = await startServer(() => new Promise(() => undefined));
    servers.push(stalled);
    const down = await mounted(proxyFor('http://127.0.0.1:9'));
    const slow = await mounted(proxyFor(stalled.url, { timeoutMs: 200 }));
    const refused = await rawRequest(down.url, `/ld-proxy${SEGMENT_PATH}`);
    const timedOut = await rawRequest(slow.url, `/ld-proxy${SEGMENT_PATH}`);
    expect([refused.status, JSON.parse(refused.body)]).toEqual([
      502,
      { code: 'bad_gateway', message: 'LaunchDarkly could not be reached' },
    ]);
    expect([timedOut.status, JSON.parse(timedOut.body)]).toEqual([
      504,
      { code: 'gateway_timeout', message: 'LaunchDarkly did not answer in time' },
    ]);
    expect(events.map((e) => [e.outcome, e.status])).toEqual([
      ['failed', 502],
      ['failed', 504],
    ]);
    expect(events[0]?.error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(stalled.requests).toHaveLength(1);
  });
});

describe('as a fetch handler (Next.js route handlers, Hono, Bun, Deno, Workers)', () => {
  it('serves the client when handed Request objects directly', async () => {
    const proxy = proxyFor(fake.url);
    const ld = createExpiringTargetsClient({
      baseUrl: 'https://app.example.test/ld-proxy',
      maxRetries: 0,
      fetch: (input, init) => proxy(new Request(input, init)),
    });
    const patched = await ld.flags.patch(FLAG, [
      flagInstructions.add({ contextKind: 'user', contextKey: 'dana', variationId: 'v-on', expiresAt: JAN_2031 }),
    ]);
    const { items } = await ld.flags.get(FLAG);
    expect(patched.ok).toBe(true);
    expect(items.map((t) => [t.contextKey, t.variationId])).toEqual([['dana', 'v-on']]);
    expect(events.map((e) => [e.method, e.outcome, e.status])).toEqual([
      ['PATCH', 'forwarded', 200],
      ['GET', 'forwarded', 200],
    ]);
  });

  it('refuses a path trick that reaches it already normalised', async () => {
    const proxy = proxyFor(fake.url);
    const before = fake.log.length;
    const response = await proxy(
      new Request(`https://app.example.test/ld-proxy/api/v2/segments/default%2Fx/beta-testers/expiring-targets/production`),
    );
    expect(response.status).toBe(404);
    expect(fake.log.length).toBe(before);
  });
});

describe('retries happen in the browser client only', () => {
  it('a 429 reaches LaunchDarkly once per client attempt, and the client waits the Retry-After it passed through', async () => {
    const server = await mounted(proxyFor(fake.url));
    const retries: RetryEvent[] = [];
    const ld = createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 2, onRetry: (e) => retries.push(e) });
    fake.throttle({ times: 1, retryAfterSeconds: 1 });
    const before = fake.log.length;
    const { items } = await ld.segments.get(SEGMENT);
    expect(items.map((t) => t.contextKey)).toEqual(['alice']);
    expect(retries.map((r) => [r.attempt, r.status, r.delayMs])).toEqual([[1, 429, 1000]]);
    expect(fake.log.length - before).toBe(2);
    expect(events.map((e) => e.status)).toEqual([429, 200]);
  });

  it('a lasting 429 reaches LaunchDarkly exactly as often as the client attempts it, then is the client’s RateLimitError', async () => {
    const server = await mounted(proxyFor(fake.url));
    const retries: RetryEvent[] = [];
    const ld = createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 2, onRetry: (e) => retries.push(e) });
    fake.throttle({ times: 10, retryAfterSeconds: 0 });
    const before = fake.log.length;
    const error = await ld.segments
      .patch(SEGMENT, [segmentInstructions.remove({ contextKind: 'user', contextKey: 'alice', targetType: 'included' })])
      .catch((e: unknown) => e);
    fake.throttle({ times: 0, retryAfterSeconds: 0 });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(retries).toHaveLength(2);
    expect(fake.log.length - before).toBe(3);
    expect(fake.targets(SEGMENT_ID).map((t) => t.contextKey)).toEqual(['alice']);
  });

  it('passes Retry-After and X-Ratelimit-* through so the client can pace itself', async () => {
    const server = await mounted(proxyFor(fake.url));
    fake.throttle({ times: 1, retryAfterSeconds: 7 });
    const response = await rawRequest(server.url, `/ld-proxy${SEGMENT_PATH}`);
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.headers['x-ratelimit-route-remaining']).toBe('0');
    expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now());
  });
});

describe('what the browser sees', () => {
  let echo: TestServer;
  beforeAll(async () => {
    // A misbehaving upstream that echoes the token wherever it can, and sets cookies.
    echo = await startServer((req, res) => {
      const token = String(req.headers.authorization);
      const status = req.rawUrl.includes('/flags/') ? 401 : 200;
      json(
        res,
        status,
        status === 200
          ? { items: [], note: `you sent ${token}`, escaped: JSON.stringify(token) }
          : { code: 'unauthorized', message: `token ${token} is revoked` },
        {
          'Set-Cookie': `ld=${token}; Path=/`,
          'X-Request-Id': `req-${token}`,
          'X-Ratelimit-Global-Remaining': '99',
          'Retry-After': '0',
          'X-Debug-Authorization': token,
          Server: 'upstream/1.0',
          'Access-Control-Allow-Origin': '*',
        },
      );
    });
  });
  afterAll(() => echo?.close());

  it('never holds the token, in any header or body, even when LaunchDarkly echoes it', async () => {
    const server = await mounted(proxyFor(echo.url));
    for (const path of [SEGMENT_PATH, '/api/v2/flags/default/new-checkout/expiring-targets/production']) {
      const response = await rawRequest(server.url, `/ld-proxy${path}`, { headers: { Origin: ALLOWED_ORIGIN } });
      expect(visible(response)).not.toContain(TOKEN);
      expect(visible(response)).toContain('[redacted]');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.headers['x-debug-authorization']).toBeUndefined();
      expect(response.headers.server).toBeUndefined();
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    }
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(events.map((e) => e.requestId)).toEqual(['req-[redacted]', 'req-[redacted]']);
  });

  it('passes status, Content-Type, Retry-After, X-Ratelimit-* and X-Request-Id, exposed to an allowed origin', async () => {
    const server = await mounted(proxyFor(echo.url));
    const response = await rawRequest(server.url, `/ld-proxy/api/v2/flags/default/new-checkout/expiring-targets/production`, {
      headers: { Origin: ALLOWED_ORIGIN },
    });
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'retry-after': '0',
      'x-ratelimit-global-remaining': '99',
      'cache-control': 'no-store',
      'access-control-allow-origin': ALLOWED_ORIGIN,
      vary: 'Origin',
    });
    expect(response.headers['access-control-expose-headers']?.split(', ').sort()).toEqual([
      'retry-after',
      'x-ratelimit-global-remaining',
      'x-request-id',
    ]);
    expect(JSON.parse(response.body)).toEqual({ code: 'unauthorized', message: 'token [redacted] is revoked' });
  });

  it('adds no CORS headers for a same-origin caller', async () => {
    const server = await mounted(proxyFor(fake.url));
    const response = await rawRequest(server.url, `/ld-proxy${SEGMENT_PATH}`, { headers: { Origin: server.url } });
    expect(response.status).toBe(200);
    expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('audit', () => {
  it('records who, what, the instructions’ kinds and contexts, the status, LaunchDarkly’s request id and the duration; no token', async () => {
    const server = await mounted(proxyFor(fake.url));
    const ld = createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 0 });
    await ld.segments.patch(SEGMENT, [
      segmentInstructions.add({ contextKind: 'user', contextKey: 'carol', targetType: 'included', expiresAt: JAN_2031 }),
      segmentInstructions.remove({ contextKind: 'user', contextKey: 'alice', targetType: 'included' }),
    ]);
    await ld.segments.get({ ...SEGMENT, projectKey: 'other' }).catch(() => undefined);
    expect(events).toHaveLength(2);
    const [patched, denied] = events;
    expect(patched).toMatchObject({
      method: 'PATCH',
      path: `/ld-proxy${SEGMENT_PATH}`,
      outcome: 'forwarded',
      status: 200,
      actor: { user: 'alice' },
      operation: 'patch',
      operationId: 'patchExpiringTargetsForSegment',
      resource: 'segment',
      projectKey: 'default',
      environmentKey: 'production',
      key: 'beta-testers',
      instructions: [
        { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'carol' },
        { kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'alice' },
      ],
    });
    expect(patched?.requestId).toMatch(/^fake-\d+$/);
    expect(patched?.durationMs).toBeGreaterThan(0);
    expect(patched?.at).toBeInstanceOf(Date);
    expect(denied).toMatchObject({ outcome: 'denied', status: 403, projectKey: 'other', actor: { user: 'alice' } });
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('an audit sink that throws does not change the answer', async () => {
    const server = await mounted(
      proxyFor(fake.url, {
        onAudit: () => {
          throw new Error('log pipeline down');
        },
      }),
    );
    const { items } = await createExpiringTargetsClient({ baseUrl: `${server.url}/ld-proxy`, maxRetries: 0 }).segments.get(SEGMENT);
    expect(items).toHaveLength(1);
  });
});
