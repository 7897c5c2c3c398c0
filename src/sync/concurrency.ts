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

/** A gate that lets at most `limit` tasks run at once; the others wait their turn, in order. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active < limit) queue.shift()?.();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      queue.push(() => {
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
