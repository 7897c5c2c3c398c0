/**
 * The client: openapi-fetch on the generated paths, with the retrying, redacting `fetch` of
 * ./http.ts beneath it, and the two resources (segments and flags) as one table.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { RESOURCE_RULES } from '../generated/instruction-rules.js';
import type { paths } from '../generated/schema.js';
import type { PatchAllOptions } from './bulk.js';
import {
  ExpiringTargetsError,
  InstructionValidationError,
  InvalidResponseError,
  type LaunchDarklyApiError,
  PartialFailureError,
  errorClassForStatus,
} from './errors.js';
import { type HttpSend, type RequestTrace, createHttp } from './http.js';
import { type FlagInstruction, type ResourceKind, type SegmentInstruction, assertInstructions, keyIssues } from './instructions.js';
import {
  AGENT_HEADER,
  API_VERSION_HEADER,
  type AttemptSettings,
  type CallOptions,
  type ClientOptions,
  type NormalizedOptions,
  callSettings,
  normalizeOptions,
} from './options.js';
import { type BulkResult, type BulkSummary, type GetResult, type PatchResult, toGetResult, toPatchResult } from './results.js';
import { parseRetryAfter } from './retry-policy.js';
import { PACKAGE_NAME, VERSION } from './version.js';

/**
 * The Content-Type of every PATCH: LaunchDarkly answers a plain `application/json` PATCH with 400.
 * Taken from the bundled document's request body.
 */
export const SEMANTIC_PATCH_CONTENT_TYPE = RESOURCE_RULES.segment.patchMediaType;

/** Identifies a segment in one environment. */
export interface SegmentRef {
  /** The project key, such as `default`. */
  projectKey: string;
  /** The environment key, such as `production`. */
  environmentKey: string;
  /** The segment key. */
  segmentKey: string;
}

/** Identifies a feature flag in one environment. */
export interface FlagRef {
  /** The project key, such as `default`. */
  projectKey: string;
  /** The environment key, such as `production`. */
  environmentKey: string;
  /** The feature flag key. */
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
  /** Accept expiry times that are already past. Default false. */
  allowPast?: boolean | undefined;
}

/** The typed openapi-fetch client underneath, for full control. */
export type RawClient = Client<paths>;

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
   * console.log(result.counts); // { total: 1, applied: 1, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 }
   * ```
   */
  patch(ref: Ref, instructions: readonly I[], options?: PatchOptions): Promise<PatchResult<I>>;
  /**
   * Sends any number of instructions in batches and accounts for every one exactly once:
   * applied, failed, unknown (answer lost; settled by reading back unless `reconcile: false`)
   * or not attempted (after an abort or a fatal 401/403/404). Every instruction is validated
   * before anything is sent; the result lists every outcome at its index.
   * @example
   * ```ts
   * const run = await ld.segments.patchAll(ref, cohort.map((key) =>
   *   segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' })),
   *   { batchSize: 50, onProgress: (p) => console.log(`${p.done}/${p.total}`) });
   * console.log(run.counts); // { total, applied, failed, unknown, notAttempted, reconciled, resent }
   * ```
   */
  patchAll(ref: Ref, instructions: readonly I[], options?: PatchAllOptions<I>): Promise<BulkResult<I>>;
  /**
   * The same over a stream (an iterable or async iterable, such as a generator reading a file),
   * in memory that does not grow with it. Each batch is validated just before it is sent: an
   * invalid instruction stops the run there (earlier batches have been sent; `stoppedBy` is an
   * {@link InstructionValidationError}). Each outcome goes to `onOutcome` once its fate is final;
   * the result holds counts only. After a stop or an abort the rest of the stream is still read,
   * each instruction reported as not attempted.
   * @example
   * ```ts
   * async function* fromFile() {
   *   for await (const key of readline.createInterface({ input: fs.createReadStream('cohort.txt') }))
   *     yield segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' });
   * }
   * const run = await ld.segments.patchAll(ref, fromFile(), {
   *   onOutcome: (o) => { if (o.fate !== 'applied') console.error(o.index, o.fate, o.message); },
   * });
   * console.log(run.ok, run.counts);
   * ```
   */
  patchAll(ref: Ref, instructions: Iterable<I> | AsyncIterable<I>, options?: PatchAllOptions<I>): Promise<BulkSummary>;
}

/** The client returned by {@link createExpiringTargetsClient}. */
export interface ExpiringTargetsClient {
  /** Expiring targets of segments: contexts leaving a segment's `included` or `excluded` list. */
  segments: ResourceApi<SegmentRef, SegmentInstruction>;
  /** Expiring targets of feature flags: contexts leaving one variation's individual targeting. */
  flags: ResourceApi<FlagRef, FlagInstruction>;
  /** The typed openapi-fetch client, with the same headers, retries and timeouts. */
  raw: RawClient;
}

type Answer = { data?: unknown; error?: unknown; response: Response };
type Send = (fetch: (request: Request) => Promise<Response>) => Promise<Answer>;

/**
 * Registered first on every client, so later middleware (yours included) sees the header that
 * goes out: every PATCH to these endpoints carries the semantic-patch Content-Type, raw client
 * included. LaunchDarkly answers a plain `application/json` PATCH with 400.
 */
const semanticPatchMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.method === 'PATCH') request.headers.set('Content-Type', SEMANTIC_PATCH_CONTENT_TYPE);
    return undefined;
  },
};

export function apiError(method: string, response: Response, body: unknown, url: string | undefined, mayHaveApplied: boolean): LaunchDarklyApiError {
  const b = body !== null && typeof body === 'object' ? (body as { code?: unknown; message?: unknown; id?: unknown }) : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const code = text(b.code);
  const detail = text(b.message) ?? (typeof body === 'string' ? body.trim().slice(0, 200) : undefined);
  const path = url !== undefined && URL.canParse(url) ? new URL(url).pathname : '';
  const summary = `${method} ${path} failed with ${response.status}${code ? ` ${code}` : ''}`;
  const ErrorClass = errorClassForStatus(response.status);
  return new ErrorClass(detail ? `${summary}: ${detail}` : summary, {
    status: response.status,
    code,
    errorId: text(b.id),
    requestId: response.headers.get('x-request-id') ?? undefined,
    method,
    url,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
    mayHaveApplied,
  });
}

export function parseJson(text: unknown, response: Response, method: string, url: string | undefined): unknown {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidResponseError(`${method} answered ${response.status} with an empty body`, { status: response.status, method, url });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidResponseError(`${method} answered ${response.status} with a body that is not JSON`, { status: response.status, method, url });
  }
}

/** Runs one typed request and turns any non-2xx into the right error class. */
async function request<R>(
  options: NormalizedOptions,
  http: HttpSend,
  method: 'GET' | 'PATCH',
  call: CallOptions | undefined,
  send: Send,
  toResult: (body: unknown, response: Response) => R,
): Promise<R> {
  const settings: AttemptSettings = callSettings(options.settings, call);
  const trace: RequestTrace = { mayHaveApplied: false };
  let url: string | undefined;
  const { data, error, response } = await send((req) => {
    url = options.redact(req.url);
    return http(req, settings, trace);
  });
  if (!response.ok) throw apiError(method, response, error, url, trace.mayHaveApplied);
  return toResult(parseJson(data, response, method, url), response);
}

/** How each resource's reference maps onto its path: which keys, and under which path names. */
const RESOURCES = {
  segment: {
    keys: ['projectKey', 'environmentKey', 'segmentKey'],
    path: (ref: SegmentRef) => ({ projectKey: ref.projectKey, environmentKey: ref.environmentKey, segmentKey: ref.segmentKey }),
  },
  flag: {
    keys: ['projectKey', 'environmentKey', 'flagKey'],
    path: (ref: FlagRef) => ({ projectKey: ref.projectKey, environmentKey: ref.environmentKey, featureFlagKey: ref.flagKey }),
  },
} as const;

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);
}

function checkKeys(ref: unknown, names: readonly string[]): void {
  const issues = keyIssues(ref, names);
  if (issues.length > 0) throw new InstructionValidationError(issues, 'Invalid resource keys; nothing was sent');
}

function resourceApi<Ref, I extends SegmentInstruction | FlagInstruction>(
  resource: ResourceKind,
  options: NormalizedOptions,
  http: HttpSend,
  get: (ref: Ref) => Send,
  patch: (ref: Ref, body: { instructions: I[]; comment?: string }) => Send,
): ResourceApi<Ref, I> {
  const keys = RESOURCES[resource].keys;
  const read = (ref: Ref, call: CallOptions | undefined) => request(options, http, 'GET', call, get(ref), toGetResult);
  const send = (ref: Ref, instructions: readonly I[], call: (CallOptions & { comment?: string | undefined }) | undefined) => {
    const body: { instructions: I[]; comment?: string } = { instructions: [...instructions] };
    if (call?.comment !== undefined) body.comment = call.comment;
    return request(options, http, 'PATCH', call, patch(ref, body), (json, response) => toPatchResult(json, response, instructions));
  };

  /** Settles a whole request's instructions from the state, after its answer was lost. */
  async function readBack(ref: Ref, instructions: readonly I[], cause: ExpiringTargetsError, call: PatchOptions | undefined) {
    // Loaded on demand: only an ambiguous answer needs it, so one-off calls do not carry it.
    const { patchResultByReadingBack } = await import('./bulk.js');
    return patchResultByReadingBack(resource, instructions, cause, (c) => read(ref, c), call);
  }

  async function patchAll(
    ref: Ref,
    instructions: readonly I[] | Iterable<I> | AsyncIterable<I>,
    call: PatchAllOptions<I> | undefined,
  ): Promise<BulkResult<I> | BulkSummary> {
    checkKeys(ref, keys);
    const stream = !Array.isArray(instructions);
    if (!stream) assertInstructions(resource, instructions, { allowPast: call?.allowPast });
    else if (!isIterable(instructions)) {
      throw new InstructionValidationError([{ field: 'instructions', message: 'must be an array, an iterable or an async iterable of instructions' }]);
    }
    // Bulk runs load their code on demand, so a page that sends one patch does not ship it.
    const { runBulk, runBulkStream } = await import('./bulk.js');
    // A 429 or 409 during a bulk run is always safe to retry, so it gets a larger budget.
    const bulkOptions = { ...call, maxRetries: call?.maxRetries ?? Math.max(options.settings.maxRetries, 5) };
    const deps = { resource, sendBatch: (batch: I[], c: CallOptions & { comment?: string | undefined }) => send(ref, batch, c), read: (c: CallOptions) => read(ref, c) };
    return stream ? runBulkStream<I>(deps, instructions as Iterable<I> | AsyncIterable<I>, bulkOptions) : runBulk<I>(deps, instructions as readonly I[], bulkOptions);
  }

  return {
    async get(ref, call) {
      checkKeys(ref, keys);
      return read(ref, call);
    },
    async patch(ref, instructions, call) {
      checkKeys(ref, keys);
      assertInstructions(resource, instructions, { allowPast: call?.allowPast });
      let result: PatchResult<I>;
      try {
        result = await send(ref, instructions, call);
      } catch (error) {
        if (!(error instanceof ExpiringTargetsError) || error.instructionsFate !== 'unknown' || call?.reconcile !== true) throw error;
        result = await readBack(ref, instructions, error, call);
      }
      if (!result.ok && call?.throwOnPartialFailure) {
        const { failed, unknown, total } = result.counts;
        throw new PartialFailureError(`${failed} of ${total} instructions failed${unknown ? `, ${unknown} unknown` : ''}`, result);
      }
      return result;
    },
    patchAll: patchAll as ResourceApi<Ref, I>['patchAll'],
  };
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
 *   [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' })],
 * );
 * if (!result.ok) console.error(result.outcomes.filter((o) => o.fate !== 'applied'));
 * ```
 */
export function createExpiringTargetsClient(clientOptions: ClientOptions = {}): ExpiringTargetsClient {
  const options = normalizeOptions(clientOptions);
  const http = createHttp({ fetch: options.fetch, redact: options.redact, onRetry: options.onRetry });
  const headers: Record<string, string> = {
    ...options.headers,
    [API_VERSION_HEADER]: options.apiVersion,
    [AGENT_HEADER]: `${PACKAGE_NAME}/${VERSION}`,
  };
  if (options.apiKey !== undefined) headers.Authorization = options.apiKey;
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    fetch: (req: Request) => http(req, options.settings),
  });
  raw.use(semanticPatchMiddleware);
  const segmentPath = RESOURCE_RULES.segment.path;
  const flagPath = RESOURCE_RULES.flag.path;
  const segments = resourceApi<SegmentRef, SegmentInstruction>(
    'segment',
    options,
    http,
    (ref) => (fetch) => raw.GET(segmentPath, { params: { path: RESOURCES.segment.path(ref) }, parseAs: 'text', fetch }),
    (ref, body) => (fetch) => raw.PATCH(segmentPath, { params: { path: RESOURCES.segment.path(ref) }, body, parseAs: 'text', fetch }),
  );
  const flags = resourceApi<FlagRef, FlagInstruction>(
    'flag',
    options,
    http,
    (ref) => (fetch) => raw.GET(flagPath, { params: { path: RESOURCES.flag.path(ref) }, parseAs: 'text', fetch }),
    (ref, body) => (fetch) => raw.PATCH(flagPath, { params: { path: RESOURCES.flag.path(ref) }, body, parseAs: 'text', fetch }),
  );
  return { segments, flags, raw };
}
