/**
 * The client: requests on the generated paths through the retrying, redacting `fetch` of
 * ./http.ts; both resources are one class reading the resource table (./resources.ts). The typed
 * openapi-fetch client (`raw`, ./raw-client.ts) is made on first use; while middleware is
 * registered on it, the resources' calls go through it.
 */
import type { PatchAllOptions } from './bulk.js';
import type { ExpiringTargetsClient, FlagRef, ResourceApi, SegmentRef } from './client-api.js';
import {
  ExpiringTargetsError,
  InstructionValidationError,
  InvalidResponseError,
  type LaunchDarklyApiError,
  PartialFailureError,
  errorClassForStatus,
} from './errors.js';
import { type HttpSend, type RequestTrace, createHttp } from './http.js';
import type { CallScope } from './internal/call-facts.js';
import { type ResourceCalls, callInfo } from './internal/resource-calls.js';
import { observed } from './internal/telemetry.js';
import { AGENT, AGENT_HEADER, API_VERSION_HEADER } from './internal/transport.js';
import {
  type AttemptSettings,
  type CallOptions,
  type ClientOptions,
  type NormalizedOptions,
  callSettings,
  normalizeOptions,
} from './options.js';
import {
  type AnyInstruction,
  type FlagInstruction,
  RESOURCES,
  type ResourceKind,
  type ResourceRef,
  type SegmentInstruction,
  pathParamsOf,
} from './resources.js';
import { type BulkResult, type PatchResult, toGetResult, toPatchResult } from './results.js';
import { type RawAccess, SEMANTIC_PATCH_CONTENT_TYPE, createRaw } from './raw-client.js';
import { parseRetryAfter } from './retry-policy.js';
import { assertInstructions, keyIssues } from './validation.js';

export type { ExpiringTargetsClient, FlagRef, PatchOptions, RawClient, ResourceApi, SegmentRef } from './client-api.js';

export { SEMANTIC_PATCH_CONTENT_TYPE } from './raw-client.js';

export function apiError(
  method: string,
  response: Response,
  body: unknown,
  url: string | undefined,
  mayHaveApplied: boolean,
): LaunchDarklyApiError {
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
    throw new InvalidResponseError(`${method} answered ${response.status} with a body that is not JSON`, {
      status: response.status,
      method,
      url,
    });
  }
}

/** What every request of a client shares. */
interface ClientCore {
  options: NormalizedOptions;
  http: HttpSend;
  /** The headers every request carries (the token, the API version, the agent, the caller's). */
  headers: Record<string, string>;
  raw: RawAccess;
}

/** The body of an answer that is not 2xx, as openapi-fetch would hand it: JSON when it parses, else the text. */
function errorBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The one request function: the resource's path with its keys, the client's headers and, for a
 * PATCH, the semantic-patch Content-Type, sent through the retrying fetch of ./http.ts with this
 * call's settings. While middleware is registered on `raw`, the call goes through openapi-fetch
 * so that the middleware sees it. The body http.ts read (and redacted) is used as it is, so each
 * answer is decoded once; a non-2xx becomes the right error class.
 */
async function request<R>(
  core: ClientCore,
  resource: ResourceKind,
  method: 'GET' | 'PATCH',
  ref: ResourceRef,
  call: CallOptions | undefined,
  body: { instructions: readonly unknown[] } | undefined,
  toResult: (json: unknown, response: Response) => R,
  parent?: CallScope,
  purpose?: string,
): Promise<R> {
  const settings: AttemptSettings = callSettings(core.options.settings, call);
  const rules = RESOURCES[resource].rules;
  const info = callInfo(
    resource,
    ref,
    method === 'GET' ? rules.operations.get : rules.operations.patch,
    body?.instructions.length,
    purpose,
  );
  let answered: Response | undefined;
  return observed(
    core.options.logging,
    core.options.redact,
    info,
    parent,
    async (scope) => {
      const trace: RequestTrace = { mayHaveApplied: false, answer: undefined, scope };
      const params = pathParamsOf(resource, ref);
      let url = core.options.baseUrl + rules.path.replace(/\{([^{}]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
      let response: Response;
      const viaMiddleware = core.raw.viaMiddleware();
      if (viaMiddleware === undefined) {
        const headers = new Headers(core.headers);
        if (body !== undefined) headers.set('Content-Type', SEMANTIC_PATCH_CONTENT_TYPE);
        const text = body === undefined ? undefined : JSON.stringify(body);
        response = await core.http({ method, url, headers, body: text }, settings, trace);
      } else {
        const fetch = (req: Request) => {
          url = req.url;
          return core.http(req, settings, trace);
        };
        // The path is one of the two the table names; openapi-fetch's types cannot follow a runtime choice.
        const init = { params: { path: params }, body, parseAs: 'stream', fetch } as never;
        const raw = await viaMiddleware;
        ({ response } = method === 'GET' ? await raw.GET(rules.path as never, init) : await raw.PATCH(rules.path as never, init));
      }
      // A middleware may have answered with another Response: then that one is read.
      const text = trace.answer?.response === response ? trace.answer.text : await response.text();
      const shown = core.options.redact(url);
      if (!response.ok) throw apiError(method, response, errorBody(text), shown, trace.mayHaveApplied);
      answered = response;
      return toResult(parseJson(text, response, method, shown), response);
    },
    (result) => ({
      status: answered?.status,
      requestId: answered?.headers.get('x-request-id'),
      counts: (result as { counts?: PatchResult<unknown>['counts'] }).counts,
    }),
  );
}

function checkKeys(resource: ResourceKind, ref: unknown): void {
  const issues = keyIssues(ref, RESOURCES[resource].refKeys);
  if (issues.length > 0) throw new InstructionValidationError(issues, 'Invalid resource keys; nothing was sent');
}

/**
 * One resource's API. A class so that the internal bulk entry (src/core/internal/checked-bulk.ts) can
 * recognise the client's own endpoints; its methods are own, bound functions, as before.
 */
export class ResourceEndpoint<Ref extends ResourceRef, I extends AnyInstruction> implements ResourceApi<Ref, I> {
  declare readonly get: ResourceApi<Ref, I>['get'];
  declare readonly patch: ResourceApi<Ref, I>['patch'];
  declare readonly patchAll: ResourceApi<Ref, I>['patchAll'];
  /**
   * @internal `patchAll` over instructions the caller has already checked with the rules `patch`
   * applies: the bulk runner's entry for sync, reached only through src/core/internal/checked-bulk.ts.
   */
  declare readonly patchAllChecked: (ref: Ref, instructions: readonly I[], options?: PatchAllOptions<I>) => Promise<BulkResult<I>>;

  constructor(core: ClientCore, resource: ResourceKind) {
    const calls: ResourceCalls<Ref, I> = {
      resource,
      options: core.options,
      read: (ref, call, parent, purpose) => request(core, resource, 'GET', ref, call, undefined, toGetResult, parent, purpose),
      send: (ref, instructions, call, parent) => {
        const body: { instructions: I[]; comment?: string } = { instructions: [...instructions] };
        if (call?.comment !== undefined) body.comment = call.comment;
        return request(core, resource, 'PATCH', ref, call, body, (json, response) => toPatchResult(json, response, instructions), parent);
      },
    };

    this.get = async (ref, call) => {
      checkKeys(resource, ref);
      return calls.read(ref, call);
    };
    this.patch = async (ref, instructions, call) => {
      checkKeys(resource, ref);
      assertInstructions(resource, instructions, { allowPast: call?.allowPast });
      let result: PatchResult<I>;
      try {
        result = await calls.send(ref, instructions, call);
      } catch (error) {
        if (!(error instanceof ExpiringTargetsError) || error.instructionsFate !== 'unknown' || call?.reconcile !== true) throw error;
        // Loaded on demand: only an ambiguous answer needs it, so one-off calls do not carry it.
        result = await (await import('./read-back.js')).reconciledPatch(calls, ref, instructions, error, call);
      }
      if (!result.ok && call?.throwOnPartialFailure) {
        const { failed, unknown, total } = result.counts;
        throw new PartialFailureError(`${failed} of ${total} instructions failed${unknown ? `, ${unknown} unknown` : ''}`, result);
      }
      return result;
    };
    this.patchAll = (async (ref: Ref, instructions: readonly I[] | Iterable<I> | AsyncIterable<I>, call?: PatchAllOptions<I>) => {
      checkKeys(resource, ref);
      // Bulk runs load their code, input checks included, on demand: a page that sends one patch does not ship it.
      const bulk = await import('./patch-all.js');
      bulk.checkBulkInput(resource, instructions, call);
      return bulk.patchAllOf(calls, ref, instructions, call);
    }) as ResourceApi<Ref, I>['patchAll'];
    this.patchAllChecked = async (ref, instructions, call) => {
      checkKeys(resource, ref);
      return (await import('./patch-all.js')).patchAllOf(calls, ref, instructions, call) as Promise<BulkResult<I>>;
    };
  }
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
  const http = createHttp({
    fetch: options.fetch,
    redact: options.redact,
    logging: options.logging,
    onRetry: options.onRetry,
    templates: Object.values(RESOURCES).map((r) => r.rules.path),
  });
  const headers: Record<string, string> = { ...options.headers, [API_VERSION_HEADER]: options.apiVersion, [AGENT_HEADER]: AGENT };
  if (options.apiKey !== undefined) headers.Authorization = options.apiKey;
  const raw = createRaw({ baseUrl: options.baseUrl, headers, fetch: (req: Request) => http(req, options.settings) });
  const core: ClientCore = { options, http, headers, raw };
  return {
    segments: new ResourceEndpoint<SegmentRef, SegmentInstruction>(core, 'segment'),
    flags: new ResourceEndpoint<FlagRef, FlagInstruction>(core, 'flag'),
    raw: raw.raw,
  };
}
