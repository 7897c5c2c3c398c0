/**
 * The client's options: their types, and the one place they are checked and filled in. Every
 * later step reads the normalised form; nothing re-derives a default.
 */
import { ConfigurationError } from './errors.js';
import { type LogLevel, type Logger, type Logging, loggingOf } from './internal/telemetry.js';
import { HEADER_NAME_PATTERN } from './internal/transport.js';
import { type Redactor, SECRET_HEADER, createRedactor } from './redact.js';

/** LaunchDarkly's hosted instances. */
export const INSTANCES = {
  /** LaunchDarkly's commercial instance (the default). */
  commercial: 'https://app.launchdarkly.com',
  /** LaunchDarkly's federal instance. */
  federal: 'https://app.launchdarkly.us',
  /** LaunchDarkly's EU instance. */
  eu: 'https://app.eu.launchdarkly.com',
} as const;
/** The name of one of LaunchDarkly's hosted instances. */
export type Instance = keyof typeof INSTANCES;

/** The `LD-API-Version` this package was generated against and sends by default. */
export const DEFAULT_API_VERSION = '20240415';

// Defined with the other transport facts; re-exported for the proxy, which reads them here.
export { AGENT_HEADER, API_VERSION_HEADER } from './internal/transport.js';

/** A `fetch` implementation, such as the global one. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** What a retry looks like to an observer (no headers, so no token). */
export interface RetryEvent {
  /** The request's method. */
  method: string;
  /** The request's URL. */
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** The HTTP status that failed, when there was an answer. */
  status?: number;
  /** Why the attempt failed, when there was no answer (redacted). */
  error?: string;
}

/** Options for {@link createExpiringTargetsClient}. */
export interface ClientOptions {
  /** A LaunchDarkly access token, sent raw in `Authorization`. May be absent behind a proxy that adds it. */
  apiKey?: string | undefined;
  /** Which LaunchDarkly instance to call. Default `commercial`. Ignored when `baseUrl` is given. */
  instance?: Instance | undefined;
  /**
   * Any base URL, such as your backend's proxy for browser apps. In a page, a path such as
   * `/ld-proxy` is resolved against the page's origin. No credentials, query or fragment.
   */
  baseUrl?: string | undefined;
  /** The `LD-API-Version` header. Default `20240415`. */
  apiVersion?: string | undefined;
  /** A fetch implementation to use instead of the global one. */
  fetch?: FetchLike | undefined;
  /** Extra headers for every request (for example what your proxy needs). */
  headers?: Record<string, string> | undefined;
  /** Per-attempt timeout, headers and body included. Default 30 000 ms. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number | undefined;
  /** Longest wait between attempts, whatever the server asks. Default 60 000 ms. */
  maxRetryDelayMs?: number | undefined;
  /** Also retry PATCHes after 5xx, resets and timeouts, accepting that one may apply twice. Default false. */
  retryUnsafe?: boolean | undefined;
  /** Allow a token where browser globals exist. Anyone using the page can read it. Default false. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** Called before each retry (for logging; carries no headers). */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /**
   * How much to log: `debug`, `info`, `warn`, `error` or `off`. Default: the
   * `LD_EXPIRING_TARGETS_LOG` environment variable, else `warn`. Every line is redacted.
   */
  logLevel?: LogLevel | undefined;
  /** Where log lines go, as `(message, data)`: console (the default), winston, or an adapter. */
  logger?: Logger | undefined;
}

/** Options any single call may set. */
export interface CallOptions {
  /** Cancels the call, including any wait between attempts. */
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout for this call. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, for this call. */
  maxRetries?: number | undefined;
  /** Whether this call's PATCH may be retried after an ambiguous failure. */
  retryUnsafe?: boolean | undefined;
}

/** What one request's attempts run with: the client's settings with the call's overrides. */
export interface AttemptSettings {
  timeoutMs: number;
  maxRetries: number;
  maxRetryDelayMs: number;
  /** First backoff ceiling; doubles per attempt (full jitter picks uniformly below it). */
  initialRetryDelayMs: number;
  retryUnsafe: boolean;
  signal?: AbortSignal | undefined;
}

/** The options after checking: every default filled in. */
export interface NormalizedOptions {
  apiKey: string | undefined;
  baseUrl: string;
  apiVersion: string;
  fetch: FetchLike;
  headers: Record<string, string>;
  settings: AttemptSettings;
  onRetry: ((event: RetryEvent) => void) | undefined;
  /** The logger and its level; absent when logging is off. */
  logging: Logging | undefined;
  /** Removes the token (and any credential header value) from text that came from elsewhere. */
  redact: Redactor;
}

/** True where a page's globals exist (a window or a web worker): anyone there can read a token. */
export function isBrowserLike(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown; importScripts?: unknown };
  return (typeof g.window !== 'undefined' && typeof g.document !== 'undefined') || typeof g.importScripts === 'function';
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Loopback hosts may use plain http (a local proxy or a test server); anything else may not carry a token. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname) || hostname.toLowerCase().endsWith('.localhost');
}

// Below 0x20 and DEL: a header value holding one is refused by fetch at call time, with a
// message that quotes the value. Above U+00FF: not a byte, refused as well, and that inside
// openapi-fetch's header merge, where a bulk run cannot tell it from a lost answer. Refusing
// both here means the value is never quoted anywhere and nothing unsendable is ever tried.
const UNSENDABLE = /[^\u0020-\u007e\u0080-\u00ff]/;

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigurationError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** The base URL as an absolute URL; a relative one only where a page gives it an origin. */
function resolveBaseUrl(text: string): URL {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  const pageOrigin = isBrowserLike() && typeof origin === 'string' && origin !== 'null' ? origin : undefined;
  let url: URL;
  try {
    url = pageOrigin === undefined ? new URL(text) : new URL(text, pageOrigin);
  } catch {
    throw new ConfigurationError(
      text.startsWith('/')
        ? `baseUrl ${JSON.stringify(text)} is relative: outside a browser page, give an absolute URL such as https://example.com${text}`
        : 'baseUrl is not a URL',
    );
  }
  // Credentials in a URL end up in logs and error messages; a query or fragment would be sent
  // with every request (token included) to a path nobody meant.
  if (url.username !== '' || url.password !== '') throw new ConfigurationError('baseUrl must not contain credentials (user:password@)');
  if (url.search !== '' || text.includes('?')) throw new ConfigurationError('baseUrl must not have a query (?…)');
  if (url.hash !== '' || text.includes('#')) throw new ConfigurationError('baseUrl must not have a fragment (#…)');
  return url;
}

/** Checks and fills in the options once, so requests never re-derive them. */
export function normalizeOptions(options: ClientOptions): NormalizedOptions {
  const apiKey = options.apiKey === undefined || options.apiKey === '' ? undefined : options.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(apiKey))) {
    throw new ConfigurationError(
      'apiKey must be a token of visible ASCII characters, without spaces, line breaks or other control characters',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!HEADER_NAME_PATTERN.test(name)) {
      throw new ConfigurationError(`header name ${JSON.stringify(name)} is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`);
    }
    if (typeof value !== 'string' || UNSENDABLE.test(value)) {
      throw new ConfigurationError(
        `headers.${name} must be a string of Latin-1 characters without line breaks or other control characters`,
      );
    }
    headers[name] = value;
  }
  if (options.instance !== undefined && !Object.hasOwn(INSTANCES, options.instance)) {
    throw new ConfigurationError(
      `instance must be one of ${Object.keys(INSTANCES).join(', ')}, got ${JSON.stringify(String(options.instance))}`,
    );
  }
  const url = resolveBaseUrl(options.baseUrl ?? INSTANCES[options.instance ?? 'commercial']);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigurationError(`baseUrl must be http(s), got ${url.protocol}`);
  if (apiKey !== undefined && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigurationError(`refusing to send an access token over plain http to ${url.hostname}; use https`);
  }
  if (apiKey !== undefined && isBrowserLike() && options.dangerouslyAllowBrowser !== true) {
    throw new ConfigurationError(
      'an apiKey in browser code can be read by anyone who uses the page; call your own backend (baseUrl without apiKey) ' +
        'or, if you understand the risk, set dangerouslyAllowBrowser: true',
    );
  }
  const baseUrl = url.href.replace(/\/+$/, '');
  const isLaunchDarkly = (Object.values(INSTANCES) as string[]).includes(baseUrl);
  if (apiKey === undefined && isLaunchDarkly) {
    throw new ConfigurationError(`apiKey is required to call ${baseUrl} directly; without one, give the baseUrl of a proxy that adds it`);
  }
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  if (typeof apiVersion !== 'string' || apiVersion.trim() === '' || UNSENDABLE.test(apiVersion)) {
    throw new ConfigurationError('apiVersion must be a non-empty string without control characters');
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') throw new ConfigurationError('no fetch available: pass options.fetch');
  const secretHeaderValues = Object.entries(headers)
    .filter(([name]) => SECRET_HEADER.test(name))
    .map(([, value]) => value);
  return {
    apiKey,
    baseUrl,
    apiVersion,
    fetch: fetchImpl,
    headers,
    settings: {
      timeoutMs: positiveNumber('timeoutMs', options.timeoutMs, 30_000),
      maxRetries: nonNegativeInteger('maxRetries', options.maxRetries, 2),
      maxRetryDelayMs: nonNegativeInteger('maxRetryDelayMs', options.maxRetryDelayMs, 60_000),
      initialRetryDelayMs: 500,
      retryUnsafe: options.retryUnsafe === true,
    },
    onRetry: options.onRetry,
    logging: loggingOf(options.logLevel, options.logger),
    redact: createRedactor([apiKey, ...secretHeaderValues]),
  };
}

/** The settings of one call: the client's, with whatever the call sets. */
export function callSettings(defaults: AttemptSettings, call: CallOptions | undefined): AttemptSettings {
  if (call === undefined) return defaults;
  return {
    ...defaults,
    timeoutMs: positiveNumber('timeoutMs', call.timeoutMs, defaults.timeoutMs),
    maxRetries: nonNegativeInteger('maxRetries', call.maxRetries, defaults.maxRetries),
    retryUnsafe: call.retryUnsafe ?? defaults.retryUnsafe,
    signal: call.signal,
  };
}
