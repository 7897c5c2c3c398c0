import { describe, expect, it } from 'vitest';
import { InstructionValidationError, RequestAbortedError, ServerError, createExpiringTargetsClient } from '../../src/index.js';
import {
  IncompleteInventoryError,
  type InventoryProgress,
  type ResourceReading,
  type ScheduledRemoval,
  readInventory,
  scheduledRemovals,
} from '../../src/inventory/index.js';
import { closedAfterEach } from '../support/bulk-runs.js';
import { syntheticProject } from '../support/fake-catalog.js';

const { fake } = closedAfterEach();
const NOW = Date.UTC(2030, 0, 1);
const SCOPE = { projectKey: 'p', environmentKey: 'e', now: () => NOW };

/** A fake project of 250 flags and 130 segments (3 and 2 pages), every 10th with two removals. */
async function project(options: Parameters<typeof fake>[0] = {}) {
  const { catalog, seeds } = syntheticProject({ flags: 250, segments: 130, every: 10, now: NOW });
  const server = await fake({ catalog, ...options });
  for (const { id, resource, targets } of seeds) server.seed(id, targets, resource);
  const expected = seeds.flatMap(({ id, targets }) =>
    targets.map((t) => `${id.split('/')[2]} ${t.contextKind} ${t.contextKey} ${t.expirationDate}`),
  );
  return { server, seeds, expected, ld: createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url, maxRetryDelayMs: 50 }) };
}

const idOf = (r: ScheduledRemoval) => `${r.resourceKey} ${r.contextKind} ${r.contextKey} ${r.expiresAt.getTime()}`;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('the inventory', () => {
  it('reads every page of both listings at the largest page and every resource once, and finds every removal with its names', async () => {
    const { server, expected, ld } = await project();
    const removals = await collect(scheduledRemovals(ld, SCOPE));
    expect(removals.map(idOf).sort()).toEqual(expected.sort());
    expect(server.stats.byRoute).toEqual({ 'flags-list': 3, 'segments-list': 2, 'flag-targets': 250, 'segment-targets': 130 });
    expect(
      server.log.filter((r) => !r.url.includes('expiring-targets')).map((r) => new URL(r.url, server.url).searchParams.get('limit')),
    ).toEqual(['100', '100', '100', '100', '100']);
    const flag = removals.find((r) => r.resourceKey === 'flag-00010');
    expect(flag).toMatchObject({
      resourceKind: 'flag',
      resourceName: 'Flag 10',
      variationId: 'flag-00010-on',
      variationName: 'On',
      version: 1,
      targetType: undefined,
    });
    const segment = removals.find((r) => r.resourceKey === 'segment-00020' && r.contextKind === 'device');
    expect(segment).toMatchObject({ resourceKind: 'segment', resourceName: 'Segment 20', targetType: 'excluded', variationId: undefined });
  });

  it('filters resources by key pattern and tag before reading them, and removals by time and context kind', async () => {
    const { server, ld } = await project();
    const some = await collect(scheduledRemovals(ld, { ...SCOPE, kinds: ['segment'], keyPattern: 'segment-000[0-9]?', tag: 'even' }));
    // A glob: `[` is literal, so the only key that matches nothing is the point of the check.
    expect(some).toEqual([]);
    const even = await collect(scheduledRemovals(ld, { ...SCOPE, kinds: ['segment'], keyPattern: 'segment-0001?', tag: 'even' }));
    expect([...new Set(even.map((r) => r.resourceKey))]).toEqual(['segment-00010']);
    expect(server.stats.byRoute['segment-targets']).toBe(5); // segment-00010, -12, -14, -16, -18
    const soon = await collect(scheduledRemovals(ld, { ...SCOPE, within: '25h', contextKind: 'user' }));
    expect(soon.length).toBeGreaterThan(0);
    expect(soon.every((r) => r.expiresAt.getTime() < NOW + 25 * 3_600_000 && r.contextKind === 'user')).toBe(true);
    const before = await collect(scheduledRemovals(ld, { ...SCOPE, before: new Date(NOW + 26 * 3_600_000).toISOString() }));
    expect(before.every((r) => r.expiresAt.getTime() < NOW + 26 * 3_600_000)).toBe(true);
    expect(before.length).toBeGreaterThan(soon.length);
  });

  it('rides out rate limits per route and 429s mid-way, and reports a resource failing with 500 while every other removal arrives', async () => {
    const routeLimits = {
      'flag-targets': { limit: 40, windowMs: 100 },
      'segment-targets': { limit: 40, windowMs: 100 },
      'flags-list': { limit: 2, windowMs: 100 },
    };
    // 429s mid-way on named resources (each answered 429 the first times it is read), so where
    // they land does not depend on timing; flag-00100 fails with 500 on every attempt.
    const refusals = new Map([
      ['flags/p/flag-00150/e', 2],
      ['segments/p/segment-00070/e', 1],
    ]);
    const { server, seeds, expected, ld } = await project({
      routeLimits,
      fault: ({ method, id = '' }) => {
        if (method !== 'GET') return 'none';
        if (id === 'flags/p/flag-00100/e') return '500';
        const left = refusals.get(id) ?? 0;
        refusals.set(id, left - 1);
        return left > 0 ? '429' : 'none';
      },
    });
    const progress: InventoryProgress[] = [];
    const readings = await collect(readInventory(ld, { ...SCOPE, onProgress: (p) => progress.push(p) }));
    const failed = readings.filter((r): r is Extract<ResourceReading, { error: object }> => r.error !== undefined);
    expect(failed.map((r) => [r.resource.kind, r.resource.key])).toEqual([['flag', 'flag-00100']]);
    // Its own error, never a 429 that its retries ran into: the client paces by the route's
    // remaining count, counting what is in flight, so it provokes no 429 of its own.
    expect(failed[0]?.error).toBeInstanceOf(ServerError);
    expect(server.stats.byResource['flags/p/flag-00100/e']?.gets).toBe(6);
    expect(server.stats.rateLimited).toBe(3);
    const found = readings.flatMap((r) => r.removals.map(idOf));
    expect(found.sort()).toEqual(expected.filter((e) => !e.startsWith('flag-00100 ')).sort());
    expect(seeds.some((s) => s.id === 'flags/p/flag-00100/e')).toBe(true);
    expect(readings).toHaveLength(380);
    expect(progress.at(-1)).toEqual({ listed: 380, listingComplete: true, read: 380, unreadable: 1, removals: expected.length - 2 });
  });

  it('provokes no 429 with its own concurrency: a route allowing 4 a window gets 4 a window, never 8 at once', async () => {
    const { catalog, seeds } = syntheticProject({ flags: 12, segments: 0, now: NOW });
    const server = await fake({ catalog, routeLimits: { 'flag-targets': { limit: 4, windowMs: 150 } } });
    for (const s of seeds) server.seed(s.id, s.targets, s.resource);
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
    const readings = await collect(readInventory(ld, { ...SCOPE, kinds: ['flag'], concurrency: 8, maxRetries: 0 }));
    expect(readings.filter((r) => r.error)).toEqual([]);
    expect(server.stats.rateLimited).toBe(0);
    expect(server.stats.byRoute['flag-targets']).toBe(12);
  });

  it('ends scheduledRemovals with an error naming the unreadable resource, after every other removal', async () => {
    const { expected, ld } = await project({
      fault: ({ method, id }) => (method === 'GET' && id === 'segments/p/segment-00000/e' ? '500' : 'none'),
    });
    const seen: ScheduledRemoval[] = [];
    const error = await (async () => {
      for await (const r of scheduledRemovals(ld, { ...SCOPE, maxRetries: 0 })) seen.push(r);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteInventoryError);
    expect((error as IncompleteInventoryError).unreadable.map((u) => u.resource.key)).toEqual(['segment-00000']);
    expect((error as Error).message).toContain('segment "segment-00000"');
    expect(seen).toHaveLength(expected.length - 2);
  });

  it('reads a named resource the listing lacks, so its absence is reported rather than skipped', async () => {
    const { ld } = await project();
    const readings = await collect(readInventory(ld, { ...SCOPE, kinds: ['flag'], flagKeys: ['flag-00010', 'no-such-flag'] }));
    expect(readings.map((r) => [r.resource.key, r.removals.length, r.error?.name])).toEqual(
      expect.arrayContaining([
        ['flag-00010', 2, undefined],
        ['no-such-flag', 0, 'NotFoundError'],
      ]),
    );
  });

  it('keeps at most `concurrency` reads in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const { catalog, seeds } = syntheticProject({ flags: 60, segments: 60, now: NOW });
    const server = await fake({ catalog });
    for (const s of seeds) server.seed(s.id, s.targets, s.resource);
    const ld = createExpiringTargetsClient({
      apiKey: 't',
      baseUrl: server.url,
      fetch: async (input, init) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          return await fetch(input, init);
        } finally {
          inFlight--;
        }
      },
    });
    await collect(readInventory(ld, { ...SCOPE, concurrency: 3 }));
    // Three reads and, at most, one listing page of each kind read ahead.
    expect(most).toBeLessThanOrEqual(5);
    expect(most).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad options before sending anything', async () => {
    const { server, ld } = await project();
    for (const bad of [
      { within: '2 weeks' },
      { before: 'tomorrow' },
      { concurrency: 0 },
      { kinds: [] },
      { projectKey: ' ' },
      { flagKeys: ['..'] },
    ]) {
      const error = await collect(readInventory(ld, { ...SCOPE, ...(bad as object) })).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(InstructionValidationError);
    }
    expect(server.stats.requests).toBe(0);
  });

  it('stops on abort: what is in flight is cancelled and iteration throws RequestAbortedError', async () => {
    const { server, ld } = await project();
    const controller = new AbortController();
    let read = 0;
    const error = await collect(
      readInventory(ld, {
        ...SCOPE,
        signal: controller.signal,
        onProgress: (p) => {
          read = p.read;
          if (p.read === 20) controller.abort();
        },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(read).toBe(20);
    expect(server.stats.byRoute['flag-targets']! + server.stats.byRoute['segment-targets']!).toBeLessThan(40);
  });
});
