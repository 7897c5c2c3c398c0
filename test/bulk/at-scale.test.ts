// Bulk runs at scale: 5,000 instructions under a rate limit and random faults, each checked
// against what the fake LaunchDarkly really applied: none lost, none applied twice. Kept apart
// from bulk.test.ts because each takes seconds: mutation testing leaves this file out.
import { describe, expect, it } from 'vitest';
import { type BulkProgress, createExpiringTargetsClient } from '../../src/index.js';
import { closedAfterEach, segmentAdds, T0 } from '../support/bulk-runs.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };

const { track, fake } = closedAfterEach();

/** A deterministic pseudo-random sequence, so a failing run can be replayed. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function expectEachOnce(outcomes: { index: number }[], n: number) {
  expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('patchAll at scale', () => {
  it('5,000 instructions under a rate limit with random 429s and 503s: none lost, none duplicated', async () => {
    const random = seeded(42);
    const server = await fake({
      rateLimit: { limit: 40, windowMs: 100 },
      fault: ({ method }) => {
        if (method !== 'PATCH') return 'none';
        const r = random();
        return r < 0.1 ? '429' : r < 0.2 ? '503-before' : 'none';
      },
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url, maxRetryDelayMs: 100 });
    const list = segmentAdds(5000);
    const result = await ld.segments.patchAll(REF, list, { batchSize: 50, concurrency: 2 });
    // Every instruction accounted for exactly once.
    expectEachOnce(result.outcomes, 5000);
    const c = result.counts;
    expect(c.applied + c.failed + c.unknown + c.notAttempted).toBe(5000);
    // The server never processed an instruction twice (refused 429s are resent, as they must be).
    expect(Math.max(...server.received.values())).toBe(1);
    // 503s before applying were read back as not applied; nothing applied is reported otherwise.
    const serverApplied = new Set(server.applied);
    const clientApplied = new Set(result.applied.map((o) => JSON.stringify(o.instruction)));
    expect(clientApplied).toEqual(serverApplied);
    expect(c.unknown).toBe(0);
    expect(server.stats.faults['503-before'] ?? 0).toBeGreaterThan(0);
    expect(c.failed).toBe((server.stats.faults['503-before'] ?? 0) * 50);
    expect(result.failed.every((o) => o.decidedBy === 'read-back')).toBe(true);
  }, 60_000);

  it('5,000 instructions with 2 % apply-then-502 and resets: applied set equals the server applied set exactly', async () => {
    const random = seeded(7);
    const server = await fake({
      fault: ({ method }) => {
        if (method !== 'PATCH') return 'none';
        const r = random();
        return r < 0.02 ? '502-after' : r < 0.04 ? 'reset-after' : r < 0.06 ? '503-before' : 'none';
      },
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const progress: BulkProgress[] = [];
    const result = await ld.segments.patchAll(REF, segmentAdds(5000), { batchSize: 10, onProgress: (p) => progress.push(p) });
    expectEachOnce(result.outcomes, 5000);
    // The last progress event comes after reading back and shows what it settled.
    expect(progress.at(-1)).toMatchObject({ done: 5000, unknown: 0, reconciled: result.counts.reconciled });
    const clientApplied = new Set(result.applied.map((o) => JSON.stringify(o.instruction)));
    expect(clientApplied).toEqual(new Set(server.applied));
    expect(Math.max(...server.received.values())).toBe(1);
    expect(result.counts.unknown).toBe(0);
    expect((server.stats.faults['502-after'] ?? 0) + (server.stats.faults['reset-after'] ?? 0)).toBeGreaterThan(5);
    expect(result.counts.reconciled).toBeGreaterThan(0);
    expect(server.stats.gets).toBe(1);
  }, 60_000);
});
