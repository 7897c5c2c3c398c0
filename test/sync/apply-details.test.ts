// applyPlan's options, progress, order of sending and the ends of a run, against the stateful fake
// over real HTTP: each value asserted is one a user of the result reads.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, createExpiringTargetsClient, RequestAbortedError } from '../../src/index.js';
import { type DesiredState, applyPlan, planSync } from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

const T0 = Date.parse('2031-01-01T00:00:00Z');
const A = 'segments/p/seg-a/production';
const B = 'segments/p/seg-b/production';

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function setup(options: Parameters<typeof startFakeLaunchDarkly>[0] = {}) {
  const fake = await startFakeLaunchDarkly(options);
  closers.push(fake.close);
  const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetries: 0, logLevel: 'off' });
  return { fake, ld };
}

const segment = (key: string, contexts: string[]) => ({
  resource: 'segment' as const,
  ref: { projectKey: 'p', environmentKey: 'production', segmentKey: key },
  targets: contexts.map((contextKey, i) => ({
    contextKind: 'user',
    contextKey,
    targetType: 'included' as const,
    expiresAt: T0 + i * 1000,
  })),
});
/** seg-a wants three contexts, seg-b two. */
const desired: DesiredState = { resources: [segment('seg-a', ['a0', 'a1', 'a2']), segment('seg-b', ['b0', 'b1'])] };

/** The instructions of every PATCH the fake received, in order, as `kind contextKey`. */
function patches(fake: Awaited<ReturnType<typeof setup>>['fake']): string[][] {
  return fake.log
    .filter((r) => r.method === 'PATCH')
    .map((r) => JSON.parse(r.body).instructions.map((i: { kind: string; contextKey: string }) => `${i.kind} ${i.contextKey}`));
}

describe('applyPlan options', () => {
  it.each([
    [{ batchSize: 0 }, 'batchSize must be a positive integer, got 0'],
    [{ concurrency: 1.5 }, 'concurrency must be a positive integer, got 1.5'],
    [{ readConcurrency: -1 }, 'readConcurrency must be a positive integer, got -1'],
    [{ maxRounds: 0 }, 'maxRounds must be a positive integer, got 0'],
    [{ roundDelayMs: -1 }, 'roundDelayMs must be a non-negative number, got -1'],
    [{ roundDelayMs: Number.NaN }, 'roundDelayMs must be a non-negative number, got NaN'],
    [{ roundDelayMs: Number.POSITIVE_INFINITY }, 'roundDelayMs must be a non-negative number, got Infinity'],
  ])('%o is refused before anything is sent', async (options, message) => {
    const { fake, ld } = await setup();
    const plan = await planSync(ld, desired);
    const requests = fake.stats.requests;
    const refused = applyPlan(ld, plan, options);
    await expect(refused).rejects.toThrow(ConfigurationError);
    await expect(refused).rejects.toThrow(message);
    expect(fake.stats.requests).toBe(requests);
  });

  it('a round delay of 0 is allowed; the comment goes with every request', async () => {
    const { fake, ld } = await setup();
    const result = await applyPlan(ld, await planSync(ld, desired), { roundDelayMs: 0, comment: 'from the file', batchSize: 2 });
    expect(result.ok).toBe(true);
    const bodies = fake.log.filter((r) => r.method === 'PATCH').map((r) => JSON.parse(r.body).comment);
    expect(bodies).toEqual(['from the file', 'from the file', 'from the file']);
  });
});

describe('applyPlan sends', () => {
  it('removals first, then updates, then adds, each resource in batches of batchSize', async () => {
    const { fake, ld } = await setup();
    fake.seed(
      A,
      [
        { contextKind: 'user', contextKey: 'a1', targetType: 'included', expirationDate: T0 + 7, _version: 3 },
        { contextKind: 'user', contextKey: 'stray', targetType: 'included', expirationDate: T0, _version: 1 },
      ],
      'segment',
    );
    const plan = await planSync(ld, desired, { prune: true });
    expect(plan.resources[0]?.changes.map((c) => `${c.action} ${c.contextKey}`)).toEqual(['add a0', 'update a1', 'add a2', 'remove stray']);
    const result = await applyPlan(ld, plan, { batchSize: 2 });
    expect(patches(fake)).toEqual([
      ['removeExpiringTarget stray', 'updateExpiringTarget a1'],
      ['addExpiringTarget a0', 'addExpiringTarget a2'],
      ['addExpiringTarget b0', 'addExpiringTarget b1'],
    ]);
    // Outcomes stay in plan order, whatever the order of sending.
    expect(result.outcomes.map((o) => [o.index, o.change.contextKey, o.fate, o.round, o.resent, o.replanned])).toEqual([
      [0, 'a0', 'applied', 1, undefined, undefined],
      [1, 'a1', 'applied', 1, undefined, undefined],
      [2, 'a2', 'applied', 1, undefined, undefined],
      [3, 'stray', 'applied', 1, undefined, undefined],
      [0, 'b0', 'applied', 1, undefined, undefined],
      [1, 'b1', 'applied', 1, undefined, undefined],
    ]);
    expect(result.counts).toEqual({
      total: 6,
      applied: 6,
      failed: 0,
      unknown: 0,
      notAttempted: 0,
      reconciled: 0,
      resent: 0,
      replanned: 0,
      rounds: 1,
    });
    expect(result.ok).toBe(true);
    expect(result.interrupted).toBe(false);
    expect(result.stoppedBy).toBeUndefined();
  });

  it('reports progress over the whole plan after every batch of the first round', async () => {
    const { ld } = await setup();
    const seen: object[] = [];
    await applyPlan(ld, await planSync(ld, desired), { batchSize: 2, onProgress: (p) => seen.push(p) });
    const zero = { failed: 0, unknown: 0, reconciled: 0, resent: 0 };
    expect(seen).toEqual([
      { total: 5, done: 2, applied: 2, notAttempted: 3, ...zero },
      { total: 5, done: 3, applied: 3, notAttempted: 2, ...zero },
      { total: 5, done: 5, applied: 5, notAttempted: 0, ...zero },
    ]);
  });

  it('a change that failed with a 503 is sent again in round 2, marked resent, and decided there', async () => {
    let failed = false;
    const { fake, ld } = await setup({
      fault: ({ method, instructions }) => {
        if (method !== 'PATCH' || failed || instructions[0]?.contextKey !== 'b0') return 'none';
        failed = true;
        return '503-before';
      },
    });
    const seen: object[] = [];
    const result = await applyPlan(ld, await planSync(ld, desired), { roundDelayMs: 1, onProgress: (p) => seen.push(p) });
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ total: 5, applied: 5, resent: 2, rounds: 2 });
    expect(result.outcomes.map((o) => [o.change.contextKey, o.round, o.resent])).toEqual([
      ['a0', 1, undefined],
      ['a1', 1, undefined],
      ['a2', 1, undefined],
      ['b0', 2, true],
      ['b1', 2, true],
    ]);
    expect(patches(fake)).toEqual([
      ['addExpiringTarget a0', 'addExpiringTarget a1', 'addExpiringTarget a2'],
      ['addExpiringTarget b0', 'addExpiringTarget b1'],
      ['addExpiringTarget b0', 'addExpiringTarget b1'],
    ]);
    // Progress reports the first round only.
    expect(seen.at(-1)).toMatchObject({ total: 5, done: 5, applied: 3, failed: 2 });
  });
});

describe('applyPlan ends', () => {
  it('a 401 stops the run: what was not sent says why, nothing is read back, and the result is not ok', async () => {
    const { fake, ld } = await setup({ token: 'good' });
    const good = createExpiringTargetsClient({ apiKey: 'good', baseUrl: fake.url, maxRetries: 0, logLevel: 'off' });
    const plan = await planSync(good, desired);
    const requests = fake.stats.requests;
    const result = await applyPlan(ld, plan, { batchSize: 2 });
    expect(fake.stats.requests - requests).toBe(1);
    expect(result.stoppedBy).toMatchObject({ status: 401 });
    expect(result.ok).toBe(false);
    expect(result.interrupted).toBe(false);
    expect(result.outcomes.map((o) => [o.change.contextKey, o.fate])).toEqual([
      ['a0', 'failed'],
      ['a1', 'failed'],
      ['a2', 'notAttempted'],
      ['b0', 'notAttempted'],
      ['b1', 'notAttempted'],
    ]);
    expect(result.outcomes[2]?.message).toBe(`not attempted: the run stopped: ${result.stoppedBy?.message}`);
    expect(result.outcomes[4]?.message).toBe(`not attempted: the run stopped: ${result.stoppedBy?.message}`);
    expect(result.after.resources.map((r) => r.error)).toEqual([result.stoppedBy, result.stoppedBy]);
    expect(result.after.ok).toBe(false);
  });

  it('an aborted signal sends and reads nothing; the after-plan names the abort', async () => {
    const { fake, ld } = await setup();
    const plan = await planSync(ld, desired);
    const requests = fake.stats.requests;
    const abort = new AbortController();
    abort.abort('enough');
    const result = await applyPlan(ld, plan, { signal: abort.signal });
    expect(fake.stats.requests).toBe(requests);
    expect(result.interrupted).toBe(false);
    expect(result.ok).toBe(false);
    expect(new Set(result.outcomes.map((o) => `${o.fate}: ${o.message}`))).toEqual(
      new Set(['notAttempted: not attempted: the run was aborted']),
    );
    expect(result.outcomes.map((o) => o.round)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    for (const r of result.after.resources) expect(r.error).toBeInstanceOf(RequestAbortedError);
  });

  it('a stop before the first batch sends nothing, but reads every resource, so what is pending is known', async () => {
    const { fake, ld } = await setup();
    const plan = await planSync(ld, desired);
    const stop = new AbortController();
    stop.abort('SIGTERM');
    const result = await applyPlan(ld, plan, { stop: stop.signal });
    expect(fake.stats.patches).toBe(0);
    expect(result.interrupted).toBe(true);
    expect(result.outcomes.every((o) => o.message === 'not attempted: the run was interrupted')).toBe(true);
    expect(result.after.ok).toBe(true);
    expect(result.after.counts).toMatchObject({ add: 5, unread: 0 });
    expect(result.ok).toBe(false);
  });

  it('a resource that could not be read back is read again in the next round, so a run that applied everything ends ok', async () => {
    let gets = 0;
    const { fake, ld } = await setup({
      // The read back of seg-b after its PATCH fails once.
      fault: ({ method, id }) => (method === 'GET' && id === B && ++gets === 2 ? '500' : 'none'),
    });
    const result = await applyPlan(ld, await planSync(ld, desired), { roundDelayMs: 1 });
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ applied: 5, rounds: 2 });
    expect(fake.stats.patches).toBe(2);
    expect(fake.stats.byResource[B]?.gets).toBe(3);
    expect(fake.stats.byResource[A]?.gets).toBe(2);
  });

  it('reads failing with a 500 are tried again once per round, up to maxRounds; then the run ends not ok', async () => {
    let gets = 0;
    const { fake, ld } = await setup({ fault: ({ method, id }) => (method === 'GET' && id === B && ++gets >= 2 ? '500' : 'none') });
    const result = await applyPlan(ld, await planSync(ld, desired), { roundDelayMs: 1, maxRounds: 2 });
    expect(result.counts.rounds).toBe(2);
    expect(result.ok).toBe(false);
    expect(result.after.resources[1]?.error).toMatchObject({ status: 500 });
    expect(fake.stats.byResource[B]?.gets).toBe(3);
    expect(fake.stats.patches).toBe(2);
  });

  it('a resource refused on reading back (404) is not read again: one round, not ok', async () => {
    const catalog = { projectKey: 'p', environmentKey: 'production', flags: [], segments: [{ key: 'seg-a' }, { key: 'seg-b' }] };
    const { fake, ld } = await setup({
      catalog,
      // seg-b is deleted right after its PATCH applied.
      beforeAnswer: ({ id }) => {
        if (id === B) catalog.segments = [{ key: 'seg-a' }];
      },
    });
    const result = await applyPlan(ld, await planSync(ld, desired), { roundDelayMs: 1 });
    expect(result.counts).toMatchObject({ applied: 5, rounds: 1 });
    expect(result.ok).toBe(false);
    expect(result.after.resources[1]?.error).toMatchObject({ status: 404 });
    expect(fake.stats.byResource[B]?.gets).toBe(1);
  });
});
