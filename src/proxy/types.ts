/**
 * The proxy's public types: what `authorize` sees and returns, the audit event, the options.
 */
import type { FlagInstruction, ResourceKind, SegmentInstruction } from '../core/resources.js';
import type { FetchLike, Instance } from '../core/options.js';
import type { LogLevel, Logger } from '../core/internal/telemetry.js';

/** One of the operations the proxy forwards. */
export type ProxyOperation = 'get' | 'patch';

/** What every request `authorize` sees has: the request and the keys of the resource it names. */
export interface ProxyCallBase {
  /** The incoming request, for your session check (its body has already been read). */
  request: Request;
  /** The operation's id in LaunchDarkly's API document, such as `patchExpiringTargetsForSegment`. */
  operationId: string;
  /** The project key, decoded from the path. */
  projectKey: string;
  /** The environment key, decoded from the path. */
  environmentKey: string;
  /** The segment's key or the flag's key. */
  key: string;
}

/** A GET the proxy would forward: it lists a segment's or a flag's expiring targets. */
export interface ProxyGetCall extends ProxyCallBase {
  /** Whether `key` names a segment or a flag. */
  resource: ResourceKind;
  /** Always `get`. */
  operation: 'get';
  /** A GET carries no instructions. */
  instructions: undefined;
  /** A GET carries no comment. */
  comment: undefined;
}

/** A PATCH of a segment's expiring targets the proxy would forward. */
export interface ProxySegmentPatchCall extends ProxyCallBase {
  /** Always `segment`. */
  resource: 'segment';
  /** Always `patch`. */
  operation: 'patch';
  /** The instructions, validated with the client's rules. */
  instructions: readonly SegmentInstruction[];
  /** The audit-log comment the body carries, if any. */
  comment: string | undefined;
}

/** A PATCH of a flag's expiring targets the proxy would forward. */
export interface ProxyFlagPatchCall extends ProxyCallBase {
  /** Always `flag`. */
  resource: 'flag';
  /** Always `patch`. */
  operation: 'patch';
  /** The instructions, validated with the client's rules. */
  instructions: readonly FlagInstruction[];
  /** The audit-log comment the body carries, if any. */
  comment: string | undefined;
}

/**
 * What `authorize` decides on: one request the proxy would forward, its keys decoded and, for a
 * PATCH, its instructions validated with the client's rules.
 */
export type ProxyCall = ProxyGetCall | ProxySegmentPatchCall | ProxyFlagPatchCall;

/** A decision that also names who asked, for the audit events. */
export interface ProxyDecision<Actor> {
  /** Only `true` lets the request through. */
  allow: boolean;
  /** Whoever or whatever you want the audit event to carry (a user id, a session object). */
  actor?: Actor | undefined;
}

/**
 * What `authorize` returns: `true` to forward, `false` (or anything else) to answer 403, a
 * {@link ProxyDecision} to do either and name the actor, or a `Response` to answer with instead.
 */
export type ProxyAuthorization<Actor> = boolean | ProxyDecision<Actor> | Response;

/** What happened to a request, as an audit event says. */
export type ProxyOutcome =
  /** Sent to LaunchDarkly; `status` is LaunchDarkly's. */
  | 'forwarded'
  /** Refused by the proxy's own rules before `authorize` ran; see `refusal`. */
  | 'refused'
  /** `authorize` said no (403). */
  | 'denied'
  /** `authorize` returned a Response, which was the answer. */
  | 'answered'
  /** A CORS preflight, answered 204 or refused 403. */
  | 'preflight'
  /**
   * `authorize` threw (500); LaunchDarkly could not be reached, answered a redirect or more than
   * `maxResponseBytes` (502); or the request's deadline passed (504).
   */
  | 'failed'
  /** The client went away before the answer (status 499, which nobody receives); the upstream call, if any, was aborted. */
  | 'abandoned';

/** Why the proxy refused a request on its own. */
export type ProxyRefusal =
  | 'not-found'
  | 'method-not-allowed'
  | 'origin-not-allowed'
  | 'headers-not-allowed'
  | 'query-not-allowed'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'invalid-body'
  /** The body did not arrive within `bodyTimeoutMs` (408). */
  | 'body-timeout'
  /** More than `maxInFlight` requests were being handled (503). */
  | 'overloaded'
  /** The actor `authorize` named spent its `actorRateLimit` (429). */
  | 'rate-limited';

/** An instruction as an audit event records it. */
export interface AuditedInstruction {
  /** The instruction's kind, such as `addExpiringTarget`. */
  kind: string;
  /** The context kind, such as `user`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
}

/**
 * One request, as `onAudit` receives it, bounded in size whatever the request held. Every string
 * that came from the request (method, path, origin, keys, contexts) has been through the token's
 * redaction and has its control characters (C0, DEL, C1) and bidirectional-text controls written
 * as `\\xNN` / `\\u{NNNN}`, so a log line cannot be forged with them; each is at most 1,000 characters.
 */
export interface ProxyAuditEvent<Actor = unknown> {
  /** When the request arrived. */
  at: Date;
  /** The request's method. */
  method: string;
  /** The request's path (no query), at most 1,000 characters. */
  path: string;
  /** The `Origin` header, when there was one. */
  origin: string | undefined;
  /** What happened to the request. */
  outcome: ProxyOutcome;
  /** For `refused`: which of the proxy's rules refused it. */
  refusal?: ProxyRefusal | undefined;
  /** The status the proxy answered with. */
  status: number;
  /** What `authorize` attached with a {@link ProxyDecision}. */
  actor?: Actor | undefined;
  /** The operation, once the path matched one. */
  operation?: ProxyOperation | undefined;
  /** The operation's id in LaunchDarkly's API document. */
  operationId?: string | undefined;
  /** Segment or flag, once the path matched. */
  resource?: ResourceKind | undefined;
  /** The project key, decoded from the path. */
  projectKey?: string | undefined;
  /** The environment key, decoded from the path. */
  environmentKey?: string | undefined;
  /** The segment's or flag's key, decoded from the path. */
  key?: string | undefined;
  /** For a PATCH that was parsed: the kind and context of its first instructions (at most 10). */
  instructions?: readonly AuditedInstruction[] | undefined;
  /** For a PATCH that was parsed: how many instructions it held (more than `instructions` lists when over 10). */
  instructionCount?: number | undefined;
  /** LaunchDarkly's `X-Request-Id`, for its support. */
  requestId?: string | undefined;
  /** From arrival to the answer being ready, in milliseconds. */
  durationMs: number;
  /** For `failed`: what went wrong, for your logs (never sent to the browser). */
  error?: string | undefined;
}

/** Options of {@link createExpiringTargetsProxy}. */
export interface ProxyOptions<Actor = unknown> {
  /** The LaunchDarkly access token the proxy adds to every request it forwards. Required. */
  apiKey: string;
  /** Which LaunchDarkly instance to call. Default `commercial`. Ignored when `baseUrl` is given. */
  instance?: Instance | undefined;
  /** LaunchDarkly's base URL (or a stand-in's). Plain http only to loopback hosts. */
  baseUrl?: string | undefined;
  /** The `LD-API-Version` sent upstream, whatever the browser sent. Default `20240415`. */
  apiVersion?: string | undefined;
  /** Where the handler is mounted, such as `/ld-proxy`. Default `''` (paths start at `/api/v2`). */
  basePath?: string | undefined;
  /**
   * Runs for every request the proxy would forward, after its path, method, origin and body have
   * passed the proxy's own checks. Check your session here, and what this user may change.
   * Required: without it, anyone who can reach the page could use the token.
   */
  authorize: (call: ProxyCall) => ProxyAuthorization<Actor> | Promise<ProxyAuthorization<Actor>>;
  /**
   * Origins (such as `https://admin.example.com`) allowed to call across origins, with CORS.
   * Default none: same-origin pages only.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Request headers an allowed origin may send besides the client's own (for example your CSRF header). */
  allowedHeaders?: readonly string[] | undefined;
  /** Answer allowed origins with `Access-Control-Allow-Credentials: true` (cookies across origins). Default false. */
  allowCredentials?: boolean | undefined;
  /** Largest PATCH body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Most instructions one PATCH may hold; more get 400 before any is validated. Default 1,500 (LaunchDarkly's batch limit). */
  maxInstructions?: number | undefined;
  /** How long the PATCH body may take to arrive; a slower or stalled upload gets 408. Default 10 000 ms. */
  bodyTimeoutMs?: number | undefined;
  /** How long to wait for LaunchDarkly (headers and body) before answering 504. Default 30 000 ms. */
  timeoutMs?: number | undefined;
  /**
   * The whole request's deadline: reading the body, `authorize` and the upstream call together;
   * past it, 504. Default 45 000 ms, or `timeoutMs` + 10 000 when that is longer.
   */
  requestTimeoutMs?: number | undefined;
  /** Largest answer accepted from LaunchDarkly, in bytes; a larger one gets 502. Default 32 MiB. */
  maxResponseBytes?: number | undefined;
  /** Most requests handled at once; beyond it, 503 with `Retry-After: 1`. Default 256. */
  maxInFlight?: number | undefined;
  /**
   * At most `requests` forwarded per actor (as `authorize` names it) in each window of `windowMs`;
   * beyond it, 429 with `Retry-After`. Default none. Requests without an actor are not counted.
   */
  actorRateLimit?:
    | {
        /** Requests forwarded per actor in one window. */
        requests: number;
        /** The window's length, in milliseconds. */
        windowMs: number;
      }
    | undefined;
  /** Accept expiry times that are already past, as the client does with `allowPast: true`. Default false. */
  allowPast?: boolean | undefined;
  /** A fetch implementation for the upstream calls. Default the global one. */
  fetch?: FetchLike | undefined;
  /** Receives one event per request, refused ones included. Errors it throws are ignored. */
  onAudit?: ((event: ProxyAuditEvent<Actor>) => void | Promise<void>) | undefined;
  /**
   * How much to log: `debug`, `info` (a line per request), `warn` (LaunchDarkly failed or could not
   * be reached), `error` (the proxy or `authorize` failed) or `off`. Default: the
   * `LD_EXPIRING_TARGETS_LOG` environment variable, else `warn`.
   */
  logLevel?: LogLevel | undefined;
  /** Where log lines go, as `(message, data)`: console (the default), winston, or an adapter. */
  logger?: Logger | undefined;
  /**
   * Continue the trace of an incoming `traceparent` (with instrumentation registered). Only for
   * callers you trust: by default the incoming context is linked, so anonymous callers cannot
   * choose which trace your spans join. Default false.
   */
  trustTraceparent?: boolean | undefined;
}

/** A standard fetch handler: a Request in, a Response out. */
export type ExpiringTargetsProxy = (request: Request) => Promise<Response>;
