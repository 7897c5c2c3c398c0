/**
 * The proxy against abuse on the upstream side: a client that leaves while LaunchDarkly is slow
 * (the upstream call is aborted at once), answers larger than `maxResponseBytes`, answers that are
 * not JSON, and the token echoed back in JSON escapes. Real servers: the proxy behind node:http and
 * a scripted stand-in for LaunchDarkly.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/core/redact.js';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyAuditEvent, ProxyOptions } from '../../src/proxy/index.js';
import { type Handler, type TestServer, startServer } from '../support/http-server.js';
import { type ProxyServer, rawRequest, startProxyServer } from '../support/proxy-server.js';
import { openRequest } from '../support/raw-socket.js';

const TOKEN = 'api-upstream-abuse-0000-token';
const SEGMENT = '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production';
const closers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((s) => s.close()));
});

async function mount(upstream: Handler, options: Partial<ProxyOptions<string>> = {}) {
  const ld: TestServer = await startServer(upstream);
  closers.push(ld);
  const events: ProxyAuditEvent<string>[] = [];
  let notify = () => undefined as void;
  const proxy = createExpiringTargetsProxy<string>({
    apiKey: TOKEN,
    baseUrl: ld.url,
    basePath: '/ld-proxy',
    authorize: () => true,
    onAudit: (event) => {
      events.push(event);
      notify();
    },
    ...options,
  });
  const server: ProxyServer = await startProxyServer(proxy);
  closers.push(server);
  const firstEvent = new Promise<void>((resolve) => {
    notify = resolve;
  });
  return { url: server.url, ld, events, firstEvent, proxy };
}

describe('a client that leaves', () => {
  it('aborts the upstream call at once, long before timeoutMs, and is audited as abandoned', async () => {
    let upstreamReached = () => undefined as void;
    const reached = new Promise<void>((resolve) => {
      upstreamReached = resolve;
    });
    let upstreamClosed = () => undefined as void;
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    const setup = await mount(
      (_req, res: http.ServerResponse) => {
        res.on('close', () => upstreamClosed());
        upstreamReached();
      },
      { timeoutMs: 60_000, requestTimeoutMs: 120_000 },
    );
    const exchange = openRequest(setup.url, `GET ${SEGMENT} HTTP/1.1\nHost: x\n\n`);
    await reached;
    const left = performance.now();
    exchange.socket.destroy();
    await closed;
    await setup.firstEvent;
    // "At once": well inside the test's own timeout, where the old behaviour waited for timeoutMs (60 s).
    expect(performance.now() - left).toBeLessThan(10_000);
    expect(setup.events).toMatchObject([{ outcome: 'abandoned', status: 499, error: 'the client went away during the upstream call' }]);
  });
});

describe('answers larger than maxResponseBytes', () => {
  const big =
    (declared: boolean): Handler =>
    (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      res.writeHead(200, { 'Content-Type': 'application/json', ...(declared && { 'Content-Length': String(chunk.length * 64) }) });
      let sent = 0;
      const pump = () => {
        while (sent < 64) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    };

  it.each([
    ['streamed without a length', false],
    ['with a declared length', true],
  ])('%s: 502, audited', async (_, declared) => {
    const setup = await mount(big(declared), { maxResponseBytes: 1024 * 1024 });
    const response = await rawRequest(setup.url, SEGMENT);
    expect([response.status, JSON.parse(response.body)]).toEqual([
      502,
      { code: 'bad_gateway', message: 'LaunchDarkly answered more than the proxy accepts' },
    ]);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(setup.events).toMatchObject([
      { outcome: 'failed', status: 502, error: "LaunchDarkly's answer exceeded maxResponseBytes (1048576)" },
    ]);
  });

  it('an answer exactly at the cap passes', async () => {
    const body = JSON.stringify({ items: [], pad: 'x'.repeat(1000) });
    const setup = await mount((_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(body), {
      maxResponseBytes: Buffer.byteLength(body),
    });
    const response = await rawRequest(setup.url, SEGMENT);
    expect([response.status, response.body]).toEqual([200, body]);
  });
});

describe('answers that are not JSON', () => {
  it('are replaced by the proxy’s JSON error, keeping the status and the headers the client paces by', async () => {
    const setup = await mount(
      (_req, res) =>
        void res
          .writeHead(503, {
            'Content-Type': 'text/html',
            'Retry-After': '7',
            'X-Ratelimit-Global-Remaining': '0',
            'X-Ratelimit-Reset': '1900000000000',
            'X-Request-Id': 'req-1',
            'Set-Cookie': 'a=b',
          })
          .end('<html><script>alert(1)</script></html>'),
    );
    const response = await rawRequest(setup.url, SEGMENT);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      code: 'upstream_not_json',
      message: 'LaunchDarkly answered 503 with a body that is not JSON',
    });
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'retry-after': '7',
      'x-ratelimit-global-remaining': '0',
      'x-ratelimit-reset': '1900000000000',
      'x-request-id': 'req-1',
      'x-content-type-options': 'nosniff',
    });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(setup.events).toMatchObject([
      { outcome: 'forwarded', status: 503, requestId: 'req-1', error: "LaunchDarkly's 503 answer was text/html, replaced" },
    ]);
  });

  it('an answer without a type is replaced too; a 204 stays empty', async () => {
    let status = 200;
    const setup = await mount((_req, res) => void (status === 204 ? res.writeHead(204).end() : res.writeHead(200).end('ok')));
    const untyped = await rawRequest(setup.url, SEGMENT);
    expect([untyped.status, JSON.parse(untyped.body).code]).toEqual([200, 'upstream_not_json']);
    status = 204;
    const empty = await rawRequest(setup.url, SEGMENT);
    expect([empty.status, empty.body]).toEqual([204, '']);
  });
});

describe('redaction by meaning', () => {
  const spellings = [
    ['\\u escapes', JSON.stringify(TOKEN).replace(/a/g, '\\u0061')],
    ['upper-case \\u escapes', JSON.stringify(TOKEN).replace(/-/g, '\\u002D')],
    ['every character escaped', `"${[...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`],
  ];

  it.each(spellings)('the token written with %s in a JSON answer is redacted', async (_, literal) => {
    const body = `{"message":"token ${literal.slice(1, -1)} is revoked","n":1}`;
    expect((JSON.parse(body) as { message: string }).message).toContain(TOKEN);
    const setup = await mount((_req, res) => void res.writeHead(401, { 'Content-Type': 'application/json' }).end(body));
    const response = await rawRequest(setup.url, SEGMENT);
    expect(response.status).toBe(401);
    expect(JSON.stringify(JSON.parse(response.body))).not.toContain(TOKEN);
    expect(JSON.parse(response.body)).toEqual({ message: 'token [redacted] is revoked', n: 1 });
  });

  it('the one redaction step: \\/ escapes, text left as it was when no secret is in it', () => {
    const redact = createRedactor(['tok/en-1234']);
    expect(redact('{"a":"x tok\\/en-1234 y"}')).toBe('{"a":"x [redacted] y"}');
    expect(redact('{"a":"\\u0074ok\\/en-1234","b":"keep\\u0020me"}')).toBe('{"a":"[redacted]","b":"keep\\u0020me"}');
    expect(redact('plain tok/en-1234 and "tok\\/en-1234"')).toBe('plain [redacted] and "[redacted]"');
  });
});
