/**
 * How the Node adapter turns what arrives on a socket into a Request and writes the answer back,
 * over real sockets with raw request heads: the URL from Host and the target, which methods get
 * a body, a body cut off by the client, the status text, when the connection is closed, HEAD,
 * and a streamed answer the client stops reading.
 */
import { describe, expect, it } from 'vitest';
import type { ExpiringTargetsProxy } from '../../src/proxy/index.js';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import { type ProxyServer, proxyServersPerTest, rawRequest } from '../support/proxy-server.js';
import { openRequest } from '../support/raw-socket.js';

const serve = proxyServersPerTest();

/** A handler that answers with what it was given. */
const echo: ExpiringTargetsProxy = async (request) =>
  Response.json({ url: request.url, method: request.method, body: request.body === null ? null : await request.text() });

/** One exchange with the head written as given (LF line ends), and the body if any. */
async function exchange(server: ProxyServer, head: string, body = '') {
  const { socket, answer } = openRequest(server.url, `${head}\n`);
  if (body !== '') socket.write(body);
  const result = await answer;
  socket.destroy();
  return result;
}

describe('the request the handler gets', () => {
  it('the URL is the Host and the target as sent; a Host that is not a host name becomes localhost', async () => {
    const server = await serve(echo);
    const url = async (host: string, target = '/a/b?c=1') =>
      JSON.parse((await rawRequest(server.url, target, { headers: { Host: host } })).body).url as string;
    expect(await url('app.example.test:8080')).toBe('http://app.example.test:8080/a/b?c=1');
    expect(await url('[::1]:3000')).toBe('http://[::1]:3000/a/b?c=1');
    expect(await url('app.example.test@evil.example')).toBe('http://localhost/a/b?c=1');
    expect(await url('evil.example/x')).toBe('http://localhost/a/b?c=1');
    // A target that is not a path (absolute form) is not resolved against anything: the root.
    expect(await url('app.example.test', 'http://evil.example/x')).toBe('http://app.example.test/');
  });

  it('GET and HEAD have no body; other methods get theirs', async () => {
    const server = await serve(echo);
    const get = await rawRequest(server.url, '/x', { headers: { Host: 'a.test' }, body: 'hello' });
    expect(JSON.parse(get.body)).toEqual({ url: 'http://a.test/x', method: 'GET', body: null });
    const del = await rawRequest(server.url, '/x', { method: 'DELETE', headers: { Host: 'a.test' }, body: 'hello' });
    expect(JSON.parse(del.body)).toEqual({ url: 'http://a.test/x', method: 'DELETE', body: 'hello' });
  });

  it('a body the client cuts off fails to read, with the reason', async () => {
    let failure: unknown;
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    let entered!: () => void;
    const handling = new Promise<void>((resolve) => (entered = resolve));
    const server = await serve(async (request) => {
      entered();
      try {
        await request.arrayBuffer();
      } catch (error) {
        failure = error;
      }
      settled();
      return new Response(null, { status: 204 });
    });
    const { socket } = openRequest(server.url, 'PUT /x HTTP/1.1\nHost: a.test\nContent-Length: 100\n\nonly part');
    await handling;
    socket.destroy();
    await done;
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).cause ?? failure)).toMatch(/the request ended before its body|terminated|aborted/);
  });
});

describe('the answer the client gets', () => {
  it('a Response’s status text is passed; the connection kept when the request was read in full', async () => {
    const server = await serve(
      async () => new Response('made', { status: 201, statusText: 'Made It', headers: { 'Content-Length': '4' } }),
    );
    const answer = await exchange(server, 'GET /x HTTP/1.1\nHost: a.test\n');
    expect(answer.head.split('\r\n')[0]).toBe('HTTP/1.1 201 Made It');
    expect(answer.head.toLowerCase()).not.toContain('connection: close');
    expect(answer.head.toLowerCase()).toContain('connection: keep-alive');
    expect(answer.body).toBe('made');
  });

  it('a handler that throws: 500 Internal Server Error, JSON, the connection closed', async () => {
    const server = await serve(async () => {
      throw new Error('boom');
    });
    const answer = await exchange(server, 'GET /x HTTP/1.1\nHost: a.test\n');
    expect(answer.head.split('\r\n')[0]).toBe('HTTP/1.1 500 Internal Server Error');
    expect(answer.head.toLowerCase()).toContain('content-type: application/json');
    expect(answer.head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(answer.body)).toEqual({ code: 'internal_error', message: 'Internal error' });
  });

  it('the proxy’s own answers: a body with its length, none for HEAD; close only when the body was not read', async () => {
    const proxy = createExpiringTargetsProxy({
      apiKey: 'api-listener-0000-token',
      baseUrl: 'http://127.0.0.1:9',
      authorize: () => false,
      logLevel: 'off',
    });
    const server = await serve(proxy);
    const notFound = await rawRequest(server.url, '/nowhere');
    expect([notFound.status, notFound.headers['content-length']]).toEqual([404, String(Buffer.byteLength(notFound.body))]);
    const kept = await exchange(server, 'GET /nowhere HTTP/1.1\nHost: a.test\n');
    expect([kept.status, kept.head.toLowerCase().includes('connection: keep-alive')]).toEqual([404, true]);
    expect(JSON.parse(notFound.body)).toEqual({ code: 'not_found', message: 'Not found' });
    const head = await rawRequest(server.url, '/nowhere', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([404, '', notFound.headers['content-length']]);
    // Refused on its declared length before the body arrives: the rest is not read, the connection closed.
    const big = openRequest(
      server.url,
      'PATCH /api/v2/segments/p/s/expiring-targets/e HTTP/1.1\nHost: a.test\nContent-Type: application/json; domain-model=launchdarkly.semanticpatch\nContent-Length: 99999999\n\n{',
    );
    const refused = await big.answer;
    big.socket.destroy();
    expect(refused.status).toBe(413);
    expect(refused.head.toLowerCase()).toContain('connection: close');
  });

  it('a streamed answer the client stops reading is cancelled', async () => {
    let cancelled!: () => void;
    const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
    const server = await serve(async () => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
        },
        cancel() {
          cancelled();
        },
      });
      return new Response(body);
    });
    const { socket } = openRequest(server.url, 'GET /x HTTP/1.1\nHost: a.test\n\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.destroy();
    await wasCancelled;
  });
});
