/**
 * Who may call the proxy from a browser: same-origin pages, and the origins `allowedOrigins`
 * names, with CORS headers and preflights for those.
 */
import type { PlainAnswer } from '../core/internal/adapted-request.js';
import { NOSNIFF } from './answers.js';
import type { Settings } from './settings.js';
import type { ProxyRefusal } from './types.js';

/** Response headers a cross-origin page can read without being told (the CORS safelist). */
// Stryker disable next-line StringLiteral: the proxy passes no Expires, Last-Modified or Pragma (forward.ts's PASSED_HEADERS), so those entries never decide anything.
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);

/** The CORS headers of an answer to `origin`; none for a same-origin or refused origin. */
export function corsHeaders(settings: Settings, origin: string | null, exposed: readonly string[] = []): Record<string, string> {
  if (origin === null || !settings.allowedOrigins.has(origin)) return {};
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (settings.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  const readable = exposed.filter((name) => !SAFELISTED.has(name));
  if (readable.length > 0) headers['access-control-expose-headers'] = readable.join(', ');
  return headers;
}

/** Same origin by the URL or the browser's own word, or one of the allowed origins; no Origin and no cross-site fetch metadata is a non-browser client. */
export function originAllowed(settings: Settings, request: Request, url: URL): boolean {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  if (origin !== null) return settings.allowedOrigins.has(origin) || origin === url.origin || site === 'same-origin';
  return site === null || site === 'same-origin' || site === 'none';
}

export function isPreflight(request: Request, method: string): boolean {
  return method === 'OPTIONS' && request.headers.has('origin') && request.headers.has('access-control-request-method');
}

/** The answer to a preflight, and the refusal when it is one. */
export function preflight(
  settings: Settings,
  request: Request,
  origin: string,
  allow: readonly string[],
): { answer: PlainAnswer; refusal?: ProxyRefusal } {
  const refused = (refusal: ProxyRefusal) => ({
    answer: { status: 403, headers: { 'cache-control': 'no-store', ...NOSNIFF }, body: null },
    refusal,
  });
  if (!settings.allowedOrigins.has(origin)) return refused('origin-not-allowed');
  // Stryker disable next-line StringLiteral: a preflight has Access-Control-Request-Method (isPreflight), so the fallback is never used.
  const requestedMethod = request.headers.get('access-control-request-method') ?? '';
  if (!allow.includes(requestedMethod)) return refused('method-not-allowed');
  const requestedHeaders = (request.headers.get('access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (requestedHeaders.some((name) => !settings.allowedHeaders.has(name))) return refused('headers-not-allowed');
  const headers = {
    ...corsHeaders(settings, origin),
    'access-control-allow-methods': allow.join(', '),
    'access-control-allow-headers': [...settings.allowedHeaders].join(', '),
    'access-control-max-age': '600',
    'cache-control': 'no-store',
    ...NOSNIFF,
  };
  return { answer: { status: 204, headers, body: null } };
}
