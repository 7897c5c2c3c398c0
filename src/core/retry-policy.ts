/**
 * Which failures are retried, and how long to wait. Kept apart from the loop so the rules read
 * in one place.
 *
 * - 429 and 409 mean LaunchDarkly did not apply the request: always safe to retry.
 * - A connection that failed before the request was sent (refused, DNS) is safe too.
 * - 5xx, resets and timeouts may come after the server applied a PATCH; repeating a semantic
 *   patch can apply it twice, so those are retried only for GET or with `retryUnsafe`.
 */
export const ALWAYS_RETRIED_STATUSES: ReadonlySet<number> = new Set([409, 429]);
export const AMBIGUOUS_RETRIED_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

export interface RetrySettings {
  maxRetries: number;
  maxRetryDelayMs: number;
  /** First backoff ceiling; doubles per attempt (full jitter picks uniformly below it). */
  initialRetryDelayMs: number;
  retryUnsafe: boolean;
}

export type AttemptOutcome =
  | { type: 'response'; status: number; headers: Headers }
  | { type: 'error'; stage: 'before-send' | 'after-send' };

export function isRetryable(outcome: AttemptOutcome, method: string, retryUnsafe: boolean): boolean {
  const idempotent = method === 'GET' || method === 'HEAD';
  if (outcome.type === 'error') return outcome.stage === 'before-send' || idempotent || retryUnsafe;
  if (ALWAYS_RETRIED_STATUSES.has(outcome.status)) return true;
  return AMBIGUOUS_RETRIED_STATUSES.has(outcome.status) && (idempotent || retryUnsafe);
}

/** Parses `Retry-After` (delta seconds or an HTTP date) to milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `X-Ratelimit-Reset` is an absolute time in epoch milliseconds. */
export function parseRateLimitReset(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const reset = Number(value);
  return Number.isFinite(reset) ? Math.max(0, reset - now) : undefined;
}

/**
 * The wait before retry number `retry` (0 for the first retry): what the server asked for, else
 * exponential backoff with full jitter; never more than `maxRetryDelayMs`.
 */
export function retryDelayMs(
  outcome: AttemptOutcome,
  retry: number,
  settings: Pick<RetrySettings, 'maxRetryDelayMs' | 'initialRetryDelayMs'>,
  now: number,
  random: () => number = Math.random,
): number {
  return retryWait(outcome, retry, settings, now, random).delayMs;
}

/** The same wait, with the header it came from (or `backoff`), for logs and spans. */
export function retryWait(
  outcome: AttemptOutcome,
  retry: number,
  settings: Pick<RetrySettings, 'maxRetryDelayMs' | 'initialRetryDelayMs'>,
  now: number,
  random: () => number = Math.random,
): { delayMs: number; source: 'retry-after' | 'x-ratelimit-reset' | 'backoff' } {
  if (outcome.type === 'response') {
    const retryAfter = parseRetryAfter(outcome.headers.get('retry-after'), now);
    const asked = retryAfter ?? parseRateLimitReset(outcome.headers.get('x-ratelimit-reset'), now);
    if (asked !== undefined)
      return { delayMs: Math.min(asked, settings.maxRetryDelayMs), source: retryAfter !== undefined ? 'retry-after' : 'x-ratelimit-reset' };
  }
  const ceiling = Math.min(settings.maxRetryDelayMs, settings.initialRetryDelayMs * 2 ** retry);
  return { delayMs: Math.floor(random() * ceiling), source: 'backoff' };
}
