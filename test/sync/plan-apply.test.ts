import { afterEach, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { type DesiredState, DesiredStateError, applyPlan, parseDesiredState, planSync } from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { json, startServer } from '../support/http-server.js';
import { BETA, CHECKOUT, STAGING, TEAM_FILE_WITH_MOBILE, VARIATION } from '../support/sync-files.js';

const T1 = Date.parse('2031-01-01T00:00:00Z');
const T2 = Date.parse('2031-06-30T12:00:00Z');

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function setup(options: Parameters<typeof startFakeLaunchDarkly>[0] = {}) {
  const fake = await startFakeLaunchDarkly(options);
  closers.push(fake.close);
  const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetryDelayMs: 10 });
  return { fake, ld };
}

/** A fake's state as comparable rows. */
const rows = (targets: { contextKind: string; contextKey: string; targetType?: string; variationId?: string; expirationDate: number }[]) =>
  targets
    .map((t) => [t.contextKind, t.contextKey, t.targetType ?? t.variationId, new Date(t.expirationDate).toISOString()].join(' '))
    .sort();

function expectConverged(fake: Awaited<ReturnType<typeof setup>>['fake']) {
  expect(rows(fake.targets(BETA))).toEqual(['user alice included 2031-01-01T00:00:00.000Z', 'user bob excluded 2031-06-30T12:00:00.000Z']);
  expect(rows(fake.targets(CHECKOUT))).toEqual([`user contractor-17 ${VARIATION} 2031-01-01T00:00:00.000Z`]);
  expect(rows(fake.targets(STAGING))).toEqual(['device 0042 included 2031-01-01T00:00:00.000Z']);
}

describe('planSync and applyPlan against the stateful fake', () => {
  it('converges from empty; a second run sends no PATCH and plans no changes', async () => {
    const { fake, ld } = await setup();
    const desired = parseDesiredState(TEAM_FILE_WITH_MOBILE);
    const plan = await planSync(ld, desired);
    expect(plan.counts).toEqual({ resources: 3, add: 4, update: 0, remove: 0, unchanged: 0, unmanaged: 0, unread: 0 });
    expect(plan.hasChanges).toBe(true);
    // One GET per resource, and nothing else.
    expect(fake.stats).toMatchObject({ gets: 3, patches: 0 });
    expect(Object.values(fake.stats.byResource).map((c) => c.gets)).toEqual([1, 1, 1]);
    const beta = plan.resources[0];
    expect(beta?.changes.map((c) => [c.action, c.contextKey, c.to, c.source?.line])).toEqual([
      ['add', 'alice', T1, 8],
      ['add', 'bob', T2, 12],
    ]);

    const result = await applyPlan(ld, plan);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ total: 4, applied: 4, failed: 0, unknown: 0, notAttempted: 0, replanned: 0 });
    expect(result.after.hasChanges).toBe(false);
    expect(result.after.counts.unchanged).toBe(4);
    expectConverged(fake);

    const patches = fake.stats.patches;
    const again = await planSync(ld, desired);
    expect(again.hasChanges).toBe(false);
    expect(again.counts).toMatchObject({ add: 0, update: 0, remove: 0, unchanged: 4 });
    const second = await applyPlan(ld, again);
    expect(second.ok).toBe(true);
    expect(second.outcomes).toEqual([]);
    expect(fake.stats.patches).toBe(patches);
  });

  it('from a partly matching state: adds what is missing, updates what differs (with the version read), leaves the rest', async () => {
    const { fake, ld } = await setup();
    fake.seed(
      BETA,
      [
        { contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: T1, _version: 3 },
        { contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: T1, _version: 7 },
      ],
      'segment',
    );
    const plan = await planSync(ld, parseDesiredState(TEAM_FILE_WITH_MOBILE));
    expect(plan.counts).toMatchObject({ add: 2, update: 1, unchanged: 1 });
    const update = plan.resources[0]?.changes[0];
    expect(update).toMatchObject({ action: 'update', contextKey: 'bob', from: T1, to: T2, version: 7 });
    expect(update?.instruction).toEqual({
      kind: 'updateExpiringTarget',
      contextKind: 'user',
      contextKey: 'bob',
      targetType: 'excluded',
      value: T2,
      version: 7,
    });
    const result = await applyPlan(ld, plan);
    expect(result.ok).toBe(true);
    expectConverged(fake);
    // alice was already right: never sent.
    expect([...fake.received.keys()].some((k) => k.includes('"alice"'))).toBe(false);
  });

  it('drift made behind its back shows as updates, and as removals only with prune', async () => {
    const { fake, ld } = await setup();
    const desired = parseDesiredState(TEAM_FILE_WITH_MOBILE);
    expect((await applyPlan(ld, await planSync(ld, desired))).ok).toBe(true);
    fake.schedule(BETA, 'segment', { contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: T2 });
    fake.schedule(CHECKOUT, 'flag', { contextKind: 'user', contextKey: 'intruder', variationId: VARIATION, expirationDate: T2 });

    const kept = await planSync(ld, desired);
    expect(kept.counts).toMatchObject({ add: 0, update: 1, remove: 0, unchanged: 3, unmanaged: 1 });
    expect(kept.resources[0]?.changes[0]).toMatchObject({
      action: 'update',
      contextKey: 'alice',
      from: T2,
      to: T1,
      version: 2,
      source: { line: 8 },
    });

    const pruning = await planSync(ld, desired, { prune: true });
    expect(pruning.counts).toMatchObject({ update: 1, remove: 1, unmanaged: 0 });
    expect(pruning.resources[1]?.changes).toMatchObject([
      {
        action: 'remove',
        contextKey: 'intruder',
        target: VARIATION,
        from: T2,
        source: undefined,
        instruction: { kind: 'removeExpiringTarget', variationId: VARIATION },
      },
    ]);
    const result = await applyPlan(ld, pruning);
    expect(result.ok).toBe(true);
    expectConverged(fake);
  });

  it('an empty list with prune cancels every scheduled removal of that resource', async () => {
    const { fake, ld } = await setup();
    fake.seed(BETA, [{ contextKind: 'user', contextKey: 'old', targetType: 'included', expirationDate: T1, _version: 1 }], 'segment');
    const desired = parseDesiredState(
      'projects:\n  default:\n    environments:\n      production:\n        segments:\n          beta: []\n',
    );
    const plan = await planSync(ld, desired, { prune: true });
    expect(plan.counts).toMatchObject({ remove: 1 });
    expect((await applyPlan(ld, plan)).ok).toBe(true);
    expect(fake.targets(BETA)).toEqual([]);
  });

  it('a change made between plan and apply fails on its version, is planned again once, and converges', async () => {
    const { fake, ld } = await setup();
    fake.seed(BETA, [{ contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: T1, _version: 1 }], 'segment');
    const desired = parseDesiredState(TEAM_FILE_WITH_MOBILE);
    const plan = await planSync(ld, desired);
    expect(plan.resources[0]?.changes.find((c) => c.contextKey === 'bob')).toMatchObject({ action: 'update', version: 1 });
    // Someone moves bob's removal after the plan was made.
    fake.schedule(BETA, 'segment', { contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: T1 + 1000 });

    const result = await applyPlan(ld, plan);
    expect(result.ok).toBe(true);
    expect(result.counts.replanned).toBe(1);
    const bob = result.outcomes.find((o) => o.change.contextKey === 'bob');
    expect(bob).toMatchObject({
      fate: 'applied',
      replanned: true,
      change: { action: 'update', from: T1 + 1000, version: 2, source: { line: 12 } },
    });
    expectConverged(fake);
    // The stale update was refused, not applied; the re-planned one carried the new version.
    const sentForBob = [...fake.received.keys()].filter((k) => k.includes('"bob"')).map((k) => JSON.parse(k).version);
    expect(sentForBob).toEqual([1, 2]);
  });

  it('lost answers (applied, then 502) are settled by reading back: converges and nothing is sent twice', async () => {
    const { fake, ld } = await setup({
      fault: ({ method, requestNo }) => (method === 'PATCH' && requestNo % 2 === 0 ? '502-after' : 'none'),
    });
    const desired = parseDesiredState(TEAM_FILE_WITH_MOBILE);
    const plan = await planSync(ld, desired);
    const result = await applyPlan(ld, plan, { batchSize: 1 });
    expect(fake.stats.faults['502-after']).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
    expect(result.counts.reconciled).toBeGreaterThan(0);
    expect(result.counts).toMatchObject({ applied: 4, unknown: 0, failed: 0 });
    expectConverged(fake);
    expect([...fake.received.values()].every((n) => n === 1)).toBe(true);
    expect(fake.received.size).toBe(4);
  });

  it('reports what LaunchDarkly refuses per entry with its line, does not resend it, and leaves it pending', async () => {
    const { fake, ld } = await setup({ targeted: (_id, ins) => ins.contextKey !== 'bob' });
    const desired = parseDesiredState(TEAM_FILE_WITH_MOBILE);
    const result = await applyPlan(ld, await planSync(ld, desired));
    expect(result.ok).toBe(false);
    expect(result.counts).toMatchObject({ total: 4, applied: 3, failed: 1, replanned: 0 });
    const failed = result.outcomes.filter((o) => o.fate === 'failed');
    expect(failed.map((o) => [o.change.contextKey, o.change.source?.line, o.message])).toEqual([
      ['bob', 12, 'the context is not individually targeted'],
    ]);
    expect(result.after.counts).toMatchObject({ add: 1, unchanged: 3 });
    expect(fake.received.get(JSON.stringify(failed[0]?.instruction))).toBe(1);
    // The next plan shows it again.
    expect((await planSync(ld, desired)).resources[0]?.changes.map((c) => c.contextKey)).toEqual(['bob']);
  });

  it('refuses an invalid desired state before sending anything, naming every problem', async () => {
    const { fake, ld } = await setup();
    const desired: DesiredState = {
      resources: [
        {
          resource: 'segment',
          ref: { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' },
          targets: [
            { contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: T1 },
            { contextKind: 'user', contextKey: 'alice', targetType: 'excluded', expiresAt: T2 },
            { contextKind: 'user', contextKey: 'old', targetType: 'included', expiresAt: '2001-01-01T00:00:00Z' },
            { contextKind: 'user', contextKey: ' ', targetType: 'included', expiresAt: 'tomorrow' },
          ],
        },
        { resource: 'flag', ref: { projectKey: 'default', environmentKey: '..', flagKey: 'f' }, targets: [] },
      ],
    };
    const error = await planSync(ld, desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DesiredStateError);
    const issues = (error as DesiredStateError).issues;
    expect(issues.map((i) => i.path.join('/'))).toEqual([
      'projects/default/environments/production/segments/beta/1',
      'projects/default/environments/production/segments/beta/2/expiresAt',
      'projects/default/environments/production/segments/beta/3/contextKey',
      'projects/default/environments/production/segments/beta/3/expiresAt',
      'projects/default/environments/../flags/f',
    ]);
    expect(issues[0]?.message).toBe(
      'user:alice is named twice for segment beta (project default, environment production): LaunchDarkly schedules one removal per context',
    );
    expect(issues[1]?.message).toMatch(/^expiresAt 2001-01-01T00:00:00.000Z is in the past for user:old/);
    expect(issues[2]?.message).toBe('contextKey must be a non-empty string, got " "');
    expect(issues[3]?.message).toMatch(/^expiresAt must be an ISO-8601 date or date-time with a zone/);
    expect(issues[4]?.message).toBe('environmentKey cannot be ".."');
    expect(issues.every((i) => i.line === undefined)).toBe(true);
    expect(fake.stats.requests).toBe(0);
  });

  it('a resource that cannot be read is reported in its plan; the others are planned', async () => {
    const { fake, ld } = await setup({ fault: ({ method, requestNo }) => (method === 'GET' && requestNo <= 3 ? '503-before' : 'none') });
    const plan = await planSync(ld, parseDesiredState(TEAM_FILE_WITH_MOBILE), { concurrency: 1, maxRetries: 2 });
    expect(plan.ok).toBe(false);
    expect(plan.counts.unread).toBe(1);
    expect(plan.resources[0]?.error?.message).toContain('503');
    expect(plan.resources.slice(1).map((r) => r.error)).toEqual([undefined, undefined]);
    expect(plan.counts.add).toBe(2);
    expect(fake.stats.gets).toBe(5);
  });

  it('a 401 stops planning: the other resources are not read', async () => {
    const server = await startServer((_req, res) => json(res, 401, { code: 'unauthorized', message: 'Invalid access token' }));
    closers.push(server.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server.url });
    const plan = await planSync(ld, parseDesiredState(TEAM_FILE_WITH_MOBILE), { concurrency: 1 });
    expect(server.requests.length).toBe(1);
    expect(plan.resources.map((r) => r.error?.name)).toEqual(['AuthenticationError', 'AuthenticationError', 'AuthenticationError']);
    const result = await applyPlan(ld, plan);
    expect(result.ok).toBe(false);
    expect(result.after.counts.unread).toBe(3);
    expect(server.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('reads at most `concurrency` resources at once', async () => {
    let inFlight = 0;
    let most = 0;
    const server = await startServer(async (_req, res) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      json(res, 200, { items: [] });
    });
    closers.push(server.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server.url });
    const desired: DesiredState = {
      resources: Array.from({ length: 9 }, (_, i) => ({
        resource: 'segment' as const,
        ref: { projectKey: 'p', environmentKey: 'e', segmentKey: `s${i}` },
        targets: [],
      })),
    };
    await planSync(ld, desired, { concurrency: 3 });
    expect(server.requests.length).toBe(9);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  it('reads each resource again after its own changes were sent, while others are still being written', async () => {
    const { fake, ld } = await setup();
    const desired: DesiredState = {
      resources: Array.from({ length: 4 }, (_, r) => ({
        resource: 'segment' as const,
        ref: { projectKey: 'p', environmentKey: 'e', segmentKey: `s${r}` },
        targets: Array.from({ length: 6 }, (_, i) => ({
          contextKind: 'user',
          contextKey: `u${i}`,
          targetType: 'included' as const,
          expiresAt: T1 + i,
        })),
      })),
    };
    const plan = await planSync(ld, desired);
    fake.processed.length = 0;
    const result = await applyPlan(ld, plan, { batchSize: 2 });
    expect(result.ok).toBe(true);
    const ids = desired.resources.map((r) => `segments/p/${(r.ref as { segmentKey: string }).segmentKey}/e`);
    for (const id of ids) {
      const mine = fake.processed.map((entry, at) => ({ ...entry, at })).filter((entry) => entry.id === id);
      expect(mine.map((e) => e.method)).toEqual(['PATCH', 'PATCH', 'PATCH', 'GET']);
    }
    // The first resource was read before the last one's writes began.
    const firstRead = fake.processed.findIndex((e) => e.method === 'GET' && e.id === ids[0]);
    const lastWrite = fake.processed.findIndex((e) => e.method === 'PATCH' && e.id === ids[3]);
    expect(firstRead).toBeLessThan(lastWrite);
  });

  it('does not send a change whose time passed after planning', async () => {
    const { fake, ld } = await setup();
    const plan = await planSync(ld, parseDesiredState(TEAM_FILE_WITH_MOBILE));
    const result = await applyPlan(ld, plan, { now: T1 + 1 });
    expect(result.outcomes.filter((o) => o.fate === 'notAttempted').map((o) => o.change.contextKey)).toEqual([
      'alice',
      'contractor-17',
      '0042',
    ]);
    expect(result.outcomes.find((o) => o.change.contextKey === 'alice')?.message).toContain('has passed since planning');
    expect(rows(fake.targets(BETA))).toEqual(['user bob excluded 2031-06-30T12:00:00.000Z']);
  });
});

describe('instructions are checked once, by whichever entry receives them', () => {
  it('a changed copy of a plan’s instruction, or one sent as the other resource’s, is refused by patchAll and by applyPlan', async () => {
    const { fake, ld } = await setup();
    const plan = await planSync(ld, parseDesiredState(TEAM_FILE_WITH_MOBILE));
    const alice = plan.resources[0]?.changes[0];
    expect(alice?.instruction).toEqual({
      kind: 'addExpiringTarget',
      contextKind: 'user',
      contextKey: 'alice',
      targetType: 'included',
      value: T1,
    });
    // Nothing marks an instruction as checked: no hidden property, no freezing.
    expect(Object.getOwnPropertySymbols(alice?.instruction)).toEqual([]);
    expect(Object.isFrozen(alice?.instruction)).toBe(false);

    const ref = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' };
    const copy = { ...(alice?.instruction as object), targetType: 'sideways' };
    await expect(ld.segments.patchAll(ref, [copy] as never[], { allowPast: true })).rejects.toThrow(/targetType/);
    // Checked as a segment's: a flag does not take targetType.
    const flagRef = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };
    await expect(ld.flags.patchAll(flagRef, [alice?.instruction] as never[], { allowPast: true })).rejects.toThrow(/targetType/);
    expect(fake.stats.patches).toBe(0);

    // Swapped into the plan after planning, or changed in place: applying refuses it before sending anything.
    const beta = plan.resources[0];
    if (beta === undefined || alice === undefined) throw new Error('no plan for beta');
    (beta.changes as unknown[])[0] = { ...alice, instruction: copy };
    await expect(applyPlan(ld, plan)).rejects.toThrow(/targetType/);
    (beta.changes as unknown[])[0] = alice;
    (alice.instruction as { contextKey: unknown }).contextKey = '';
    await expect(applyPlan(ld, plan)).rejects.toThrow(/contextKey/);
    expect(fake.stats.patches).toBe(0);
  });
});
