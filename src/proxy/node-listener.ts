/**
 * Runs a fetch handler in Node's `http` server (and Express, Connect, Fastify's raw mode): turns
 * the incoming message into a `Request` and writes the `Response` back.
 *
 * Why a small adapter of our own: the package has one runtime dependency, and what this needs is
 * a few dozen lines. It streams both ways with backpressure: the request body is handed over as
 * a stream that pauses the socket while the handler is not reading (so the proxy's size cap holds
 * while reading, not after buffering; the stream holds a few chunks at most, each a copy when it
 * is small, so a body sent a byte at a time does not keep the socket's buffers alive), and the
 * response is written chunk by chunk, waiting for `drain`. When the answer goes out before the
 * request body was read in full (a 413, a 405, a 408), the connection is closed after it instead
 * of reading the rest. The request is an `AdaptedRequest` (src/core/internal/): it keeps the target as
 * it arrived and a `TRACE`, which a fetch `Request` cannot carry, and lets the proxy hand back
 * its answer as plain data.
 *
 * Node's types are described structurally, so importing this subpath needs no `@types/node`.
 */
import { AdaptedRequest, FORBIDDEN_METHODS, type PlainAnswer } from '../core/internal/adapted-request.js';
import type { ExpiringTargetsProxy } from './types.js';

/** What the adapter uses of Node's `http.IncomingMessage` (Express's request adds `originalUrl`). */
export interface NodeIncomingMessage {
  /** As Node's `http.IncomingMessage.method`. */
  method?: string | undefined;
  /** As Node's `http.IncomingMessage.url`. */
  url?: string | undefined;
  /** Express strips its mount path from `url` and keeps the whole target here. */
  originalUrl?: string | undefined;
  /** As Node's `http.IncomingMessage.rawHeaders`. */
  rawHeaders: string[];
  /** As Node's `http.IncomingMessage.complete`. */
  readonly complete: boolean;
  /** As Node's `http.IncomingMessage.socket`. */
  socket: object | null;
  /** As Node's `http.IncomingMessage.on`. */
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  /** As Node's `http.IncomingMessage.on`. */
  on(event: 'end' | 'close', listener: () => void): unknown;
  /** As Node's `http.IncomingMessage.on`. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** As Node's `http.IncomingMessage.removeListener`. */
  removeListener(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  /** As Node's `http.IncomingMessage.removeListener`. */
  removeListener(event: 'end' | 'close', listener: () => void): unknown;
  /** As Node's `http.IncomingMessage.removeListener`. */
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  /** As Node's `http.IncomingMessage.pause`. */
  pause(): unknown;
  /** As Node's `http.IncomingMessage.resume`. */
  resume(): unknown;
}

/** What the adapter uses of Node's `http.ServerResponse`. */
export interface NodeServerResponse {
  /** As Node's `http.ServerResponse.headersSent`. */
  readonly headersSent: boolean;
  /** As Node's `http.ServerResponse.writableEnded`. */
  readonly writableEnded: boolean;
  /** As Node's `http.ServerResponse.writeHead`. */
  writeHead(statusCode: number, statusMessage: string, headers: Record<string, string | string[]>): unknown;
  /** As Node's `http.ServerResponse.write`. */
  write(chunk: Uint8Array): boolean;
  /** As Node's `http.ServerResponse.end`. */
  end(chunk?: Uint8Array): unknown;
  /** As Node's `http.ServerResponse.once`. */
  once(event: 'drain' | 'close', listener: () => void): unknown;
  /** As Node's `http.ServerResponse.on`. */
  on(event: 'close', listener: () => void): unknown;
  /** As Node's `http.ServerResponse.removeListener`. */
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
  /** As Node's `http.ServerResponse.destroy`. */
  destroy(error?: Error): unknown;
}

/** A Node request listener, as `http.createServer` and `app.use` take it. */
export type NodeRequestListener = (req: NodeIncomingMessage, res: NodeServerResponse) => void;

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const NO_BODY = new Set(['GET', 'HEAD']);
/** Chunks smaller than this are copied out of the socket's buffer. */
const COPY_BELOW = 16 * 1024;

/** The request body as a stream that reads from the socket only while the handler asks for more. */
function bodyStream(req: NodeIncomingMessage): ReadableStream<Uint8Array> {
  let detach = () => undefined as unknown;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let settled = false;
        const settle = (end: () => void) => {
          if (settled) return;
          settled = true;
          detach();
          end();
        };
        const onData = (chunk: Uint8Array | string) => {
          // A small chunk is copied: a view would keep the whole buffer the socket read it into.
          const bytes =
            typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk.byteLength < COPY_BELOW ? new Uint8Array(chunk) : chunk;
          controller.enqueue(bytes);
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        };
        const onEnd = () => settle(() => controller.close());
        const onError = (error: Error) => settle(() => controller.error(error));
        const onClose = () =>
          settle(() => (req.complete ? controller.close() : controller.error(new Error('the request ended before its body'))));
        req.on('data', onData);
        req.on('end', onEnd);
        req.on('error', onError);
        req.on('close', onClose);
        detach = () => {
          req.removeListener('data', onData);
          req.removeListener('end', onEnd);
          req.removeListener('error', onError);
          req.removeListener('close', onClose);
        };
      },
      pull() {
        req.resume();
      },
      cancel() {
        detach();
        req.pause();
      },
    },
    // Counted in chunks, not bytes: a thousand one-byte chunks must not fit under the mark.
    { highWaterMark: 4, size: () => 1 },
  );
}

/** The incoming message as a fetch `Request` that keeps the raw target and the method as sent. */
function toRequest(req: NodeIncomingMessage, signal: AbortSignal): AdaptedRequest {
  const rawTarget = req.originalUrl ?? req.url ?? '/';
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    } catch {
      // A header fetch refuses (Node's parser is more lenient) is left out, not fatal.
    }
  }
  const host = headers.get('host') ?? '';
  const encrypted = req.socket !== null && (req.socket as { encrypted?: unknown }).encrypted === true;
  const origin = `${encrypted ? 'https' : 'http'}://${HOST.test(host) ? host : 'localhost'}`;
  // Concatenated, not resolved: a target such as //evil.example/x must stay a path on this host.
  const url = rawTarget.startsWith('/') && URL.canParse(origin + rawTarget) ? origin + rawTarget : `${origin}/`;
  const method = (req.method ?? 'GET').toUpperCase();
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (!NO_BODY.has(method) && !FORBIDDEN_METHODS.has(method)) {
    init.body = bodyStream(req);
    init.duplex = 'half';
  }
  return new AdaptedRequest(url, init, rawTarget);
}

/** Resolves when the socket takes more data, or is gone. */
function drained(res: NodeServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.removeListener('drain', done);
      res.removeListener('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

const encoder = new TextEncoder();

/** Writes an answer the proxy composed: headers and body in one write, with a Content-Length. */
function writeAnswer(req: NodeIncomingMessage, res: NodeServerResponse, answer: PlainAnswer): void {
  const headers: Record<string, string> = { ...answer.headers };
  // Answered before the body was read in full: close rather than read the rest to keep the connection.
  if (!req.complete) headers.connection = 'close';
  if (answer.body === null) {
    res.writeHead(answer.status, '', headers);
    res.end();
    return;
  }
  const body = encoder.encode(answer.body);
  headers['content-length'] = String(body.byteLength);
  res.writeHead(answer.status, '', headers);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/** Writes the response as it streams, waiting for `drain`. */
async function writeResponse(req: NodeIncomingMessage, res: NodeServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // Answered before the body was read in full: close rather than read the rest to keep the connection.
  if (!req.complete) headers.connection = 'close';
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (closed) {
      await reader.cancel();
      return;
    }
    if (!res.write(value)) await drained(res);
  }
  res.end();
}

/**
 * Wraps a fetch handler, such as the one {@link createExpiringTargetsProxy} returns, as a Node
 * request listener. For the proxy it also refuses request targets that URL parsing would rewrite
 * (`..`, `%2e`, backslashes), which a fetch handler never gets to see.
 *
 * Mount it before any body parser (`express.json()` would consume the body first).
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { createExpiringTargetsProxy, createNodeListener } from 'ld-expiring-targets/proxy';
 *
 * const proxy = createExpiringTargetsProxy({ apiKey: process.env.LD_API_KEY!, basePath: '/ld-proxy', authorize });
 * const listener = createNodeListener(proxy);
 * http.createServer((req, res) => (req.url?.startsWith('/ld-proxy/') ? listener(req, res) : app(req, res))).listen(3000);
 * // Express: app.use('/ld-proxy', createNodeListener(proxy));
 * ```
 */
export function createNodeListener(handler: ExpiringTargetsProxy): NodeRequestListener {
  return (req, res) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) controller.abort();
    });
    void (async () => {
      try {
        const request = toRequest(req, controller.signal);
        const response = await handler(request);
        // The proxy's own answers come as plain data too: written whole, without reading the Response.
        if (request.plainAnswer !== undefined) writeAnswer(req, res, request.plainAnswer);
        else await writeResponse(req, res, response);
      } catch {
        if (!res.headersSent) {
          const body = new TextEncoder().encode(JSON.stringify({ code: 'internal_error', message: 'Internal error' }));
          res.writeHead(500, 'Internal Server Error', {
            'content-type': 'application/json',
            'content-length': String(body.byteLength),
            connection: 'close',
          });
          res.end(body);
        } else {
          res.destroy();
        }
      }
    })();
  };
}
