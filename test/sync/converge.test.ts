// One applyPlan converges through transient faults before and after applying: what reading back
// proves was not applied is sent again in a later round, and nothing is applied twice.
import { afterEach, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { type DesiredSegment, type DesiredState, applyPlan, planSync } from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

const T0 = Date.parse('2031-01-01T00:00:00Z');
const RESOURCES = 5;
const CONTEXTS = 60;
const id = (r: number) => `segments/p/seg-${r}/production`;

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

function desiredState(): DesiredState {
  return {
    resources: Array.from({ length: RESOURCES }, (_, r) => ({
      resource: 'segment' as const,
      ref: { projectKey: 'p', environmentKey: 'production', segmentKey: `seg-${r}` },
      targets: Array.from({ length: CONTEXTS }, (_, i) => ({
        contextKind: 'user',
        contextKey: `u-${i}`,
        targetType: 'included' as const,
        expiresAt: T0 + (r * CONTEXTS + i) * 1000,
      })),
    })),
  };
}

/** Every resource holds: the first third as desired, the second third at another time, and some strays (pruned). */
function seed(fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>) {
  for (let r = 0; r < RESOURCES; r++) {
    const targets = [];
    for (let i = 0; i < (2 * CONTEXTS) / 3; i++) {
      const at = T0 + (r * CONTEXTS + i) * 1000;
      targets.push({
        contextKind: 'user',
        contextKey: `u-${i}`,
        targetType: 'included',
        expirationDate: i < CONTEXTS / 3 ? at : at + 7,
        _version: 1,
      });
    }
    for (let i = 0; i < 5; i++)
      targets.push({ contextKind: 'user', contextKey: `stray-${r}-${i}`, targetType: 'included', expirationDate: T0, _version: 1 });
    fake.seed(id(r), targets, 'segment');
  }
}

const rows = (targets: { contextKey: string; expirationDate: number }[]) =>
  targets.map((t) => `${t.contextKey}@${t.expirationDate}`).sort();
const expected = (r: number) =>
  rows(Array.from({ length: CONTEXTS }, (_, i) => ({ contextKey: `u-${i}`, expirationDate: T0 + (r * CONTEXTS + i) * 1000 })));

describe('applyPlan converges in one call', () => {
  it('through 503s and resets before applying and 502s and resets after: LaunchDarkly equals the file, nothing applied twice, a second run sends no PATCH', async () => {
    // Each batch meets a fault the first time it is sent, in turn: two before applying, two
    // after. Some GETs fail too (retried by the client). A batch sent again passes.
    const faults = ['503-before', 'reset-after', 'reset-before', '502-after', 'none'] as const;
    const seen = new Set<string>();
    let patchNo = 0;
    let getNo = 0;
    const fake = await startFakeLaunchDarkly({
      fault: ({ method, instructions }) => {
        if (method === 'GET') return ++getNo % 4 === 0 ? '503-before' : 'none';
        const batch = JSON.stringify(instructions);
        if (seen.has(batch)) return 'none';
        seen.add(batch);
        return faults[patchNo++ % faults.length] as (typeof faults)[number];
      },
    });
    closers.push(fake.close);
    seed(fake);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetryDelayMs: 5 });
    const plan = await planSync(ld, desiredState(), { prune: true });
    expect(plan.counts).toMatchObject({ add: RESOURCES * 20, update: RESOURCES * 20, remove: RESOURCES * 5, unchanged: RESOURCES * 20 });

    const result = await applyPlan(ld, plan, { batchSize: 10, roundDelayMs: 1 });
    expect(fake.stats.faults).toMatchObject({
      '503-before': expect.any(Number),
      'reset-before': expect.any(Number),
      '502-after': expect.any(Number),
      'reset-after': expect.any(Number),
    });
    expect(result.ok).toBe(true);
    expect(result.counts.rounds).toBe(2);
    expect(result.counts).toMatchObject({ total: RESOURCES * 45, applied: RESOURCES * 45, failed: 0, unknown: 0, notAttempted: 0 });
    // What was not applied was sent again, in round 2; what was applied after a lost answer was not.
    const resentRound2 = result.outcomes.filter((o) => o.round === 2);
    expect(resentRound2.length).toBeGreaterThan(0);
    expect(resentRound2.every((o) => o.resent === true)).toBe(true);
    expect(result.after.hasChanges).toBe(false);
    for (let r = 0; r < RESOURCES; r++) expect(rows(fake.targets(id(r)))).toEqual(expected(r));
    // Nothing processed twice: each instruction reached the fake's state machine at most once.
    expect(Math.max(...fake.received.values())).toBe(1);

    const patches = fake.stats.patches;
    const again = await planSync(ld, desiredState(), { prune: true });
    expect(again.hasChanges).toBe(false);
    expect((await applyPlan(ld, again)).counts.total).toBe(0);
    expect(fake.stats.patches).toBe(patches);
  });

  it('does not resend what LaunchDarkly refused for good, and stops after maxRounds', async () => {
    const fake = await startFakeLaunchDarkly({
      targeted: (_id, ins) => ins.contextKey !== 'u-1',
      fault: ({ method }) => (method === 'PATCH' ? '503-before' : 'none'),
    });
    closers.push(fake.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetryDelayMs: 5 });
    const first = desiredState().resources[0] as DesiredSegment;
    const one: DesiredState = { resources: [{ ...first, targets: first.targets.slice(0, 3) }] };
    const result = await applyPlan(ld, await planSync(ld, one), { maxRounds: 2, roundDelayMs: 1 });
    // Every PATCH fails with a 503: two rounds, one PATCH each, then the changes stay pending.
    expect(result.counts.rounds).toBe(2);
    expect(fake.stats.patches).toBe(2);
    expect(result.ok).toBe(false);
    expect(result.outcomes.map((o) => [o.fate, o.round])).toEqual([
      ['failed', 2],
      ['failed', 2],
      ['failed', 2],
    ]);
  });

  it('maxRounds 1 sends the plan once', async () => {
    const fake = await startFakeLaunchDarkly({ fault: ({ method }) => (method === 'PATCH' ? '503-before' : 'none') });
    closers.push(fake.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetryDelayMs: 5 });
    const result = await applyPlan(ld, await planSync(ld, desiredState()), { maxRounds: 1, batchSize: 100 });
    expect(result.counts.rounds).toBe(1);
    expect(fake.stats.patches).toBe(RESOURCES);
    await expect(applyPlan(ld, result.after, { maxRounds: 0 })).rejects.toThrow(/maxRounds must be a positive integer/);
  });

  it('stop: the batch in flight finishes and is kept, nothing more is sent, and what was applied is read back', async () => {
    const stop = new AbortController();
    const fake = await startFakeLaunchDarkly({ beforePatch: () => stop.abort('SIGTERM') });
    closers.push(fake.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetryDelayMs: 5 });
    const result = await applyPlan(ld, await planSync(ld, desiredState()), { batchSize: 25, stop: stop.signal });
    expect(fake.stats.patches).toBe(1);
    expect(result.interrupted).toBe(true);
    expect(result.counts).toMatchObject({
      total: RESOURCES * CONTEXTS,
      applied: 25,
      unknown: 0,
      notAttempted: RESOURCES * CONTEXTS - 25,
      rounds: 1,
    });
    expect(result.outcomes.find((o) => o.fate === 'notAttempted')?.message).toBe('not attempted: the run was interrupted');
    // Every resource was read after the stop: the pending changes are known exactly.
    expect(result.after.ok).toBe(true);
    expect(result.after.counts.add).toBe(RESOURCES * CONTEXTS - 25);
  });
});
