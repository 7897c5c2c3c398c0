/**
 * The Node adapter with any fetch handler, over real sockets: bodies stream both ways, the
 * request's signal fires when the client goes away, a thrown handler is a bare 500, and headers
 * such as several Set-Cookie survive.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { proxyServersPerTest, rawRequest } from '../support/proxy-server.js';

const serve = proxyServersPerTest();

describe('createNodeListener with any fetch handler', () => {
  it('streams a large request body to the handler and a large response back', async () => {
    const size = 6 * 1024 * 1024;
    const server = await serve(async (request) => {
      let received = 0;
      for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= received) return controller.close();
          const chunk = new Uint8Array(Math.min(256 * 1024, received - sent)).fill(0x61);
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { 'X-Received': String(received), 'X-Method': request.method } });
    });
    const response = await rawRequest(server.url, '/upload', { method: 'POST', body: Buffer.alloc(size, 0x62) });
    expect(response.headers['x-received']).toBe(String(size));
    expect(response.headers['x-method']).toBe('POST');
    expect(response.body.length).toBe(size);
    expect(response.headers['transfer-encoding']).toBe('chunked');
  });

  it('gives the handler the path, query, method and headers as sent', async () => {
    const server = await serve(async (request) =>
      Response.json({ url: request.url, method: request.method, custom: request.headers.get('x-custom'), body: await request.text() }),
    );
    const response = await rawRequest(server.url, '/a/b%20c?x=1&y=%2F', { method: 'PUT', headers: { 'X-Custom': 'yes' }, body: 'hello' });
    expect(JSON.parse(response.body)).toEqual({ url: `${server.url}/a/b%20c?x=1&y=%2F`, method: 'PUT', custom: 'yes', body: 'hello' });
  });

  it('keeps several Set-Cookie headers apart', async () => {
    const server = await serve(async () => {
      const headers = new Headers();
      headers.append('Set-Cookie', 'a=1; Path=/');
      headers.append('Set-Cookie', 'b=2; Path=/');
      return new Response('ok', { headers });
    });
    const response = await rawRequest(server.url, '/');
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  });

  it('answers HEAD without a body', async () => {
    const server = await serve(async () => new Response('body that must not be sent', { headers: { 'Content-Type': 'text/plain' } }));
    const response = await rawRequest(server.url, '/', { method: 'HEAD' });
    expect([response.status, response.body]).toEqual([200, '']);
  });

  it('answers a handler that throws with a 500 that says nothing of the error', async () => {
    const server = await serve(async () => {
      throw new Error('secret detail');
    });
    const response = await rawRequest(server.url, '/');
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ code: 'internal_error', message: 'Internal error' });
  });

  it('aborts the request’s signal when the client goes away', async () => {
    let aborted: () => void = () => undefined;
    const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
    const server = await serve(
      (request) =>
        new Promise<Response>((resolve) => {
          request.signal.addEventListener('abort', () => {
            aborted();
            resolve(new Response('late'));
          });
        }),
    );
    const { hostname, port } = new URL(server.url);
    const req = http.request({ host: hostname, port, path: '/', agent: false });
    req.on('error', () => undefined);
    req.end();
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.destroy();
    await abortSeen;
  });
});
