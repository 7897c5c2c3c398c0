/**
 * Pacing by LaunchDarkly's rate-limit headers before a request is refused. LaunchDarkly counts
 * each route (verb and URL pattern) and the whole account in fixed windows, and says after each
 * answer how many requests the window has left (`X-Ratelimit-Route-Remaining`,
 * `X-Ratelimit-Global-Remaining`) and when it resets (`X-Ratelimit-Reset`, epoch ms). A request
 * goes only while its window has room for it and for every request already in flight (those may
 * not be counted yet), so concurrent requests never overshoot into 429s, and a spent route holds
 * back only its own requests. A route is learnt from its first answer: until then, one at a time.
 * A 429 that names no window (an IP-based limit's `Retry-After`) closes every route for a while.
 */
import type { TemplateMatch } from './url-template.js';
import { pause } from './pause.js';

/**
 * What is known of one window: when it resets, what it has left, the most it has held (for the
 * next window), and answers without headers since the reset (counted in the next window all the same).
 */
interface Window {
  reset: number;
  remaining: number;
  limit: number;
  sinceReset: number;
}

const GLOBAL = '*';
/** The longest a request waits for room unless the client's `maxRetryDelayMs` is longer: pacing is not cut short by a fail-fast retry setting, and a far-off or skewed reset cannot hold a route for good. */
export const MAX_ROOM_WAIT_MS = 60_000;
/** Routes remembered at most: paths outside the known templates are keys of their own. */
const MAX_ROUTES = 1000;

/** `GET /api/v2/flags/{projectKey}/…` for a path that ends in a document template (whatever its base path); else the verb and the path as it is. */
export function routeKeyOf(method: string, pathname: string, match: TemplateMatch | undefined): string {
  return `${method} ${match ? match.template : pathname}`;
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  return value === undefined || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
}

export class RateBudget {
  // TypeScript-private rather than #private: a browser bundle for an older target would otherwise
  // carry the WeakMap helpers that emulate # fields. Declared and set in the constructor: no
  // per-field define helper either.
  declare private readonly windows: Map<string, Window | 'unlimited'>;
  declare private readonly inFlight: Map<string, number>;
  declare private readonly waiters: Set<() => void>;
  declare private readonly now: () => number;
  /** Until when (epoch ms) every route is closed after a 429 that named no window. */
  declare private closedUntil: number;
  constructor(now: () => number = Date.now) {
    this.windows = new Map();
    this.inFlight = new Map();
    this.waiters = new Set();
    this.now = now;
    this.closedUntil = 0;
  }

  /** Closes every route until an absolute time (epoch ms), never shortening an earlier closure. */
  closeAll(epochMs: number): void {
    this.closedUntil = Math.max(this.closedUntil, epochMs);
  }

  /** 0 when a request of `route` may go now; else how long until that may change by itself (Infinity: only an answer changes it). */
  blockedMs(route: string): number {
    const now = this.now();
    let ms = Math.max(0, this.closedUntil - now);
    for (const key of this.windows.has(GLOBAL) ? [route, GLOBAL] : [route]) {
      const w = this.windows.get(key);
      const busy = this.inFlight.get(key) ?? 0;
      if (w === 'unlimited') continue;
      if (w === undefined) ms = busy === 0 ? ms : Infinity;
      // The next window: as much as a window has held, less what already went (at least one, so a route never stalls).
      else if (now >= w.reset) ms = busy < Math.max(1, w.limit - w.sinceReset) ? ms : Infinity;
      else if (busy >= w.remaining) ms = Math.max(ms, w.reset - now);
    }
    return ms;
  }

  /**
   * Waits for room, then counts the request in flight; the function returned counts it out. The
   * wait is bounded by `maxWaitMs` (see MAX_ROOM_WAIT_MS): past it the request goes and
   * the server's answer decides, so a far-off or skewed reset, or a first request that never
   * answers, cannot hold a route longer than any other wait the client makes.
   */
  async acquire(route: string, signal?: AbortSignal, maxWaitMs = Infinity): Promise<() => void> {
    const giveUpAt = this.now() + maxWaitMs;
    for (let ms = this.blockedMs(route); ms > 0; ms = this.blockedMs(route)) {
      const left = giveUpAt - this.now();
      if (left <= 0) break;
      await pause(Math.min(ms, left), signal, this.waiters);
    }
    const keys = this.windows.has(GLOBAL) ? [route, GLOBAL] : [route];
    for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
      }
      this.wake();
    };
  }

  /**
   * Learns from an answer's headers what its route's and the account's windows have left. True
   * when the answer named a window (a reset and what is left of it, both numbers): a 429 that
   * does not is an IP-based limit, for `closeAll`.
   */
  observe(route: string, headers: Headers): boolean {
    const reset = headerNumber(headers, 'x-ratelimit-reset');
    const learn = (key: string, remaining: number | undefined): boolean => {
      const w = this.windows.get(key);
      if (remaining === undefined || reset === undefined) {
        if (key === GLOBAL) return false;
        // No headers: a route LaunchDarkly does not limit. Once known to be limited, it stays so,
        // and the answer (an error's, say) counted in its window all the same.
        if (w === undefined) this.windows.set(key, 'unlimited');
        else if (w !== 'unlimited' && this.now() < w.reset) w.remaining = Math.max(0, w.remaining - 1);
        else if (w !== 'unlimited') w.sinceReset++;
        return false;
      }
      const limit = Math.max(remaining + 1, w === undefined || w === 'unlimited' ? 1 : w.limit);
      // A new window: answers without headers since the old one's reset may have counted in it before this one did.
      const since = w === undefined || w === 'unlimited' ? 0 : w.sinceReset;
      if (w === undefined || w === 'unlimited' || reset > w.reset)
        this.windows.set(key, { reset, remaining: Math.max(0, remaining - since), limit, sinceReset: 0 });
      else if (reset === w.reset) this.windows.set(key, { ...w, remaining: Math.min(remaining, w.remaining), limit });
      // An answer from a window already over says nothing of the current one.
      else w.limit = limit;
      return true;
    };
    if (!this.windows.has(route) && this.windows.size >= MAX_ROUTES) {
      // The oldest route goes; the account's window is not a route and stays.
      for (const key of this.windows.keys())
        if (key !== GLOBAL) {
          this.windows.delete(key);
          break;
        }
    }
    const named = learn(route, headerNumber(headers, 'x-ratelimit-route-remaining'));
    const namedGlobal = learn(GLOBAL, headerNumber(headers, 'x-ratelimit-global-remaining'));
    this.wake();
    return named || namedGlobal;
  }

  /**
   * An attempt that got no answer (refused, reset, timed out). It counts against a window known to
   * be limited, as an answer without headers does; on a route whose window is still unknown it
   * ends the first-request-alone rule, which would otherwise hold every later request behind
   * another timeout while LaunchDarkly does not answer. The next answer that names a window paces
   * the route again.
   */
  unanswered(route: string): void {
    // Made here, not at load: touching Headers at import time loads the runtime's whole fetch.
    this.observe(route, new Headers());
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
