// What a later round of an apply sends, decided without a server: the rules of rounds.ts.
import { describe, expect, it, vi } from 'vitest';
import type { ChangeOutcome, PlannedChange, ResourcePlan } from '../../src/sync/index.js';
import { MAX_ROUND_DELAY_MS, nextChanges, pause, roundDelay, sameInstruction, worthResending } from '../../src/sync/rounds.js';

const ref = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const add = (key: string, value = 1): PlannedChange => ({
  action: 'add',
  contextKind: 'user',
  contextKey: key,
  target: 'included',
  from: undefined,
  to: value,
  version: undefined,
  instruction: { kind: 'addExpiringTarget', contextKind: 'user', contextKey: key, targetType: 'included', value },
  source: undefined,
});
const plan = (changes: PlannedChange[], error?: Error): ResourcePlan =>
  ({ resource: 'segment', ref, changes, unchanged: 0, unmanaged: 0, source: undefined, error: error as never }) as ResourcePlan;
const outcome = (change: PlannedChange, o: Partial<ChangeOutcome>): ChangeOutcome => ({
  index: 0,
  resource: 'segment',
  ref,
  change,
  instruction: change.instruction,
  fate: 'failed',
  ...o,
});

describe('worthResending', () => {
  it.each([
    [{ fate: 'unknown' }, true],
    [{ fate: 'applied' }, false],
    [{ fate: 'notAttempted' }, false],
    [{ fate: 'failed', decidedBy: 'read-back' }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 503 }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 502 }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 500 }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 504 }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 429 }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 409 }, true],
    [{ fate: 'failed', status: undefined }, true],
    [{ fate: 'failed', decidedBy: 'response', status: 200 }, false],
    [{ fate: 'failed', decidedBy: 'response', status: 400 }, false],
    [{ fate: 'failed', decidedBy: 'response', status: 403 }, false],
    // Reading back proved it was not applied: worth sending again, whatever status the lost answer had.
    [{ fate: 'failed', decidedBy: 'read-back', status: 501 }, true],
  ] as [Partial<ChangeOutcome>, boolean][])('%o → %s', (o, expected) => {
    expect(worthResending(outcome(add('a'), o))).toBe(expected);
  });
});

describe('sameInstruction', () => {
  it('compares every field, and the number of fields', () => {
    expect(sameInstruction(add('a').instruction, add('a').instruction)).toBe(true);
    expect(sameInstruction(add('a').instruction, add('a', 2).instruction)).toBe(false);
    expect(sameInstruction(add('a').instruction, { ...add('a').instruction, version: 1 } as never)).toBe(false);
    expect(sameInstruction({ ...add('a').instruction, version: 1 } as never, add('a').instruction)).toBe(false);
  });
});

describe('nextChanges', () => {
  const a = add('a');
  const b = add('b');
  const c = add('c');
  const planned = plan([a, b, c]);

  it('sends again what is still pending and can end differently; marks a moved target as planned again', () => {
    const moved = add('b', 7);
    const next = nextChanges(
      planned,
      plan([a, moved, c]),
      [
        outcome(a, { decidedBy: 'read-back' }),
        outcome(b, { status: 200, decidedBy: 'response' }),
        outcome(c, { status: 200, decidedBy: 'response' }),
      ],
      new Set(),
    );
    expect(next.map((n) => [n.index, n.change.contextKey, n.change.to, n.replanned])).toEqual([
      [0, 'a', 1, false],
      [1, 'b', 7, true],
    ]);
  });

  it('sends nothing for what the read shows done, what is final, what was never sent, or an unread resource', () => {
    const final = outcome(b, { decidedBy: 'read-back' });
    expect(nextChanges(planned, plan([b]), [outcome(a, { decidedBy: 'read-back' }), final, undefined], new Set([final]))).toEqual([]);
    expect(nextChanges(planned, plan([a, b, c]), [undefined, undefined, undefined], new Set())).toEqual([]);
    expect(nextChanges(planned, plan([a], new Error('503')), [outcome(a, { decidedBy: 'read-back' })], new Set())).toEqual([]);
  });

  it('keeps the line of the planned change when the new plan has none', () => {
    const withLine = { ...a, source: { line: 9, column: 3, index: 0, fields: {} } };
    const [next] = nextChanges(
      plan([withLine]),
      plan([add('a', 5)]),
      [outcome(withLine, { status: 200, decidedBy: 'response' })],
      new Set(),
    );
    expect(next?.change.source?.line).toBe(9);
  });
});

describe('roundDelay and pause', () => {
  it('doubles from the base for each round after the second, up to the cap', () => {
    expect([2, 3, 4].map((r) => roundDelay(r, 250))).toEqual([250, 500, 1000]);
    expect(roundDelay(20, 250)).toBe(MAX_ROUND_DELAY_MS);
  });

  it('an aborted signal ends the pause at once', async () => {
    const controller = new AbortController();
    const waiting = pause(60_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(pause(0, undefined)).resolves.toBeUndefined();
  });

  it('waits the whole time, and not at all when the signal has already aborted', async () => {
    vi.useFakeTimers();
    try {
      let done = false;
      const waiting = pause(1000, new AbortController().signal).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toBe(true);
      const aborted = new AbortController();
      aborted.abort();
      let early = false;
      const skipped = pause(60_000, aborted.signal).then(() => (early = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(early).toBe(true);
      await skipped;
    } finally {
      vi.useRealTimers();
    }
  });

  it('sets no timer for a pause of 0 or below, or under an aborted signal', async () => {
    vi.useFakeTimers();
    try {
      const aborted = new AbortController();
      aborted.abort();
      const none = [pause(0, undefined), pause(-5, new AbortController().signal), pause(60_000, aborted.signal)];
      expect(vi.getTimerCount()).toBe(0);
      await Promise.all(none);
      const waiting = pause(1, new AbortController().signal);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
