/**
 * Progress of an apply over the whole plan. Each resource's `patchAll` reports its own running
 * counts; resources written at once are summed into one report.
 */
import type { BulkProgress } from '../core/bulk.js';

/** A resource's running counts (its own total is known to the caller). */
export type Progress = Omit<BulkProgress, 'total'>;
export const PROGRESS_KEYS = ['done', 'applied', 'failed', 'unknown', 'notAttempted', 'reconciled', 'resent'] as const;
export const NO_PROGRESS: Progress = { done: 0, applied: 0, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 };

/**
 * A reporter of `total` changes: each call moves the sum by the difference between a resource's
 * `previous` and `next` counts (`size` changes of its own, all not attempted before its first report).
 */
export function progressSum(total: number, onProgress: ((progress: BulkProgress) => void) | undefined) {
  const sum: BulkProgress = { total, done: 0, applied: 0, failed: 0, unknown: 0, notAttempted: total, reconciled: 0, resent: 0 };
  return (previous: Progress | undefined, next: Progress, size: number): void => {
    for (const key of PROGRESS_KEYS) sum[key] += next[key] - (previous?.[key] ?? (key === 'notAttempted' ? size : 0));
    onProgress?.({ ...sum });
  };
}
