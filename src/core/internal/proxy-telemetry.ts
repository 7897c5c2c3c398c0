/**
 * What the proxy tells its listeners: one log line per request (from the audit event, which holds
 * only redacted strings) and a server span per request through a registered instrumentation.
 */
import { RESOURCE_RULES } from '../../../generated/instruction-rules.js';
import type { SpanHandle } from './instrumentation.js';
import { type LogData, emit } from './log-line.js';
import { type Logging, currentInstrumentation } from './telemetry.js';
import { templateOf } from './url-template.js';

const TEMPLATES = Object.values(RESOURCE_RULES).map((r) => r.path);

/** The fields of an audit event a log line carries (never the request's headers). */
interface AuditFacts {
  method: string;
  path: string;
  outcome: string;
  status: number;
  durationMs: number;
  refusal?: string | undefined;
  operation?: string | undefined;
  operationId?: string | undefined;
  resource?: string | undefined;
  projectKey?: string | undefined;
  environmentKey?: string | undefined;
  key?: string | undefined;
  instructions?: readonly unknown[] | undefined;
  requestId?: string | undefined;
  error?: string | undefined;
  actor?: unknown;
}

/** One line per request: info, warn when LaunchDarkly failed or could not be reached, error when the proxy or `authorize` did. */
export function logProxyRequest(logging: Logging | undefined, redact: (text: string) => string, event: AuditFacts): void {
  if (logging === undefined) return;
  const rank = event.outcome !== 'failed' ? 3 : event.status === 500 ? 1 : 2;
  if (logging.rank < rank) return;
  const { instructions, actor, ...facts } = event;
  const data: LogData = { ...facts, durationMs: Math.round(event.durationMs) };
  if (instructions !== undefined) data.instructions = instructions.length;
  // An actor may be a whole session object: only a plain id is worth a log field.
  if (typeof actor === 'string' || typeof actor === 'number') data.actor = actor;
  const what = event.operationId ?? `${event.method} ${event.path}`;
  const why = event.refusal ?? event.error;
  emit(
    logging.logger,
    rank,
    redact,
    `proxy ${what} ${event.outcome} ${event.status} in ${data.durationMs} ms${why ? `: ${why}` : ''}`,
    data,
  );
}

/**
 * Wraps the proxy's handler in a server span per request, when an instrumentation is registered.
 * The route is the document's path template, so spans and metrics group by operation; the
 * handler is given the span, so that its call to LaunchDarkly becomes a child (`observeUpstream`).
 */
export function observeProxy<A extends { status: number }>(
  handler: (request: Request, span: SpanHandle | undefined) => Promise<A>,
  basePath: string,
  trustIncoming: boolean,
  redact: (text: string) => string,
): (request: Request) => Promise<A> {
  return async (request) => {
    const instrumentation = currentInstrumentation();
    if (instrumentation === undefined) return handler(request, undefined);
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const route = url.pathname.startsWith(basePath) ? templateOf(url.pathname, TEMPLATES) : undefined;
    const span = instrumentation.startServer(
      route ? `${method} ${route}` : method,
      {
        'http.request.method': method,
        'http.route': route,
        'url.path': redact(url.pathname).slice(0, 1000),
        'url.scheme': url.protocol.slice(0, -1),
        'server.address': url.hostname,
        'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      },
      request.headers,
      trustIncoming,
    );
    try {
      const answer = await handler(request, span);
      span.end({ 'http.response.status_code': answer.status }, answer.status >= 500 ? String(answer.status) : undefined);
      return answer;
    } catch (error) {
      span.end({}, error instanceof Error ? redact(error.name) : 'Error');
      throw error;
    }
  };
}

/**
 * The proxy's call to LaunchDarkly as a client span under the request's server span (when one is
 * open), named and attributed as the client's attempts are; the trace context goes into
 * `headers`. `end` takes LaunchDarkly's status, or the redacted reason it could not be had.
 */
export function observeUpstream(
  parent: SpanHandle | undefined,
  method: string,
  url: string,
  headers: Record<string, string>,
  redact: (text: string) => string,
): { end(status: number | undefined, error?: string): void } | undefined {
  const instrumentation = currentInstrumentation();
  if (instrumentation === undefined || parent === undefined) return undefined;
  const shown = redact(url);
  const parsed = new URL(shown);
  const template = templateOf(parsed.pathname, TEMPLATES);
  const carrier = new Headers();
  const span = instrumentation.startAttempt(
    template ? `${method} ${template}` : method,
    {
      'http.request.method': method,
      'server.address': parsed.hostname,
      'server.port': Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
      'url.full': shown,
      'url.template': template,
    },
    parent,
    carrier,
  );
  carrier.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    end(status, error) {
      if (status === undefined) span.end({}, 'Error', error);
      else span.end({ 'http.response.status_code': status }, status >= 400 ? String(status) : undefined);
    },
  };
}
