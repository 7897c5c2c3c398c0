/**
 * What one call tells its listeners: log lines at their levels and spans through a registered
 * instrumentation, from the same facts. Loaded only when it has something to do (see ./telemetry.ts).
 *
 * Everything that leaves here has passed the redaction step: keys, URLs, messages and every
 * string of a log line's data. Headers are never handed out, only the request id among them.
 */
import type { Attributes, Instrumentation, SpanHandle } from './instrumentation.js';
import type { CallEnd, CallInfo, CallScope, FateCounts, Logging } from './call-facts.js';
import { type LogData, emit } from './log-line.js';

const NS = 'ld_expiring_targets';

const now = () => globalThis.performance?.now() ?? Date.now();
const ms = (from: number) => Math.round(now() - from);

function errorFacts(error: unknown, redact: (text: string) => string): { type: string; message: string; status?: number } {
  const e = error as { name?: unknown; message?: unknown; status?: unknown; code?: unknown } | null;
  const type = typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const status = typeof e?.status === 'number' ? e.status : undefined;
  return { type: redact(type), message: redact(message), ...(status !== undefined && { status }) };
}

/** The fate of an error for the instructions it carried, when it says (the library's errors do). */
function fateOf(error: unknown): string | undefined {
  const fate = (error as { instructionsFate?: unknown } | null)?.instructionsFate;
  return typeof fate === 'string' ? fate : undefined;
}

// A factory of closures rather than a class: a down-levelled class field would pull a helper
// into a chunk of its own in a page's bundle.
export function openScope(
  logging: Logging | undefined,
  instrumentation: Instrumentation | undefined,
  redact: (text: string) => string,
  info: CallInfo,
  parent: CallScope | undefined,
  started = now(),
  attempts = 0,
): CallScope {
  const ref = (info.ref ?? {}) as Record<string, unknown>;
  const keys = Object.fromEntries((info.names ?? []).map((k) => [k, redact(String(ref[k]))]));
  const what: LogData = {
    operation: redact(info.operation),
    ...(info.resource !== undefined && { resource: info.resource }),
    ...keys,
    ...(info.instructions !== undefined && { instructions: info.instructions }),
    ...(info.purpose !== undefined && { purpose: info.purpose }),
  };
  const path = Object.values(keys).join('/');
  const label = `${what.operation}${path ? ` ${path}` : ''}${info.purpose ? ` (${info.purpose})` : ''}`;
  let span: SpanHandle | undefined;
  if (instrumentation) {
    const attributes: Attributes = {};
    for (const [name, value] of Object.entries(what)) attributes[`${NS}.${snake(name)}`] = value as string;
    span = instrumentation.startCall(what.operation as string, attributes, parent?.span);
  }

  const log = (rank: number, message: string, data: LogData): void => {
    if (logging && logging.rank >= rank) emit(logging.logger, rank, redact, message, { ...what, ...data });
  };

  const scope: CallScope = {
    span,
    attempt(attempt, method, url, headers, template) {
      attempts = attempt;
      const begun = now();
      const shown = redact(url);
      const parsed = URL.canParse(shown) ? new URL(shown) : undefined;
      log(4, `${method} ${template ?? parsed?.pathname ?? ''}: attempt ${attempt}`, { attempt, method, url: shown });
      let child: SpanHandle | undefined;
      let copy: Headers | undefined;
      if (instrumentation && span) {
        copy = new Headers(headers);
        const port = parsed ? Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)) : undefined;
        child = instrumentation.startAttempt(
          template ? `${method} ${template}` : method,
          {
            'http.request.method': method,
            'server.address': parsed?.hostname,
            'server.port': port,
            'url.full': shown,
            'url.template': template,
            'http.request.resend_count': attempt > 1 ? attempt - 1 : undefined,
          },
          span,
          copy,
        );
      }
      return {
        headers: copy,
        end(status, requestId, error) {
          const durationMs = ms(begun);
          if (error !== undefined) {
            const e = errorFacts(error, redact);
            log(4, `attempt ${attempt} failed after ${durationMs} ms: ${e.message}`, {
              attempt,
              durationMs,
              error: e.message,
              errorType: e.type,
            });
            child?.end({}, e.type, e.message);
          } else {
            log(4, `attempt ${attempt} answered ${status} in ${durationMs} ms`, {
              attempt,
              status,
              durationMs,
              requestId: requestId ? redact(requestId) : undefined,
            });
            child?.end({ 'http.response.status_code': status }, status !== undefined && status >= 400 ? String(status) : undefined);
          }
        },
      };
    },

    retry(attempt, delayMs, source, reason) {
      const why = source === 'backoff' ? 'backing off' : `as ${source === 'retry-after' ? 'Retry-After' : 'X-Ratelimit-Reset'} asked`;
      log(4, `retrying after attempt ${attempt} (${redact(reason)}) in ${delayMs} ms, ${why}`, {
        attempt,
        delayMs,
        source,
        reason: redact(reason),
      });
      span?.event('retry', {
        [`${NS}.attempt`]: attempt,
        [`${NS}.delay_ms`]: delayMs,
        [`${NS}.wait_source`]: source,
        [`${NS}.reason`]: redact(reason),
      });
    },

    wait(delayMs) {
      log(4, `waiting ${delayMs} ms for the rate limit to reset`, { delayMs, source: 'rate-limit-gate' });
      span?.event('rate_limit_wait', { [`${NS}.delay_ms`]: delayMs, [`${NS}.wait_source`]: 'rate-limit-gate' });
    },

    readBack(counts) {
      log(4, `read back: ${counts.applied} applied, ${counts.failed} failed, ${counts.unknown} still unknown`, { readBack: { ...counts } });
      span?.event('read_back', fateAttributes(counts));
    },

    end(result) {
      const durationMs = ms(started);
      const facts: LogData = { attempts, durationMs };
      if (result.status !== undefined) facts.status = result.status;
      if (result.requestId) facts.requestId = redact(result.requestId);
      if (result.counts) facts.counts = { ...result.counts };
      const attributes: Attributes = {
        [`${NS}.attempts`]: attempts,
        'http.response.status_code': result.status,
        [`${NS}.request_id`]: facts.requestId as string | undefined,
        ...(result.counts && fateAttributes(result.counts)),
      };
      const counted = result.counts ? `: ${result.counts.applied} of ${result.counts.total} applied` : '';
      const tail = `${attempts > 1 ? ` after ${attempts} attempts` : ''} in ${durationMs} ms`;
      if (result.error !== undefined) {
        const e = errorFacts(result.error, redact);
        const fate = fateOf(result.error);
        // A lost answer is not a failure yet: the caller may still settle it by reading back.
        log(fate === 'unknown' ? 2 : 1, `${label} ${fate === 'unknown' ? 'outcome unknown' : 'failed'}${tail}: ${e.message}`, {
          ...facts,
          ...(e.status !== undefined && { status: e.status }),
          error: e.message,
          errorType: e.type,
          ...(fate !== undefined && { fate }),
        });
        span?.end({ ...attributes, 'http.response.status_code': e.status }, e.type, e.message);
        return;
      }
      const c = result.counts;
      const partial = c !== undefined && c.applied !== c.total;
      log(3, `${label}${result.status !== undefined ? ` ${result.status}` : ''}${counted}${tail}`, facts);
      if (partial) {
        const stopped = result.stoppedBy === undefined ? undefined : errorFacts(result.stoppedBy, redact).message;
        log(
          2,
          `${label}: ${c.failed} failed, ${c.unknown} unknown, ${c.notAttempted} not attempted of ${c.total}${stopped ? `; stopped by: ${stopped}` : ''}`,
          {
            ...facts,
            ...(stopped !== undefined && { stoppedBy: stopped }),
          },
        );
      }
      span?.end(attributes, partial ? 'partial_failure' : undefined);
    },
  };
  return scope;
}

/** Runs the call, ending its scope with what `ended` makes of its result, or with what it throws. */
export async function runScoped<R>(scope: CallScope, call: (scope: CallScope) => Promise<R>, ended: (result: R) => CallEnd): Promise<R> {
  let result: R;
  try {
    result = await call(scope);
  } catch (error) {
    scope.end({ error });
    throw error;
  }
  scope.end(ended(result));
  return result;
}

// Names are the library's own field names, a small fixed set: each is converted once.
const snaked = new Map<string, string>();
function snake(name: string): string {
  let converted = snaked.get(name);
  if (converted === undefined) {
    converted = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snaked.set(name, converted);
  }
  return converted;
}

/** A run's fates as span attributes. */
export function fateAttributes(counts: FateCounts): Attributes {
  const attributes: Attributes = {};
  for (const [fate, n] of Object.entries(counts)) if (typeof n === 'number') attributes[`${NS}.instructions.${snake(fate)}`] = n;
  return attributes;
}
