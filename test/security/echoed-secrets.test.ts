// The echo matrix, library side: a recording server that writes back whatever credential it
// received (the Authorization token, or a proxy key sent in a secret-looking header) into every
// place an answer has (a 200's per-instruction errors, a 200's targets, error bodies, headers,
// the status text, an HTML gateway page). Whatever the call, no rendering of what the caller
// gets (the error in every common form, the result, retry and progress events, the raw client's
// answer) may hold the secret. Nor may what the client tells its listeners: every log line at
// debug level, and every span name, attribute and event and every metric attribute reported
// through OpenTelemetry.
import type http from 'node:http';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BulkProgress,
  type ClientOptions,
  createExpiringTargetsClient,
  type ExpiringTargetsClient,
  type RetryEvent,
  segmentInstructions,
} from '../../src/index.js';
import { json, type RecordedRequest, startServer, type TestServer } from '../support/http-server.js';
import { type CapturedTelemetry, captureLogger, captureTelemetry, type LogLine } from '../support/telemetry.js';

const TOKEN = 'api-echo-test-TOKEN-3e9c41d7';
const PROXY_KEY = 'proxy-echo-test-KEY-7b2f06aa';
const SECRETS = [TOKEN, PROXY_KEY];
const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const PATH = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const PARAMS = { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } };
const T = Date.UTC(2031, 0, 1);
const instructions = ['a', 'b'].map((key) =>
  segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: T }),
);

/** The credential the request carried, as the server saw it. */
const echoOf = (req: RecordedRequest) => String(req.headers.authorization ?? req.headers['x-proxy-key'] ?? 'no credential');

type Behaviour = (req: RecordedRequest, res: http.ServerResponse, echo: string) => void;

const target = (expirationDate: unknown) => ({
  _id: '1',
  _version: 1,
  contextKind: 'user',
  contextKey: 'a',
  targetType: 'included',
  expirationDate,
  _resourceId: {},
});

/** Where the server puts the echo. */
const behaviours: Record<string, Behaviour> = {
  "(a) a 200's per-instruction errors": (req, res, echo) =>
    req.method === 'PATCH'
      ? json(res, 200, {
          items: [],
          errors: [
            { instructionIndex: 0, message: `not applied for ${echo}` },
            { instructionIndex: 9, message: echo },
          ],
        })
      : json(res, 200, { items: [{ ...target(T), contextKey: echo }] }),
  "(b) a 200's targets with a malformed expirationDate": (_req, res, echo) => json(res, 200, { items: [target(`at ${echo}`)], errors: [] }),
  ...Object.fromEntries(
    [400, 401, 403, 404, 409, 429, 500, 503].map((status) => [
      `(c) a ${status}: body, X-Request-Id, Retry-After, a custom header and the status text`,
      ((_req, res, echo) => {
        const body = JSON.stringify({ code: echo, message: `rejected ${echo}`, id: echo });
        res.writeHead(status, `Echo ${echo}`, {
          'Content-Type': 'application/json',
          'X-Request-Id': echo,
          'Retry-After': echo,
          'X-Echo': echo,
          'Set-Cookie': `session=${echo}`,
          Location: `https://ld.example/next?credential=${encodeURIComponent(echo)}`,
        });
        res.end(body);
      }) satisfies Behaviour,
    ]),
  ),
  '(d) an HTML 502': (_req, res, echo) => {
    res.writeHead(502, `Bad Gateway ${echo}`, { 'Content-Type': 'text/html', 'X-Upstream-Auth': echo });
    res.end(`<html><body><h1>502 Bad Gateway</h1><pre>Authorization: ${echo}</pre></body></html>`);
  },
  '(e) a 200 whose body is not JSON': (_req, res, echo) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"items": [ ${echo}`);
  },
};

/** What the caller ends up holding after one call: every piece, each to be rendered as text. */
interface Observed {
  value?: unknown;
  error?: unknown;
  retries: RetryEvent[];
  progress: BulkProgress[];
  logs: LogLine[];
}

type Call = (ld: ExpiringTargetsClient, seen: Observed) => Promise<unknown>;

const calls: Record<string, Call> = {
  get: (ld) => ld.segments.get(REF),
  patch: (ld) => ld.segments.patch(REF, instructions),
  'patch, reconcile': (ld) => ld.segments.patch(REF, instructions, { reconcile: true }),
  'patch, throwOnPartialFailure': (ld) => ld.segments.patch(REF, instructions, { throwOnPartialFailure: true }),
  'patchAll, batches of 1': (ld, seen) =>
    ld.segments.patchAll(REF, instructions, { batchSize: 1, onProgress: (p) => seen.progress.push(p) }),
  'raw.GET': async (ld) => {
    const { data, error, response } = await ld.raw.GET(PATH, { params: PARAMS, parseAs: 'text' });
    return { data, error, status: response.status, statusText: response.statusText, headers: [...response.headers], url: response.url };
  },
  'raw.PATCH': async (ld) => {
    const { data, error, response } = await ld.raw.PATCH(PATH, { params: PARAMS, body: { instructions }, parseAs: 'text' });
    return { data, error, status: response.status, statusText: response.statusText, headers: [...response.headers], url: response.url };
  },
};

type Listeners = Pick<ClientOptions, 'onRetry' | 'logger'>;
const clients: Record<string, (url: string, listeners: Listeners) => ExpiringTargetsClient> = {
  'a token in apiKey': (baseUrl, listeners) =>
    createExpiringTargetsClient({ apiKey: TOKEN, baseUrl, maxRetries: 1, maxRetryDelayMs: 5, logLevel: 'debug', ...listeners }),
  'a proxy key in an X-Proxy-Key header': (baseUrl, listeners) =>
    createExpiringTargetsClient({
      baseUrl,
      headers: { 'X-Proxy-Key': PROXY_KEY },
      maxRetries: 1,
      maxRetryDelayMs: 5,
      logLevel: 'debug',
      ...listeners,
    }),
};

/** Every common way of turning what the caller holds into text, each named for the failure message. */
function renderings(seen: Observed): Record<string, string> {
  const out: Record<string, string> = {
    'onRetry events (JSON)': JSON.stringify(seen.retries),
    'onRetry events (inspect)': inspect(seen.retries, { depth: 10 }),
    'onProgress events': JSON.stringify(seen.progress),
    'log lines (JSON)': JSON.stringify(seen.logs),
    'log lines (inspect)': inspect(seen.logs, { depth: 10 }),
    'spans: names, attributes, events, links, status': JSON.stringify(
      otel.spans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, links: s.links, status: s.status })),
    ),
  };
  if ('value' in seen) {
    out['JSON.stringify(result)'] = JSON.stringify(seen.value);
    out['util.inspect(result)'] = inspect(seen.value, { depth: 10 });
    out['util.inspect(result, showHidden)'] = inspect(seen.value, { depth: 10, showHidden: true });
    const outcomes = (seen.value as { outcomes?: { error?: unknown }[] }).outcomes ?? [];
    outcomes.forEach((o, i) => {
      if (o.error !== undefined) Object.assign(out, errorRenderings(o.error, `outcomes[${i}].error`));
    });
  }
  if ('error' in seen) Object.assign(out, errorRenderings(seen.error, 'error'));
  return out;
}

function errorRenderings(error: unknown, label: string): Record<string, string> {
  const e = error as Error;
  return {
    [`${label}.message`]: String(e.message),
    [`String(${label})`]: String(e),
    [`JSON.stringify(${label})`]: JSON.stringify(e),
    [`util.inspect(${label}, { depth: 10 })`]: inspect(e, { depth: 10 }),
    [`util.inspect(${label}, showHidden)`]: inspect(e, { depth: 10, showHidden: true }),
    [`${label}.stack`]: String(e.stack),
  };
}

let server: TestServer;
let otel: CapturedTelemetry;
beforeAll(() => {
  otel = captureTelemetry();
});
afterAll(() => otel.stop());
let behaviour: Behaviour = (_req, res) => json(res, 200, { items: [] });
beforeAll(async () => {
  server = await startServer((req, res) => behaviour(req, res, echoOf(req)));
});
afterAll(() => server.close());

async function observe(clientKind: string, call: Call): Promise<Observed> {
  const seen: Observed = { retries: [], progress: [], logs: [] };
  const logger = captureLogger();
  seen.logs = logger.lines;
  otel.reset();
  const ld = clients[clientKind]!(server.url, { onRetry: (e) => seen.retries.push(e), logger });
  try {
    seen.value = await call(ld, seen);
  } catch (error) {
    seen.error = error;
  }
  return seen;
}

const cases = Object.keys(clients).flatMap((clientKind) =>
  Object.keys(behaviours).flatMap((where) => Object.keys(calls).map((call) => [clientKind, where, call] as const)),
);

describe('a server that echoes the credential', () => {
  it.each(cases)('%s; echoed in %s; %s: no rendering holds it', async (clientKind, where, call) => {
    behaviour = behaviours[where]!;
    const before = server.requests.length;
    const seen = await observe(clientKind, calls[call]!);
    const sent = server.requests.slice(before);
    // The server did receive the secret, so it really was echoed back.
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => SECRETS.includes(echoOf(r)))).toBe(true);

    const texts = renderings(seen);
    texts['metric attributes'] = JSON.stringify(
      (await otel.metrics()).scopeMetrics.flatMap((m) => m.metrics.map((x) => x.dataPoints.map((p) => p.attributes))),
    );
    // The listeners did hear about the call.
    expect(seen.logs.length).toBeGreaterThan(0);
    expect(otel.spans().length).toBeGreaterThan(0);
    for (const [how, text] of Object.entries(texts)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${how} holds the secret:\n${text}`).toBe(false);
    }
    // And the echo reached the caller, redacted: the checks above looked at text that had it.
    // (An unreadable 200 is reported without quoting the body; only the raw client returns it.)
    if (!where.startsWith('(e)') || call.startsWith('raw.')) {
      expect(Object.values(texts).some((text) => text.includes('[redacted]'))).toBe(true);
    }
    // The listeners heard the echo too (an error's message, a request id), redacted.
    if (where.startsWith('(c)')) {
      expect(texts['log lines (JSON)']).toContain('[redacted]');
      expect(texts['spans: names, attributes, events, links, status']).toContain('[redacted]');
    }
  });
});

describe('a credential in a URL', () => {
  // A key mistyped as the token (say, --env "$LD_API_KEY") puts it in the path: every URL the
  // caller sees is redacted, whether the server answered or the connection failed.
  it.each([
    ['the server answers 503', true],
    ['the connection is refused', false],
  ])('%s: the error, its url and the retry events hold no token', async (_name, listening) => {
    let url = server.url;
    if (!listening) {
      const closed = await startServer((_req, res) => json(res, 200, {}));
      url = closed.url;
      await closed.close();
    }
    behaviour = (_req, res) => json(res, 503, { code: 'unavailable', message: 'try later' });
    const seen: Observed = { retries: [], progress: [], logs: [] };
    const logger = captureLogger();
    seen.logs = logger.lines;
    otel.reset();
    const ld = createExpiringTargetsClient({
      apiKey: TOKEN,
      baseUrl: url,
      maxRetries: 1,
      maxRetryDelayMs: 5,
      onRetry: (e) => seen.retries.push(e),
      logLevel: 'debug',
      logger,
    });
    try {
      seen.value = await ld.segments.patchAll({ ...REF, environmentKey: TOKEN }, instructions, { retryUnsafe: true });
    } catch (error) {
      seen.error = error;
    }
    expect(seen.retries.length).toBeGreaterThan(0);
    expect(seen.retries[0]!.url).toContain('/expiring-targets/[redacted]');
    const stoppedBy = (seen.value as { stoppedBy?: { url?: string } } | undefined)?.stoppedBy;
    const failure = (seen.value as { outcomes: { error?: { url?: string } }[] }).outcomes[0]!.error;
    expect((stoppedBy ?? failure)?.url).toContain('/expiring-targets/[redacted]');
    for (const [how, text] of Object.entries(renderings(seen))) {
      expect(text.includes(TOKEN), `${how} holds the token:\n${text}`).toBe(false);
    }
  });
});
