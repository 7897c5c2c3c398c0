// patchAll over a stream (an iterable or async iterable) against the stateful fake LaunchDarkly:
// outcomes through onOutcome, exactly once each; validation per batch; reading back that stays
// sound without the whole input at hand.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type BulkResult,
  type BulkSummary,
  createExpiringTargetsClient,
  flagInstructions,
  type InstructionOutcome,
  InstructionValidationError,
  RequestAbortedError,
  type SegmentInstruction,
  segmentInstructions,
} from '../../src/index.js';
import { startAcceptAllServer } from '../support/accept-all-server.js';
import { closedAfterEach, T0 } from '../support/bulk-runs.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const STATE_ID = 'segments/p/s/e';

const { track, fake } = closedAfterEach();

const add = (key: string, at = T0) =>
  segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: at });

/** An async stream of `n` adds, yielding to the event loop now and then like a file reader. */
async function* adds(n: number, prefix = 'u'): AsyncGenerator<SegmentInstruction> {
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield add(`${prefix}${i}`, T0 + i);
  }
}

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Collects outcomes by index and fails on a second outcome for the same index. */
function collector<I>() {
  const byIndex = new Map<number, InstructionOutcome<I>>();
  const duplicates: number[] = [];
  return {
    byIndex,
    duplicates,
    onOutcome(o: InstructionOutcome<I>) {
      if (byIndex.has(o.index)) duplicates.push(o.index);
      byIndex.set(o.index, o);
    },
    expectEachOnce(n: number) {
      expect(duplicates).toEqual([]);
      expect([...byIndex.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    },
    fates: () => [...byIndex.values()].map((o) => o.fate),
  };
}

describe('patchAll over a stream', () => {
  it('types: an array gives every outcome, a stream gives counts only', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const array = await ld.segments.patchAll(REF, [add('a')]);
    expectTypeOf(array).toEqualTypeOf<BulkResult<SegmentInstruction>>();
    const stream = await ld.segments.patchAll(REF, adds(3, 'b'));
    expectTypeOf(stream).toEqualTypeOf<BulkSummary>();
    expect(Object.keys(stream).sort()).toEqual(['counts', 'ok', 'stoppedBy']);
    expect(stream).toEqual({
      ok: true,
      counts: { total: 3, applied: 3, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 },
      stoppedBy: undefined,
    });
  });

  it('sends a generator in batches; each outcome goes to onOutcome once, with its stream index and object', async () => {
    const server = await fake({
      failInstruction: (i) => (i.contextKey === 'u7' || i.contextKey === 'u420' ? 'context is not targeted' : undefined),
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const seen = collector<SegmentInstruction>();
    const sent: SegmentInstruction[] = [];
    function* source() {
      for (let i = 0; i < 500; i++) {
        const instruction = add(`u${i}`);
        sent.push(instruction);
        yield instruction;
      }
    }
    const progress: number[] = [];
    const result = await ld.segments.patchAll(REF, source(), { onOutcome: seen.onOutcome, onProgress: (p) => progress.push(p.total) });
    seen.expectEachOnce(500);
    expect(result.counts).toEqual({ total: 500, applied: 498, failed: 2, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.ok).toBe(false);
    expect(seen.byIndex.get(420)).toMatchObject({ fate: 'failed', message: 'context is not targeted', decidedBy: 'response' });
    expect(seen.byIndex.get(420)?.instruction).toBe(sent[420]);
    expect(server.stats.patches).toBe(10);
    // With a stream, total is what has been read so far.
    expect(progress).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    expect(server.targets(STATE_ID)).toHaveLength(498);
  });

  it('validates each batch before sending it: an invalid instruction stops the run there, the rest is read and not attempted', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    async function* source() {
      for await (const instruction of adds(200)) {
        yield instruction.contextKey === 'u120' ? ({ ...instruction, targetType: 'both' } as unknown as SegmentInstruction) : instruction;
      }
    }
    const seen = collector<SegmentInstruction>();
    const result = await ld.segments.patchAll(REF, source(), { onOutcome: seen.onOutcome });
    seen.expectEachOnce(200);
    expect(server.stats.patches).toBe(2);
    expect(result.counts).toMatchObject({ total: 200, applied: 100, notAttempted: 100 });
    expect(result.stoppedBy).toBeInstanceOf(InstructionValidationError);
    expect((result.stoppedBy as InstructionValidationError).issues).toEqual([
      { index: 120, field: 'targetType', message: expect.stringMatching(/"both"/) },
    ]);
    expect(seen.byIndex.get(120)).toMatchObject({
      fate: 'notAttempted',
      message: expect.stringMatching(/^not attempted: targetType /),
      error: result.stoppedBy,
    });
    expect(seen.byIndex.get(100)?.message).toMatch(/^not attempted: the run stopped: Invalid instructions in the stream/);
    expect(seen.byIndex.get(199)?.message).toMatch(/^not attempted: the run stopped/);
  });

  it('a stream that throws stops the run; what was read is accounted for', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    async function* source() {
      yield* adds(120);
      throw new Error('disk went away');
    }
    const seen = collector<SegmentInstruction>();
    const result = await ld.segments.patchAll(REF, source(), { onOutcome: seen.onOutcome });
    seen.expectEachOnce(120);
    expect(result.stoppedBy?.message).toBe('reading the instructions failed: disk went away');
    // The last, short batch was read when the stream threw: it is not sent.
    expect(result.counts).toMatchObject({ total: 120, applied: 100, notAttempted: 20 });
  });

  it('an abort mid-stream: later instructions are read and reported not attempted; stoppedBy says aborted', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const controller = new AbortController();
    const seen = collector<SegmentInstruction>();
    const result = await ld.segments.patchAll(REF, adds(300), {
      signal: controller.signal,
      onOutcome: seen.onOutcome,
      onProgress: (p) => p.done === 100 && controller.abort(),
    });
    seen.expectEachOnce(300);
    expect(result.counts).toMatchObject({ total: 300, applied: 100, notAttempted: 200 });
    expect(result.stoppedBy).toBeInstanceOf(RequestAbortedError);
    expect(seen.byIndex.get(299)?.message).toBe('not attempted: the run was aborted');
    expect(server.stats.patches).toBe(2);
  });

  it('keeps nothing of what has settled: instructions sent long ago can be garbage-collected mid-run', async () => {
    const server = await startAcceptAllServer();
    track(server);
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const early: WeakRef<object>[] = [];
    let alive = -1;
    async function* source() {
      for (let i = 0; i < 6000; i++) {
        const instruction = add(`g${i}`, T0 + i);
        if (i < 1000) early.push(new WeakRef(instruction));
        if (i === 5000) {
          gc();
          alive = early.filter((r) => r.deref() !== undefined).length;
        }
        yield instruction;
      }
    }
    let outcomes = 0;
    const result = await ld.segments.patchAll(REF, source(), { onOutcome: () => outcomes++ });
    expect(result.counts.applied).toBe(6000);
    expect(outcomes).toBe(6000);
    // (A stray one may survive in some cache below; what matters is that they are not all kept.)
    expect(alive).toBeGreaterThanOrEqual(0);
    expect(alive).toBeLessThanOrEqual(10);
  });

  it('flags, with concurrency, from a synchronous iterable', async () => {
    const server = await fake();
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list = new Set(
      Array.from({ length: 40 }, (_, i) =>
        flagInstructions.add({ contextKind: 'user', contextKey: `f${i}`, variationId: 'v1', expiresAt: T0 }),
      ),
    );
    const seen = collector();
    const result = await ld.flags.patchAll({ projectKey: 'p', environmentKey: 'e', flagKey: 'f' }, list, {
      batchSize: 7,
      concurrency: 3,
      onOutcome: seen.onOutcome,
    });
    seen.expectEachOnce(40);
    expect(result.counts.applied).toBe(40);
    expect(server.stats.patches).toBe(6);
  });
});

describe('reading back a stream', () => {
  it('5,000 instructions, half the batches applied then answered 502 and others reset: reads back as it goes, applied set equals the server applied set', async () => {
    const random = seeded(11);
    const server = await fake({
      fault: ({ method }) => {
        if (method !== 'PATCH') return 'none';
        const r = random();
        return r < 0.4 ? '502-after' : r < 0.5 ? 'reset-after' : r < 0.55 ? '503-before' : 'none';
      },
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const seen = collector<SegmentInstruction>();
    const result = await ld.segments.patchAll(REF, adds(5000), { batchSize: 10, onOutcome: seen.onOutcome });
    seen.expectEachOnce(5000);
    const applied = new Set([...seen.byIndex.values()].filter((o) => o.fate === 'applied').map((o) => JSON.stringify(o.instruction)));
    expect(applied).toEqual(new Set(server.applied));
    expect(Math.max(...server.received.values())).toBe(1);
    expect(result.counts.unknown).toBe(0);
    expect(result.counts.applied + result.counts.failed).toBe(5000);
    // About half the batches lost their answer: more than a stream holds, so it read back during the run.
    expect(result.counts.reconciled).toBeGreaterThan(2000);
    expect(server.stats.gets).toBeGreaterThanOrEqual(2);
    expect([...seen.byIndex.values()].filter((o) => o.fate === 'failed').every((o) => o.decidedBy === 'read-back')).toBe(true);
  }, 60_000);

  it('leaves an outcome unknown when another instruction of the run changes its target, before or after it', async () => {
    // Batches of 2: [a, b] [c, a'] [d, b'] — the first and third answers are lost.
    let patch = 0;
    const server = await fake({
      fault: ({ method }) => (method !== 'PATCH' ? 'none' : ++patch === 1 || patch === 3 ? '502-after' : 'none'),
    });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const list = [
      add('a'),
      add('b'),
      add('c'),
      segmentInstructions.update({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: T0 + 5 }),
      add('d'),
      segmentInstructions.update({ contextKind: 'user', contextKey: 'b', targetType: 'included', expiresAt: T0 + 9 }),
    ];
    const seen = collector<SegmentInstruction>();
    await ld.segments.patchAll(REF, list.values(), { batchSize: 2, onOutcome: seen.onOutcome });
    seen.expectEachOnce(6);
    // a: its update came after it, while it waited; b: the same; b' (index 5): b came before it.
    for (const index of [0, 1, 5]) {
      expect(seen.byIndex.get(index)).toMatchObject({
        fate: 'unknown',
        message: expect.stringMatching(/another instruction in this run changes the same target/),
      });
    }
    // d shares its batch's lost answer but not its target: decided.
    expect(seen.byIndex.get(4)).toMatchObject({ fate: 'applied', decidedBy: 'read-back' });
    expect(seen.byIndex.get(2)).toMatchObject({ fate: 'applied', decidedBy: 'response' });
    expect(seen.byIndex.get(3)).toMatchObject({ fate: 'applied', decidedBy: 'response' });
  });

  it('leaves an outcome unknown when an instruction already settled earlier in the run changed its target; decides the others', async () => {
    // Batches of 2: [a, b] answered, [c, a'] answer lost. a' cannot be decided (a changed its
    // target earlier, and has already left the waiting set); c can.
    const list = [
      add('a'),
      add('b'),
      add('c'),
      segmentInstructions.update({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: T0 + 5 }),
    ];
    for (const input of ['stream', 'array'] as const) {
      let patch = 0;
      const server = await fake({ fault: ({ method }) => (method === 'PATCH' && ++patch === 2 ? '502-after' : 'none') });
      const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
      const seen = collector<SegmentInstruction>();
      if (input === 'stream') {
        await ld.segments.patchAll(REF, list.values(), { batchSize: 2, onOutcome: seen.onOutcome });
      } else {
        for (const o of (await ld.segments.patchAll(REF, list, { batchSize: 2 })).outcomes) seen.onOutcome(o);
      }
      seen.expectEachOnce(4);
      expect([input, seen.byIndex.get(3)]).toMatchObject([
        input,
        { fate: 'unknown', message: expect.stringMatching(/another instruction in this run changes the same target/) },
      ]);
      expect([input, seen.byIndex.get(2)]).toMatchObject([input, { fate: 'applied', decidedBy: 'read-back' }]);
      expect([input, seen.byIndex.get(0)]).toMatchObject([input, { fate: 'applied', decidedBy: 'response' }]);
    }
  });

  it('resendUnapplied: re-sends once what reading back proved not applied, and reports it once', async () => {
    let patches = 0;
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' && ++patches === 2 ? '503-before' : 'none') });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url, maxRetries: 0 });
    const seen = collector<SegmentInstruction>();
    const result = await ld.segments.patchAll(REF, adds(150), { resendUnapplied: true, maxRetries: 0, onOutcome: seen.onOutcome });
    seen.expectEachOnce(150);
    expect(result.counts).toEqual({ total: 150, applied: 150, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 50 });
    expect(
      [...seen.byIndex.values()]
        .filter((o) => o.resent)
        .map((o) => o.index)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect([...server.received.values()].every((n) => n === 1)).toBe(true);
    expect(server.targets(STATE_ID)).toHaveLength(150);
  });

  it('reconcile: false leaves lost answers unknown and reads nothing', async () => {
    const server = await fake({ fault: ({ method }) => (method === 'PATCH' ? 'reset-after' : 'none') });
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const seen = collector<SegmentInstruction>();
    const result = await ld.segments.patchAll(REF, adds(60), { reconcile: false, onOutcome: seen.onOutcome });
    seen.expectEachOnce(60);
    expect(result.counts).toMatchObject({ total: 60, unknown: 60 });
    expect(server.stats.gets).toBe(0);
  });
});
