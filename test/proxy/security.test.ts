/**
 * Deny by default: every request the proxy must refuse gets its status without a single request
 * reaching LaunchDarkly (a stateful fake that logs every request it receives). Requests go to
 * the proxy mounted in a real node:http server, with the target sent byte for byte.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyAuditEvent, ProxyAuthorization, ProxyCall, ProxyOptions } from '../../src/proxy/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type ProxyServer, type RawResponse, rawRequest, startProxyServer } from '../support/proxy-server.js';

const TOKEN = 'api-proxy-test-0000-token';
const ALLOWED_ORIGIN = 'http://admin.example.test';
const SEGMENT = '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production';
const FLAG = '/ld-proxy/api/v2/flags/default/new-checkout/expiring-targets/production';
const FUTURE = Date.parse('2031-01-01T00:00:00Z');
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const add = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: FUTURE };
const validPatch = JSON.stringify({ instructions: [add] });
const MAX_BODY = 4096;

let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
let server: ProxyServer;
const events: ProxyAuditEvent<string>[] = [];
/** What the next authorize call answers (reset before each test: allow). */
let decide: (call: ProxyCall) => ProxyAuthorization<string> | Promise<ProxyAuthorization<string>>;
let upstreamBefore = 0;

beforeAll(async () => {
  fake = await startFakeLaunchDarkly({ token: TOKEN });
  const proxy = createExpiringTargetsProxy<string>({
    apiKey: TOKEN,
    baseUrl: fake.url,
    basePath: '/ld-proxy',
    allowedOrigins: [ALLOWED_ORIGIN],
    maxBodyBytes: MAX_BODY,
    authorize: (call) => decide(call),
    onAudit: (event) => {
      events.push(event);
    },
  });
  server = await startProxyServer(proxy);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

beforeEach(() => {
  decide = () => ({ allow: true, actor: 'alice@example.test' });
  events.length = 0;
  upstreamBefore = fake.log.length;
});

const send = (target: string, options: Parameters<typeof rawRequest>[2] = {}) => rawRequest(server.url, target, options);
const patch = (body: string | Buffer, headers: Record<string, string> = {}, target = SEGMENT) =>
  send(target, { method: 'PATCH', headers: { 'Content-Type': SEMANTIC, ...headers }, body });

/** The answer was `status`, nothing reached the upstream, and one audit event says why. */
function expectRefused(response: RawResponse, status: number, audit: Partial<ProxyAuditEvent<string>>) {
  expect(response.status, response.body).toBe(status);
  expect(fake.log.length - upstreamBefore).toBe(0);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ status, ...audit });
}

describe('the valid requests, for contrast', () => {
  it('forwards a GET and a PATCH of a segment and of a flag', async () => {
    expect((await send(SEGMENT)).status).toBe(200);
    expect((await patch(validPatch)).status).toBe(200);
    expect((await send(FLAG)).status).toBe(200);
    const flagPatch = JSON.stringify({ instructions: [{ ...add, targetType: undefined, variationId: 'v1' }] });
    expect((await patch(flagPatch, {}, FLAG)).status).toBe(200);
    expect(fake.log.length - upstreamBefore).toBe(4);
    expect(events.map((e) => e.outcome)).toEqual(['forwarded', 'forwarded', 'forwarded', 'forwarded']);
  });
});

describe('other paths and path tricks: 404, nothing forwarded', () => {
  const notFound: [string, string][] = [
    ['the flag itself', '/ld-proxy/api/v2/flags/default/new-checkout'],
    ['members', '/ld-proxy/api/v2/members'],
    ['access tokens', '/ld-proxy/api/v2/tokens'],
    ['the segment list', '/ld-proxy/api/v2/segments/default/production'],
    ['no environment', '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets'],
    ['a segment after the path', `${SEGMENT}/extra`],
    ['a trailing slash', `${SEGMENT}/`],
    ['outside the mount point', '/api/v2/segments/default/beta-testers/expiring-targets/production'],
    ['a longer mount point', '/ld-proxyx/api/v2/segments/default/beta-testers/expiring-targets/production'],
    ['another case', '/ld-proxy/API/v2/segments/default/beta-testers/expiring-targets/production'],
    ['an encoded slash', '/ld-proxy/api/v2/segments/default%2Fother/beta-testers/expiring-targets/production'],
    ['an encoded slash, lower case', '/ld-proxy/api/v2/segments/default/beta%2ftesters/expiring-targets/production'],
    ['an encoded backslash', '/ld-proxy/api/v2/segments/default%5Cx/beta-testers/expiring-targets/production'],
    ['a backslash', '/ld-proxy/api/v2/segments/default\\x/beta-testers/expiring-targets/production'],
    ['a backslash for a slash', '/ld-proxy\\api/v2/segments/default/beta-testers/expiring-targets/production'],
    ['a double slash before the API', '/ld-proxy//api/v2/segments/default/beta-testers/expiring-targets/production'],
    ['an empty key', '/ld-proxy/api/v2/segments/default//expiring-targets/production'],
    ['a dot-dot segment', '/ld-proxy/api/v2/segments/default/../beta-testers/expiring-targets/production'],
    ['dot-dot into another allowed path', '/ld-proxy/api/v2/segments/x/y/../../../flags/default/new-checkout/expiring-targets/production'],
    ['dot-dot out to another API', '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/../../../../tokens'],
    ['an encoded dot-dot', '/ld-proxy/api/v2/segments/default/%2e%2e/beta-testers/expiring-targets/production'],
    ['a half-encoded dot-dot', '/ld-proxy/api/v2/segments/default/.%2E/beta-testers/expiring-targets/production'],
    ['a dot segment', '/ld-proxy/api/v2/segments/./default/beta-testers/expiring-targets/production'],
    ['a second /api/v2 as the keys', '/ld-proxy/api/v2/segments/api/v2/expiring-targets/production'],
    ['a second /api/v2 up front', '/ld-proxy/api/v2/api/v2/segments/default/beta-testers/expiring-targets/production'],
    ['a double-encoded slash', '/ld-proxy/api/v2/segments/default%252fx/beta-testers/expiring-targets/production'],
    ['a broken escape', '/ld-proxy/api/v2/segments/default%zz/beta-testers/expiring-targets/production'],
    ['an escape that is not UTF-8', '/ld-proxy/api/v2/segments/default%E0%A4/beta-testers/expiring-targets/production'],
    ['a NUL byte', '/ld-proxy/api/v2/segments/default%00/beta-testers/expiring-targets/production'],
    ['a line feed', '/ld-proxy/api/v2/segments/default%0A/beta-testers/expiring-targets/production'],
    ['a protocol-relative target', '//evil.example/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production'],
  ];
  it.each(notFound)('%s', async (_, target) => {
    expectRefused(await send(target), 404, { outcome: 'refused', refusal: 'not-found' });
  });

  it('an absolute-form target naming another host', async () => {
    expectRefused(await send(`http://evil.example${SEGMENT}`), 404, { outcome: 'refused', refusal: 'not-found' });
  });

  it('a PATCH to a path trick, with a valid body', async () => {
    expectRefused(await patch(validPatch, {}, '/ld-proxy/api/v2/segments/default/%2e%2e/beta-testers/expiring-targets/production'), 404, {
      refusal: 'not-found',
    });
  });

  it('answers a refusal with a generic body that does not echo the path', async () => {
    const response = await send('/ld-proxy/api/v2/tokens');
    expect(JSON.parse(response.body)).toEqual({ code: 'not_found', message: 'Not found' });
  });
});

describe('other methods and method overrides: 405 with Allow, nothing forwarded', () => {
  it.each(['DELETE', 'PUT', 'POST', 'HEAD', 'OPTIONS', 'PROPFIND'])('%s', async (method) => {
    const response = await send(SEGMENT, {
      method,
      ...(method !== 'HEAD' && method !== 'OPTIONS' && { headers: { 'Content-Type': SEMANTIC }, body: validPatch }),
    });
    expectRefused(response, 405, { refusal: 'method-not-allowed', method });
    expect(response.headers.allow).toBe('GET, PATCH');
  });

  it.each([
    ['X-HTTP-Method-Override', 'GET'],
    ['X-HTTP-Method', 'PATCH'],
    ['X-Method-Override', 'GET'],
  ])('%s: DELETE on a %s', async (header, method) => {
    const response =
      method === 'GET' ? await send(SEGMENT, { headers: { [header]: 'DELETE' } }) : await patch(validPatch, { [header]: 'DELETE' });
    expectRefused(response, 405, { refusal: 'method-not-allowed' });
    expect(response.headers.allow).toBe('GET, PATCH');
  });
});

describe('query strings: 400 (the document defines no query parameter), nothing forwarded', () => {
  it.each([
    ['GET', `${SEGMENT}?limit=1`],
    ['PATCH', `${SEGMENT}?_method=DELETE`],
    ['PATCH', `${SEGMENT}?dryRun=true`],
  ])('%s %s', async (method, target) => {
    const response = method === 'GET' ? await send(target) : await patch(validPatch, {}, target);
    expectRefused(response, 400, { refusal: 'query-not-allowed' });
  });
});

describe('bodies: oversized 413, unreadable or invalid 400, wrong type 415; nothing forwarded', () => {
  it('refuses a declared Content-Length over the cap before reading it', async () => {
    const body = JSON.stringify({ instructions: [add], comment: 'x'.repeat(MAX_BODY) });
    const response = await patch(body);
    expectRefused(response, 413, { refusal: 'body-too-large' });
    expect(response.headers.connection).toBe('close');
  });

  it('stops reading a chunked body at the cap and closes the connection', async () => {
    const { hostname, port } = new URL(server.url);
    const http = await import('node:http');
    let written = 0;
    const response = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request(
        { host: hostname, port, method: 'PATCH', path: SEGMENT, headers: { 'Content-Type': SEMANTIC }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', (error) => (written > MAX_BODY ? undefined : reject(error)));
      const chunk = Buffer.alloc(1024, 0x20);
      const pump = () => {
        // Up to 64 MiB, unless the answer (or a closed socket) comes first.
        while (written < 64 * 1024 * 1024 && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.write('{"instructions":[');
      pump();
      req.on('response', () => req.destroy());
    });
    expectRefused(response, 413, { refusal: 'body-too-large' });
    expect(response.headers.connection).toBe('close');
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  const invalid: [string, string, string][] = [
    ['not JSON', '{"instructions": [', 'The body is not JSON'],
    ['an array', JSON.stringify([add]), 'body must be an object'],
    ['no instructions', JSON.stringify({ comment: 'x' }), 'instructions must be an array'],
    ['an empty list', JSON.stringify({ instructions: [] }), 'must hold at least one instruction'],
    ['an unknown kind', JSON.stringify({ instructions: [{ ...add, kind: 'removeTargets' }] }), 'kind must be one of'],
    ['a flag field on a segment', JSON.stringify({ instructions: [{ ...add, variationId: 'v1' }] }), 'variationId is not a field'],
    ['a time in the past', JSON.stringify({ instructions: [{ ...add, value: 1_000 }] }), 'value is in the past'],
    ['a time as a string', JSON.stringify({ instructions: [{ ...add, value: '2031-01-01' }] }), 'value must be Unix milliseconds'],
    ['a comment that is not a string', JSON.stringify({ instructions: [add], comment: 42 }), 'comment must be a string'],
    [
      'an unknown top-level field',
      JSON.stringify({ instructions: [add], patch: [{ op: 'remove', path: '/rules' }] }),
      'patch is not a field',
    ],
    ['a __proto__ key', '{"instructions":[' + JSON.stringify(add) + '],"__proto__":{"admin":true}}', '__proto__ is not a field'],
    [
      'an instruction field named like an Object method',
      JSON.stringify({ instructions: [{ ...add, constructor: 1 }] }),
      'constructor is not a field',
    ],
    [
      'an instruction with a __proto__ key',
      '{"instructions":[{"__proto__":{"x":1},' + JSON.stringify(add).slice(1) + ']}',
      '__proto__ is not a field',
    ],
  ];
  it.each(invalid)('%s', async (_, body, message) => {
    const response = await patch(body);
    expectRefused(response, 400, { refusal: 'invalid-body' });
    const answer = JSON.parse(response.body) as { message: string; issues?: { field: string; message: string }[] };
    // The message says what kind of problem; each problem is listed once, in issues.
    const problems = answer.issues?.map((issue) => `${issue.field} ${issue.message}`) ?? [answer.message];
    expect(problems.join('\n')).toContain(message);
  });

  it('lists every validation issue, by instruction index', async () => {
    const body = JSON.stringify({ instructions: [add, { ...add, contextKey: '' }, { ...add, targetType: 'both' }] });
    const response = await patch(body);
    expectRefused(response, 400, { refusal: 'invalid-body' });
    expect(JSON.parse(response.body).issues).toEqual([
      { index: 1, field: 'contextKey', message: 'must be a non-empty string, got ""' },
      { index: 2, field: 'targetType', message: 'must be "included" or "excluded", got "both"' },
    ]);
  });

  it('refuses a body that is not UTF-8', async () => {
    expectRefused(await patch(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, { refusal: 'invalid-body' });
  });

  it.each([
    ['text/plain', {}],
    ['application/x-www-form-urlencoded', {}],
    [SEMANTIC, { 'Content-Encoding': 'gzip' }],
  ])('refuses Content-Type %s %j with 415', async (type, extra) => {
    expectRefused(await patch(validPatch, { 'Content-Type': type, ...extra }), 415, { refusal: 'unsupported-media-type' });
  });
});

describe('authorize: refused 403 (or its own Response), thrown 500; nothing forwarded', () => {
  it('false is 403', async () => {
    decide = () => false;
    const response = await send(SEGMENT);
    expectRefused(response, 403, { outcome: 'denied' });
    expect(JSON.parse(response.body)).toEqual({ code: 'forbidden', message: 'Not allowed' });
  });

  it('{ allow: false } is 403, and the audit event names the actor', async () => {
    decide = () => ({ allow: false, actor: 'mallory@example.test' });
    expectRefused(await patch(validPatch), 403, { outcome: 'denied', actor: 'mallory@example.test', operation: 'patch' });
  });

  it.each([
    ['undefined', undefined],
    ['a truthy string', 'yes'],
    ['1', 1],
    ['{ allow: "true" }', { allow: 'true' }],
  ])('%s is not a yes: 403', async (_, answer) => {
    decide = () => answer as unknown as boolean;
    expectRefused(await send(SEGMENT), 403, { outcome: 'denied' });
  });

  it('a Response is the answer, passed as is', async () => {
    decide = () =>
      new Response('{"login":"/signin"}', { status: 401, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Session' } });
    const response = await send(SEGMENT);
    expectRefused(response, 401, { outcome: 'answered' });
    expect(response.body).toBe('{"login":"/signin"}');
    expect(response.headers['www-authenticate']).toBe('Session');
  });

  it('a throw is a 500 without details; the audit event has the message', async () => {
    decide = () => {
      throw new Error('session store down at redis://10.0.0.7');
    };
    const response = await send(SEGMENT);
    expectRefused(response, 500, { outcome: 'failed' });
    expect(JSON.parse(response.body)).toEqual({ code: 'internal_error', message: 'Internal error' });
    expect(events[0]?.error).toContain('session store down');
  });

  it('a rejected promise is a 500 too', async () => {
    decide = () => Promise.reject(new TypeError('boom'));
    expectRefused(await patch(validPatch), 500, { outcome: 'failed' });
  });

  it('receives the decoded keys and the validated instructions', async () => {
    const calls: ProxyCall[] = [];
    decide = (call) => {
      calls.push(call);
      return false;
    };
    await patch(
      JSON.stringify({ instructions: [add], comment: 'why' }),
      {},
      '/ld-proxy/api/v2/segments/default/caf%C3%A9%20x/expiring-targets/production',
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      operation: 'patch',
      operationId: 'patchExpiringTargetsForSegment',
      resource: 'segment',
      projectKey: 'default',
      environmentKey: 'production',
      key: 'café x',
      instructions: [add],
      comment: 'why',
    });
    expect(calls[0]?.request).toBeInstanceOf(Request);
  });
});

describe('origins: only the same origin and allowedOrigins, nothing forwarded otherwise', () => {
  it('refuses a request from a foreign Origin with 403', async () => {
    expectRefused(await send(SEGMENT, { headers: { Origin: 'http://evil.example' } }), 403, {
      refusal: 'origin-not-allowed',
      origin: 'http://evil.example',
    });
  });

  it('refuses a PATCH from an opaque (null) origin', async () => {
    expectRefused(await patch(validPatch, { Origin: 'null' }), 403, { refusal: 'origin-not-allowed' });
  });

  it('refuses a cross-site navigation (Sec-Fetch-Site without Origin)', async () => {
    expectRefused(await send(SEGMENT, { headers: { 'Sec-Fetch-Site': 'cross-site' } }), 403, { refusal: 'origin-not-allowed' });
  });

  it('refuses the preflight of a foreign origin, without CORS headers', async () => {
    const response = await send(SEGMENT, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://evil.example',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expectRefused(response, 403, { outcome: 'preflight', refusal: 'origin-not-allowed' });
    expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses the preflight of an allowed origin for another method or header', async () => {
    const base = { Origin: ALLOWED_ORIGIN, 'Access-Control-Request-Method': 'DELETE' };
    expectRefused(await send(SEGMENT, { method: 'OPTIONS', headers: base }), 403, { outcome: 'preflight', refusal: 'method-not-allowed' });
    events.length = 0;
    const headers = {
      ...base,
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'content-type, x-http-method-override',
    };
    expectRefused(await send(SEGMENT, { method: 'OPTIONS', headers }), 403, { outcome: 'preflight', refusal: 'headers-not-allowed' });
  });

  it('answers the preflight of an allowed origin with exactly what the client needs', async () => {
    const response = await send(SEGMENT, {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED_ORIGIN,
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'content-type,ld-api-version,x-launchdarkly-user-agent',
      },
    });
    expectRefused(response, 204, { outcome: 'preflight' });
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(response.headers['access-control-allow-methods']).toBe('GET, PATCH');
    expect(response.headers['access-control-allow-headers']).toBe('content-type, ld-api-version, x-launchdarkly-user-agent');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toBe('Origin');
  });
});

describe('configuration: a proxy that would be unsafe is a ConfigurationError', () => {
  const base: ProxyOptions = { apiKey: TOKEN, baseUrl: 'http://127.0.0.1:1', authorize: () => true };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['without authorize', { authorize: undefined }, /authorize is required/],
    ['with authorize that is not a function', { authorize: true }, /authorize is required/],
    ['without apiKey', { apiKey: undefined }, /apiKey is required/],
    ['with an empty apiKey', { apiKey: '' }, /apiKey is required/],
    ['with a token over plain http to a remote host', { baseUrl: 'http://ld.example.com' }, /plain http/],
    ['with an unknown instance', { baseUrl: undefined, instance: 'moon' }, /instance must be one of/],
    ['with a wildcard origin', { allowedOrigins: ['*'] }, /allowedOrigins/],
    ['with an origin that has a path', { allowedOrigins: ['https://app.example.com/'] }, /allowedOrigins/],
    ['with a null origin', { allowedOrigins: ['null'] }, /allowedOrigins/],
    ['with a basePath that is not a path', { basePath: 'ld-proxy' }, /basePath/],
    ['with a basePath holding a dot segment', { basePath: '/a/../b' }, /basePath/],
    ['with a basePath holding a query', { basePath: '/ld?x=1' }, /basePath/],
    ['with maxBodyBytes 0', { maxBodyBytes: 0 }, /maxBodyBytes/],
    ['with a header name that is not one', { allowedHeaders: ['x bad'] }, /allowedHeaders/],
  ])('%s', (_, override, message) => {
    const create = () => createExpiringTargetsProxy({ ...base, ...override } as unknown as ProxyOptions);
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });

  it('never quotes the token in a configuration error', () => {
    try {
      createExpiringTargetsProxy({ ...base, baseUrl: 'http://ld.example.com' });
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(TOKEN);
    }
  });
});
