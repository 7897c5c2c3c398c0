import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient, flagInstructions, segmentInstructions, VERSION } from '../../src/index.js';
import { json, startServer, type TestServer } from '../support/http-server.js';
import pkg from '../../package.json' with { type: 'json' };

const TOKEN = 'api-00000000-test-token-wire';
let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    json(res, 200, { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] });
  });
});
afterAll(() => server.close());

const add = segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: 1_924_905_600_000 });

describe('on the wire', () => {
  it('a segment PATCH carries the semantic-patch type, the raw token, the API version and the agent', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    await ld.segments.patch({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, [add], { comment: 'beta ends' });
    const req = server.requests.at(-1)!;
    expect(req.method).toBe('PATCH');
    expect(req.rawUrl).toBe('/api/v2/segments/p/s/expiring-targets/e');
    expect(req.headers['content-type']).toBe('application/json; domain-model=launchdarkly.semanticpatch');
    expect(req.headers.authorization).toBe(TOKEN);
    expect(req.headers['ld-api-version']).toBe('20240415');
    expect(req.headers['x-launchdarkly-user-agent']).toBe(`ld-expiring-targets/${pkg.version}`);
    expect(req.json).toEqual({ instructions: [add], comment: 'beta ends' });
  });

  it('keeps VERSION equal to package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('a GET has no Content-Type and the configured API version', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, apiVersion: 'beta' });
    await ld.flags.get({ projectKey: 'p', environmentKey: 'e', flagKey: 'f' });
    const req = server.requests.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.rawUrl).toBe('/api/v2/flags/p/f/expiring-targets/e');
    expect(req.headers['content-type']).toBeUndefined();
    expect(req.headers['ld-api-version']).toBe('beta');
  });

  it.each([
    ['a/b', 'a%2Fb'],
    ['../x', '..%2Fx'],
    ['ü', '%C3%BC'],
    ['%2F', '%252F'],
    ['a b?c#d', 'a%20b%3Fc%23d'],
  ])('percent-encodes the key %j so it never changes the path', async (key, encoded) => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    await ld.segments.patch({ projectKey: key, environmentKey: key, segmentKey: key }, [add]);
    expect(server.requests.at(-1)!.rawUrl).toBe(`/api/v2/segments/${encoded}/${encoded}/expiring-targets/${encoded}`);
    await ld.flags.get({ projectKey: 'p', environmentKey: 'e', flagKey: key });
    expect(server.requests.at(-1)!.rawUrl).toBe(`/api/v2/flags/p/${encoded}/expiring-targets/e`);
  });

  it('refuses "." and ".." as keys before sending anything', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    const before = server.requests.length;
    await expect(ld.segments.get({ projectKey: 'p', environmentKey: 'e', segmentKey: '..' })).rejects.toThrow(
      /segmentKey cannot be "\.\."/,
    );
    await expect(ld.flags.get({ projectKey: '.', environmentKey: '', flagKey: 'f' })).rejects.toMatchObject({
      name: 'InstructionValidationError',
      issues: [
        { field: 'projectKey', message: 'cannot be "."' },
        { field: 'environmentKey', message: 'must be a non-empty string, got ""' },
      ],
    });
    expect(server.requests.length).toBe(before);
  });

  it('the raw openapi-fetch client sends semantic patch too, with the same headers', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    const fi = flagInstructions.remove({ contextKind: 'user', contextKey: 'bob', variationId: 'v1' });
    const { response } = await ld.raw.PATCH('/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}', {
      params: { path: { projectKey: 'p', featureFlagKey: 'f', environmentKey: 'e' } },
      body: { instructions: [fi] },
    });
    expect(response.status).toBe(200);
    const req = server.requests.at(-1)!;
    expect(req.headers['content-type']).toBe('application/json; domain-model=launchdarkly.semanticpatch');
    expect(req.headers.authorization).toBe(TOKEN);
  });

  it('raw middleware sees the semantic-patch headers and may hand back a real Request', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    const seen: (string | null)[] = [];
    ld.raw.use({
      async onRequest({ request }) {
        seen.push(request.headers.get('content-type'));
        const headers = new Headers(request.headers);
        headers.set('X-Trace', 'abc');
        return new Request(request.url, { method: request.method, headers, body: await request.text() });
      },
    });
    await ld.segments.patch({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, [add], { comment: 'via middleware' });
    expect(seen).toEqual(['application/json; domain-model=launchdarkly.semanticpatch']);
    const req = server.requests.at(-1)!;
    expect(req.headers['x-trace']).toBe('abc');
    expect(req.headers['content-type']).toBe('application/json; domain-model=launchdarkly.semanticpatch');
    expect(req.json).toEqual({ instructions: [add], comment: 'via middleware' });
  });

  it('uses an injected fetch, and sends no Authorization when there is no token (proxy mode)', async () => {
    const seen: string[] = [];
    const ld = createExpiringTargetsClient({
      baseUrl: `${server.url}/`,
      fetch: (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    await ld.segments.get({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' });
    expect(seen).toEqual([`${server.url}/api/v2/segments/p/s/expiring-targets/e`]);
    expect(server.requests.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('sends the same bytes whether or not middleware is registered (the typed calls then go through openapi-fetch)', async () => {
    const sent = async (withMiddleware: boolean) => {
      const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, headers: { 'X-Team': 'growth' } });
      if (withMiddleware) ld.raw.use({ onRequest: () => undefined });
      const ref = { projectKey: 'a/b', environmentKey: 'ü', segmentKey: 's s' };
      await ld.segments.patch(ref, [add], { comment: 'same' });
      const patch = server.requests.at(-1)!;
      await ld.flags.get({ projectKey: 'p', environmentKey: 'e', flagKey: '%2F' });
      const get = server.requests.at(-1)!;
      const { host, connection, ...headersOfPatch } = patch.headers;
      const { host: h2, connection: c2, ...headersOfGet } = get.headers;
      return [patch.method, patch.rawUrl, headersOfPatch, patch.body, get.method, get.rawUrl, headersOfGet, get.body];
    };
    const direct = await sent(false);
    expect(direct[1]).toBe('/api/v2/segments/a%2Fb/s%20s/expiring-targets/%C3%BC');
    expect(direct[2]).toMatchObject({ 'x-team': 'growth', 'content-type': 'application/json; domain-model=launchdarkly.semanticpatch' });
    expect(await sent(true)).toEqual(direct);
  });

  it('raw refuses a middleware that is not one at once, and after eject the typed calls leave it out', async () => {
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url });
    expect(() => ld.raw.use('nope' as never)).toThrow(/middleware must be an object with onRequest, onResponse or onError/);
    const seen: string[] = [];
    const middleware = { onRequest: ({ request }: { request: Request }) => void seen.push(request.method) };
    ld.raw.use(middleware);
    await ld.segments.get({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' });
    ld.raw.eject(middleware);
    await ld.segments.get({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' });
    await ld.raw.GET('/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}', {
      params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } },
    });
    expect(seen).toEqual(['GET']);
    ld.raw.use(middleware);
    await ld.flags.get({ projectKey: 'p', environmentKey: 'e', flagKey: 'f' });
    expect(seen).toEqual(['GET', 'GET']);
  });
});
