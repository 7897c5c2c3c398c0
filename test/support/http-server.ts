import { afterAll, beforeAll, beforeEach } from 'vitest';
import http from 'node:http';
import { listenOnFreePort } from './listen.js';

export interface RecordedRequest {
  method: string;
  /** The raw request target, exactly as it arrived (still percent-encoded). */
  rawUrl: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse, socket: import('node:net').Socket) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a free port that records every request it gets. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? '', rawUrl: req.url ?? '', headers: req.headers, body, json, at: Date.now() };
    requests.push(recorded);
    try {
      await handler(recorded, res, req.socket);
    } catch (error) {
      if (!res.headersSent) res.writeHead(599).end(String(error));
    }
  });
  const { url, close } = await listenOnFreePort(server);
  return { url, requests, close };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A server whose answer each test scripts by assigning `reply` (by default: `{ items: [] }`). */
export interface ScriptedServer {
  reply: (req: RecordedRequest, res: http.ServerResponse) => void;
  readonly url: string;
  readonly requests: RecordedRequest[];
}

/** One recording server for a whole test file; its hooks start it, reset `reply` and close it. */
export function scriptedServer(): ScriptedServer {
  let server: TestServer | undefined;
  const defaultReply: ScriptedServer['reply'] = (_req, res) => json(res, 200, { items: [] });
  const scripted: ScriptedServer = {
    reply: defaultReply,
    get url() {
      return (server as TestServer).url;
    },
    get requests() {
      return (server as TestServer).requests;
    },
  };
  beforeAll(async () => {
    server = await startServer((req, res) => scripted.reply(req, res));
  });
  afterAll(() => server?.close());
  beforeEach(() => {
    scripted.reply = defaultReply;
  });
  return scripted;
}
