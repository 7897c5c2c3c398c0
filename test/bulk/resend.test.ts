// resendUnapplied sends again only what reading back proved was not applied. An instruction
// LaunchDarkly itself answered "failed" for (decided by the response) is never resent: sending it
// again would fail the same way, and the run would report it twice.
import { describe, expect, it } from 'vitest';
import { createExpiringTargetsClient, type SegmentInstruction, segmentInstructions } from '../../src/index.js';
import { json, startServer } from '../support/http-server.js';
import { closedAfterEach, T0 } from '../support/bulk-runs.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };

const { track, fake } = closedAfterEach();

const adds = (keys: string[]): SegmentInstruction[] =>
  keys.map((key, i) => segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: T0 + i }));

/** Fails `refused-*` contexts in the answer, and the second PATCH with a 503 before applying anything. */
async function server() {
  let patches = 0;
  return fake({
    failInstruction: (i) => (i.contextKey.startsWith('refused') ? 'context may not be targeted' : undefined),
    fault: ({ method }) => (method === 'PATCH' && ++patches === 2 ? '503-before' : 'none'),
  });
}

describe('resendUnapplied', () => {
  it('resends what reading back proved not applied, never what the answer refused', async () => {
    const s = await server();
    const ld = createExpiringTargetsClient({ apiKey: 'api-resend-test', baseUrl: s.url });
    const list = adds(['refused-0', 'ok-1', 'ok-2', 'ok-3']);
    const result = await ld.segments.patchAll(REF, list, { batchSize: 2, resendUnapplied: true });

    expect(result.outcomes.map((o) => [o.index, o.fate, o.decidedBy, o.resent ?? false])).toEqual([
      [0, 'failed', 'response', false],
      [1, 'applied', 'response', false],
      [2, 'applied', 'response', true],
      [3, 'applied', 'response', true],
    ]);
    expect(result.failed[0]?.message).toBe('context may not be targeted');
    expect(result.counts).toEqual({ total: 4, applied: 3, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0, resent: 2 });
    // Two batches, the resend of batch 2: the refused instruction reached LaunchDarkly once.
    expect(s.stats.patches).toBe(3);
    expect(s.received.get(JSON.stringify(list[0]))).toBe(1);
    expect([...s.received.values()].every((n) => n === 1)).toBe(true);
  });

  it('a resend that fails again is still counted as resent', async () => {
    let patches = 0;
    const s = await fake({ fault: ({ method }) => (method === 'PATCH' && ++patches >= 2 ? '503-before' : 'none') });
    const ld = createExpiringTargetsClient({ apiKey: 'api-resend-test', baseUrl: s.url });
    const result = await ld.segments.patchAll(REF, adds(['ok-0', 'ok-1', 'ok-2']), { batchSize: 2, resendUnapplied: true });
    // Batch 2 (index 2) was refused with a 503, read back as not applied, resent, refused again,
    // and read back again: not applied, and resent once.
    expect(result.outcomes.map((o) => [o.index, o.fate, o.decidedBy, o.resent ?? false])).toEqual([
      [0, 'applied', 'response', false],
      [1, 'applied', 'response', false],
      [2, 'failed', 'read-back', true],
    ]);
    expect(result.counts).toMatchObject({ failed: 1, reconciled: 1, resent: 1 });
    expect(s.stats.patches).toBe(3);
    expect(s.stats.gets).toBe(2);
  });

  it('without resendUnapplied, what reading back proved not applied stays failed', async () => {
    const s = await server();
    const ld = createExpiringTargetsClient({ apiKey: 'api-resend-test', baseUrl: s.url });
    const result = await ld.segments.patchAll(REF, adds(['refused-0', 'ok-1', 'ok-2', 'ok-3']), { batchSize: 2 });
    expect(result.outcomes.map((o) => [o.fate, o.decidedBy])).toEqual([
      ['failed', 'response'],
      ['applied', 'response'],
      ['failed', 'read-back'],
      ['failed', 'read-back'],
    ]);
    expect(result.counts).toMatchObject({ failed: 3, reconciled: 2, resent: 0 });
    expect(s.stats.patches).toBe(2);
  });

  it('with reconcile: false, nothing is read back and nothing resent: the lost batch stays unknown', async () => {
    const s = await server();
    const ld = createExpiringTargetsClient({ apiKey: 'api-resend-test', baseUrl: s.url });
    const result = await ld.segments.patchAll(REF, adds(['refused-0', 'ok-1', 'ok-2', 'ok-3']), {
      batchSize: 2,
      reconcile: false,
      resendUnapplied: true,
    });
    expect(result.outcomes.map((o) => o.fate)).toEqual(['failed', 'applied', 'unknown', 'unknown']);
    expect(s.stats.gets).toBe(0);
    expect(s.stats.patches).toBe(2);
  });

  it('after a run that stopped (a 401), nothing is resent', async () => {
    let patches = 0;
    const s = await startServer((req, res) => {
      if (req.method !== 'PATCH') return json(res, 200, { items: [] });
      return ++patches === 1
        ? json(res, 503, { code: 'unavailable', message: 'try later' })
        : json(res, 401, { code: 'unauthorized', message: 'no' });
    });
    track(s);
    const ld = createExpiringTargetsClient({ apiKey: 'api-resend-test', baseUrl: s.url });
    const result = await ld.segments.patchAll(REF, adds(['a', 'b', 'c']), { batchSize: 1, resendUnapplied: true });
    expect(result.stoppedBy).toMatchObject({ name: 'AuthenticationError' });
    expect(result.outcomes.map((o) => [o.fate, o.decidedBy])).toEqual([
      ['failed', 'read-back'],
      ['failed', 'response'],
      ['notAttempted', undefined],
    ]);
    expect(result.counts.resent).toBe(0);
    expect(s.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });
});
