// The retry rules as a table: which outcomes are retried for which method, and how long each
// wait is. Pure functions, so every rule is pinned down without a server or a clock.
import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, isRetryable, parseRateLimitReset, parseRetryAfter, retryDelayMs } from '../../src/core/retry-policy.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const response = (status: number, headers: Record<string, string> = {}): AttemptOutcome => ({
  type: 'response',
  status,
  headers: new Headers(headers),
});
const beforeSend: AttemptOutcome = { type: 'error', stage: 'before-send' };
const afterSend: AttemptOutcome = { type: 'error', stage: 'after-send' };

describe('isRetryable', () => {
  // [outcome, GET, HEAD, PATCH, PATCH with retryUnsafe]
  it.each<[string, AttemptOutcome, boolean, boolean, boolean, boolean]>([
    ['429', response(429), true, true, true, true],
    ['409', response(409), true, true, true, true],
    ['500', response(500), true, true, false, true],
    ['502', response(502), true, true, false, true],
    ['503', response(503), true, true, false, true],
    ['504', response(504), true, true, false, true],
    ['501 (not implemented: never better on retry)', response(501), false, false, false, false],
    ['505', response(505), false, false, false, false],
    ['400', response(400), false, false, false, false],
    ['401', response(401), false, false, false, false],
    ['404', response(404), false, false, false, false],
    ['200', response(200), false, false, false, false],
    ['a failure before sending', beforeSend, true, true, true, true],
    ['a failure after sending', afterSend, true, true, false, true],
  ])('%s: GET %s, HEAD %s, PATCH %s, PATCH with retryUnsafe %s', (_name, outcome, get, head, patch, unsafe) => {
    expect(isRetryable(outcome, 'GET', false)).toBe(get);
    expect(isRetryable(outcome, 'HEAD', false)).toBe(head);
    expect(isRetryable(outcome, 'PATCH', false)).toBe(patch);
    expect(isRetryable(outcome, 'PATCH', true)).toBe(unsafe);
    // Any other state-changing method follows PATCH.
    expect(isRetryable(outcome, 'POST', false)).toBe(patch);
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['', undefined],
    ['   ', undefined],
    ['0', 0],
    ['7', 7000],
    [' 7 ', 7000],
    ['1.5', 1500],
    ['1.25', 1250],
    ['0.0004', 0],
    ['7abc', undefined],
    ['soon', undefined],
  ])('%j is %j ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('an HTTP date is the time until it, and 0 once past', () => {
    expect(parseRetryAfter(new Date(NOW + 42_000).toUTCString(), NOW)).toBe(42_000);
    expect(parseRetryAfter(new Date(NOW - 42_000).toUTCString(), NOW)).toBe(0);
  });

  // RFC 9110 still asks recipients to read the obsolete asctime form, which ends in digits: it
  // must reach the date parser, not be taken for a number of seconds.
  it('an asctime date is a date, not seconds', () => {
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', NOW)).toBe(0);
  });
});

describe('parseRateLimitReset', () => {
  it.each<[string | null, number | undefined]>([
    [null, undefined],
    ['', undefined],
    ['  ', undefined],
    ['later', undefined],
    [String(NOW + 750), 750],
    [` ${NOW + 750} `, 750],
    [String(NOW), 0],
    [String(NOW - 5000), 0],
  ])('%j is %j ms from now', (value, ms) => {
    expect(parseRateLimitReset(value, NOW)).toBe(ms);
  });
});

describe('retryDelayMs', () => {
  const settings = { initialRetryDelayMs: 500, maxRetryDelayMs: 3000 };
  const half = () => 0.5;

  it('backoff without a hint: full jitter below a ceiling that doubles per retry, up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5].map((retry) => retryDelayMs(response(503), retry, settings, NOW, half))).toEqual([
      250, 500, 1000, 1500, 1500, 1500,
    ]);
    expect([0, 1, 2, 3].map((retry) => retryDelayMs(afterSend, retry, settings, NOW, () => 0.999))).toEqual([499, 999, 1998, 2997]);
    expect(retryDelayMs(afterSend, 3, settings, NOW, () => 0)).toBe(0);
  });

  it('uses Math.random by default, staying below the ceiling', () => {
    for (let i = 0; i < 50; i++) {
      const delay = retryDelayMs(beforeSend, 1, settings, NOW);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1000);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('waits what Retry-After asks, capped at the maximum', () => {
    expect(retryDelayMs(response(429, { 'Retry-After': '2' }), 0, settings, NOW, half)).toBe(2000);
    expect(retryDelayMs(response(429, { 'Retry-After': '0' }), 4, settings, NOW, half)).toBe(0);
    expect(retryDelayMs(response(429, { 'Retry-After': '30' }), 0, settings, NOW, half)).toBe(3000);
  });

  it('else waits for X-Ratelimit-Reset, capped at the maximum; Retry-After wins when both are there', () => {
    expect(retryDelayMs(response(429, { 'X-Ratelimit-Reset': String(NOW + 1200) }), 0, settings, NOW, half)).toBe(1200);
    expect(retryDelayMs(response(429, { 'X-Ratelimit-Reset': String(NOW + 60_000) }), 0, settings, NOW, half)).toBe(3000);
    expect(retryDelayMs(response(429, { 'Retry-After': '1', 'X-Ratelimit-Reset': String(NOW + 2500) }), 0, settings, NOW, half)).toBe(1000);
  });

  it('an unreadable hint falls back to the next one, then to backoff', () => {
    expect(retryDelayMs(response(429, { 'Retry-After': 'soon', 'X-Ratelimit-Reset': String(NOW + 800) }), 0, settings, NOW, half)).toBe(
      800,
    );
    expect(retryDelayMs(response(429, { 'Retry-After': 'soon', 'X-Ratelimit-Reset': 'later' }), 1, settings, NOW, half)).toBe(500);
  });
});
