/**
 * The proxy's abuse table through the packed package: the tarball installed into a consumer
 * project outside this repository (test/support/packed.ts; in CI, the tarball `npm pack` made in
 * the clean clone), and test/support/packed-proxy-abuse.mjs run there with plain `node`. It mounts
 * `ld-expiring-targets/proxy` on node:http through `createNodeListener` and calls the bare fetch
 * handler, in front of a scripted LaunchDarkly, and prints what came back; the rows of the issue's
 * table are asserted here. The in-process abuse tests (test/proxy/abuse-*.test.ts) pin the same
 * rules on the source in more detail.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedConsumer, preparePackedConsumer, run } from '../support/packed.js';
import { projectRoot } from '../support/project.js';

const TOKEN = 'api-packed-abuse-0000-token';

interface Seen {
  status: number;
  allow: string | null;
  nosniff: string | null;
  contentType: string | null;
  retryAfter: string | null;
  rateLimitReset: string | null;
  bytes: number;
  body: string;
}
interface Event {
  method: string;
  outcome: string;
  status: number;
  refusal?: string;
  error?: string;
  path: string;
}
interface Rows {
  hugeBody: Seen;
  nonJson: Seen;
  escapedToken: Seen;
  hangingAuthorize: Seen;
  trace?: Seen;
}
interface Report {
  requestBytes: number;
  node: Rows;
  nodeEvents: Event[];
  nodeAsked: string[];
  fetch: Rows;
  fetchEvents: Event[];
  fetchAsked: string[];
  reached: string[];
  stdout: string;
}

let consumer: PackedConsumer;
let report: Report;

beforeAll(async () => {
  consumer = await preparePackedConsumer();
  const script = path.join(consumer.dir, 'abuse.mjs');
  await copyFile(path.join(projectRoot, 'test/support/packed-proxy-abuse.mjs'), script);
  const { stdout } = await run(process.execPath, [script], { cwd: consumer.dir, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
  report = { ...(JSON.parse(stdout) as Omit<Report, 'stdout'>), stdout };
}, 300_000);

afterAll(async () => {
  await consumer?.cleanup();
});

describe.each(['node', 'fetch'] as const)('the packed proxy, through %s', (mount) => {
  const rows = () => report[mount];
  const events = () => report[mount === 'node' ? 'nodeEvents' : 'fetchEvents'];
  const eventOf = (project: string) => events().find((e) => e.path.includes(`/segments/${project}/`));

  it('an anonymous 1 MiB PATCH of empty instructions: a 400 of a few hundred bytes, authorize never asked', () => {
    expect(report.requestBytes).toBeGreaterThan(1_000_000);
    expect(report.requestBytes).toBeLessThanOrEqual(1024 * 1024);
    const { status, bytes, body } = rows().hugeBody;
    expect([status, JSON.parse(body)]).toEqual([
      400,
      { code: 'invalid_body', message: 'The body holds more than 1500 instructions; at most 1500 are accepted' },
    ]);
    expect(bytes).toBeLessThan(1024);
    expect(eventOf('default')).toMatchObject({ method: 'PATCH', outcome: 'refused', refusal: 'invalid-body', status: 400 });
  });

  it('an authorize that never settles: 504 at requestTimeoutMs, audited', () => {
    expect([rows().hangingAuthorize.status, JSON.parse(rows().hangingAuthorize.body)]).toEqual([
      504,
      { code: 'gateway_timeout', message: 'The request took too long' },
    ]);
    expect(eventOf('hang')).toMatchObject({
      outcome: 'failed',
      status: 504,
      error: "the request's deadline (300 ms) passed during authorize",
    });
  });

  it('a non-JSON answer from upstream: the proxy’s JSON error, with the status and the rate-limit headers kept', () => {
    const seen = rows().nonJson;
    expect(seen).toMatchObject({ status: 503, contentType: 'application/json', retryAfter: '7', rateLimitReset: '1900000000000' });
    expect(JSON.parse(seen.body)).toEqual({ code: 'upstream_not_json', message: 'LaunchDarkly answered 503 with a body that is not JSON' });
    expect(eventOf('html')).toMatchObject({
      outcome: 'forwarded',
      status: 503,
      error: "LaunchDarkly's 503 answer was text/html, replaced",
    });
  });

  it('the token echoed upstream in JSON escapes is redacted', () => {
    const seen = rows().escapedToken;
    expect([seen.status, JSON.parse(seen.body)]).toEqual([401, { message: 'token [redacted] is revoked' }]);
  });

  it('nosniff on every answer; refusals never reach upstream, and the token is nowhere in what was answered or audited', () => {
    const all = Object.values(rows());
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.map((seen) => seen.nosniff)).toEqual(all.map(() => 'nosniff'));
    expect(report[mount === 'node' ? 'nodeAsked' : 'fetchAsked'].sort()).toEqual(['echo', 'hang', 'html']);
    expect(report.reached.sort()).toEqual(['echo', 'echo', 'html', 'html']);
    const decoded = JSON.stringify({ rows: all.map((seen) => JSON.parse(seen.body) as unknown), events: events() });
    expect(decoded).not.toContain(TOKEN);
  });
});

describe('the packed proxy, TRACE through node:http', () => {
  it('405 with Allow: GET, PATCH, audited, not forwarded', () => {
    const trace = report.node.trace as Seen;
    expect([trace.status, trace.allow, trace.nosniff]).toEqual([405, 'GET, PATCH', 'nosniff']);
    expect(JSON.parse(trace.body)).toEqual({ code: 'method_not_allowed', message: 'Only GET, PATCH are forwarded' });
    expect(report.nodeEvents.find((e) => e.method === 'TRACE')).toMatchObject({
      outcome: 'refused',
      refusal: 'method-not-allowed',
      status: 405,
    });
  });
});
