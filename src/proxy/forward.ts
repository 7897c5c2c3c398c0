/**
 * Sending one approved request to LaunchDarkly, once, and turning its answer into the proxy's:
 * the upstream wait has its own `timeoutMs` inside the request's deadline, follows the client
 * (one that leaves aborts the call at once), and the answer is read up to `maxResponseBytes`.
 * Only the headers the browser client reads are passed on; a body that is not JSON is replaced
 * by the proxy's own JSON error with the same status and rate-limit headers.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import type { PlainAnswer } from '../core/internal/adapted-request.js';
import type { Deadline } from '../core/internal/deadline.js';
import type { SpanHandle } from '../core/internal/instrumentation.js';
import { observeUpstream } from '../core/internal/proxy-telemetry.js';
import { AGENT_HEADER, API_VERSION_HEADER, NULL_BODY_STATUSES } from '../core/internal/transport.js';
import { NOSNIFF, errorMessage, json } from './answers.js';
import { declaredLength, readCapped } from './body.js';
import { type Route, upstreamPath } from './route.js';
import type { Settings } from './settings.js';
import type { ProxyOperation } from './types.js';

/** Response headers the browser client reads, passed through from LaunchDarkly. */
const PASSED_HEADERS = new Set(['content-type', 'retry-after', 'x-request-id']);
const PASSED_PREFIX = 'x-ratelimit-';
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** What came of forwarding: LaunchDarkly's answer (possibly replaced), a failure, or a client gone. */
export type Forwarded =
  | { outcome: 'forwarded'; answer: PlainAnswer; requestId?: string | undefined; error?: string | undefined }
  | { outcome: 'failed'; answer: PlainAnswer; requestId?: string | undefined; error: string }
  | { outcome: 'abandoned'; error: string };

const decoder = new TextDecoder();

/** `deadline` is the request's (its limit, the client's presence); the upstream wait is a shorter limit within it. */
export async function forward(
  settings: Settings,
  route: Route,
  operation: ProxyOperation,
  body: object | undefined,
  deadline: Deadline,
  span?: SpanHandle | undefined,
): Promise<Forwarded> {
  const { upstream, redact } = settings;
  const headers: Record<string, string> = {
    Authorization: settings.apiKey,
    Accept: 'application/json',
    [API_VERSION_HEADER]: upstream.apiVersion,
    'User-Agent': settings.agent,
    [AGENT_HEADER]: settings.agent,
  };
  const init: RequestInit = { method: operation.toUpperCase(), headers, redirect: 'manual' };
  if (body !== undefined) {
    headers['Content-Type'] = RESOURCE_RULES[route.resource].patchMediaType;
    // Re-serialised from the validated value: LaunchDarkly gets exactly what was checked (no
    // duplicate keys, no bytes another JSON parser could read differently).
    init.body = JSON.stringify(body);
  }
  const { signal } = deadline;
  const endLimit = deadline.limit(settings.timeoutMs, 'the upstream call');
  const url = `${upstream.baseUrl}${upstreamPath(route)}`;
  // A client span under the proxy's server span, when instrumented; its trace context goes out in `headers`.
  const observed = observeUpstream(span, init.method as string, url, headers, redact);
  let status: number | undefined;
  const failure = (error: unknown, requestId?: string): Forwarded => {
    const timedOut = deadline.expired !== undefined;
    if (signal.aborted && !timedOut) return { outcome: 'abandoned', error: 'the client went away; the upstream call was aborted' };
    const message = timedOut ? 'LaunchDarkly did not answer in time' : 'LaunchDarkly could not be reached';
    return {
      outcome: 'failed',
      answer: json(timedOut ? 504 : 502, { code: timedOut ? 'gateway_timeout' : 'bad_gateway', message }),
      requestId,
      error: redact(`${message}: ${errorMessage(error)}`),
    };
  };
  try {
    let response: Response;
    try {
      response = await upstream.fetch(url, { ...init, signal });
    } catch (error) {
      const failed = failure(error);
      observed?.end(undefined, failed.error);
      return failed;
    }
    status = response.status;
    const requestIdHeader = response.headers.get('x-request-id');
    const requestId = requestIdHeader === null ? undefined : redact(requestIdHeader);
    if (response.status < 200 || (response.status >= 300 && response.status < 400)) {
      response.body?.cancel().catch(() => undefined);
      const answer = json(502, { code: 'bad_gateway', message: 'LaunchDarkly answered with a redirect' });
      return { outcome: 'failed', answer, requestId, error: `LaunchDarkly answered ${response.status}` };
    }
    const declared = declaredLength(response.headers);
    // A declared length within the cap is all the runtime reads (HTTP framing ends the body there):
    // the runtime's own reader takes it; otherwise the body is read chunk by chunk up to the cap.
    if (declared !== undefined && declared > settings.maxResponseBytes) response.body?.cancel().catch(() => undefined);
    const read =
      declared !== undefined && declared > settings.maxResponseBytes
        ? ({ ok: false, reason: 'too-large' } as const)
        : declared !== undefined
          ? await response.arrayBuffer().then(
              (buffer) => ({ ok: true as const, bytes: new Uint8Array(buffer) }),
              () => ({ ok: false as const, reason: 'unreadable' as const }),
            )
          : await readCapped(response.body, { maxBytes: settings.maxResponseBytes, sizeHint: declared, signal });
    if (!read.ok && read.reason === 'too-large') {
      const answer = json(502, { code: 'bad_gateway', message: 'LaunchDarkly answered more than the proxy accepts' });
      return {
        outcome: 'failed',
        answer,
        requestId,
        error: `LaunchDarkly's answer exceeded maxResponseBytes (${settings.maxResponseBytes})`,
      };
    }
    if (!read.ok) return failure(new Error(`reading the answer: ${read.reason}`), requestId);
    return { outcome: 'forwarded', requestId, ...answerOf(settings, response, read.bytes) };
  } finally {
    endLimit();
    if (status !== undefined) observed?.end(status);
  }
}

/** LaunchDarkly's answer as the browser gets it: the client's headers, a JSON body or none. */
function answerOf(settings: Settings, response: Response, bytes: Uint8Array): { answer: PlainAnswer; error?: string } {
  const { redact } = settings;
  const passed: Record<string, string> = { 'cache-control': 'no-store', ...NOSNIFF };
  response.headers.forEach((value, name) => {
    if (PASSED_HEADERS.has(name) || name.startsWith(PASSED_PREFIX)) passed[name] = redact(value);
  });
  if (NULL_BODY_STATUSES.has(response.status)) return { answer: { status: response.status, headers: passed, body: null } };
  const mediaType = (passed['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    const replaced = json(
      response.status,
      { code: 'upstream_not_json', message: `LaunchDarkly answered ${response.status} with a body that is not JSON` },
      passed,
    );
    replaced.headers['content-type'] = 'application/json';
    return {
      answer: replaced,
      error: `LaunchDarkly's ${response.status} answer was ${mediaType === '' ? 'untyped' : redact(mediaType).slice(0, 100)}, replaced`,
    };
  }
  return { answer: { status: response.status, headers: passed, body: redact(decoder.decode(bytes)) } };
}
