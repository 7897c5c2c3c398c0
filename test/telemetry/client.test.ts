// The client's logs and spans, driven against a real local server: what an operator can follow
// at each level, and the spans' names, kinds, attributes and parentage.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient, segmentInstructions } from '../../src/index.js';
import { json, scriptedServer } from '../support/http-server.js';
import { type CapturedTelemetry, captureLogger, captureTelemetry } from '../support/telemetry.js';

const server = scriptedServer();
const REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const TEMPLATE = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const T = Date.UTC(2031, 0, 1);
const add = (key: string) => segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: T });

let otel: CapturedTelemetry;
beforeAll(() => {
  otel = captureTelemetry();
});
afterEach(() => otel.reset());
afterAll(() => otel.stop());

// Far enough ahead that a loaded machine still reads the reset as in the future (30 ms was not:
// the wait then came from backing off).
const RESET_MS = 1000;

/** 429 (asking 20 ms by Retry-After), 429 (asking by X-Ratelimit-Reset), then the answer. */
function twoRateLimitsThenOk(final: (res: Parameters<typeof json>[0]) => void) {
  let n = 0;
  server.reply = (_req, res) => {
    n++;
    if (n === 1) return json(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'Retry-After': '0.02', 'X-Request-Id': 'req-1' });
    if (n === 2)
      return json(
        res,
        429,
        { code: 'rate_limited', message: 'slow down' },
        { 'X-Ratelimit-Reset': String(Date.now() + RESET_MS), 'X-Request-Id': 'req-2' },
      );
    return final(res);
  };
}

describe('a request that meets 429 twice, then succeeds', () => {
  it('logs, at debug, each attempt, each wait with its source and the final status', async () => {
    twoRateLimitsThenOk((res) => json(res, 200, { items: [], errors: [] }, { 'X-Request-Id': 'req-3' }));
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ apiKey: 'api-test-token-0001', baseUrl: server.url, logLevel: 'debug', logger });
    const result = await ld.segments.patch(REF, [add('alice'), add('bob')]);
    expect(result.ok).toBe(true);

    // A retry's sleep can end a timer tick before the gate it closed reopens; a gate wait logged
    // then is real but not what this test is about.
    const gateWaits = logger.lines.filter((l) => l.message.startsWith('waiting'));
    for (const line of gateWaits) expect(line.data?.source).toBe('rate-limit-gate');
    const debug = logger.lines.filter((l) => l.level === 'debug' && !gateWaits.includes(l)).map((l) => l.message);
    expect(debug).toEqual([
      `PATCH ${TEMPLATE}: attempt 1`,
      expect.stringMatching(/^attempt 1 answered 429 in \d+ ms$/),
      'retrying after attempt 1 (status 429) in 20 ms, as Retry-After asked',
      `PATCH ${TEMPLATE}: attempt 2`,
      expect.stringMatching(/^attempt 2 answered 429 in \d+ ms$/),
      expect.stringMatching(/^retrying after attempt 2 \(status 429\) in \d+ ms, as X-Ratelimit-Reset asked$/),
      `PATCH ${TEMPLATE}: attempt 3`,
      expect.stringMatching(/^attempt 3 answered 200 in \d+ ms$/),
    ]);
    const retries = logger.lines.filter((l) => l.message.startsWith('retrying'));
    expect(retries.map((l) => [l.data?.attempt, l.data?.source, l.data?.reason])).toEqual([
      [1, 'retry-after', 'status 429'],
      [2, 'x-ratelimit-reset', 'status 429'],
    ]);
    const info = logger.lines.filter((l) => l.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0]!.message).toMatch(
      /^patchExpiringTargetsForSegment default\/production\/beta-testers 200: 2 of 2 applied after 3 attempts in \d+ ms$/,
    );
    expect(info[0]!.data).toMatchObject({
      operation: 'patchExpiringTargetsForSegment',
      resource: 'segment',
      projectKey: 'default',
      environmentKey: 'production',
      segmentKey: 'beta-testers',
      instructions: 2,
      status: 200,
      attempts: 3,
      requestId: 'req-3',
      counts: { total: 2, applied: 2, failed: 0, unknown: 0, notAttempted: 0 },
    });
    expect(info[0]!.data?.durationMs).toEqual(expect.any(Number));
    expect(logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('makes one client span per attempt, resend_count 1 and 2, under one call span', async () => {
    twoRateLimitsThenOk((res) => json(res, 200, { items: [], errors: [] }, { 'X-Request-Id': 'req-3' }));
    const ld = createExpiringTargetsClient({ apiKey: 'api-test-token-0001', baseUrl: server.url, logLevel: 'off' });
    await ld.segments.patch(REF, [add('alice')]);
    const spans = otel.spans();
    const call = spans.find((s) => s.kind === SpanKind.INTERNAL);
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(spans).toHaveLength(4);
    expect(call?.name).toBe('patchExpiringTargetsForSegment');
    expect(call?.attributes).toMatchObject({
      'ld_expiring_targets.operation': 'patchExpiringTargetsForSegment',
      'ld_expiring_targets.segment_key': 'beta-testers',
      'ld_expiring_targets.attempts': 3,
      'ld_expiring_targets.instructions.applied': 1,
      'ld_expiring_targets.instructions.total': 1,
      'http.response.status_code': 200,
    });
    // As in the test above: a retry's sleep can end a timer tick before the gate it closed reopens,
    // and the wait for that tick is a real event of its own, not what this test is about.
    const events = call?.events.map((e) => [e.name, e.attributes?.['ld_expiring_targets.wait_source']]) ?? [];
    const gateWaits = events.filter(([, source]) => source === 'rate-limit-gate');
    for (const [name] of gateWaits) expect(name).toBe('rate_limit_wait');
    expect(events.filter((e) => !gateWaits.includes(e))).toEqual([
      ['retry', 'retry-after'],
      ['retry', 'x-ratelimit-reset'],
    ]);
    const { port } = new URL(server.url);
    expect(attempts.map((s) => s.name)).toEqual([`PATCH ${TEMPLATE}`, `PATCH ${TEMPLATE}`, `PATCH ${TEMPLATE}`]);
    expect(attempts.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
    expect(attempts.map((s) => s.attributes['http.response.status_code'])).toEqual([429, 429, 200]);
    expect(attempts.map((s) => s.attributes['error.type'])).toEqual(['429', '429', undefined]);
    expect(attempts.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    for (const span of attempts) {
      expect(span.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(call?.spanContext().traceId);
      expect(span.attributes).toMatchObject({
        'http.request.method': 'PATCH',
        'server.address': '127.0.0.1',
        'server.port': Number(port),
        'url.full': `${server.url}/api/v2/segments/default/beta-testers/expiring-targets/production`,
        'url.template': TEMPLATE,
      });
    }
    // Each attempt carried its own span's context to the server.
    const sent = server.requests.slice(-3).map((r) => r.headers.traceparent);
    expect(sent).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });
});

describe('a call made through client.raw', () => {
  it('names its attempt span by the operation’s path template and sets url.template, under a base path too', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [] });
    const ld = createExpiringTargetsClient({ apiKey: 'api-test-token-0001', baseUrl: `${server.url}/mounted/here`, logLevel: 'off' });
    await ld.raw.GET(TEMPLATE, { params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } } });
    const spans = otel.spans();
    const call = spans.find((s) => s.kind === SpanKind.INTERNAL);
    const attempt = spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(call?.name).toBe('GET');
    expect(attempt?.name).toBe(`GET /mounted/here${TEMPLATE}`);
    expect(attempt?.parentSpanContext?.spanId).toBe(call?.spanContext().spanId);
    expect(attempt?.attributes).toMatchObject({
      'url.full': `${server.url}/mounted/here/api/v2/segments/p/s/expiring-targets/e`,
      'url.template': `/mounted/here${TEMPLATE}`,
      'http.response.status_code': 200,
    });
  });
});
