/**
 * The deadline helper the proxy and the client's transport share: one signal for a whole limit,
 * step limits within it, and the signals it follows; `expired` names the limit that ran out.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExpiredError, startDeadline, untilAborted } from '../../src/core/internal/deadline.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('startDeadline', () => {
  it('fires at its time, names itself, and carries a DeadlineExpiredError', () => {
    const deadline = startDeadline(100);
    vi.advanceTimersByTime(99);
    expect([deadline.signal.aborted, deadline.expired]).toEqual([false, undefined]);
    vi.advanceTimersByTime(1);
    expect([deadline.signal.aborted, deadline.expired]).toEqual([true, 'deadline']);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExpiredError);
    expect((deadline.signal.reason as DeadlineExpiredError).message).toBe('deadline: no answer within 100 ms');
  });

  it('a step limit aborts the same signal first and names the step; its clean-up stops it', () => {
    const deadline = startDeadline(1000);
    const end = deadline.limit(50, 'body');
    vi.advanceTimersByTime(40);
    end();
    vi.advanceTimersByTime(100);
    expect(deadline.signal.aborted).toBe(false);
    deadline.limit(50, 'the upstream call');
    vi.advanceTimersByTime(50);
    expect([deadline.signal.aborted, deadline.expired]).toEqual([true, 'the upstream call']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a new step replaces the last one; no step after the end', () => {
    const deadline = startDeadline(1000);
    deadline.limit(10, 'first');
    deadline.limit(500, 'second');
    vi.advanceTimersByTime(10);
    expect(deadline.signal.aborted).toBe(false);
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
    const ended = startDeadline(5);
    vi.advanceTimersByTime(5);
    ended.limit(1, 'late');
    expect([ended.expired, vi.getTimerCount()]).toEqual(['deadline', 0]);
  });

  it('follows other signals: aborts with their reason, not as expired, and stops its timers', () => {
    const caller = new AbortController();
    const deadline = startDeadline(100, undefined, caller.signal);
    caller.abort('gone');
    expect([deadline.signal.aborted, deadline.signal.reason, deadline.expired]).toEqual([true, 'gone', undefined]);
    expect(vi.getTimerCount()).toBe(0);
    const already = startDeadline(100, AbortSignal.abort('before'));
    expect([already.signal.reason, vi.getTimerCount()]).toEqual(['before', 0]);
  });

  it('dispose removes its listeners from the signals it follows', () => {
    const caller = new AbortController();
    const deadline = startDeadline(100, caller.signal);
    deadline.dispose();
    caller.abort('late');
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe('untilAborted', () => {
  it('settles with the work, or rejects with the reason once the signal fires', async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve(1), controller.signal)).resolves.toBe(1);
    await expect(untilAborted(Promise.reject(new Error('no')), controller.signal)).rejects.toThrow('no');
    const hanging = untilAborted(new Promise(() => undefined), controller.signal);
    controller.abort('stop');
    await expect(hanging).rejects.toBe('stop');
    await expect(untilAborted(Promise.resolve(1), controller.signal)).rejects.toBe('stop');
  });
});
