// openapi-fetch's documented middleware, registered with `client.raw.use(...)`: one that changes
// `request.headers` in place, one that hands back `new Request(request, { headers })`. Either way,
// for GET and PATCH, through the resources and through the raw client, every attempt (the retry
// after a 429 included) carries the middleware's header, the token, and on PATCH the
// semantic-patch Content-Type with the same body.
import { describe, expect, it } from 'vitest';
import type { Middleware } from 'openapi-fetch';
import { createExpiringTargetsClient, type ExpiringTargetsClient, type RetryEvent, segmentInstructions } from '../../src/index.js';
import { json, scriptedServer } from '../support/http-server.js';

const TOKEN = 'api-00000000-test-token-middleware';
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const PATH = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const ok = { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] };
const add = segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: Date.UTC(2031, 0, 1) });

const server = scriptedServer();

/** Answers the first request of each call 429 (retry at once), the second 200. */
function rateLimitedOnce() {
  let n = 0;
  server.reply = (req, res) => {
    if (n++ % 2 === 0) return json(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'Retry-After': '0' });
    json(res, 200, req.method === 'PATCH' ? ok : { items: [] });
  };
}

const middlewares: Record<string, (trace: string) => Middleware> = {
  'mutates request.headers': (trace) => ({
    onRequest({ request }) {
      request.headers.set('X-Trace', trace);
      return request;
    },
  }),
  'returns new Request(request, { headers })': (trace) => ({
    onRequest({ request }) {
      const headers = new Headers(request.headers);
      headers.set('X-Trace', trace);
      return new Request(request, { headers });
    },
  }),
};

type Call = (ld: ExpiringTargetsClient) => Promise<number>;
const calls: Record<'PATCH' | 'GET', Record<string, Call>> = {
  PATCH: {
    'ld.segments.patch': async (ld) => ((await ld.segments.patch(REF, [add], { comment: 'via middleware' })).ok ? 200 : 0),
    'ld.raw.PATCH': async (ld) =>
      (
        await ld.raw.PATCH(PATH, {
          params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } },
          body: { instructions: [add], comment: 'via middleware' },
        })
      ).response.status,
  },
  GET: {
    'ld.segments.get': async (ld) => ((await ld.segments.get(REF)).items.length === 0 ? 200 : 0),
    'ld.raw.GET': async (ld) =>
      (await ld.raw.GET(PATH, { params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } } })).response.status,
  },
};

const cases = Object.keys(middlewares).flatMap((style) =>
  (['PATCH', 'GET'] as const).flatMap((method) => Object.keys(calls[method]).map((via) => [style, method, via] as const)),
);

describe('middleware through client.raw.use', () => {
  it.each(cases)('a middleware that %s: %s through %s keeps the headers and the retry', async (style, method, via) => {
    rateLimitedOnce();
    const retries: RetryEvent[] = [];
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, onRetry: (e) => retries.push(e) });
    const trace = `${style}/${method}/${via}`.replace(/[^\w/.-]+/g, '-');
    let calledWith: (string | null)[] = [];
    const middleware = middlewares[style]!(trace);
    ld.raw.use({
      onRequest(params) {
        calledWith = [...calledWith, params.request.headers.get('content-type')];
        return middleware.onRequest?.(params);
      },
    });
    const before = server.requests.length;

    expect(await calls[method][via]!(ld)).toBe(200);

    const sent = server.requests.slice(before);
    expect(sent.map((r) => r.method)).toEqual([method, method]);
    expect(retries).toMatchObject([{ attempt: 1, status: 429, method }]);
    // Middleware runs once per call, above the retries: the retry reuses what it produced.
    expect(calledWith).toEqual([method === 'PATCH' ? SEMANTIC : null]);
    for (const r of sent) {
      expect(r.rawUrl).toBe('/api/v2/segments/p/s/expiring-targets/e');
      expect(r.headers['x-trace']).toBe(trace);
      expect(r.headers.authorization).toBe(TOKEN);
      expect(r.headers['ld-api-version']).toBe('20240415');
      if (method === 'PATCH') {
        expect(r.headers['content-type']).toBe(SEMANTIC);
        expect(r.json).toEqual({ instructions: [add], comment: 'via middleware' });
      } else {
        expect(r.headers['content-type']).toBeUndefined();
        expect(r.body).toBe('');
      }
    }
  });

  it('the check above can fail: a middleware that replaces every header loses the semantic-patch type', async () => {
    server.reply = (req, res) => json(res, 200, ok);
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    ld.raw.use({ onRequest: ({ request }) => new Request(request, { headers: { 'X-Trace': 'only' } }) });
    await ld.segments.patch(REF, [add]);
    const r = server.requests.at(-1)!;
    expect(r.headers['x-trace']).toBe('only');
    expect(r.headers['content-type']).not.toBe(SEMANTIC);
    expect(r.headers.authorization).toBeUndefined();
  });
});
