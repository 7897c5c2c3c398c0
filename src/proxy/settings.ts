/**
 * The proxy's options, checked and given their defaults once, when the proxy is created: every
 * bound it enforces is here, as data.
 */
import { ConfigurationError } from '../core/errors.js';
import { AGENT, AGENT_HEADER, API_VERSION_HEADER, HEADER_NAME_PATTERN } from '../core/internal/transport.js';
import { positiveInteger } from '../core/internal/positive-integer.js';
import { type NormalizedOptions, normalizeOptions } from '../core/options.js';
import type { Redactor } from '../core/redact.js';
import type { ProxyOptions } from './types.js';

/** Each bound's default, in the units its option takes. */
export const DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  // LaunchDarkly's own batch limit for target operations in one semantic patch.
  maxInstructions: 1500,
  bodyTimeoutMs: 10_000,
  timeoutMs: 30_000,
  requestTimeoutMs: 45_000,
  // Room for the longest real list of expiring targets, many times over.
  maxResponseBytes: 32 * 1024 * 1024,
  maxInFlight: 256,
} as const;

/** Request headers the client itself sends, which a preflight may ask for. */
const CLIENT_HEADERS = ['content-type', API_VERSION_HEADER.toLowerCase(), AGENT_HEADER.toLowerCase()];
const BASE_PATH = /^(\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*$/;

export interface Settings {
  apiKey: string;
  upstream: NormalizedOptions;
  redact: Redactor;
  agent: string;
  basePath: string;
  allowedOrigins: ReadonlySet<string>;
  allowedHeaders: ReadonlySet<string>;
  allowCredentials: boolean;
  maxBodyBytes: number;
  maxInstructions: number;
  bodyTimeoutMs: number;
  timeoutMs: number;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  maxInFlight: number;
  actorRateLimit: { requests: number; windowMs: number } | undefined;
  allowPast: boolean;
}

function basePathOf(value: unknown): string {
  if (value !== undefined && typeof value !== 'string') throw new ConfigurationError('basePath must be a string such as /ld-proxy');
  let basePath = value ?? '';
  if (basePath.endsWith('/')) basePath = basePath.slice(0, -1);
  if (!BASE_PATH.test(basePath) || basePath.split('/').some((s) => s === '.' || s === '..')) {
    throw new ConfigurationError(
      `basePath must be '' or a path such as /ld-proxy (no query, encoding, empty or dot segments), got ${JSON.stringify(basePath)}`,
    );
  }
  return basePath;
}

function originsOf(list: readonly string[] | undefined): Set<string> {
  const origins = new Set<string>();
  for (const origin of list ?? []) {
    const parsed = typeof origin === 'string' && URL.canParse(origin) ? new URL(origin) : undefined;
    if (parsed === undefined || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      throw new ConfigurationError(
        `allowedOrigins must hold origins such as https://admin.example.com (scheme, host and port only; no "*" or "null"), got ${JSON.stringify(origin)}`,
      );
    }
    origins.add(origin);
  }
  return origins;
}

function headersOf(list: readonly string[] | undefined): Set<string> {
  const headers = new Set(CLIENT_HEADERS);
  for (const name of list ?? []) {
    if (typeof name !== 'string' || !HEADER_NAME_PATTERN.test(name))
      throw new ConfigurationError(`allowedHeaders must hold header names, got ${JSON.stringify(name)}`);
    headers.add(name.toLowerCase());
  }
  return headers;
}

/** Checks the options and fills in the defaults; throws ConfigurationError for anything unusable. */
export function normalizeProxyOptions(options: ProxyOptions<unknown>): Settings {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('createExpiringTargetsProxy needs options');
  if (typeof options.authorize !== 'function') {
    throw new ConfigurationError(
      'authorize is required: a function that checks your own session for every request before the token is used',
    );
  }
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new ConfigurationError('apiKey is required: the proxy adds it to every request it forwards');
  }
  const upstream = normalizeOptions({
    apiKey: options.apiKey,
    instance: options.instance,
    baseUrl: options.baseUrl,
    apiVersion: options.apiVersion,
    fetch: options.fetch,
  });
  if (options.onAudit !== undefined && typeof options.onAudit !== 'function') throw new ConfigurationError('onAudit must be a function');
  const limit = options.actorRateLimit;
  if (limit !== undefined && (limit === null || typeof limit !== 'object'))
    throw new ConfigurationError('actorRateLimit must be { requests, windowMs }');
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs);
  return {
    apiKey: options.apiKey,
    upstream,
    redact: upstream.redact,
    agent: AGENT,
    basePath: basePathOf(options.basePath),
    allowedOrigins: originsOf(options.allowedOrigins),
    allowedHeaders: headersOf(options.allowedHeaders),
    allowCredentials: options.allowCredentials === true,
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, DEFAULTS.maxBodyBytes),
    maxInstructions: positiveInteger('maxInstructions', options.maxInstructions, DEFAULTS.maxInstructions),
    bodyTimeoutMs: positiveInteger('bodyTimeoutMs', options.bodyTimeoutMs, DEFAULTS.bodyTimeoutMs),
    timeoutMs,
    // Never shorter than the upstream wait it contains, unless set so.
    requestTimeoutMs: positiveInteger(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      Math.max(DEFAULTS.requestTimeoutMs, timeoutMs + DEFAULTS.bodyTimeoutMs),
    ),
    maxResponseBytes: positiveInteger('maxResponseBytes', options.maxResponseBytes, DEFAULTS.maxResponseBytes),
    maxInFlight: positiveInteger('maxInFlight', options.maxInFlight, DEFAULTS.maxInFlight),
    actorRateLimit:
      limit === undefined
        ? undefined
        : // Both required: a fallback of 0 is refused, so a missing one is named.
          {
            requests: positiveInteger('actorRateLimit.requests', limit.requests ?? 0, 0),
            windowMs: positiveInteger('actorRateLimit.windowMs', limit.windowMs ?? 0, 0),
          },
    allowPast: options.allowPast === true,
  };
}
