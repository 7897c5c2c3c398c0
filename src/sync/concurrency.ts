/** Bounded concurrency for per-resource work (reads of a plan, writes of an apply). */

/**
 * Runs `work` for each item with at most `limit` in flight, in order of `items`. Stops starting
 * new items once `stopped()` returns true; returns the indices never started.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  stopped: () => boolean,
): Promise<number[]> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return Array.from({ length: items.length - next }, (_, i) => next + i);
}
