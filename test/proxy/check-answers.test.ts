/**
 * The proxy's own checks and its CORS answers, word for word, through the bare fetch handler in
 * front of the fake LaunchDarkly: each refusal's status, body and headers, the declared-length
 * check at its edges, how the media type and fetch metadata are read, and which CORS headers
 * each kind of answer carries.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN_ORIGIN, APP_ORIGIN, handlersBeforeFakeLaunchDarkly, SEGMENT_URL, VALID_PATCH } from '../support/proxy-handler.js';

const MAX_BODY = 4096;
const proxyWith = handlersBeforeFakeLaunchDarkly('api-check-answers-0000-token', {
  allowedOrigins: [ADMIN_ORIGIN],
  maxBodyBytes: MAX_BODY,
});

describe('refusals, word for word', () => {
  it('a method not forwarded: 405 with Allow, and the methods named', async () => {
    const { send } = proxyWith();
    const answer = await send({ method: 'DELETE' });
    expect([answer.status, answer.body, answer.headers.get('allow'), answer.upstream]).toEqual([
      405,
      { code: 'method_not_allowed', message: 'Only GET, PATCH are forwarded' },
      'GET, PATCH',
      0,
    ]);
    expect(Object.fromEntries(answer.headers)).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  it('a method-override header: 405, said so', async () => {
    const { send } = proxyWith();
    const answer = await send({ headers: { 'X-HTTP-Method-Override': 'DELETE' } });
    expect([answer.status, answer.body, answer.headers.get('allow'), answer.upstream]).toEqual([
      405,
      { code: 'method_not_allowed', message: 'Method-override headers are not accepted' },
      'GET, PATCH',
      0,
    ]);
  });

  it('a foreign origin: 403, said so', async () => {
    const { send } = proxyWith();
    const answer = await send({ headers: { Origin: 'http://evil.example.test' } });
    expect([answer.status, answer.body, answer.upstream]).toEqual([
      403,
      { code: 'origin_not_allowed', message: 'This origin may not call the proxy' },
      0,
    ]);
  });

  it('a query parameter: 400, and the operation takes none', async () => {
    const { send } = proxyWith();
    const answer = await send({}, `${SEGMENT_URL}?limit=1`);
    expect([answer.status, answer.body, answer.upstream]).toEqual([
      400,
      { code: 'query_not_allowed', message: 'This operation takes no query parameters' },
      0,
    ]);
  });

  it('another media type, or an encoded body: 415 naming the one expected', async () => {
    const { patch, send } = proxyWith();
    const expected = {
      code: 'unsupported_media_type',
      message: 'The body must be application/json; domain-model=launchdarkly.semanticpatch, not encoded',
    };
    for (const headers of [{ 'Content-Type': 'text/plain' }, { 'Content-Encoding': 'gzip' }]) {
      const answer = await patch(VALID_PATCH, headers);
      expect([answer.status, answer.body, answer.upstream]).toEqual([415, expected, 0]);
    }
    // A PATCH without a Content-Type of its own (a string body would be given text/plain).
    const answer = await send({ method: 'PATCH', body: new Blob([VALID_PATCH]) });
    expect([answer.status, answer.body, answer.upstream]).toEqual([415, expected, 0]);
  });

  it('the media type is read without case and surrounding blanks', async () => {
    const { patch } = proxyWith();
    const answer = await patch(VALID_PATCH, { 'Content-Type': 'Application/JSON ; domain-model=launchdarkly.semanticpatch' });
    expect([answer.status, answer.upstream]).toEqual([200, 1]);
  });
});

describe('a declared Content-Length', () => {
  it('over the cap: 413 before the body is read, whatever the body holds', async () => {
    const { patch, events } = proxyWith();
    const answer = await patch(VALID_PATCH, { 'Content-Length': String(MAX_BODY + 1) });
    expect([answer.status, answer.body, answer.upstream]).toEqual([
      413,
      { code: 'body_too_large', message: `The body is larger than ${MAX_BODY} bytes` },
      0,
    ]);
    expect(events.map((e) => [e.refusal, e.instructionCount])).toEqual([['body-too-large', undefined]]);
  });

  it('at the cap, or not a plain number: left to the reading, which finds the body small', async () => {
    const { patch } = proxyWith();
    for (const length of [String(MAX_BODY), `x${MAX_BODY * 10}`, `${MAX_BODY * 10}x`, `${MAX_BODY * 10}.5`]) {
      const answer = await patch(VALID_PATCH, { 'Content-Length': length });
      expect([length, answer.status, answer.upstream]).toEqual([length, 200, 1]);
    }
  });

  it('on a GET, not checked', async () => {
    const { send } = proxyWith();
    const answer = await send({ headers: { 'Content-Length': String(MAX_BODY * 10) } });
    expect([answer.status, answer.upstream]).toEqual([200, 1]);
  });
});

describe('who counts as same-origin', () => {
  it('without Origin: a non-browser client, or the browser saying same-origin or none', async () => {
    const { send } = proxyWith();
    for (const site of [undefined, 'same-origin', 'none']) {
      const answer = await send({ headers: site === undefined ? {} : { 'Sec-Fetch-Site': site } });
      expect([site, answer.status]).toEqual([site, 200]);
    }
    for (const site of ['cross-site', 'same-site']) {
      const answer = await send({ headers: { 'Sec-Fetch-Site': site } });
      expect([site, answer.status, answer.upstream]).toEqual([site, 403, 0]);
    }
  });

  it('with an Origin: the page’s own, an allowed one, or one the browser calls same-origin', async () => {
    const { send } = proxyWith();
    expect((await send({ headers: { Origin: APP_ORIGIN } })).status).toBe(200);
    expect((await send({ headers: { Origin: ADMIN_ORIGIN } })).status).toBe(200);
    expect((await send({ headers: { Origin: 'http://other.example.test', 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(200);
    expect((await send({ headers: { Origin: 'http://other.example.test', 'Sec-Fetch-Site': 'same-site' } })).status).toBe(403);
  });
});

describe('CORS headers', () => {
  it('none for a same-origin page or a client without Origin', async () => {
    const { send } = proxyWith({ allowCredentials: true });
    for (const headers of [{}, { Origin: APP_ORIGIN }]) {
      const answer = await send({ headers });
      const cors = [...answer.headers.keys()].filter((name) => name.startsWith('access-control-') || name === 'vary');
      expect([answer.status, cors]).toEqual([200, []]);
    }
  });

  it('for an allowed origin: the origin, Vary, and only the headers it could not read anyway exposed', async () => {
    const { send } = proxyWith();
    const answer = await send({ headers: { Origin: ADMIN_ORIGIN } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ADMIN_ORIGIN);
    expect(answer.headers.get('vary')).toBe('Origin');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    // content-type and cache-control are safelisted; nosniff is not for scripts to read.
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });

  it('a refusal to an allowed origin exposes nothing; credentials only when allowed', async () => {
    const { send } = proxyWith({ allowCredentials: true });
    const answer = await send({ method: 'DELETE', headers: { Origin: ADMIN_ORIGIN } });
    expect([
      answer.status,
      answer.headers.get('access-control-allow-origin'),
      answer.headers.get('access-control-allow-credentials'),
    ]).toEqual([405, ADMIN_ORIGIN, 'true']);
    expect(answer.headers.has('access-control-expose-headers')).toBe(false);
  });
});

describe('preflights', () => {
  const preflight = (headers: Record<string, string>) => ({
    method: 'OPTIONS',
    headers: { Origin: ADMIN_ORIGIN, 'Access-Control-Request-Method': 'PATCH', ...headers },
  });

  it('allowed: 204 with the methods, the headers, a max-age, no-store and nosniff; header names read without case or blanks', async () => {
    const { send, events } = proxyWith({ allowedHeaders: ['X-Trace'] });
    const answer = await send(preflight({ 'Access-Control-Request-Headers': ' Content-Type ,X-TRACE,, ' }));
    expect(answer.status).toBe(204);
    expect(Object.fromEntries(answer.headers)).toEqual({
      'access-control-allow-origin': ADMIN_ORIGIN,
      vary: 'Origin',
      'access-control-allow-methods': 'GET, PATCH',
      'access-control-allow-headers': 'content-type, ld-api-version, x-launchdarkly-user-agent, x-trace',
      'access-control-max-age': '600',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(events.map((e) => [e.outcome, e.refusal, e.status])).toEqual([['preflight', undefined, 204]]);
  });

  it('refused: 403 with no-store and nosniff only, and the reason audited', async () => {
    const { send, events } = proxyWith();
    const cases: [Record<string, string>, string][] = [
      [{ Origin: 'http://evil.example.test' }, 'origin-not-allowed'],
      [{ 'Access-Control-Request-Method': 'DELETE' }, 'method-not-allowed'],
      [{ 'Access-Control-Request-Headers': 'x-unknown' }, 'headers-not-allowed'],
    ];
    for (const [headers, refusal] of cases) {
      const answer = await send(preflight(headers));
      expect([refusal, answer.status, Object.fromEntries(answer.headers)]).toEqual([
        refusal,
        403,
        { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      ]);
    }
    expect(events.map((e) => [e.outcome, e.refusal])).toEqual(cases.map(([, refusal]) => ['preflight', refusal]));
  });

  it('only an OPTIONS with Origin and Access-Control-Request-Method is a preflight', async () => {
    const { send } = proxyWith();
    // No requested method: a plain OPTIONS, which is not forwarded.
    expect((await send({ method: 'OPTIONS', headers: { Origin: ADMIN_ORIGIN } })).status).toBe(405);
    // A GET carrying the preflight's header is a GET.
    const get = await send({ headers: { Origin: ADMIN_ORIGIN, 'Access-Control-Request-Method': 'PATCH' } });
    expect([get.status, get.upstream]).toEqual([200, 1]);
  });
});
