/**
 * A time limit that also follows other signals: one AbortSignal that fires when the time is up or
 * when any signal it follows fires (the caller's, a client's that went away). Shorter limits for
 * single steps (reading a body, an upstream call) abort the same signal, so one request costs one
 * AbortController however many steps it has. Whoever catches the abort asks `expired` which limit
 * ran out, to tell "too slow" from "called off".
 *
 * Written with listeners rather than `AbortSignal.any`/`AbortSignal.timeout`: the client runs in
 * browsers that lack them, and a timer of our own is cleared at once instead of lingering.
 */

export interface Deadline {
  /** Fires when a limit runs out or a followed signal fires. */
  readonly signal: AbortSignal;
  /** The name of the limit that ran out (`'deadline'` for the whole one), or undefined. */
  readonly expired: string | undefined;
  /** A shorter limit for one step, aborting the same signal (replacing the last step's); returns its clean-up. */
  limit(ms: number, name: string): () => void;
  /** Stops the timers and the listeners; call it once the work is done, however it ended. */
  dispose(): void;
}

/** The abort reason when a limit runs out. */
export class DeadlineExpiredError extends Error {
  // Assigned, not class fields: a browser bundle for an older target turns each field into a helper call.
  declare readonly ms: number;
  declare readonly limitName: string;
  constructor(ms: number, limitName: string) {
    super(`${limitName}: no answer within ${ms} ms`);
    this.name = 'DeadlineExpiredError';
    this.ms = ms;
    this.limitName = limitName;
  }
}

/** Starts a deadline `ms` from now that also aborts when any of `follow` does. */
export function startDeadline(ms: number, ...follow: (AbortSignal | undefined)[]): Deadline {
  const controller = new AbortController();
  let expired: string | undefined;
  let stepTimer: ReturnType<typeof setTimeout> | undefined;
  let listeners: [AbortSignal, () => void][] | undefined;
  const stop = () => {
    clearTimeout(timer);
    clearTimeout(stepTimer);
    if (listeners !== undefined) for (const [signal, listener] of listeners) signal.removeEventListener('abort', listener);
    listeners = undefined;
  };
  const expire = (limitMs: number, name: string) => () => {
    expired = name;
    stop();
    controller.abort(new DeadlineExpiredError(limitMs, name));
  };
  const timer = setTimeout(expire(ms, 'deadline'), ms);
  for (const signal of follow) {
    if (signal === undefined) continue;
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
    (listeners ??= []).push([signal, listener]);
  }
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    // One step at a time: a new step's limit replaces the last one's.
    limit(limitMs, name) {
      clearTimeout(stepTimer);
      if (controller.signal.aborted) return () => undefined;
      const step = setTimeout(expire(limitMs, name), limitMs);
      stepTimer = step;
      return () => clearTimeout(step);
    },
    dispose: stop,
  };
}

/**
 * `work`, or a rejection with the signal's reason as soon as it fires: for a callback that may
 * never settle (the work itself is not stopped, only no longer waited for).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
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
