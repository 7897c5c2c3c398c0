/**
 * A time limit that also follows other signals: one AbortSignal that fires when the time is up or
 * when any signal it follows fires (the caller's, a client's that went away, an outer deadline).
 * Whoever catches the abort asks `expired` to tell "too slow" from "called off".
 *
 * Written with listeners rather than `AbortSignal.any`/`AbortSignal.timeout`: the client runs in
 * browsers that lack them, and a timer of our own is cleared at once instead of lingering.
 */

export interface Deadline {
  /** Fires when the time is up or a followed signal fires. */
  readonly signal: AbortSignal;
  /** True once the time ran out (not when a followed signal fired first). */
  readonly expired: boolean;
  /** Stops the timer and the listeners; call it once the work is done, however it ended. */
  dispose(): void;
}

/** Starts a deadline `ms` from now that also aborts when any of `follow` does. */
export function startDeadline(ms: number, ...follow: (AbortSignal | undefined)[]): Deadline {
  const controller = new AbortController();
  let expired = false;
  const followed = follow.filter((signal): signal is AbortSignal => signal !== undefined);
  const listeners: [AbortSignal, () => void][] = [];
  const stop = () => {
    clearTimeout(timer);
    for (const [signal, listener] of listeners) signal.removeEventListener('abort', listener);
    listeners.length = 0;
  };
  const timer = setTimeout(() => {
    expired = true;
    stop();
    controller.abort(new DeadlineExpiredError(ms));
  }, ms);
  for (const signal of followed) {
    if (signal.aborted) {
      stop();
      controller.abort(signal.reason);
      break;
    }
    const listener = () => {
      stop();
      controller.abort(signal.reason);
    };
    signal.addEventListener('abort', listener, { once: true });
    listeners.push([signal, listener]);
  }
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    dispose: stop,
  };
}

/** The abort reason of a deadline that ran out. */
export class DeadlineExpiredError extends Error {
  override readonly name = 'DeadlineExpiredError';
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * `work`, or a rejection with the signal's reason as soon as it fires: for a callback that may
 * never settle (the work itself is not stopped, only no longer waited for).
 */
export function untilAborted<T>(work: Promise<T> | T, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(work).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
