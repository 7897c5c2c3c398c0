/**
 * The proxy mounted in a real node:http server on 127.0.0.1, and a raw HTTP request helper that
 * sends the request target exactly as given (fetch would normalise `..`, `%2e` and backslashes
 * before anything reaches the server).
 */
import http from 'node:http';
import { afterEach } from 'vitest';
import { createNodeListener } from '../../src/proxy/index.js';
import type { ExpiringTargetsProxy } from '../../src/proxy/index.js';
import { listenOnFreePort } from './listen.js';

export interface ProxyServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `proxy` through the Node adapter; `wrap` can stand in for a framework around it. */
export async function startProxyServer(
  proxy: ExpiringTargetsProxy,
  wrap?: (listener: ReturnType<typeof createNodeListener>) => http.RequestListener,
): Promise<ProxyServer> {
  const listener = createNodeListener(proxy);
  const server = http.createServer(wrap ? wrap(listener) : listener);
  return listenOnFreePort(server);
}

/**
 * For the calling test file: serves a handler as `startProxyServer` does, and stops every server
 * so made after the test that made it.
 */
export function proxyServersPerTest(): (proxy: ExpiringTargetsProxy) => Promise<ProxyServer> {
  const servers: ProxyServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (proxy) => {
    const server = await startProxyServer(proxy);
    servers.push(server);
    return server;
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the target sent verbatim; a fresh connection each time. */
export function rawRequest(
  base: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  // Node frames a DELETE's or an OPTIONS's body only when told its length.
  const length = options.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(options.body)) };
  const headers = { ...length, ...options.headers };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: options.method ?? 'GET', path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
