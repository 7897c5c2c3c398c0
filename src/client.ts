import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/schema.js';
import {
  ApiConnectionError,
  ExpiringTargetsError,
  InstructionValidationError,
  InvalidResponseError,
  LaunchDarklyApiError,
  PartialFailureError,
  errorClassForStatus,
  redact,
} from './errors.js';
import { type CallOptions, type ClientOptions, type NormalizedOptions, normalizeOptions } from './options.js';
import type { BulkResult, PatchAllOptions } from './bulk.js';
import { PreparedRequest } from './prepared-request.js';
import { RateLimitGate } from './rate-limit.js';
import { fateOfError, type InstructionOutcome } from './outcomes.js';
import { type GetResult, type PatchResult, countsOf, toGetResult, toPatchResult } from './results.js';
import { parseRetryAfter } from './retry-policy.js';
import { type AttemptSettings, createTransport } from './transport.js';
import { type FlagInstruction, type ResourceKind, type SegmentInstruction, assertInstructions, keyIssues } from './validation.js';
import { PACKAGE_NAME, VERSION } from './version.js';

const SEGMENT_PATH = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const FLAG_PATH = '/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}';

/** Identifies a segment in one environment. */
export interface SegmentRef {
  projectKey: string;
  environmentKey: string;
  segmentKey: string;
}

/** Identifies a feature flag in one environment. */
export interface FlagRef {
  projectKey: string;
  environmentKey: string;
  flagKey: string;
}

/** Options of `patch`. */
export interface PatchOptions extends CallOptions {
  /** Shown in LaunchDarkly's audit log. */
  comment?: string | undefined;
  /** Throw a {@link PartialFailureError} instead of returning a result with `ok: false`. */
  throwOnPartialFailure?: boolean | undefined;
  /**
   * After an ambiguous answer (5xx, reset or timeout after sending, unreadable 200), read the
   * targets back and decide each instruction from the state instead of throwing. Default false.
   */
  reconcile?: boolean | undefined;
}

/** The typed openapi-fetch client underneath, for full control. */
export type RawClient = Client<paths>;

/** What an API error body may hold. */
interface ErrorBody {
  code?: unknown;
  message?: unknown;
  id?: unknown;
}

export interface ClientInternals {
  options: NormalizedOptions;
  /** Runs one typed request and turns any non-2xx into the right error class. */
  request<R>(
    method: 'GET' | 'PATCH',
    settings: CallOptions | undefined,
    send: (fetch: (request: Request) => Promise<Response>) => Promise<{ data?: unknown; error?: unknown; response: Response }>,
    toResult: (body: unknown, response: Response) => R,
  ): Promise<R>;
}

function apiError(method: string, response: Response, body: unknown, apiKey: string | undefined): LaunchDarklyApiError {
  // Anything the response says may echo the request (a gateway reflecting headers): redact it all,
  // and before truncating, so a token cut in half cannot slip through.
  const clean = (value: unknown) => (typeof value === 'string' ? redact(value, apiKey) : undefined);
  const b: ErrorBody = body !== null && typeof body === 'object' ? (body as ErrorBody) : {};
  const code = clean(b.code);
  const text = typeof b.message === 'string' ? clean(b.message) : typeof body === 'string' ? clean(body.trim())?.slice(0, 200) : undefined;
  const ErrorClass = errorClassForStatus(response.status);
  const summary = `${method} ${new URL(response.url || 'http://unknown').pathname} failed with ${response.status}${code ? ` ${code}` : ''}`;
  return new ErrorClass(text ? `${summary}: ${text}` : summary, {
    status: response.status,
    code,
    errorId: clean(b.id),
    requestId: clean(response.headers.get('x-request-id')),
    method,
    url: response.url || undefined,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
  });
}

function parseJson(text: unknown, response: Response, method: string): unknown {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidResponseError(`${method} answered ${response.status} with an empty body`, { status: response.status, method });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidResponseError(`${method} answered ${response.status} with a body that is not JSON`, {
      status: response.status,
      method,
      url: response.url || undefined,
    });
  }
}

function checkKeys(keys: object, names: readonly string[]): void {
  const issues = keyIssues(keys as Record<string, unknown>, names);
  if (issues.length > 0) throw new InstructionValidationError(issues, 'Invalid resource keys; nothing was sent');
}

/** Builds the typed client, the transport beneath it, and the request runner the resources share. */
export function createInternals(clientOptions: ClientOptions): { raw: RawClient; internals: ClientInternals } {
  const options = normalizeOptions(clientOptions);
  const gate = new RateLimitGate();
  const transport = createTransport({ fetch: options.fetch, gate, onRetry: options.onRetry });
  const defaults: AttemptSettings = {
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryDelayMs: options.maxRetryDelayMs,
    initialRetryDelayMs: options.initialRetryDelayMs,
    retryUnsafe: options.retryUnsafe,
  };
  const headers: Record<string, string> = {
    ...options.headers,
    'LD-API-Version': options.apiVersion,
    // Browsers forbid setting User-Agent; LaunchDarkly reads this one instead.
    'X-LaunchDarkly-User-Agent': `${PACKAGE_NAME}/${VERSION}`,
  };
  if (options.apiKey !== undefined) headers.Authorization = options.apiKey;
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    Request: PreparedRequest as unknown as typeof Request,
    // These endpoints take no query parameters; this spares openapi-fetch building a serializer per call.
    querySerializer: () => '',
    fetch: (request: Request) => transport(request, defaults),
  });

  const internals: ClientInternals = {
    options,
    async request(method, call, send, toResult) {
      const settings: AttemptSettings = {
        ...defaults,
        ...(call?.timeoutMs !== undefined && { timeoutMs: call.timeoutMs }),
        ...(call?.maxRetries !== undefined && { maxRetries: call.maxRetries }),
        ...(call?.retryUnsafe !== undefined && { retryUnsafe: call.retryUnsafe }),
        signal: call?.signal,
      };
      let outcome: { data?: unknown; error?: unknown; response: Response };
      try {
        outcome = await send((request) => transport(request, settings));
      } catch (error) {
        if (error instanceof ApiConnectionError && options.apiKey) error.message = redact(error.message, options.apiKey);
        throw error;
      }
      const { response } = outcome;
      if (!response.ok) throw apiError(method, response, outcome.error, options.apiKey);
      return toResult(parseJson(outcome.data, response, method), response);
    },
  };
  return { raw, internals };
}

/** Reads and writes one kind of resource's expiring targets. */
export interface ResourceApi<Ref, I> {
  /**
   * Lists the contexts scheduled for removal.
   * @example
   * ```ts
   * const { items } = await ld.segments.get({ projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' });
   * for (const t of items) console.log(t.contextKey, t.expiresAt.toISOString());
   * ```
   */
  get(ref: Ref, options?: CallOptions): Promise<GetResult>;
  /**
   * Sends one semantic patch. Every instruction is validated first; a 200 whose `errors` is not
   * empty gives `ok: false` with each failure mapped to the instruction you passed.
   * @example
   * ```ts
   * const result = await ld.segments.patch(ref, [segmentInstructions.remove({ contextKind: 'user', contextKey: 'alice', targetType: 'included' })]);
   * if (!result.ok) console.error(result.errors);
   * ```
   */
  patch(ref: Ref, instructions: readonly I[], options?: PatchOptions): Promise<PatchResult<I>>;
  /**
   * Sends any number of instructions in batches and accounts for every one exactly once:
   * applied, failed, unknown (answer lost; settled by reading back unless `reconcile: false`)
   * or not attempted (after an abort or a fatal 401/403/404).
   * @example
   * ```ts
   * const run = await ld.segments.patchAll(ref, cohort.map((key) =>
   *   segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: '2026-12-31T00:00:00Z' })),
   *   { batchSize: 50, onProgress: (p) => console.log(`${p.done}/${p.total}`) });
   * console.log(run.counts); // { applied, failed, unknown, notAttempted, reconciled, resent }
   * ```
   */
  patchAll(ref: Ref, instructions: readonly I[], options?: PatchAllOptions): Promise<BulkResult<I>>;
}

type Send = (fetch: (r: Request) => Promise<Response>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export function resourceApi<Ref, I extends SegmentInstruction | FlagInstruction>(
  internals: ClientInternals,
  resource: ResourceKind,
  keyNames: readonly string[],
  getFn: (ref: Ref) => Send,
  patchFn: (ref: Ref, body: { instructions: I[]; comment?: string }) => Send,
): ResourceApi<Ref, I> {
  const read = (ref: Ref, options: CallOptions | undefined) => internals.request('GET', options, getFn(ref), toGetResult);
  const send = (ref: Ref, instructions: readonly I[], options: PatchOptions | undefined) => {
    const body: { instructions: I[]; comment?: string } = { instructions: [...instructions] };
    if (options?.comment !== undefined) body.comment = options.comment;
    return internals.request('PATCH', options, patchFn(ref, body), (json, response) => toPatchResult(json, response, instructions));
  };

  /** Settles a whole request's instructions from the state, after its answer was lost. */
  async function readBack(ref: Ref, instructions: readonly I[], cause: ExpiringTargetsError, options: PatchOptions | undefined) {
    const outcomes: InstructionOutcome<I>[] = instructions.map((instruction, index) => ({
      index,
      instruction,
      fate: 'unknown',
      message: cause.message,
      error: cause,
    }));
    // Loaded on demand: only an ambiguous answer needs it, so one-off calls do not carry it.
    const { settleByReadingBack } = await import('./reconcile.js');
    const { state } = await settleByReadingBack(resource, outcomes, instructions, (call) => read(ref, call), options);
    const failed = outcomes.filter((o) => o.fate === 'failed');
    const result: PatchResult<I> = {
      ok: outcomes.every((o) => o.fate === 'applied'),
      items: state?.items ?? [],
      errors: failed.map((o) => ({ mapped: true, instructionIndex: o.index, message: o.message ?? '', instruction: o.instruction })),
      outcomes,
      counts: countsOf(outcomes),
      reconciled: true,
      requestId: undefined,
      raw: state?.raw ?? { items: [] },
    };
    return result;
  }

  return {
    async get(ref, options) {
      checkKeys(ref as object, keyNames);
      return read(ref, options);
    },
    async patch(ref, instructions, options) {
      checkKeys(ref as object, keyNames);
      assertInstructions(resource, instructions);
      let result: PatchResult<I>;
      try {
        result = await send(ref, instructions, options);
      } catch (error) {
        if (!(error instanceof ExpiringTargetsError)) throw error;
        const fate = fateOfError(error).fate;
        error.instructionsFate = fate;
        if (fate !== 'unknown' || options?.reconcile !== true) throw error;
        result = await readBack(ref, instructions, error, options);
      }
      if (!result.ok && options?.throwOnPartialFailure) {
        const { failed, unknown, total } = result.counts;
        throw new PartialFailureError(`${failed} of ${total} instructions failed${unknown ? `, ${unknown} unknown` : ''}`, result);
      }
      return result;
    },
    async patchAll(ref, instructions, options) {
      checkKeys(ref as object, keyNames);
      assertInstructions(resource, instructions);
      // Bulk runs load their code on demand, so a page that sends one patch does not ship it.
      const { runBulk } = await import('./bulk.js');
      return runBulk<I>(
        {
          resource,
          sendBatch: (batch, call) => send(ref, batch, call),
          read: (call) => read(ref, call),
        },
        instructions,
        { ...options, maxRetries: options?.maxRetries ?? Math.max(internals.options.maxRetries, 5) },
      );
    },
  };
}

/** The client returned by {@link createExpiringTargetsClient}. */
export interface ExpiringTargetsClient {
  segments: ResourceApi<SegmentRef, SegmentInstruction>;
  flags: ResourceApi<FlagRef, FlagInstruction>;
  /** The typed openapi-fetch client, with the same headers, retries and timeouts. */
  raw: RawClient;
}

/**
 * Creates a client for LaunchDarkly's expiring-targets API.
 *
 * @example
 * ```ts
 * import { createExpiringTargetsClient, segmentInstructions } from 'ld-expiring-targets';
 *
 * const ld = createExpiringTargetsClient({ apiKey: process.env.LD_API_KEY });
 * const result = await ld.segments.patch(
 *   { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' },
 *   [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2026-12-31T00:00:00Z' })],
 *   { comment: 'beta ends' },
 * );
 * ```
 */
export function createExpiringTargetsClient(options: ClientOptions = {}): ExpiringTargetsClient {
  const { raw, internals } = createInternals(options);
  const segments = resourceApi<SegmentRef, SegmentInstruction>(
    internals,
    'segment',
    ['projectKey', 'environmentKey', 'segmentKey'],
    (ref) => (fetch) => raw.GET(SEGMENT_PATH, { params: { path: ref }, parseAs: 'text', fetch }),
    (ref, body) => (fetch) => raw.PATCH(SEGMENT_PATH, { params: { path: ref }, body, parseAs: 'text', fetch }),
  );
  const flagPath = (ref: FlagRef) => ({ projectKey: ref.projectKey, environmentKey: ref.environmentKey, featureFlagKey: ref.flagKey });
  const flags = resourceApi<FlagRef, FlagInstruction>(
    internals,
    'flag',
    ['projectKey', 'environmentKey', 'flagKey'],
    (ref) => (fetch) => raw.GET(FLAG_PATH, { params: { path: flagPath(ref) }, parseAs: 'text', fetch }),
    (ref, body) => (fetch) => raw.PATCH(FLAG_PATH, { params: { path: flagPath(ref) }, body, parseAs: 'text', fetch }),
  );
  return { segments, flags, raw };
}
