/**
 * The backend half of a browser app: a fetch handler that forwards exactly the four
 * expiring-target operations to LaunchDarkly with the token it holds, after the app's own
 * `authorize` has approved each request. Everything else is refused before LaunchDarkly is
 * contacted, and every step has a bound: the body's size and time, the instruction count, the
 * request's deadline, the answer's size, the requests in flight.
 *
 * Retries happen in one place, the browser client: the proxy sends each request once and passes
 * 429 and 5xx answers through with `Retry-After` and `X-Ratelimit-*`, which the client reads to
 * pace and retry. Retrying here as well would multiply the attempts behind every client retry.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import { ANSWERED_PLAINLY, AdaptedRequest, type PlainAnswer } from '../core/internal/adapted-request.js';
import { type Deadline, startDeadline, untilAborted } from '../core/internal/deadline.js';
import { INTERNAL_ERROR, type Refusal, errorMessage, json, refusalAnswer, toResponse, withHeaders } from './answers.js';
import type { SpanHandle } from '../core/internal/instrumentation.js';
import { logProxyRequest, observeProxy } from '../core/internal/proxy-telemetry.js';
import { loggingOf } from '../core/internal/telemetry.js';
import { auditedInstructions, auditedString, emit } from './audit.js';
import { declaredLength, readCapped, utf8 } from './body.js';
import { ALLOWED_METHODS, OPERATION_OF_METHOD, firstRefusal } from './checks.js';
import { corsHeaders, isPreflight, preflight } from './cors.js';
import { forward } from './forward.js';
import { ActorRateLimiter, InFlight } from './load.js';
import { type PatchBody, parsePatchBody } from './patch-body.js';
import { type Route, matchRoute, rawTargetIsRewritten } from './route.js';
import { normalizeProxyOptions } from './settings.js';
import type { ExpiringTargetsProxy, ProxyAuditEvent, ProxyAuthorization, ProxyCall, ProxyOperation, ProxyOptions } from './types.js';

const now = () => globalThis.performance?.now() ?? Date.now();

/** The status of an answer nobody receives because the client went away (as nginx logs it). */
const CLIENT_GONE = 499;

/**
 * Creates the proxy: a fetch handler `(request) => Promise<Response>` to mount at `basePath` in
 * any server that speaks Request and Response (Next.js route handlers, Hono, Bun, Deno, Workers),
 * or in Node's `http` and Express through {@link createNodeListener}.
 *
 * Only GET and PATCH of a segment's or a flag's expiring targets are forwarded; other paths,
 * methods, path tricks, method overrides, query strings, foreign origins, oversized, slow or
 * invalid bodies and requests `authorize` refuses are answered here (404, 405, 403, 400, 408,
 * 413, 415, 429, 503) without contacting LaunchDarkly.
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
  const settings = normalizeProxyOptions(options as ProxyOptions<unknown>);
  const { authorize, onAudit } = options;
  const { redact } = settings;
  const logging = loggingOf(options.logLevel, options.logger);
  /** Each request's event: a log line, then `onAudit`. */
  const audit = (event: ProxyAuditEvent<Actor>) => {
    logProxyRequest(logging, redact, event);
    emit(onAudit, event);
  };
  const inFlight = new InFlight(settings.maxInFlight);
  const limiter = settings.actorRateLimit === undefined ? undefined : new ActorRateLimiter(settings.actorRateLimit);

  /** One request being handled: its audit event, completed and emitted once by `finish`. */
  function exchange(request: Request, url: URL) {
    const started = now();
    const origin = request.headers.get('origin');
    const event: ProxyAuditEvent<Actor> = {
      at: new Date(),
      method: auditedString(request.method, redact),
      path: auditedString(url.pathname, redact),
      origin: origin === null ? undefined : auditedString(origin, redact),
      outcome: 'refused',
      status: 0,
      durationMs: 0,
    };
    const finish = <A extends Response | PlainAnswer>(answer: A, details: Partial<ProxyAuditEvent<Actor>>): A => {
      Object.assign(event, details, { status: answer.status, durationMs: now() - started });
      audit(event);
      return answer;
    };
    const cors = corsHeaders(settings, origin);
    const refuse = (refusal: Refusal) => finish(refusalAnswer(refusal, cors), { outcome: 'refused', refusal: refusal.refusal });
    /** Past the request's deadline (504), the body's (408), or the client gone (499, unheard). */
    const stopped = (deadline: Deadline, step: string) => {
      if (deadline.expired === 'deadline') {
        return finish(json(504, { code: 'gateway_timeout', message: 'The request took too long' }, cors), {
          outcome: 'failed',
          error: `the request's deadline (${settings.requestTimeoutMs} ms) passed during ${step}`,
        });
      }
      if (deadline.expired === 'body')
        return refuse({ status: 408, refusal: 'body-timeout', message: `The body did not arrive within ${settings.bodyTimeoutMs} ms` });
      return finish(json(CLIENT_GONE, { code: 'client_gone', message: 'The client went away' }), {
        outcome: 'abandoned',
        error: `the client went away during ${step}`,
      });
    };
    return { event, origin, cors, finish, refuse, stopped };
  }

  async function handle(request: Request, url: URL, deadline: Deadline, span: SpanHandle | undefined): Promise<Response | PlainAnswer> {
    const { event, origin, cors, finish, refuse, stopped } = exchange(request, url);
    const method = request.method.toUpperCase();
    const rawTarget = request instanceof AdaptedRequest ? request.rawTarget : undefined;
    const route = rawTarget !== undefined && rawTargetIsRewritten(rawTarget) ? undefined : matchRoute(url.pathname, settings.basePath);
    if (route === undefined) return refuse({ status: 404, refusal: 'not-found', message: 'Not found' });
    Object.assign(event, {
      resource: route.resource,
      projectKey: auditedString(route.projectKey, redact),
      environmentKey: auditedString(route.environmentKey, redact),
      key: auditedString(route.key, redact),
    });
    if (origin !== null && isPreflight(request, method)) {
      const { answer, refusal } = preflight(settings, request, origin, ALLOWED_METHODS);
      return finish(answer, { outcome: 'preflight', ...(refusal !== undefined && { refusal }) });
    }
    const operation = OPERATION_OF_METHOD.get(method);
    const refusal = firstRefusal({ request, url, method, route, operation }, settings);
    if (operation !== undefined && refusal?.refusal !== 'method-not-allowed')
      Object.assign(event, { operation, operationId: routeOperationId(route, operation) });
    if (refusal !== undefined || operation === undefined) return refuse(refusal as Refusal);

    let body: PatchBody | undefined;
    if (operation === 'patch') {
      const endLimit = deadline.limit(settings.bodyTimeoutMs, 'body');
      const read = await readCapped(request.body, {
        maxBytes: settings.maxBodyBytes,
        sizeHint: declaredLength(request.headers),
        signal: deadline.signal,
      });
      endLimit();
      if (!read.ok && read.reason === 'aborted') return stopped(deadline, 'reading the body');
      if (!read.ok && read.reason === 'too-large')
        return refuse({ status: 413, refusal: 'body-too-large', message: `The body is larger than ${settings.maxBodyBytes} bytes` });
      if (!read.ok) return refuse({ status: 400, refusal: 'invalid-body', message: 'The body could not be read' });
      const text = utf8(read.bytes);
      if (text === undefined) return refuse({ status: 400, refusal: 'invalid-body', message: 'The body is not UTF-8' });
      const parsed = parsePatchBody(route.resource, text, settings);
      if (!parsed.ok) return refuse(parsed.refusal);
      body = parsed.body;
      Object.assign(event, auditedInstructions(body.instructions, redact));
    }

    const call = {
      request,
      operation,
      operationId: routeOperationId(route, operation),
      resource: route.resource,
      projectKey: route.projectKey,
      environmentKey: route.environmentKey,
      key: route.key,
      instructions: body?.instructions,
      comment: body?.comment,
    } as ProxyCall;
    let decision: ProxyAuthorization<Actor>;
    try {
      const pending = authorize(call);
      decision = pending instanceof Promise ? await untilAborted(pending, deadline.signal) : await pending;
    } catch (error) {
      if (deadline.signal.aborted) return stopped(deadline, 'authorize');
      return finish(json(500, INTERNAL_ERROR, cors), { outcome: 'failed', error: redact(`authorize threw ${errorMessage(error)}`) });
    }
    if (decision instanceof Response)
      return finish(withHeaders(decision, { ...cors, 'x-content-type-options': 'nosniff' }), { outcome: 'answered' });
    const explained = decision !== null && typeof decision === 'object' ? decision : undefined;
    if (explained?.actor !== undefined) event.actor = explained.actor;
    if (decision !== true && explained?.allow !== true)
      return finish(json(403, { code: 'forbidden', message: 'Not allowed' }, cors), { outcome: 'denied' });
    const waitMs = limiter === undefined || explained?.actor === undefined ? 0 : limiter.take(explained.actor);
    if (waitMs > 0) {
      const headers = { 'retry-after': String(Math.ceil(waitMs / 1000)) };
      return refuse({ status: 429, refusal: 'rate-limited', message: 'Too many requests from this user; try again later', headers });
    }

    const forwarded = await forward(settings, route, operation, body, deadline, span);
    if (forwarded.outcome === 'abandoned') return stopped(deadline, 'the upstream call');
    const { answer } = forwarded;
    Object.assign(
      answer.headers,
      corsHeaders(
        settings,
        origin,
        Object.keys(answer.headers)
          .filter((name) => name !== 'x-content-type-options')
          .sort(),
      ),
    );
    return finish(answer, {
      outcome: forwarded.outcome,
      ...(forwarded.requestId !== undefined && { requestId: forwarded.requestId }),
      ...(forwarded.error !== undefined && { error: forwarded.error }),
    });
  }

  /** The last line of defence: a fault of the proxy itself is a 500 without details, and audited. */
  async function guarded(request: Request, span: SpanHandle | undefined): Promise<Response | PlainAnswer> {
    const started = now();
    let url: URL | undefined;
    try {
      url = new URL(request.url);
    } catch {
      url = undefined;
    }
    const minimalEvent = (status: number, details: Partial<ProxyAuditEvent<Actor>>): ProxyAuditEvent<Actor> => ({
      at: new Date(),
      method: auditedString(request.method, redact),
      path: url === undefined ? '' : auditedString(url.pathname, redact),
      origin: undefined,
      outcome: 'failed',
      status,
      durationMs: now() - started,
      ...details,
    });
    if (!inFlight.enter()) {
      const answer = json(503, { code: 'overloaded', message: 'The proxy is busy; try again shortly' }, { 'retry-after': '1' });
      audit(minimalEvent(503, { outcome: 'refused', refusal: 'overloaded' }));
      return answer;
    }
    const deadline = startDeadline(settings.requestTimeoutMs, request.signal);
    try {
      if (url === undefined) throw new Error('the request URL cannot be parsed');
      return await handle(request, url, deadline, span);
    } catch (error) {
      audit(minimalEvent(500, { error: redact(errorMessage(error)) }));
      return json(500, INTERNAL_ERROR);
    } finally {
      deadline.dispose();
      inFlight.leave();
    }
  }

  const observed = observeProxy(guarded, settings.basePath, options.trustTraceparent === true, redact);
  return async (request) => {
    const answer = await observed(request);
    if (answer instanceof Response || !(request instanceof AdaptedRequest)) return toResponse(answer);
    // The Node adapter writes the plain answer as it is, without a Response to build and read back.
    request.plainAnswer = answer;
    return ANSWERED_PLAINLY;
  };
}

/** The operation's id in LaunchDarkly's API document. */
function routeOperationId(route: Route, operation: ProxyOperation): string {
  return RESOURCE_RULES[route.resource].operations[operation];
}
