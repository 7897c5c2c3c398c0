// The proxy's server spans and log lines, with a real client in front and a real upstream
// behind: trace context continues through the proxy only when it is told to trust it.
import { SpanKind } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import { json, startServer, type TestServer } from '../support/http-server.js';
import { type ProxyServer, startProxyServer } from '../support/proxy-server.js';
import { type CapturedTelemetry, captureLogger, captureTelemetry } from '../support/telemetry.js';

const REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const ROUTE = '/ld/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';

let upstream: TestServer;
let otel: CapturedTelemetry;
const proxies: ProxyServer[] = [];
beforeAll(async () => {
  otel = captureTelemetry();
  upstream = await startServer((_req, res) => json(res, 200, { items: [] }, { 'X-Request-Id': 'ld-req-9' }));
});
afterEach(() => otel.reset());
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await upstream.close();
  await otel.stop();
});

async function proxyWith(options: Partial<Parameters<typeof createExpiringTargetsProxy>[0]>): Promise<string> {
  const proxy = createExpiringTargetsProxy({
    apiKey: 'api-proxy-token-0002',
    baseUrl: upstream.url,
    basePath: '/ld',
    authorize: () => true,
    logLevel: 'off',
    ...options,
  });
  const server = await startProxyServer(proxy);
  proxies.push(server);
  return `${server.url}/ld`;
}

/** The browser client's attempt, the proxy's server span, and the proxy's own call to LaunchDarkly under it. */
function spansOfOneGet() {
  const spans = otel.spans();
  const server = spans.find((s) => s.kind === SpanKind.SERVER);
  expect(server).toBeDefined();
  const underServer = (s: (typeof spans)[number]) => s.parentSpanContext?.spanId === server!.spanContext().spanId;
  const attempt = spans.find((s) => s.kind === SpanKind.CLIENT && !underServer(s));
  const upstreamCall = spans.find((s) => s.kind === SpanKind.CLIENT && underServer(s));
  expect(attempt).toBeDefined();
  expect(upstreamCall).toBeDefined();
  return { server: server!, attempt: attempt!, upstreamCall: upstreamCall! };
}

describe('the proxy behind an instrumented client', () => {
  it('answers with a server span named by its route, linked (not parented) to the caller by default', async () => {
    const ld = createExpiringTargetsClient({ baseUrl: await proxyWith({}), logLevel: 'off' });
    await ld.segments.get(REF);
    const { server, attempt } = spansOfOneGet();
    expect(server.name).toBe(`GET ${ROUTE}`);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': ROUTE,
      'url.path': '/ld/api/v2/segments/default/beta-testers/expiring-targets/production',
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
    expect(server.spanContext().traceId).not.toBe(attempt.spanContext().traceId);
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.links.map((l) => l.context.spanId)).toEqual([attempt.spanContext().spanId]);
  });

  it('makes its call to LaunchDarkly a client span under the server span, whose context LaunchDarkly receives', async () => {
    const ld = createExpiringTargetsClient({ baseUrl: await proxyWith({}), logLevel: 'off' });
    upstream.requests.length = 0;
    await ld.segments.get(REF);
    const { server, upstreamCall } = spansOfOneGet();
    const template = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
    expect(upstreamCall.name).toBe(`GET ${template}`);
    expect(upstreamCall.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(upstreamCall.attributes).toMatchObject({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(upstream.url).port),
      'url.full': `${upstream.url}/api/v2/segments/default/beta-testers/expiring-targets/production`,
      'url.template': template,
      'http.response.status_code': 200,
    });
    const [traceparent] = upstream.requests.map((r) => r.headers.traceparent);
    expect(traceparent).toBe(`00-${upstreamCall.spanContext().traceId}-${upstreamCall.spanContext().spanId}-01`);
  });

  it('marks the call to LaunchDarkly failed when it cannot be reached', async () => {
    const closed = await startServer((_req, res) => json(res, 200, {}));
    await closed.close();
    const proxy = createExpiringTargetsProxy({
      apiKey: 'api-proxy-token-0002',
      baseUrl: closed.url,
      authorize: () => true,
      logLevel: 'off',
    });
    const answer = await proxy(new Request('http://127.0.0.1/api/v2/segments/p/s/expiring-targets/e'));
    expect(answer.status).toBe(502);
    const server = otel.spans().find((s) => s.kind === SpanKind.SERVER);
    const upstreamCall = otel.spans().find((s) => s.kind === SpanKind.CLIENT);
    expect(upstreamCall?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(upstreamCall?.attributes['error.type']).toBe('Error');
    expect(upstreamCall?.status.message).toMatch(/^LaunchDarkly could not be reached/);
  });

  it('continues the caller’s trace when trustTraceparent is set', async () => {
    const ld = createExpiringTargetsClient({ baseUrl: await proxyWith({ trustTraceparent: true }), logLevel: 'off' });
    await ld.segments.get(REF);
    const { server, attempt } = spansOfOneGet();
    expect(server.spanContext().traceId).toBe(attempt.spanContext().traceId);
    expect(server.parentSpanContext?.spanId).toBe(attempt.spanContext().spanId);
    expect(server.links).toEqual([]);
  });

  it('records a server duration for each request, grouped by route and status', async () => {
    const ld = createExpiringTargetsClient({ baseUrl: await proxyWith({}), logLevel: 'off' });
    await ld.segments.get(REF);
    const metrics = (await otel.metrics()).scopeMetrics.flatMap((s) => s.metrics);
    const server = metrics.find((m) => m.descriptor.name === 'http.server.request.duration');
    const client = metrics.find((m) => m.descriptor.name === 'http.client.request.duration');
    expect(server?.descriptor.unit).toBe('s');
    expect(server?.dataPoints.map((p) => p.attributes)).toContainEqual({
      'http.request.method': 'GET',
      'http.route': ROUTE,
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
    expect(client?.dataPoints.map((p) => p.attributes)).toContainEqual(
      expect.objectContaining({ 'http.request.method': 'GET', 'url.template': ROUTE, 'http.response.status_code': 200 }),
    );
  });
});

describe("the proxy's log lines", () => {
  it('writes one info line per request with what the audit event knows, and never the headers', async () => {
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ baseUrl: await proxyWith({ logLevel: 'info', logger }), logLevel: 'off' });
    await ld.segments.get(REF);
    expect(logger.lines).toHaveLength(1);
    const [line] = logger.lines;
    expect(line!.level).toBe('info');
    expect(line!.message).toMatch(/^proxy getExpiringTargetsForSegment forwarded 200 in \d+ ms$/);
    expect(line!.data).toMatchObject({
      outcome: 'forwarded',
      status: 200,
      projectKey: 'default',
      key: 'beta-testers',
      requestId: 'ld-req-9',
    });
    expect(JSON.stringify(line)).not.toMatch(/authorization|traceparent/i);
  });

  it('warns when LaunchDarkly cannot be reached', async () => {
    const closed = await startServer((_req, res) => json(res, 200, {}));
    await closed.close();
    const logger = captureLogger();
    const proxy = createExpiringTargetsProxy({
      apiKey: 'api-proxy-token-0002',
      baseUrl: closed.url,
      authorize: () => true,
      logLevel: 'warn',
      logger,
    });
    const answer = await proxy(new Request('http://127.0.0.1/api/v2/segments/p/s/expiring-targets/e'));
    expect(answer.status).toBe(502);
    expect(logger.lines.map((l) => [l.level, l.data?.outcome, l.data?.status])).toEqual([['warn', 'failed', 502]]);
  });

  it('logs an error when authorize throws', async () => {
    const logger = captureLogger();
    const proxy = createExpiringTargetsProxy({
      apiKey: 'api-proxy-token-0002',
      baseUrl: upstream.url,
      authorize: () => {
        throw new Error('session store down');
      },
      logger,
    });
    await proxy(new Request('http://127.0.0.1/api/v2/segments/p/s/expiring-targets/e'));
    expect(logger.lines.map((l) => [l.level, l.data?.error])).toEqual([['error', 'authorize threw Error: session store down']]);
  });
});

describe('an upstream that echoes the proxy’s token', () => {
  it('leaves it in no log line, span or metric attribute', async () => {
    const token = 'api-proxy-echo-TOKEN-55aa';
    const echo = await startServer((req, res) => {
      const heard = String(req.headers.authorization);
      json(res, 503, { code: heard, message: `no ${heard}` }, { 'X-Request-Id': heard, 'Retry-After': heard });
    });
    try {
      const logger = captureLogger();
      const proxy = createExpiringTargetsProxy({
        apiKey: token,
        baseUrl: echo.url,
        basePath: '/ld',
        authorize: () => true,
        logLevel: 'debug',
        logger,
      });
      const server = await startProxyServer(proxy);
      proxies.push(server);
      // The token also in the path (a key mistyped as it): the browser's own spans show what it
      // sent, the proxy's must not.
      const ld = createExpiringTargetsClient({ baseUrl: `${server.url}/ld`, logLevel: 'off', maxRetries: 1, maxRetryDelayMs: 5 });
      await expect(ld.segments.get({ ...REF, segmentKey: token })).rejects.toThrow(/503/);
      expect(echo.requests.every((r) => r.headers.authorization === token)).toBe(true);
      const texts = {
        'proxy log lines': JSON.stringify(logger.lines),
        'proxy spans': JSON.stringify(
          otel
            .spans()
            // The proxy's: its server spans and the client spans of its calls to LaunchDarkly under them.
            .filter(
              (s) =>
                s.kind === SpanKind.SERVER ||
                otel.spans().some((p) => p.kind === SpanKind.SERVER && p.spanContext().spanId === s.parentSpanContext?.spanId),
            )
            .map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
        ),
        metrics: JSON.stringify(
          (await otel.metrics()).scopeMetrics.flatMap((m) => m.metrics.map((x) => x.dataPoints.map((p) => p.attributes))),
        ),
      };
      for (const [what, text] of Object.entries(texts)) expect(text.includes(token), `${what}: ${text}`).toBe(false);
      expect(texts['proxy log lines']).toContain('[redacted]');
    } finally {
      await echo.close();
    }
  });
});
