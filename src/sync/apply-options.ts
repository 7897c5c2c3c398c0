/** The options of `applyPlan`, their defaults, and their one check before anything is sent. */
import type { BulkProgress } from '../core/bulk.js';
import { ConfigurationError } from '../core/errors.js';
import { pickCallOptions } from '../core/call-options.js';
import type { CallOptions } from '../core/options.js';
import { DEFAULT_READ_CONCURRENCY, positiveOption } from './plan.js';
import { DEFAULT_MAX_ROUNDS, DEFAULT_ROUND_DELAY_MS } from './rounds.js';

/** Options of `applyPlan`. */
export interface ApplyOptions extends CallOptions {
  /** Instructions per request. Default 50. */
  batchSize?: number | undefined;
  /** Resources written at once (each with one request in flight). Default 1: LaunchDarkly's limits are per account. */
  concurrency?: number | undefined;
  /** Resources read at once when planning again. Default 4. */
  readConcurrency?: number | undefined;
  /** Audit-log comment for every request. */
  comment?: string | undefined;
  /** Called after every batch of the first round, with the counts over the whole plan. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Re-send, within a batch's run, what reading back proved was not applied (see `patchAll`). Default false: later rounds do it. */
  resendUnapplied?: boolean | undefined;
  /** Send again the changes refused because their target changed after planning, as planned again. Default true. */
  replanConflicts?: boolean | undefined;
  /**
   * Rounds at most: the first sends the plan, each later one what a fresh read still shows
   * pending and can end differently. Default 3; 1 sends the plan once. Against a server that keeps
   * no state (a mock), use 1.
   */
  maxRounds?: number | undefined;
  /** The wait before round 2 in milliseconds, doubled for each later round (at most 5 s). Default 250. */
  roundDelayMs?: number | undefined;
  /**
   * Stops the apply gently: no batch is started once it aborts, the batches in flight finish
   * (their answers are kept) and what was sent is read back. `signal`, by contrast, abandons the
   * requests in flight.
   */
  stop?: AbortSignal | undefined;
  /** Send changes whose time has passed since planning. Default: the plan's `allowPast`. */
  allowPast?: boolean | undefined;
  /** The time "past" is measured from. Default `Date.now()`. */
  now?: number | undefined;
}

export const DEFAULT_BATCH_SIZE = 50;

/** The options with their defaults filled in and checked (a ConfigurationError names the first bad one). */
export function normalizeApplyOptions(options: ApplyOptions) {
  const concurrency = positiveOption('concurrency', options.concurrency, 1);
  const readConcurrency = positiveOption('readConcurrency', options.readConcurrency, DEFAULT_READ_CONCURRENCY);
  const batchSize = positiveOption('batchSize', options.batchSize, DEFAULT_BATCH_SIZE);
  const maxRounds = positiveOption('maxRounds', options.maxRounds, DEFAULT_MAX_ROUNDS);
  const roundDelayMs = options.roundDelayMs ?? DEFAULT_ROUND_DELAY_MS;
  if (!Number.isFinite(roundDelayMs) || roundDelayMs < 0)
    throw new ConfigurationError(`roundDelayMs must be a non-negative number, got ${roundDelayMs}`);
  return { concurrency, readConcurrency, batchSize, maxRounds, roundDelayMs, call: pickCallOptions(options), stop: options.stop };
}
