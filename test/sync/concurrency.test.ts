// The two gates of sync's per-resource work: forEachLimited (reads of a plan, writes of an apply)
// and limiter (the read-backs of an apply), driven with tasks the test releases one by one.
import { describe, expect, it } from 'vitest';
import { forEachLimited, limiter } from '../../src/sync/concurrency.js';

/** A task the test ends by hand; `started` settles when the gate starts it. */
function handle<T>(value: T) {
  let start!: () => void;
  let finish!: () => void;
  const started = new Promise<void>((resolve) => (start = resolve));
  const finished = new Promise<T>((resolve) => (finish = () => resolve(value)));
  return { started, finish, task: () => (start(), finished) };
}

describe('limiter', () => {
  it('starts at most `limit` tasks at once, the others in order as each one ends', async () => {
    const gate = limiter(2);
    const order: number[] = [];
    const tasks = [0, 1, 2, 3, 4].map((i) => handle(i));
    const results = tasks.map((t, i) =>
      gate(() => {
        order.push(i);
        return t.task();
      }),
    );
    // Starting is synchronous: the first two run, the rest wait.
    expect(order).toEqual([0, 1]);
    tasks[1]?.finish();
    await tasks[2]?.started;
    expect(order).toEqual([0, 1, 2]);
    await expect(results[1]).resolves.toBe(1);
    tasks[0]?.finish();
    await tasks[3]?.started;
    expect(order).toEqual([0, 1, 2, 3]);
    tasks[2]?.finish();
    await tasks[4]?.started;
    tasks[3]?.finish();
    tasks[4]?.finish();
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('a task that fails gives its place back and rejects with its own error', async () => {
    const gate = limiter(1);
    const order: string[] = [];
    const failing = gate(() => {
      order.push('fails');
      return Promise.reject(new Error('read failed'));
    });
    const next = handle('second');
    const second = gate(() => {
      order.push('second');
      return next.task();
    });
    expect(order).toEqual(['fails']);
    await expect(failing).rejects.toThrow('read failed');
    await next.started;
    next.finish();
    await expect(second).resolves.toBe('second');
    expect(order).toEqual(['fails', 'second']);
  });
});

describe('forEachLimited', () => {
  it('runs at most `limit` items at once, in order, and returns the indices never started once stopped', async () => {
    const items = ['a', 'b', 'c', 'd'];
    const tasks = items.map((item) => handle(item));
    const begun: string[] = [];
    let stop = false;
    const run = forEachLimited(
      items,
      2,
      async (item, index) => {
        begun.push(`${item}${index}`);
        await tasks[index]?.task();
      },
      () => stop,
    );
    expect(begun).toEqual(['a0', 'b1']);
    tasks[0]?.finish();
    await tasks[2]?.started;
    expect(begun).toEqual(['a0', 'b1', 'c2']);
    stop = true;
    tasks[1]?.finish();
    tasks[2]?.finish();
    await expect(run).resolves.toEqual([3]);
    expect(begun).toEqual(['a0', 'b1', 'c2']);
  });

  it('starts no more workers than items, and returns nothing when every item ran', async () => {
    const begun: number[] = [];
    await expect(
      forEachLimited(
        [7],
        5,
        async (item) => void begun.push(item),
        () => false,
      ),
    ).resolves.toEqual([]);
    expect(begun).toEqual([7]);
    await expect(
      forEachLimited(
        [],
        3,
        async () => undefined,
        () => false,
      ),
    ).resolves.toEqual([]);
  });
});
