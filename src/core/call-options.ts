/**
 * The per-call options picked out of a larger options object, for passing on. Apart from
 * options.ts, which every page loads, because only bulk runs, reading back and sync pick them.
 */
import type { CallOptions } from './options.js';

/** Every per-call option, present even when unset: a key added to CallOptions fails the type check here until picked. */
type EveryCallOption = { [K in keyof Required<CallOptions>]: CallOptions[K] };

/** Only the per-call options of a larger options object, for passing on. */
export function pickCallOptions(options: CallOptions | undefined): EveryCallOption {
  return { signal: options?.signal, timeoutMs: options?.timeoutMs, maxRetries: options?.maxRetries, retryUnsafe: options?.retryUnsafe };
}
