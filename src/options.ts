import { ConfigurationError } from './errors.js';
import { isBrowserLike, isLoopbackHost } from './environment.js';
import type { FetchLike, RetryEvent } from './transport.js';

/** LaunchDarkly's hosted instances. */
export const INSTANCES = {
  commercial: 'https://app.launchdarkly.com',
  federal: 'https://app.launchdarkly.us',
  eu: 'https://app.eu.launchdarkly.com',
} as const;
export type Instance = keyof typeof INSTANCES;

export const DEFAULT_API_VERSION = '20240415';

/** Options for {@link createExpiringTargetsClient}. */
export interface ClientOptions {
  /** A LaunchDarkly access token, sent raw in `Authorization`. May be absent behind a proxy that adds it. */
  apiKey?: string | undefined;
  /** Which LaunchDarkly instance to call. Default `commercial`. Ignored when `baseUrl` is given. */
  instance?: Instance | undefined;
  /** Any base URL, such as your backend's proxy for browser apps. */
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
}

/** Options any single call may set. */
export interface CallOptions {
  /** Cancels the call, including any wait between attempts. */
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  retryUnsafe?: boolean | undefined;
}

export interface NormalizedOptions {
  apiKey: string | undefined;
  baseUrl: string;
  apiVersion: string;
  fetch: FetchLike;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  maxRetryDelayMs: number;
  initialRetryDelayMs: number;
  retryUnsafe: boolean;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigurationError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** Checks and fills in the options once, so requests never re-derive them. */
export function normalizeOptions(options: ClientOptions): NormalizedOptions {
  const apiKey = options.apiKey === undefined || options.apiKey === '' ? undefined : options.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || /[\s]/.test(apiKey))) {
    throw new ConfigurationError('apiKey must be a token without spaces or line breaks');
  }
  if (options.instance !== undefined && !(options.instance in INSTANCES)) {
    throw new ConfigurationError(`instance must be one of ${Object.keys(INSTANCES).join(', ')}, got ${String(options.instance)}`);
  }
  const baseUrl = (options.baseUrl ?? INSTANCES[options.instance ?? 'commercial']).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigurationError(`baseUrl is not a URL: ${baseUrl}`);
  }
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
  const isLaunchDarkly = (Object.values(INSTANCES) as string[]).includes(baseUrl);
  if (apiKey === undefined && isLaunchDarkly) {
    throw new ConfigurationError(`apiKey is required to call ${baseUrl} directly; without one, give the baseUrl of a proxy that adds it`);
  }
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  if (typeof apiVersion !== 'string' || apiVersion.trim() === '') throw new ConfigurationError('apiVersion must be a non-empty string');
  const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') throw new ConfigurationError('no fetch available: pass options.fetch');
  return {
    apiKey,
    baseUrl,
    apiVersion,
    fetch: fetchImpl,
    headers: { ...options.headers },
    timeoutMs: positive('timeoutMs', options.timeoutMs, 30_000),
    maxRetries: nonNegativeInteger('maxRetries', options.maxRetries, 2),
    maxRetryDelayMs: nonNegativeInteger('maxRetryDelayMs', options.maxRetryDelayMs, 60_000),
    initialRetryDelayMs: 500,
    retryUnsafe: options.retryUnsafe === true,
    onRetry: options.onRetry,
  };
}
