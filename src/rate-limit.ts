import { sleep } from './sleep.js';

/**
 * Holds requests back while LaunchDarkly has said a limit is spent, so a client (and every batch
 * of a bulk run sharing it) waits for the reset instead of provoking a 429.
 */
export class RateLimitGate {
  #openAt = 0;
  constructor(private readonly now: () => number = Date.now) {}

  /** Reads `X-Ratelimit-*` from a response; when a remaining count is 0, closes until the reset. */
  observe(headers: Headers): void {
    const route = headers.get('x-ratelimit-route-remaining');
    const global = headers.get('x-ratelimit-global-remaining');
    if (route?.trim() !== '0' && global?.trim() !== '0') return;
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > this.now()) this.closeUntil(reset);
  }

  /** Closes until an absolute time (epoch ms), never shortening an existing closure. */
  closeUntil(epochMs: number): void {
    this.#openAt = Math.max(this.#openAt, epochMs);
  }

  /** Milliseconds until requests may go again (0 when open). */
  get waitMs(): number {
    return Math.max(0, this.#openAt - this.now());
  }

  async wait(signal?: AbortSignal): Promise<void> {
    // Loop: another request may push the reset further out while we sleep.
    for (let ms = this.waitMs; ms > 0; ms = this.waitMs) await sleep(ms, signal);
  }
}
