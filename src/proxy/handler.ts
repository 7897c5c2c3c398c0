/**
 * The backend half of a browser app: a fetch handler that forwards exactly the four
 * expiring-target operations to LaunchDarkly with the token it holds, after the app's own
 * `authorize` has approved each request. Everything else is refused before LaunchDarkly is
 * contacted.
 *
 * Retries happen in one place, the browser client: the proxy sends each request once and passes
 * 429 and 5xx answers through with `Retry-After` and `X-Ratelimit-*`, which the client reads to
 * pace and retry. Retrying here as well would multiply the attempts behind every client retry.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import { ConfigurationError, InstructionValidationError, type ValidationIssue } from '../errors.js';
import type { FlagInstruction, ResourceKind, SegmentInstruction } from '../resources.js';
import { patchBodyIssues } from '../validation.js';
import { AGENT_HEADER, API_VERSION_HEADER, type FetchLike, type Instance, normalizeOptions } from '../options.js';
import type { Redactor } from '../redact.js';
import { PACKAGE_NAME, VERSION } from '../version.js';
import { readCappedText } from './body.js';
import { type Route, matchRoute, rawTargetIsRewritten, upstreamPath } from './route.js';

/** One of the operations the proxy forwards. */
export type ProxyOperation = 'get' | 'patch';

/** What every request `authorize` sees has: the request and the keys of the resource it names. */
export interface ProxyCallBase {
  /** The incoming request, for your session check (its body has already been read). */
  request: Request;
  /** The operation's id in LaunchDarkly's API document, such as `patchExpiringTargetsForSegment`. */
  operationId: string;
  /** The project key, decoded from the path. */
  projectKey: string;
  /** The environment key, decoded from the path. */
  environmentKey: string;
  /** The segment's key or the flag's key. */
  key: string;
}

/** A GET the proxy would forward: it lists a segment's or a flag's expiring targets. */
export interface ProxyGetCall extends ProxyCallBase {
  /** Whether `key` names a segment or a flag. */
  resource: ResourceKind;
  /** Always `get`. */
  operation: 'get';
  /** A GET carries no instructions. */
  instructions: undefined;
  /** A GET carries no comment. */
  comment: undefined;
}

/** A PATCH of a segment's expiring targets the proxy would forward. */
export interface ProxySegmentPatchCall extends ProxyCallBase {
  /** Always `segment`. */
  resource: 'segment';
  /** Always `patch`. */
  operation: 'patch';
  /** The instructions, validated with the client's rules. */
  instructions: readonly SegmentInstruction[];
  /** The audit-log comment the body carries, if any. */
  comment: string | undefined;
}

/** A PATCH of a flag's expiring targets the proxy would forward. */
export interface ProxyFlagPatchCall extends ProxyCallBase {
  /** Always `flag`. */
  resource: 'flag';
  /** Always `patch`. */
  operation: 'patch';
  /** The instructions, validated with the client's rules. */
  instructions: readonly FlagInstruction[];
  /** The audit-log comment the body carries, if any. */
  comment: string | undefined;
}

/**
 * What `authorize` decides on: one request the proxy would forward, its keys decoded and, for a
 * PATCH, its instructions validated with the client's rules.
 */
export type ProxyCall = ProxyGetCall | ProxySegmentPatchCall | ProxyFlagPatchCall;

/** A decision that also names who asked, for the audit events. */
export interface ProxyDecision<Actor> {
  /** Only `true` lets the request through. */
  allow: boolean;
  /** Whoever or whatever you want the audit event to carry (a user id, a session object). */
  actor?: Actor | undefined;
}

/**
 * What `authorize` returns: `true` to forward, `false` (or anything else) to answer 403, a
 * {@link ProxyDecision} to do either and name the actor, or a `Response` to answer with instead.
 */
export type ProxyAuthorization<Actor> = boolean | ProxyDecision<Actor> | Response;

/** What happened to a request, as an audit event says. */
export type ProxyOutcome =
  /** Sent to LaunchDarkly; `status` is LaunchDarkly's. */
  | 'forwarded'
  /** Refused by the proxy's own rules before `authorize` ran; see `refusal`. */
  | 'refused'
  /** `authorize` said no (403). */
  | 'denied'
  /** `authorize` returned a Response, which was the answer. */
  | 'answered'
  /** A CORS preflight, answered 204 or refused 403. */
  | 'preflight'
  /** `authorize` threw (500), or LaunchDarkly could not be reached or took too long (502, 504). */
  | 'failed';

/** Why the proxy refused a request on its own. */
export type ProxyRefusal =
  | 'not-found'
  | 'method-not-allowed'
  | 'origin-not-allowed'
  | 'headers-not-allowed'
  | 'query-not-allowed'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'invalid-body';

/** An instruction as an audit event records it. */
export interface AuditedInstruction {
  /** The instruction's kind, such as `addExpiringTarget`. */
  kind: string;
  /** The context kind, such as `user`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
}

/** One request, as `onAudit` receives it. Strings have been through the token's redaction. */
export interface ProxyAuditEvent<Actor = unknown> {
  /** When the request arrived. */
  at: Date;
  /** The request's method. */
  method: string;
  /** The request's path (no query), at most 1,000 characters. */
  path: string;
  /** The `Origin` header, when there was one. */
  origin: string | undefined;
  /** What happened to the request. */
  outcome: ProxyOutcome;
  /** For `refused`: which of the proxy's rules refused it. */
  refusal?: ProxyRefusal | undefined;
  /** The status the proxy answered with. */
  status: number;
  /** What `authorize` attached with a {@link ProxyDecision}. */
  actor?: Actor | undefined;
  /** The operation, once the path matched one. */
  operation?: ProxyOperation | undefined;
  /** The operation's id in LaunchDarkly's API document. */
  operationId?: string | undefined;
  /** Segment or flag, once the path matched. */
  resource?: ResourceKind | undefined;
  /** The project key, decoded from the path. */
  projectKey?: string | undefined;
  /** The environment key, decoded from the path. */
  environmentKey?: string | undefined;
  /** The segment's or flag's key, decoded from the path. */
  key?: string | undefined;
  /** For a PATCH that was parsed: each instruction's kind and context. */
  instructions?: readonly AuditedInstruction[] | undefined;
  /** LaunchDarkly's `X-Request-Id`, for its support. */
  requestId?: string | undefined;
  /** From arrival to the answer being ready, in milliseconds. */
  durationMs: number;
  /** For `failed`: what went wrong, for your logs (never sent to the browser). */
  error?: string | undefined;
}

/** Options of {@link createExpiringTargetsProxy}. */
export interface ProxyOptions<Actor = unknown> {
  /** The LaunchDarkly access token the proxy adds to every request it forwards. Required. */
  apiKey: string;
  /** Which LaunchDarkly instance to call. Default `commercial`. Ignored when `baseUrl` is given. */
  instance?: Instance | undefined;
  /** LaunchDarkly's base URL (or a stand-in's). Plain http only to loopback hosts. */
  baseUrl?: string | undefined;
  /** The `LD-API-Version` sent upstream, whatever the browser sent. Default `20240415`. */
  apiVersion?: string | undefined;
  /** Where the handler is mounted, such as `/ld-proxy`. Default `''` (paths start at `/api/v2`). */
  basePath?: string | undefined;
  /**
   * Runs for every request the proxy would forward, after its path, method, origin and body have
   * passed the proxy's own checks. Check your session here, and what this user may change.
   * Required: without it, anyone who can reach the page could use the token.
   */
  authorize: (call: ProxyCall) => ProxyAuthorization<Actor> | Promise<ProxyAuthorization<Actor>>;
  /**
   * Origins (such as `https://admin.example.com`) allowed to call across origins, with CORS.
   * Default none: same-origin pages only.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Request headers an allowed origin may send besides the client's own (for example your CSRF header). */
  allowedHeaders?: readonly string[] | undefined;
  /** Answer allowed origins with `Access-Control-Allow-Credentials: true` (cookies across origins). Default false. */
  allowCredentials?: boolean | undefined;
  /** Largest PATCH body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** How long to wait for LaunchDarkly (headers and body) before answering 504. Default 30 000 ms. */
  timeoutMs?: number | undefined;
  /** Accept expiry times that are already past, as the client does with `allowPast: true`. Default false. */
  allowPast?: boolean | undefined;
  /** A fetch implementation for the upstream calls. Default the global one. */
  fetch?: FetchLike | undefined;
  /** Receives one event per request, refused ones included. Errors it throws are ignored. */
  onAudit?: ((event: ProxyAuditEvent<Actor>) => void | Promise<void>) | undefined;
}

/** A standard fetch handler: a Request in, a Response out. */
export type ExpiringTargetsProxy = (request: Request) => Promise<Response>;

/**
 * An answer the proxy composed itself, its body a string known in full. The fetch handler turns
 * it into a `Response`; the Node adapter writes it as it is, without building a `Response` only
 * to read its body back out of a stream. Header names are lower case.
 */
export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * The handler behind each proxy, taking the raw request target when a server adapter has it.
 * A `Response` only when `authorize` answered with one.
 */
export type RawTargetHandler = (request: Request, rawTarget: string | undefined) => Promise<Response | ProxyAnswer>;

/** Lets the Node adapter reach a proxy's raw-target check; any other fetch handler is called plainly. */
export const RAW_TARGET_HANDLERS = new WeakMap<ExpiringTargetsProxy, RawTargetHandler>();

/** Request headers the client itself sends, which a preflight may ask for. */
const CLIENT_HEADERS = ['content-type', API_VERSION_HEADER.toLowerCase(), AGENT_HEADER.toLowerCase()];
/** Headers that ask a server to treat a request as another method. */
const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];
/** Response headers the browser client reads, passed through from LaunchDarkly. */
const PASSED_HEADERS = new Set(['content-type', 'retry-after', 'x-request-id']);
const PASSED_PREFIX = 'x-ratelimit-';
/** Response headers a cross-origin page can read without being told (the CORS safelist). */
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BASE_PATH = /^(\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*$/;
const MAX_AUDITED_PATH = 1000;

/** Operations forwarded per method, as the document lists them. */
const OPERATION_OF_METHOD = new Map<string, ProxyOperation>(
  (['get', 'patch'] as const).filter((op) => Object.values(RESOURCE_RULES).every((r) => r.operations[op] !== undefined)).map((op) => [op.toUpperCase(), op]),
);
const ALLOW = [...OPERATION_OF_METHOD.keys()].join(', ');

interface Settings {
  basePath: string;
  allowedOrigins: ReadonlySet<string>;
  allowedHeaders: ReadonlySet<string>;
  allowCredentials: boolean;
  maxBodyBytes: number;
  timeoutMs: number;
  allowPast: boolean;
}

function checkSettings(options: ProxyOptions<unknown>): Settings {
  let basePath = options.basePath ?? '';
  if (typeof basePath !== 'string') throw new ConfigurationError('basePath must be a string such as /ld-proxy');
  if (basePath.endsWith('/')) basePath = basePath.slice(0, -1);
  if (!BASE_PATH.test(basePath) || basePath.split('/').some((s) => s === '.' || s === '..')) {
    throw new ConfigurationError(`basePath must be '' or a path such as /ld-proxy (no query, encoding, empty or dot segments), got ${JSON.stringify(basePath)}`);
  }
  const origins = new Set<string>();
  for (const origin of options.allowedOrigins ?? []) {
    const parsed = typeof origin === 'string' && URL.canParse(origin) ? new URL(origin) : undefined;
    if (parsed === undefined || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      throw new ConfigurationError(
        `allowedOrigins must hold origins such as https://admin.example.com (scheme, host and port only; no "*" or "null"), got ${JSON.stringify(origin)}`,
      );
    }
    origins.add(origin);
  }
  const headers = new Set(CLIENT_HEADERS);
  for (const name of options.allowedHeaders ?? []) {
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) throw new ConfigurationError(`allowedHeaders must hold header names, got ${JSON.stringify(name)}`);
    headers.add(name.toLowerCase());
  }
  const positive = (name: string, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive integer, got ${value}`);
    return value;
  };
  if (options.onAudit !== undefined && typeof options.onAudit !== 'function') throw new ConfigurationError('onAudit must be a function');
  return {
    basePath,
    allowedOrigins: origins,
    allowedHeaders: headers,
    allowCredentials: options.allowCredentials === true,
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, 1024 * 1024),
    timeoutMs: positive('timeoutMs', options.timeoutMs, 30_000),
    allowPast: options.allowPast === true,
  };
}

const now = () => globalThis.performance?.now() ?? Date.now();

function json(status: number, body: unknown, headers: Record<string, string> = {}): ProxyAnswer {
  return { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

function toResponse(answer: Response | ProxyAnswer): Response {
  return answer instanceof Response ? answer : new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** A copy of `response` with `extra` headers set (a Response's own headers may be immutable). */
function withHeaders(response: Response, extra: Record<string, string>): Response {
  if (Object.keys(extra).length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Creates the proxy: a fetch handler `(request) => Promise<Response>` to mount at `basePath` in
 * any server that speaks Request and Response (Next.js route handlers, Hono, Bun, Deno, Workers),
 * or in Node's `http` and Express through {@link createNodeListener}.
 *
 * Only GET and PATCH of a segment's or a flag's expiring targets are forwarded; other paths,
 * methods, path tricks, method overrides, query strings, foreign origins, oversized or invalid
 * bodies and requests `authorize` refuses are answered here (404, 405, 403, 400, 413, 415)
 * without contacting LaunchDarkly.
 *
 * @example
 * ```ts
 * import { createExpiringTargetsProxy } from 'ld-expiring-targets/proxy';
 *
 * const proxy = createExpiringTargetsProxy({
 *   apiKey: process.env.LD_API_KEY!,
 *   basePath: '/ld-proxy',
 *   async authorize({ request, projectKey, environmentKey }) {
 *     const user = await sessionUser(request); // your own session check
 *     return { allow: user?.role === 'support' && projectKey === 'default' && environmentKey === 'production', actor: user?.id };
 *   },
 *   onAudit: (event) => console.log(JSON.stringify(event)),
 * });
 * // Next.js, app/ld-proxy/[...path]/route.ts:
 * export { proxy as GET, proxy as PATCH, proxy as OPTIONS };
 * ```
 */
export function createExpiringTargetsProxy<Actor = unknown>(options: ProxyOptions<Actor>): ExpiringTargetsProxy {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('createExpiringTargetsProxy needs options');
  if (typeof options.authorize !== 'function') {
    throw new ConfigurationError('authorize is required: a function that checks your own session for every request before the token is used');
  }
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new ConfigurationError('apiKey is required: the proxy adds it to every request it forwards');
  }
  const upstream = normalizeOptions({
    apiKey: options.apiKey,
    instance: options.instance,
    baseUrl: options.baseUrl,
    apiVersion: options.apiVersion,
    fetch: options.fetch,
  });
  const settings = checkSettings(options as ProxyOptions<unknown>);
  const { authorize, onAudit } = options;
  const redact: Redactor = upstream.redact;
  const agent = `${PACKAGE_NAME}/${VERSION}`;

  function corsHeaders(origin: string | null, exposed: readonly string[] = []): Record<string, string> {
    if (origin === null || !settings.allowedOrigins.has(origin)) return {};
    const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
    if (settings.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    const readable = exposed.filter((name) => !SAFELISTED.has(name));
    if (readable.length > 0) headers['access-control-expose-headers'] = readable.join(', ');
    return headers;
  }

  /** Same origin by the URL or the browser's own word, or one of the allowed origins; no Origin and no cross-site fetch metadata is a non-browser client. */
  function originAllowed(request: Request, url: URL): boolean {
    const origin = request.headers.get('origin');
    const site = request.headers.get('sec-fetch-site');
    if (origin !== null) return settings.allowedOrigins.has(origin) || origin === url.origin || site === 'same-origin';
    return site === null || site === 'same-origin' || site === 'none';
  }

  function audit(event: ProxyAuditEvent<Actor>): void {
    if (onAudit === undefined) return;
    try {
      const pending = onAudit(event);
      if (pending !== undefined && typeof (pending as Promise<void>).then === 'function') (pending as Promise<void>).then(undefined, () => undefined);
    } catch {
      // An audit sink that fails must not change the answer the browser gets.
    }
  }

  async function handle(request: Request, rawTarget: string | undefined): Promise<Response | ProxyAnswer> {
    const started = now();
    const at = new Date();
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const origin = request.headers.get('origin');
    const event: ProxyAuditEvent<Actor> = {
      at,
      method: redact(method),
      path: redact(url.pathname).slice(0, MAX_AUDITED_PATH),
      origin: origin === null ? undefined : redact(origin),
      outcome: 'refused',
      status: 0,
      durationMs: 0,
    };
    const finish = <A extends Response | ProxyAnswer>(response: A, details: Partial<ProxyAuditEvent<Actor>>): A => {
      Object.assign(event, details, { status: response.status, durationMs: now() - started });
      audit(event);
      return response;
    };
    const refuse = (status: number, refusal: ProxyRefusal, message: string, extra: { headers?: Record<string, string>; issues?: readonly ValidationIssue[] } = {}) =>
      finish(json(status, { code: refusal.replace(/-/g, '_'), message, ...(extra.issues && { issues: extra.issues }) }, { ...corsHeaders(origin), ...extra.headers }), {
        outcome: 'refused',
        refusal,
      });

    const route = rawTarget !== undefined && rawTargetIsRewritten(rawTarget) ? undefined : matchRoute(url.pathname, settings.basePath);
    if (route === undefined) return refuse(404, 'not-found', 'Not found');
    const operation = OPERATION_OF_METHOD.get(method);
    const rules = RESOURCE_RULES[route.resource];
    Object.assign(event, {
      resource: route.resource,
      projectKey: redact(route.projectKey),
      environmentKey: redact(route.environmentKey),
      key: redact(route.key),
    });

    if (method === 'OPTIONS' && origin !== null && request.headers.has('access-control-request-method')) return preflight(request, origin, finish);
    if (operation === undefined) return refuse(405, 'method-not-allowed', `Only ${ALLOW} are forwarded`, { headers: { allow: ALLOW } });
    if (METHOD_OVERRIDE_HEADERS.some((name) => request.headers.has(name))) {
      return refuse(405, 'method-not-allowed', 'Method-override headers are not accepted', { headers: { allow: ALLOW } });
    }
    Object.assign(event, { operation, operationId: rules.operations[operation] });
    if (!originAllowed(request, url)) return refuse(403, 'origin-not-allowed', 'This origin may not call the proxy');
    const allowedQuery: readonly string[] = rules.queryParams[operation];
    const unknownQuery = [...new Set(url.searchParams.keys())].filter((name) => !allowedQuery.includes(name));
    if (unknownQuery.length > 0) {
      return refuse(400, 'query-not-allowed', allowedQuery.length === 0 ? 'This operation takes no query parameters' : `Query parameters other than ${allowedQuery.join(', ')} are not accepted`);
    }

    let body: { instructions: readonly (SegmentInstruction | FlagInstruction)[]; comment?: string } | undefined;
    if (operation === 'patch') {
      const mediaType = (request.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase();
      const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
      if (mediaType !== rules.patchMediaType.split(';', 1)[0] || (encoding !== undefined && encoding !== 'identity')) {
        return refuse(415, 'unsupported-media-type', `The body must be ${rules.patchMediaType}, not encoded`);
      }
      const read = await readCappedText(request, settings.maxBodyBytes);
      if (!read.ok) {
        if (read.reason === 'too-large') return refuse(413, 'body-too-large', `The body is larger than ${settings.maxBodyBytes} bytes`);
        return refuse(400, 'invalid-body', read.reason === 'not-utf8' ? 'The body is not UTF-8' : 'The body could not be read');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(read.text);
      } catch {
        return refuse(400, 'invalid-body', 'The body is not JSON');
      }
      const issues = patchBodyIssues(route.resource, parsed, { allowPast: settings.allowPast });
      if (issues.length > 0) {
        const error = new InstructionValidationError(issues, 'Invalid semantic patch; nothing was sent');
        return refuse(400, 'invalid-body', error.message, { issues });
      }
      body = parsed as NonNullable<typeof body>;
      event.instructions = body.instructions.map((i) => ({ kind: i.kind, contextKind: redact(i.contextKind), contextKey: redact(i.contextKey) }));
    }

    const call = {
      request,
      operation,
      operationId: rules.operations[operation],
      resource: route.resource,
      projectKey: route.projectKey,
      environmentKey: route.environmentKey,
      key: route.key,
      instructions: body?.instructions,
      comment: body?.comment,
    } as ProxyCall;
    let decision: ProxyAuthorization<Actor>;
    try {
      decision = await authorize(call);
    } catch (error) {
      return finish(json(500, { code: 'internal_error', message: 'Internal error' }, corsHeaders(origin)), {
        outcome: 'failed',
        error: redact(`authorize threw ${errorMessage(error)}`),
      });
    }
    if (decision instanceof Response) return finish(withHeaders(decision, corsHeaders(origin)), { outcome: 'answered' });
    const explained = decision !== null && typeof decision === 'object' ? decision : undefined;
    if (explained?.actor !== undefined) event.actor = explained.actor;
    if (decision !== true && explained?.allow !== true) {
      return finish(json(403, { code: 'forbidden', message: 'Not allowed' }, corsHeaders(origin)), { outcome: 'denied' });
    }
    return forward(route, operation, body, origin, finish);
  }

  function preflight(request: Request, origin: string, finish: (answer: ProxyAnswer, details: Partial<ProxyAuditEvent<Actor>>) => ProxyAnswer): ProxyAnswer {
    const refused = (refusal: ProxyRefusal) => finish({ status: 403, headers: { 'cache-control': 'no-store' }, body: null }, { outcome: 'preflight', refusal });
    if (!settings.allowedOrigins.has(origin)) return refused('origin-not-allowed');
    const requestedMethod = request.headers.get('access-control-request-method') ?? '';
    if (!OPERATION_OF_METHOD.has(requestedMethod)) return refused('method-not-allowed');
    const requestedHeaders = (request.headers.get('access-control-request-headers') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean);
    if (requestedHeaders.some((name) => !settings.allowedHeaders.has(name))) return refused('headers-not-allowed');
    const headers = {
      ...corsHeaders(origin),
      'access-control-allow-methods': ALLOW,
      'access-control-allow-headers': [...settings.allowedHeaders].join(', '),
      'access-control-max-age': '600',
      'cache-control': 'no-store',
    };
    return finish({ status: 204, headers, body: null }, { outcome: 'preflight' });
  }

  async function forward(
    route: Route,
    operation: ProxyOperation,
    body: object | undefined,
    origin: string | null,
    finish: (answer: ProxyAnswer, details: Partial<ProxyAuditEvent<Actor>>) => ProxyAnswer,
  ): Promise<ProxyAnswer> {
    const rules = RESOURCE_RULES[route.resource];
    const headers: Record<string, string> = {
      Authorization: options.apiKey,
      Accept: 'application/json',
      [API_VERSION_HEADER]: upstream.apiVersion,
      'User-Agent': agent,
      [AGENT_HEADER]: agent,
    };
    const init: RequestInit = { method: operation.toUpperCase(), headers, redirect: 'manual' };
    if (body !== undefined) {
      headers['Content-Type'] = rules.patchMediaType;
      // Re-serialised from the validated value: LaunchDarkly gets exactly what was checked (no
      // duplicate keys, no bytes another JSON parser could read differently).
      init.body = JSON.stringify(body);
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await upstream.fetch(`${upstream.baseUrl}${upstreamPath(route)}`, { ...init, signal: controller.signal });
      text = await response.text();
    } catch (error) {
      const status = timedOut ? 504 : 502;
      const message = timedOut ? 'LaunchDarkly did not answer in time' : 'LaunchDarkly could not be reached';
      return finish(json(status, { code: timedOut ? 'gateway_timeout' : 'bad_gateway', message }, corsHeaders(origin)), {
        outcome: 'failed',
        error: redact(`${message}: ${errorMessage(error)}${error instanceof Error && error.cause !== undefined ? ` (${errorMessage(error.cause)})` : ''}`),
      });
    } finally {
      clearTimeout(timer);
    }
    const requestId = response.headers.get('x-request-id');
    const audited = { outcome: 'forwarded' as const, ...(requestId !== null && { requestId: redact(requestId) }) };
    if (response.status < 200 || (response.status >= 300 && response.status < 400)) {
      return finish(json(502, { code: 'bad_gateway', message: 'LaunchDarkly answered with a redirect' }, corsHeaders(origin)), {
        ...audited,
        outcome: 'failed',
        error: `LaunchDarkly answered ${response.status}`,
      });
    }
    const passed: Record<string, string> = { 'cache-control': 'no-store' };
    response.headers.forEach((value, name) => {
      if (PASSED_HEADERS.has(name) || name.startsWith(PASSED_PREFIX)) passed[name] = redact(value);
    });
    const answerBody = NULL_BODY_STATUSES.has(response.status) ? null : redact(text);
    // What a Response built from a string would say: the Node adapter writes this answer as it is.
    if (answerBody !== null && passed['content-type'] === undefined) passed['content-type'] = 'text/plain;charset=UTF-8';
    Object.assign(passed, corsHeaders(origin, Object.keys(passed).sort()));
    return finish({ status: response.status, headers: passed, body: answerBody }, audited);
  }

  /** The last line of defence: a fault of the proxy itself is a 500 without details, and audited. */
  async function guarded(request: Request, rawTarget: string | undefined): Promise<Response | ProxyAnswer> {
    const started = now();
    try {
      return await handle(request, rawTarget);
    } catch (error) {
      const response = json(500, { code: 'internal_error', message: 'Internal error' });
      audit({
        at: new Date(),
        method: redact(request.method),
        path: URL.canParse(request.url) ? redact(new URL(request.url).pathname).slice(0, MAX_AUDITED_PATH) : '',
        origin: undefined,
        outcome: 'failed',
        status: response.status,
        durationMs: now() - started,
        error: redact(errorMessage(error)),
      });
      return response;
    }
  }

  const proxy: ExpiringTargetsProxy = async (request) => toResponse(await guarded(request, undefined));
  RAW_TARGET_HANDLERS.set(proxy, guarded);
  return proxy;
}
