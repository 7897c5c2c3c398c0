import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  type BulkProgress,
  createExpiringTargetsClient,
  flagInstructions,
  InstructionValidationError,
  type SegmentInstruction,
  segmentInstructions,
} from '../../src/index.js';
import type { Fault } from '../support/fake-launchdarkly.js';
import { json, startServer } from '../support/http-server.js';
import { closedAfterEach, segmentAdds, T0 } from '../support/bulk-runs.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const STATE_ID = 'segments/p/s/e';

const { track, fake } = closedAfterEach();

function expectEachOnce(outcomes: { index: number }[], n: number) {
  expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: n }, (_, i) => i));
}

// The 5,000-instruction runs under random faults are in bulk-load.test.ts.
describe('patchAll', () => {
  it('validates everything first and sends nothing when any instruction is bad', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list = segmentAdds(10) as unknown[];
    list[3] = { ...(list[3] as object), targetType: 'both' };
    list[7] = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: '' };
    const error = await ld.segments.patchAll(REF, list as SegmentInstruction[]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstructionValidationError);
    expect([...new Set((error as InstructionValidationError).issues.map((i) => i.index))]).toEqual([3, 7]);
    expect(server.stats.requests).toBe(0);
  });

  it('splits into batches, reports progress, and maps partial failures to original indices', async () => {
    const server = await fake({
      failInstruction: (i) => (i.contextKey === 'u7' || i.contextKey === 'u120' ? 'context is not targeted' : undefined),
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list = segmentAdds(125);
    const progress: BulkProgress[] = [];
    const result = await ld.segments.patchAll(REF, list, { onProgress: (p) => progress.push({ ...p }) });
    expect(server.stats.patches).toBe(3);
    expect(progress.map((p) => p.done)).toEqual([50, 100, 125]);
    expect(progress.at(-1)).toEqual({
      done: 125,
      total: 125,
      applied: 123,
      failed: 2,
      unknown: 0,
      notAttempted: 0,
      reconciled: 0,
      resent: 0,
    });
    expect(result.counts).toEqual({ total: 125, applied: 123, failed: 2, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.failed.map((o) => [o.index, o.message])).toEqual([
      [7, 'context is not targeted'],
      [120, 'context is not targeted'],
    ]);
    expect(result.failed[1]!.instruction).toBe(list[120]);
    expectEachOnce(result.outcomes, 125);
    expect(result.ok).toBe(false);
  });

  it('stops at a 401: that batch failed, the rest not attempted, nothing lost', async () => {
    let n = 0;
    const server = await startServer((_req, res) => {
      if (++n === 2) return json(res, 401, { code: 'unauthorized', message: 'Invalid access token' });
      json(res, 200, { items: [], errors: [] });
    });
    track(server);
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const result = await ld.segments.patchAll(REF, segmentAdds(200), { batchSize: 50 });
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(result.counts).toMatchObject({ applied: 50, failed: 50, notAttempted: 100, unknown: 0 });
    expect(result.stoppedBy).toBeInstanceOf(AuthenticationError);
    expect(result.failed.every((o) => o.status === 401)).toBe(true);
    expect(result.notAttempted[0]!.message).toMatch(/^not attempted: the run stopped/);
    expectEachOnce(result.outcomes, 200);
  });

  it('an abort mid-run leaves later batches not attempted', async () => {
    const controller = new AbortController();
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const result = await ld.segments.patchAll(REF, segmentAdds(300), {
      batchSize: 50,
      signal: controller.signal,
      onProgress: (p) => p.done === 100 && controller.abort(),
    });
    expect(result.counts).toMatchObject({ applied: 100, notAttempted: 200 });
    expect(server.stats.patches).toBe(2);
    expectEachOnce(result.outcomes, 300);
  });

  it('flags too, with bounded concurrency', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list = Array.from({ length: 40 }, (_, i) =>
      flagInstructions.add({ contextKind: 'user', contextKey: `f${i}`, variationId: 'v1', expiresAt: T0 }),
    );
    const result = await ld.flags.patchAll({ projectKey: 'p', environmentKey: 'e', flagKey: 'f' }, list, { batchSize: 7, concurrency: 3 });
    expect(result.counts.applied).toBe(40);
    expect(server.stats.patches).toBe(6);
    expect(server.targets('flags/p/f/e')).toHaveLength(40);
  });
});

describe('unknown outcomes and reconciliation', () => {
  it.each<[Fault, string]>([
    ['502-after', 'a 502 after applying'],
    ['reset-after', 'a reset after applying'],
    ['stall-after', 'a stall past the timeout after applying'],
    ['invalid-json-after', 'an unreadable 200 after applying'],
  ])('%s: patch with reconcile reads back and reports applied (%s)', async (fault) => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? fault : 'none'), stallMs: 5_000 });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url, timeoutMs: 300 });
    const list = segmentAdds(3);
    const result = await ld.segments.patch(REF, list, { reconcile: true });
    expect(result.counts.reconciled).toBe(3);
    expect(result.ok).toBe(true);
    expect(result.outcomes.map((o) => [o.fate, o.decidedBy])).toEqual([
      ['applied', 'read-back'],
      ['applied', 'read-back'],
      ['applied', 'read-back'],
    ]);
    expect(result.counts).toEqual({ total: 3, applied: 3, failed: 0, unknown: 0, notAttempted: 0, reconciled: 3, resent: 0 });
    expect(server.stats.patches).toBe(1);
    expect(server.stats.gets).toBe(1);
  });

  it('without reconcile, an ambiguous PATCH throws with fate unknown, never failed', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? '502-after' : 'none') });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    await expect(ld.segments.patch(REF, segmentAdds(1))).rejects.toMatchObject({
      name: 'ServerError',
      status: 502,
      instructionsFate: 'unknown',
    });
    expect(server.stats.patches).toBe(1);
  });

  it('a 503 before applying is read back as not applied: failed, decided by reading back', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? '503-before' : 'none') });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const result = await ld.segments.patch(REF, segmentAdds(2), { reconcile: true });
    expect(result.ok).toBe(false);
    expect(result.outcomes.map((o) => o.fate)).toEqual(['failed', 'failed']);
    expect(result.errors[0]!.message).toMatch(/^decided by reading back: not applied/);
  });

  it('updates and removes are decided from the state too', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? 'reset-after' : 'none') });
    server.seed(
      STATE_ID,
      [
        { contextKind: 'user', contextKey: 'a', targetType: 'included', expirationDate: T0, _version: 1 },
        { contextKind: 'user', contextKey: 'b', targetType: 'included', expirationDate: T0, _version: 1 },
      ],
      'segment',
    );
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list: SegmentInstruction[] = [
      segmentInstructions.update({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: T0 + 1000 }),
      segmentInstructions.remove({ contextKind: 'user', contextKey: 'b', targetType: 'included' }),
      // Fails at the server (nothing to update), so after reading back it is not applied.
      segmentInstructions.update({ contextKind: 'user', contextKey: 'zz', targetType: 'included', expiresAt: T0 }),
    ];
    const result = await ld.segments.patch(REF, list, { reconcile: true });
    expect(result.outcomes.map((o) => o.fate)).toEqual(['applied', 'applied', 'failed']);
  });

  it('leaves undecidable instructions unknown: two instructions on the same context in one run', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? '502-after' : 'none') });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list: SegmentInstruction[] = [
      segmentInstructions.add({ contextKind: 'user', contextKey: 'same', targetType: 'included', expiresAt: T0 }),
      segmentInstructions.update({ contextKind: 'user', contextKey: 'same', targetType: 'included', expiresAt: T0 + 5 }),
      segmentInstructions.add({ contextKind: 'user', contextKey: 'other', targetType: 'included', expiresAt: T0 }),
    ];
    const result = await ld.segments.patch(REF, list, { reconcile: true });
    expect(result.outcomes.map((o) => o.fate)).toEqual(['unknown', 'unknown', 'applied']);
    expect(result.outcomes[0]!.message).toMatch(/cannot decide: another instruction in this run changes the same target/);
    expect(result.counts.unknown).toBe(2);
  });

  it('a failing read-back leaves them unknown with the reason', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? '502-after' : '503-before') });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url, maxRetries: 0 });
    const result = await ld.segments.patch(REF, segmentAdds(1), { reconcile: true });
    expect(result.outcomes[0]).toMatchObject({ fate: 'unknown' });
    expect(result.outcomes[0]!.message).toMatch(/reading back failed/);
  });

  it('resendUnapplied re-sends, once, only what reading back proved not applied', async () => {
    let patches = 0;
    const server = await fake({
      fault: ({ method }) =>
        method === 'PATCH' && ++patches === 2 ? '503-before' : method === 'PATCH' && patches === 3 ? '502-after' : 'none',
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list = segmentAdds(150);
    const result = await ld.segments.patchAll(REF, list, { resendUnapplied: true });
    // Batch 2 hit a 503 before applying (proved not applied by reading back, then re-sent);
    // batch 3 was applied before its 502 (proved applied: never re-sent). Counts describe the final
    // fates: batch 3's were decided by reading back; batch 2's, by the resend's answer.
    expect(result.counts).toEqual({ total: 150, applied: 150, failed: 0, unknown: 0, notAttempted: 0, reconciled: 50, resent: 50 });
    expect(result.outcomes.filter((o) => o.resent).map((o) => o.index)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    // Three batches plus one resend; each instruction processed exactly once.
    expect(server.stats.patches).toBe(4);
    const counts = [...server.received.values()];
    expect(counts).toHaveLength(150);
    expect(counts.every((n) => n === 1)).toBe(true);
    expect(server.targets(STATE_ID)).toHaveLength(150);
  });
});
