/**
 * The `fetch` handed to openapi-fetch. It runs beneath openapi-fetch's middleware, so every
 * attempt carries the same headers, and it owns what openapi-fetch deliberately leaves out:
 * per-attempt timeouts (headers and body), retries, and rate-limit pacing.
 *
 * It is also the boundary where answers enter the client: each body is read in full inside the
 * attempt (so a response that stalls mid-stream is a timeout here, not a hang later) and handed
 * up as a new Response whose body, headers and status text have passed through the redactor.
 */
import { ApiConnectionError, ApiTimeoutError } from './connection-errors.js';
import { RequestAbortedError } from './errors.js';
import { NULL_BODY_STATUSES } from './internal/transport.js';
import type { AttemptSettings, FetchLike, RetryEvent } from './options.js';
import { startDeadline } from './internal/deadline.js';
import { pause } from './internal/pause.js';
import { MAX_ROOM_WAIT_MS, RateBudget, routeKeyOf } from './internal/rate-budget.js';
import { matchTemplate } from './internal/url-template.js';
import { type Redactor, redactedCause } from './redact.js';
import type { CallScope } from './internal/call-facts.js';
import { type Logging, observed } from './internal/telemetry.js';
import { type AttemptOutcome, isRetryable, retryWait } from './retry-policy.js';

/** What the attempts of one request found out, for the caller to read afterwards. */
export interface RequestTrace {
  /** True once any attempt of a state-changing request may have been applied by the server. */
  mayHaveApplied: boolean;
  /** The last response handed up and its body as read (redacted), so the caller decodes it once. */
  answer?: { response: Response; text: string } | undefined;
  /** Where the attempts are reported, when someone listens (set by the typed calls; raw calls get their own). */
  scope?: CallScope | undefined;
}

export interface HttpOptions {
  fetch: FetchLike;
  redact: Redactor;
  logging?: Logging | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** The document's path templates: what rate limits count by and telemetry names a URL by. */
  templates?: readonly string[] | undefined;
  now?: () => number;
  random?: () => number;
}

/**
 * A request as the resources build it: its body already the text that goes out, so no Request
 * is made only to be read back. Raw calls hand a Request (openapi-fetch makes one).
 */
export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Headers;
  body?: string | undefined;
}

/** Sends one request with retries; resolves with the last response or rejects with a typed error. */
export type HttpSend = (request: Request | OutgoingRequest, settings: AttemptSettings, trace?: RequestTrace) => Promise<Response>;

// The body handed up is decoded text: these would describe the bytes on the wire instead.
const WIRE_ONLY_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding']);
// Connection failures that happen before any byte of the request can have reached the server.
const BEFORE_SEND_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// What fetch implementations say for a network error (undici, Chromium, Firefox, WebKit): those
// may have happened after sending. Any other TypeError is fetch refusing its input up front.
const NETWORK_ERROR = /fetch failed|failed to fetch|networkerror|load failed|network connection/i;
// The Fetch standard's list of blocked ports: refused before any connection is made.
const BAD_PORT = /^bad port$/i;

function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return [];
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...errorCodes(e.cause, depth + 1)];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a failure of `fetch` itself (no response) can have delivered the request. Unknown: it can. */
export function stageOf(error: unknown): 'before-send' | 'after-send' {
  const codes = errorCodes(error);
  if (codes.length > 0) return codes.every((c) => BEFORE_SEND_CODES.has(c)) ? 'before-send' : 'after-send';
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && BAD_PORT.test(messageOf(cause))) return 'before-send';
  if (error instanceof TypeError && cause === undefined && !NETWORK_ERROR.test(error.message)) return 'before-send';
  return 'after-send';
}

/** The reason shown for a connection failure: the innermost code or message. */
function failureDetail(error: unknown): string {
  const code = errorCodes(error)[0];
  if (code !== undefined) return code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause !== undefined ? messageOf(cause) : messageOf(error);
}

export function createHttp(options: HttpOptions): HttpSend {
  const now = options.now ?? Date.now;
  const { redact } = options;
  const baseFetch = options.fetch;
  const budget = new RateBudget(now);
  const templates = options.templates ?? [];

  /** The response as the rest of the client sees it: read in full, redacted; and its body as text. */
  async function settled(response: Response): Promise<{ response: Response; text: string }> {
    const headers = new Headers();
    response.headers.forEach((value, name) => {
      if (!WIRE_ONLY_HEADERS.has(name)) headers.append(name, redact(value));
    });
    const init = { status: response.status, statusText: redact(response.statusText), headers };
    if (NULL_BODY_STATUSES.has(response.status)) return { response: new Response(null, init), text: '' };
    const text = redact(await response.text());
    return { response: new Response(text, init), text };
  }

  /** One attempt: send, then read the whole body, all under one timeout. `shown` is the URL redacted, for errors. */
  async function attempt(
    url: string,
    shown: string,
    init: RequestInit,
    settings: AttemptSettings,
  ): Promise<{ response: Response; text: string }> {
    const callerSignal = settings.signal;
    const deadline = startDeadline(settings.timeoutMs, callerSignal);
    const method = init.method ?? 'GET';
    let sent = false;
    try {
      const response = await baseFetch(url, { ...init, signal: deadline.signal });
      sent = true;
      return await settled(response);
    } catch (error) {
      if (callerSignal?.aborted) throw new RequestAbortedError(callerSignal.reason);
      if (deadline.expired !== undefined) throw new ApiTimeoutError(settings.timeoutMs, { method, url: shown });
      const stage = sent ? 'after-send' : stageOf(error);
      const host = URL.canParse(shown) ? new URL(shown).host : 'the server';
      const what = sent ? `Connection to ${host} broke while reading the response` : `Request to ${host} failed`;
      throw new ApiConnectionError(redact(`${what} (${failureDetail(error)})`), {
        stage,
        method,
        url: shown,
        cause: redactedCause(error, redact),
      });
    } finally {
      deadline.dispose();
    }
  }

  /** A raw call reports as a call of its own, its operation the method. */
  const send: HttpSend = (request, callSettings, trace = { mayHaveApplied: false }) =>
    trace.scope
      ? sendAttempts(request, callSettings, trace)
      : observed(
          options.logging,
          redact,
          { operation: request.method },
          undefined,
          (scope) => sendAttempts(request, callSettings, Object.assign(trace, { scope })),
          (response) => ({ status: response.status, requestId: response.headers.get('x-request-id') }),
        );
  return send;

  async function sendAttempts(request: Request | OutgoingRequest, callSettings: AttemptSettings, trace: RequestTrace): Promise<Response> {
    const { method, url, headers } = request;
    const init: RequestInit = { method, headers, redirect: 'follow' };
    let settings = callSettings;
    if (request instanceof Request) {
      // A raw openapi-fetch call passes its AbortSignal on the Request.
      if (settings.signal === undefined) settings = { ...settings, signal: request.signal };
      init.redirect = request.redirect;
      // Read once: every attempt sends the same bytes (a stream could be sent only once).
      if (request.body !== null) init.body = await request.text();
    } else if (request.body !== undefined) init.body = request.body;
    // A URL can hold a secret too (a key mistyped as the token): what errors and events show is redacted.
    const shown = redact(url);
    const changesState = method !== 'GET' && method !== 'HEAD';
    const aborted = (error: RequestAbortedError) => new RequestAbortedError(error.cause, trace.mayHaveApplied);
    // Matched once: rate limits count per route (verb and template; a path no template matches
    // is a route of its own), and the attempts' telemetry is named by the same template.
    const pathname = URL.canParse(shown) ? new URL(shown).pathname : shown;
    const match = matchTemplate(pathname, templates);
    const route = routeKeyOf(method, pathname, match);
    const template = match && `${match.base}${match.template}`;
    for (let attemptNo = 1; ; attemptNo++) {
      if (settings.signal?.aborted) throw aborted(new RequestAbortedError(settings.signal.reason));
      const budgetWaitMs = budget.blockedMs(route);
      if (budgetWaitMs > 0 && Number.isFinite(budgetWaitMs)) trace.scope?.wait(budgetWaitMs);
      let release: () => void;
      try {
        release = await budget.acquire(route, settings.signal, Math.max(settings.maxRetryDelayMs, MAX_ROOM_WAIT_MS));
      } catch (error) {
        throw error instanceof RequestAbortedError ? aborted(error) : error;
      }
      let outcome: AttemptOutcome;
      let failure: ApiConnectionError | undefined;
      let response: Response | undefined;
      let namedWindow = false;
      let observed: ReturnType<NonNullable<typeof trace.scope>['attempt']> | undefined;
      try {
        // Inside the try: an instrumentation that throws still gives the budget its slot back.
        observed = trace.scope?.attempt(attemptNo, method, shown, headers, template);
        const answer = await attempt(url, shown, observed?.headers ? { ...init, headers: observed.headers } : init, settings);
        response = answer.response;
        trace.answer = answer;
        observed?.end(response.status, response.headers.get('x-request-id'));
        namedWindow = budget.observe(route, response.headers);
        outcome = { type: 'response', status: response.status, headers: response.headers };
        // A 5xx may come after LaunchDarkly applied the change: from here on, its fate is open.
        if (changesState && response.status >= 500) trace.mayHaveApplied = true;
      } catch (error) {
        observed?.end(undefined, undefined, error);
        if (error instanceof RequestAbortedError) {
          trace.mayHaveApplied ||= changesState;
          throw aborted(error);
        }
        if (!(error instanceof ApiConnectionError)) throw error;
        budget.unanswered(route);
        if (changesState && error.stage === 'after-send') trace.mayHaveApplied = true;
        failure = error;
        outcome = { type: 'error', stage: error.stage };
      } finally {
        release();
      }
      const retriesLeft = attemptNo <= settings.maxRetries;
      if (!retriesLeft || !isRetryable(outcome, method, settings.retryUnsafe)) {
        if (response) return response;
        const last = failure as ApiConnectionError;
        // A failure before sending says nothing of earlier attempts that may have applied.
        if (last.mayHaveApplied === trace.mayHaveApplied || !changesState) throw last;
        throw new ApiConnectionError(last.message, {
          stage: last.stage,
          method,
          url: shown,
          cause: last.cause,
          mayHaveApplied: trace.mayHaveApplied,
        });
      }
      const { delayMs, source } = retryWait(outcome, attemptNo - 1, settings, now(), options.random);
      trace.scope?.retry(
        attemptNo,
        delayMs,
        source,
        outcome.type === 'response' ? `status ${outcome.status}` : (failure?.message ?? 'connection failed'),
      );
      // A 429 that names no window (an IP-based limit) holds back every request of this client;
      // one that does has already closed its route's or the account's window in the budget.
      if (outcome.type === 'response' && outcome.status === 429 && !namedWindow) budget.closeAll(now() + delayMs);
      options.onRetry?.({
        method,
        url: shown,
        attempt: attemptNo,
        delayMs,
        ...(outcome.type === 'response' ? { status: outcome.status } : { error: failure?.message ?? 'connection failed' }),
      });
      try {
        await pause(delayMs, settings.signal);
      } catch (error) {
        throw error instanceof RequestAbortedError ? aborted(error) : error;
      }
    }
  }
}
