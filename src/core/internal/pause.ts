/**
 * The one way the client waits: for a time, until something wakes it, or until its caller gives
 * up. Retries sleep with it, and the rate budget waits with it for room.
 */
import { RequestAbortedError } from '../errors.js';

/** setTimeout fires at once past 2^31 - 1 ms: longer waits are cut to it (the caller looks again). */
const LONGEST_TIMER_MS = 2_147_483_647;

/**
 * Resolves after `ms` (never by itself when `ms` is Infinity), or sooner when a function it adds
 * to `wakers` is called; rejects with RequestAbortedError the moment `signal` fires. Whichever
 * comes first clears the rest: no timer or listener is left behind.
 */
export function pause(ms: number, signal?: AbortSignal, wakers?: Set<() => void>): Promise<void> {
  if (signal?.aborted) return Promise.reject(new RequestAbortedError(signal.reason));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: RequestAbortedError) => {
      clearTimeout(timer);
      wakers?.delete(wake);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const wake = () => settle();
    const onAbort = () => settle(new RequestAbortedError(signal?.reason));
    const timer = Number.isFinite(ms) ? setTimeout(wake, Math.min(ms, LONGEST_TIMER_MS)) : undefined;
    wakers?.add(wake);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
