/**
 * The `fetch` handed to openapi-fetch. It runs beneath openapi-fetch's middleware, so every
 * attempt carries the same headers, and it owns what openapi-fetch deliberately leaves out:
 * per-attempt timeouts (headers and body), retries, and rate-limit pacing.
 *
 * Bodies are read to the end inside the attempt, so a response that stalls or breaks off
 * mid-stream is a timeout or connection error here, not a hang in the caller's `await`.
 */
import { ApiConnectionError, ApiTimeoutError, RequestAbortedError } from './errors.js';
import type { PreparedRequest } from './prepared-request.js';
import { RateLimitGate } from './rate-limit.js';
import { type AttemptOutcome, type RetrySettings, isRetryable, retryDelayMs } from './retry-policy.js';
import { sleep } from './sleep.js';

export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** What a retry looks like to an observer (no headers, so no token). */
export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  status?: number;
  error?: string;
}

/** Settings a single call may override. */
export interface AttemptSettings extends RetrySettings {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface TransportOptions {
  fetch: FetchLike;
  gate: RateLimitGate;
  onRetry?: ((event: RetryEvent) => void) | undefined;
  now?: () => number;
  random?: () => number;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
// Connection failures that happen before any byte of the request can have reached the server.
const BEFORE_SEND_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Serves the body, already read in full inside the attempt's timeout, from memory. Rebuilding a
 * Response instead would cost a copy and a stream per request; the real one keeps its URL too.
 * (Every body of this API is JSON text.)
 */
function bufferBody(response: Response, text: string): Response {
  Object.defineProperties(response, {
    text: { value: () => Promise.resolve(text) },
    json: { value: () => Promise.resolve(text).then(JSON.parse) },
    arrayBuffer: { value: () => Promise.resolve(new TextEncoder().encode(text).buffer) },
    blob: { value: () => Promise.resolve(new Blob([text], { type: response.headers.get('content-type') ?? '' })) },
  });
  return response;
}

function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return [];
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...errorCodes(e.cause, depth + 1)];
}

/** Unknown failures count as after-send: the conservative choice for a PATCH. */
function stageOf(error: unknown): 'before-send' | 'after-send' {
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((c) => BEFORE_SEND_CODES.has(c)) ? 'before-send' : 'after-send';
}

export function createTransport(options: TransportOptions) {
  const now = options.now ?? Date.now;
  const baseFetch = options.fetch;

  /** One attempt: send, then read the whole body, all under one timeout. */
  async function attempt(url: string, init: RequestInit, settings: AttemptSettings): Promise<Response> {
    const controller = new AbortController();
    const callerSignal = settings.signal;
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    const method = init.method ?? 'GET';
    let sent = false;
    try {
      const response = await baseFetch(url, { ...init, signal: controller.signal });
      sent = true;
      if (NULL_BODY_STATUSES.has(response.status)) return response;
      return bufferBody(response, await response.text());
    } catch (error) {
      if (callerSignal?.aborted) throw new RequestAbortedError(callerSignal.reason);
      if (timedOut) throw new ApiTimeoutError(settings.timeoutMs, { method, url });
      const stage = sent ? 'after-send' : stageOf(error);
      const detail = errorCodes(error)[0] ?? (error instanceof Error ? error.message : String(error));
      throw new ApiConnectionError(
        `${sent ? 'Connection broke while reading the response' : 'Request failed'} (${detail})`,
        { stage, method, url, cause: error },
      );
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Sends `request`, retrying as the policy allows. Returns the last response, or throws. */
  return async function send(request: Request | PreparedRequest, settings: AttemptSettings): Promise<Response> {
    const method = request.method;
    const url = request.url;
    // A real Request only arrives when middleware replaced ours; its body has to be read back.
    const body =
      typeof Request !== 'undefined' && request instanceof Request
        ? request.body === null
          ? undefined
          : await request.text()
        : (request as PreparedRequest).body;
    const init: RequestInit = { method, headers: request.headers, redirect: request.redirect };
    if (body !== undefined) init.body = body;
    const changesState = method !== 'GET' && method !== 'HEAD';
    // Whether any attempt so far can have applied the change: an abort then leaves its fate unknown.
    let mayHaveApplied = false;
    const aborted = (error: RequestAbortedError) => new RequestAbortedError(error.cause, mayHaveApplied);
    for (let attemptNo = 1; ; attemptNo++) {
      if (settings.signal?.aborted) throw aborted(new RequestAbortedError(settings.signal.reason));
      if (options.gate.waitMs > 0) {
        try {
          await options.gate.wait(settings.signal);
        } catch (error) {
          throw error instanceof RequestAbortedError ? aborted(error) : error;
        }
      }
      let outcome: AttemptOutcome;
      let failure: unknown;
      let response: Response | undefined;
      try {
        response = await attempt(url, init, settings);
        options.gate.observe(response.headers);
        outcome = { type: 'response', status: response.status, headers: response.headers };
        if (changesState && response.status >= 500) mayHaveApplied = true;
      } catch (error) {
        if (error instanceof RequestAbortedError) {
          mayHaveApplied ||= changesState;
          throw aborted(error);
        }
        if (!(error instanceof ApiConnectionError)) throw error;
        if (changesState && error.stage === 'after-send') mayHaveApplied = true;
        failure = error;
        outcome = { type: 'error', stage: error.stage };
      }
      const retriesLeft = attemptNo <= settings.maxRetries;
      if (!retriesLeft || !isRetryable(outcome, method, settings.retryUnsafe)) {
        if (response) return response;
        throw failure;
      }
      const delayMs = retryDelayMs(outcome, attemptNo - 1, settings, now(), options.random);
      // A 429 speaks for the whole account: hold back every request of this client, not just this one.
      if (outcome.type === 'response' && outcome.status === 429) options.gate.closeUntil(now() + delayMs);
      options.onRetry?.({
        method,
        url,
        attempt: attemptNo,
        delayMs,
        ...(outcome.type === 'response'
          ? { status: outcome.status }
          : { error: failure instanceof Error ? failure.message : String(failure) }),
      });
      try {
        await sleep(delayMs, settings.signal);
      } catch (error) {
        throw error instanceof RequestAbortedError ? aborted(error) : error;
      }
    }
  };
}

export type Transport = ReturnType<typeof createTransport>;
