/**
 * What one call tells its listeners: log lines at their levels and spans through a registered
 * instrumentation, from the same facts. Loaded only once someone listens (see ./telemetry.ts).
 *
 * Everything that leaves here has passed the redaction step: keys, URLs, messages and every
 * string of a log line's data. Headers are never handed out, only the request id among them.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import type { Attributes, Instrumentation, SpanHandle } from './instrumentation.js';
import { type LogData, emit } from './log-line.js';
import type { CallInfo, Logging } from './telemetry.js';

/** How many instructions ended with each fate, as results count them. */
export interface FateCounts {
  total: number;
  applied: number;
  failed: number;
  unknown: number;
  notAttempted: number;
  reconciled?: number;
  resent?: number;
}

/** How a call ended. */
export interface CallEnd {
  status?: number | undefined;
  requestId?: string | null | undefined;
  counts?: FateCounts | undefined;
  /** What stopped a run early (it returns rather than throws). */
  stoppedBy?: unknown;
  /** What the call throws. */
  error?: unknown;
}

/** Where a wait between attempts came from. */
export type WaitSource = 'retry-after' | 'x-ratelimit-reset' | 'backoff' | 'rate-limit-gate';

const NS = 'ld_expiring_targets';
const PATH_TEMPLATES = Object.values(RESOURCE_RULES).map((r) => ({
  template: r.path,
  pattern: new RegExp(`^(.*?)${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The document's path template a URL's path matches, after any base path (a proxy's mount point). */
export function templateOf(pathname: string): string | undefined {
  for (const { template, pattern } of PATH_TEMPLATES) {
    const match = pattern.exec(pathname);
    if (match) return `${match[1]}${template}`;
  }
  return undefined;
}

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

/** One call's scope: its attempts, waits and end, told to the logger and the instrumentation. */
export class CallScope {
  readonly span: SpanHandle | undefined;
  private readonly started = now();
  private readonly what: LogData;
  private readonly label: string;
  private attempts = 0;

  constructor(
    private readonly logging: Logging | undefined,
    private readonly instrumentation: Instrumentation | undefined,
    private readonly redact: (text: string) => string,
    info: CallInfo,
    parent?: CallScope,
  ) {
    const keys = Object.fromEntries(Object.entries(info.keys ?? {}).map(([k, v]) => [k, redact(v)]));
    this.what = {
      operation: redact(info.operation),
      ...(info.resource !== undefined && { resource: info.resource }),
      ...keys,
      ...(info.instructions !== undefined && { instructions: info.instructions }),
      ...(info.purpose !== undefined && { purpose: info.purpose }),
    };
    const path = Object.values(keys).join('/');
    this.label = `${this.what.operation}${path ? ` ${path}` : ''}${info.purpose ? ` (${info.purpose})` : ''}`;
    if (instrumentation) {
      const attributes: Attributes = {};
      for (const [name, value] of Object.entries(this.what)) attributes[`${NS}.${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`] = value as string;
      this.span = instrumentation.startCall(this.what.operation as string, attributes, parent?.span);
    }
  }

  private log(rank: number, message: string, data: LogData): void {
    if (this.logging && this.logging.rank >= rank) emit(this.logging.logger, rank, this.redact, message, { ...this.what, ...data });
  }

  /** One attempt begins: a debug line, a client span; the span's `end` takes its answer or failure. */
  attempt(attempt: number, method: string, url: string, headers: Headers): { headers: Headers | undefined; end(status?: number, requestId?: string | null, error?: unknown): void } {
    this.attempts = attempt;
    const started = now();
    const shown = this.redact(url);
    const parsed = URL.canParse(shown) ? new URL(shown) : undefined;
    const template = parsed && templateOf(parsed.pathname);
    this.log(4, `${method} ${template ?? parsed?.pathname ?? ''}: attempt ${attempt}`, { attempt, method, url: shown });
    let span: SpanHandle | undefined;
    let copy: Headers | undefined;
    if (this.instrumentation && this.span) {
      copy = new Headers(headers);
      const port = parsed ? Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)) : undefined;
      span = this.instrumentation.startAttempt(
        template ? `${method} ${template}` : method,
        {
          'http.request.method': method,
          'server.address': parsed?.hostname,
          'server.port': port,
          'url.full': shown,
          'url.template': template,
          'http.request.resend_count': attempt > 1 ? attempt - 1 : undefined,
        },
        this.span,
        copy,
      );
    }
    return {
      headers: copy,
      end: (status, requestId, error) => {
        const durationMs = ms(started);
        const id = requestId ? this.redact(requestId) : undefined;
        if (error !== undefined) {
          const e = errorFacts(error, this.redact);
          this.log(4, `attempt ${attempt} failed after ${durationMs} ms: ${e.message}`, { attempt, durationMs, error: e.message, errorType: e.type });
          span?.end({}, e.type, e.message);
        } else {
          this.log(4, `attempt ${attempt} answered ${status} in ${durationMs} ms`, { attempt, status, durationMs, requestId: id });
          span?.end({ 'http.response.status_code': status }, status !== undefined && status >= 400 ? String(status) : undefined);
        }
      },
    };
  }

  /** The decision to try again, with its reason and where the wait came from. */
  retry(attempt: number, delayMs: number, source: WaitSource, reason: string): void {
    const why = source === 'backoff' ? 'backing off' : `as ${source === 'retry-after' ? 'Retry-After' : 'X-Ratelimit-Reset'} asked`;
    this.log(4, `retrying after attempt ${attempt} (${this.redact(reason)}) in ${delayMs} ms, ${why}`, { attempt, delayMs, source, reason: this.redact(reason) });
    this.span?.event('retry', { [`${NS}.attempt`]: attempt, [`${NS}.delay_ms`]: delayMs, [`${NS}.wait_source`]: source, [`${NS}.reason`]: this.redact(reason) });
  }

  /** A wait before an attempt because LaunchDarkly said the rate limit is spent. */
  wait(delayMs: number): void {
    this.log(4, `waiting ${delayMs} ms for the rate limit to reset`, { delayMs, source: 'rate-limit-gate' });
    this.span?.event('rate_limit_wait', { [`${NS}.delay_ms`]: delayMs, [`${NS}.wait_source`]: 'rate-limit-gate' });
  }

  /** What reading back decided for instructions whose answer was lost. */
  readBack(counts: FateCounts): void {
    this.log(4, `read back: ${counts.applied} applied, ${counts.failed} failed, ${counts.unknown} still unknown`, { readBack: { ...counts } });
    this.span?.event('read_back', fateAttributes(counts));
  }

  /** The call settled: info for every call, warn for partial failures and unknown fates, error for what throws. */
  end(result: CallEnd): void {
    const durationMs = ms(this.started);
    const facts: LogData = { attempts: this.attempts, durationMs };
    if (result.status !== undefined) facts.status = result.status;
    if (result.requestId) facts.requestId = this.redact(result.requestId);
    if (result.counts) facts.counts = { ...result.counts };
    const attributes: Attributes = {
      [`${NS}.attempts`]: this.attempts,
      'http.response.status_code': result.status,
      [`${NS}.request_id`]: facts.requestId as string | undefined,
      ...(result.counts && fateAttributes(result.counts)),
    };
    const counted = result.counts ? `: ${result.counts.applied} of ${result.counts.total} applied` : '';
    const tail = `${this.attempts > 1 ? ` after ${this.attempts} attempts` : ''} in ${durationMs} ms`;
    if (result.error !== undefined) {
      const e = errorFacts(result.error, this.redact);
      const fate = fateOf(result.error);
      // A lost answer is not a failure yet: the caller may still settle it by reading back.
      this.log(fate === 'unknown' ? 2 : 1, `${this.label} ${fate === 'unknown' ? 'outcome unknown' : 'failed'}${tail}: ${e.message}`, {
        ...facts,
        ...(e.status !== undefined && { status: e.status }),
        error: e.message,
        errorType: e.type,
        ...(fate !== undefined && { fate }),
      });
      this.span?.end({ ...attributes, 'http.response.status_code': e.status }, e.type, e.message);
      return;
    }
    const c = result.counts;
    const partial = c !== undefined && c.applied !== c.total;
    this.log(3, `${this.label}${result.status !== undefined ? ` ${result.status}` : ''}${counted}${tail}`, facts);
    if (partial) {
      const stopped = result.stoppedBy === undefined ? undefined : errorFacts(result.stoppedBy, this.redact).message;
      this.log(2, `${this.label}: ${c.failed} failed, ${c.unknown} unknown, ${c.notAttempted} not attempted of ${c.total}${stopped ? `; stopped by: ${stopped}` : ''}`, {
        ...facts,
        ...(stopped !== undefined && { stoppedBy: stopped }),
      });
    }
    this.span?.end(attributes, partial ? 'partial_failure' : undefined);
  }
}

function fateAttributes(counts: FateCounts): Attributes {
  const attributes: Attributes = {};
  for (const [fate, n] of Object.entries(counts)) if (typeof n === 'number') attributes[`${NS}.instructions.${fate.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`] = n;
  return attributes;
}
