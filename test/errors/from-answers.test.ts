import type http from 'node:http';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ApiConnectionError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  createExpiringTargetsClient,
  ExpiringTargetsError,
  LaunchDarklyApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  segmentInstructions,
  ServerError,
} from '../../src/index.js';
import { json, scriptedServer, startServer, type RecordedRequest } from '../support/http-server.js';

const TOKEN = 'fake-ld-token-12345678-abcd-secret';
const SEG_REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const FLAG_REF = { projectKey: 'p', environmentKey: 'e', flagKey: 'f' };
const add = segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: 1_924_905_600_000 });

/** What the server answers next; each test scripts it with `server.reply = …`. */
const server = scriptedServer();

const ld = (extra: Record<string, unknown> = {}) =>
  createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, maxRetries: 0, ...extra });

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** Every way an error is commonly turned into text, each named so a failure says which leaked. */
function renderings(error: unknown): Record<string, string> {
  const e = error as Error;
  return {
    message: e.message,
    string: String(e),
    stack: String(e.stack),
    json: JSON.stringify(e),
    inspect: inspect(e, { depth: 10, showHidden: false }),
    inspectHidden: inspect(e, { depth: 10, showHidden: true }),
  };
}

function expectNoToken(error: unknown, secret = TOKEN): void {
  for (const [how, text] of Object.entries(renderings(error))) {
    expect(text.includes(secret), `the token leaks through ${how}: ${text}`).toBe(false);
  }
}

describe('HTTP errors', () => {
  it('a JSON error body and X-Request-Id give status, code, errorId and requestId', async () => {
    server.reply = (_req, res) =>
      json(res, 404, { code: 'not_found', message: 'Unknown segment', id: 'err-7f3a' }, { 'X-Request-Id': 'req-abc-123' });
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(LaunchDarklyApiError);
    expect(error).toBeInstanceOf(ExpiringTargetsError);
    const e = error as NotFoundError;
    expect(e.name).toBe('NotFoundError');
    expect(e.status).toBe(404);
    expect(e.code).toBe('not_found');
    expect(e.errorId).toBe('err-7f3a');
    expect(e.requestId).toBe('req-abc-123');
    expect(e.method).toBe('GET');
    expect(e.message).toMatch(/^GET \S+ failed with 404 not_found: Unknown segment$/);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({
      name: 'NotFoundError',
      status: 404,
      code: 'not_found',
      errorId: 'err-7f3a',
      requestId: 'req-abc-123',
    });
  });

  // Each attempt's Response is rebuilt after buffering; the request URL must survive that.
  it('error.url and the message carry the request URL and path', async () => {
    server.reply = (_req, res) => json(res, 404, { code: 'not_found', message: 'Unknown segment' });
    const error = (await caught(ld().segments.get(SEG_REF))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('GET /api/v2/segments/p/s/expiring-targets/e failed with 404 not_found: Unknown segment');
    expect(error.url).toBe(`${server.url}/api/v2/segments/p/s/expiring-targets/e`);
  });

  it('Retry-After on a 429 is read into retryAfterMs', async () => {
    server.reply = (_req, res) => json(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'Retry-After': '7' });
    const error = await caught(ld().flags.get(FLAG_REF));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(7000);
    expect(server.requests.at(-1)!.method).toBe('GET');
  });

  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [429, RateLimitError],
    [500, ServerError],
    [503, ServerError],
  ])('%d maps to its class', async (status, ErrorClass) => {
    server.reply = (_req, res) => json(res, status, { code: 'c', message: 'm' });
    const before = server.requests.length;
    const error = await caught(ld().segments.patch(SEG_REF, [add]));
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as LaunchDarklyApiError).status).toBe(status);
    expect((error as LaunchDarklyApiError).method).toBe('PATCH');
    expect(server.requests.length).toBe(before + 1);
  });

  it('an HTML 502 body still gives ServerError with its status', async () => {
    server.reply = (_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>');
    };
    const before = server.requests.length;
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(502);
    expect((error as ServerError).code).toBeUndefined();
    expect((error as ServerError).message).toMatch(/^GET \S+ failed with 502/);
    expect(server.requests.length).toBe(before + 1);
  });

  it('an EMPTY 500 body still gives ServerError with its status', async () => {
    server.reply = (_req, res) => {
      res.writeHead(500, { 'Content-Length': '0' });
      res.end();
    };
    const error = await caught(ld().segments.patch(SEG_REF, [add]));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(500);
    expect((error as ServerError).code).toBeUndefined();
    expect((error as ServerError).message).toBe('PATCH /api/v2/segments/p/s/expiring-targets/e failed with 500');
  });

  it('a JSON body that is not an object (a string) is used as the message', async () => {
    server.reply = (_req, res) => json(res, 500, 'upstream exploded');
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(500);
  });

  it('a 418 gives a plain LaunchDarklyApiError, not a subclass', async () => {
    server.reply = (_req, res) => json(res, 418, { code: 'teapot', message: "I'm a teapot" });
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(LaunchDarklyApiError);
    expect(Object.getPrototypeOf(error)).toBe(LaunchDarklyApiError.prototype);
    expect((error as LaunchDarklyApiError).name).toBe('LaunchDarklyApiError');
    expect((error as LaunchDarklyApiError).status).toBe(418);
    expect((error as LaunchDarklyApiError).code).toBe('teapot');
    for (const Sub of [
      BadRequestError,
      AuthenticationError,
      PermissionDeniedError,
      NotFoundError,
      ConflictError,
      RateLimitError,
      ServerError,
    ]) {
      expect(error).not.toBeInstanceOf(Sub);
    }
  });
});

describe('token secrecy', () => {
  const echo = (status: number) => (req: RecordedRequest, res: http.ServerResponse) =>
    json(res, status, { code: 'unauthorized', message: `Invalid access token: ${String(req.headers.authorization)}`, id: 'err-1' });

  it('the test server really echoes the token (so the checks below can fail)', async () => {
    server.reply = echo(401);
    await caught(ld().segments.get(SEG_REF));
    expect(server.requests.at(-1)!.headers.authorization).toBe(TOKEN);
    const response = await fetch(`${server.url}/x`, { headers: { Authorization: TOKEN } });
    expect(await response.text()).toContain(TOKEN);
  });

  it.each([[401], [400], [500], [418]])('a %d whose JSON message echoes the token: no rendering of the error holds it', async (status) => {
    server.reply = echo(status);
    for (const call of [() => ld().segments.get(SEG_REF), () => ld().segments.patch(SEG_REF, [add])]) {
      const error = await caught(call());
      expect(error).toBeInstanceOf(LaunchDarklyApiError);
      expect((error as Error).message).toContain('Invalid access token: [redacted]');
      expectNoToken(error);
    }
  });

  it('an HTML error page that echoes the token: no rendering holds it', async () => {
    server.reply = (req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(`<html><body>Bad gateway. Your header: ${String(req.headers.authorization)}</body></html>`);
    };
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(ServerError);
    expect((error as Error).message).toContain('[redacted]');
    expectNoToken(error);
  });

  // A text body is truncated for the message: redaction must come first, or a token cut in half survives.
  it('a token cut by the 200-character truncation of a text body leaves no fragment', async () => {
    server.reply = (req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`${'x'.repeat(188)}${String(req.headers.authorization)}`);
    };
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(ServerError);
    expectNoToken(error, TOKEN.slice(0, 12));
  });

  // A proxy or gateway may reflect the Authorization header into any field the error keeps.
  it('a token echoed in code, id or X-Request-Id does not reach the error', async () => {
    server.reply = (req, res) => {
      const auth = String(req.headers.authorization);
      json(res, 400, { code: auth, message: 'bad', id: auth }, { 'X-Request-Id': auth });
    };
    const error = await caught(ld().segments.get(SEG_REF));
    expect(error).toBeInstanceOf(BadRequestError);
    expectNoToken(error);
  });

  it('a refused connection gives ApiConnectionError before-send, without the token', async () => {
    const closed = await startServer((_req, res) => json(res, 200, {}));
    const url = closed.url;
    await closed.close();
    const client = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: url, maxRetries: 0 });
    for (const call of [() => client.segments.get(SEG_REF), () => client.segments.patch(SEG_REF, [add])]) {
      const error = await caught(call());
      expect(error).toBeInstanceOf(ApiConnectionError);
      expect(error).not.toBeInstanceOf(LaunchDarklyApiError);
      const e = error as ApiConnectionError;
      expect(e.stage).toBe('before-send');
      expect(e.message).toMatch(/ECONNREFUSED/);
      expect(e.url).toBe(`${url}/api/v2/segments/p/s/expiring-targets/e`);
      expectNoToken(e);
    }
  });

  it('a refused connection is retried (before-send is safe) and still ends in ApiConnectionError', async () => {
    const closed = await startServer((_req, res) => json(res, 200, {}));
    const url = closed.url;
    await closed.close();
    const retries: unknown[] = [];
    const client = createExpiringTargetsClient({
      apiKey: TOKEN,
      baseUrl: url,
      maxRetries: 1,
      maxRetryDelayMs: 10,
      onRetry: (e) => retries.push(e),
    });
    const error = await caught(client.segments.patch(SEG_REF, [add]));
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(retries).toHaveLength(1);
    expect(JSON.stringify(retries)).not.toContain(TOKEN);
    expectNoToken(error);
  });
});

describe('configuration errors', () => {
  it('no apiKey and the default base URL', () => {
    expect(() => createExpiringTargetsClient()).toThrow(ConfigurationError);
    expect(() => createExpiringTargetsClient({})).toThrow(/apiKey is required/);
    expect(() => createExpiringTargetsClient({ apiKey: '' })).toThrow(ConfigurationError);
    expect(() => createExpiringTargetsClient({ instance: 'eu' })).toThrow(ConfigurationError);
  });

  it('an apiKey with plain http to a remote host', () => {
    let error: unknown;
    try {
      createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: 'http://example.com' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toBeInstanceOf(ExpiringTargetsError);
    expect((error as Error).message).toMatch(/http/);
    expect((error as Error).message).toContain('example.com');
    expectNoToken(error);
  });

  it('plain http is fine to loopback, and without a token (a proxy)', () => {
    expect(() => createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: 'http://127.0.0.1:1' })).not.toThrow();
    expect(() => createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: 'http://localhost:8080' })).not.toThrow();
    expect(() => createExpiringTargetsClient({ baseUrl: 'http://example.com' })).not.toThrow();
  });

  it.each([
    ['a token with a space', { apiKey: 'api-1 2', baseUrl: 'https://example.com' }],
    ['an unknown instance', { apiKey: TOKEN, instance: 'mars' }],
    ['a baseUrl that is not a URL', { apiKey: TOKEN, baseUrl: 'not a url' }],
    ['a non-http baseUrl', { apiKey: TOKEN, baseUrl: 'ftp://example.com' }],
    ['a negative maxRetries', { apiKey: TOKEN, maxRetries: -1 }],
    ['a zero timeout', { apiKey: TOKEN, timeoutMs: 0 }],
  ])('%s', (_name, options) => {
    expect(() => createExpiringTargetsClient(options as never)).toThrow(ConfigurationError);
  });

  describe('instances', () => {
    function recordingFetch() {
      const urls: string[] = [];
      const headers: Headers[] = [];
      return {
        urls,
        headers,
        fetch: async (input: Request | string | URL, init?: RequestInit) => {
          urls.push(input instanceof Request ? input.url : String(input));
          headers.push(new Headers(input instanceof Request ? input.headers : init?.headers));
          return new Response(JSON.stringify({ items: [] }), { status: 200 });
        },
      };
    }

    it.each([
      ['eu', 'https://app.eu.launchdarkly.com/api/v2/'],
      ['federal', 'https://app.launchdarkly.us/api/v2/'],
      ['commercial', 'https://app.launchdarkly.com/api/v2/'],
      [undefined, 'https://app.launchdarkly.com/api/v2/'],
    ] as const)('instance %s calls %s', async (instance, prefix) => {
      const rec = recordingFetch();
      const client = createExpiringTargetsClient({ apiKey: TOKEN, ...(instance && { instance }), fetch: rec.fetch });
      const result = await client.segments.get(SEG_REF);
      expect(result.items).toEqual([]);
      await client.flags.get(FLAG_REF);
      expect(rec.urls).toEqual([`${prefix}segments/p/s/expiring-targets/e`, `${prefix}flags/p/f/expiring-targets/e`]);
      expect(rec.urls.every((u) => u.startsWith(prefix))).toBe(true);
      expect(rec.headers[0]?.get('authorization')).toBe(TOKEN);
    });

    it('baseUrl wins over instance', async () => {
      const rec = recordingFetch();
      const client = createExpiringTargetsClient({
        apiKey: TOKEN,
        instance: 'eu',
        baseUrl: 'https://ld-proxy.example.com/',
        fetch: rec.fetch,
      });
      await client.segments.get(SEG_REF);
      expect(rec.urls).toEqual(['https://ld-proxy.example.com/api/v2/segments/p/s/expiring-targets/e']);
    });
  });
});
