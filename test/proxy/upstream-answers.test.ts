/**
 * What the proxy makes of LaunchDarkly's answer at the edges, through the bare fetch handler in
 * front of a scripted stand-in: an answer cut off mid-body (with and without a length), the
 * statuses either side of the redirect range, which headers pass and which do not, and a body
 * that is passed on exactly, with the token redacted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyAuditEvent, ProxyOptions } from '../../src/proxy/index.js';
import { type Handler, startServer } from '../support/http-server.js';

const TOKEN = 'api-upstream-answers-0000-token';
const SEGMENT = 'http://app.example.test/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production';
const closers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((s) => s.close()));
});

async function mount(upstream: Handler, options: Partial<ProxyOptions<string>> = {}) {
  const ld = await startServer(upstream);
  closers.push(ld);
  const events: ProxyAuditEvent<string>[] = [];
  const proxy = createExpiringTargetsProxy<string>({
    apiKey: TOKEN,
    baseUrl: ld.url,
    basePath: '/ld-proxy',
    authorize: () => true,
    onAudit: (event) => void events.push(event),
    logLevel: 'off',
    ...options,
  });
  const get = async () => {
    const response = await proxy(new Request(SEGMENT));
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  return { get, events, ld };
}

describe('an answer cut off', () => {
  it.each([
    ['with a declared length', true],
    ['streamed', false],
  ])('%s: 502, could not be reached, and why in the event', async (_, declared) => {
    const { get, events } = await mount((_req, res, socket) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ...(declared && { 'Content-Length': '1000' }) });
      res.write('{"items":[');
      // Stop mid-body: the socket goes, the answer never completes.
      setImmediate(() => socket.destroy());
    });
    const answer = await get();
    expect([answer.status, JSON.parse(answer.text)]).toEqual([502, { code: 'bad_gateway', message: 'LaunchDarkly could not be reached' }]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'failed', status: 502 });
    expect(events[0]?.error).toMatch(/^LaunchDarkly could not be reached: Error: reading the answer: unreadable/);
  });
});

describe('statuses', () => {
  it.each([200, 299, 400, 404, 429, 503])('a %i is passed on', async (status) => {
    const { get, events } = await mount((_req, res) => void res.writeHead(status, { 'Content-Type': 'application/json' }).end('{"s":1}'));
    const answer = await get();
    expect([answer.status, answer.text, events[0]?.outcome]).toEqual([status, '{"s":1}', 'forwarded']);
  });

  it.each([300, 399])('a %i is a redirect: 502', async (status) => {
    const { get } = await mount((_req, res) => void res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}'));
    expect((await get()).status).toBe(502);
  });
});

describe('headers and body', () => {
  it('passes Content-Type, Retry-After, X-Request-Id and X-Ratelimit-*, redacted; nothing else; adds no-store and nosniff', async () => {
    const { get, events } = await mount(
      (_req, res) =>
        void res
          .writeHead(429, {
            'Content-Type': 'application/json',
            'Retry-After': '7',
            'X-Request-Id': `req-${TOKEN}`,
            'X-Ratelimit-Route-Remaining': '0',
            'Set-Cookie': 'ld=1',
            Server: 'ld',
            'X-Other': 'no',
          })
          .end(`{"message":"slow down ${TOKEN}"}`),
    );
    const answer = await get();
    expect(Object.fromEntries(answer.headers)).toEqual({
      'content-type': 'application/json',
      'retry-after': '7',
      'x-request-id': 'req-[redacted]',
      'x-ratelimit-route-remaining': '0',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(answer.text).toBe('{"message":"slow down [redacted]"}');
    expect(events[0]?.requestId).toBe('req-[redacted]');
  });

  it('a type that is not JSON is named, redacted and cut to 100 characters in the event', async () => {
    const type = `text/${'x'.repeat(150)}`;
    const { get, events } = await mount((_req, res) => void res.writeHead(200, { 'Content-Type': type }).end('<html>'));
    const answer = await get();
    expect([answer.status, JSON.parse(answer.text)]).toEqual([
      200,
      { code: 'upstream_not_json', message: 'LaunchDarkly answered 200 with a body that is not JSON' },
    ]);
    expect(events[0]?.error).toBe(`LaunchDarkly's 200 answer was ${type.slice(0, 100)}, replaced`);
  });
});
