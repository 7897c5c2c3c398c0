/**
 * The point of `export`: `plan` of a fresh export reports no changes, whatever the state, and
 * after one removal changes in LaunchDarkly, exactly that one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { exportDesiredState, scheduledRemovals } from '../../src/inventory/index.js';
import { parseDesiredState, planSync } from '../../src/sync/index.js';
import type { Catalog } from '../support/fake-catalog.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

/** Keys a YAML writer must quote (numbers, booleans, null, YAML syntax) and LaunchDarkly-style ones. */
const awkward = ['123', '007', '1e3', '0x1F', '1_000', '-1', '.5', 'true', 'no', 'null', '~', 'yes', 'on', 'NaN', '.inf'];
const resourceKey = fc.oneof(fc.constantFrom(...awkward), fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/));
/** Context keys are free text: unicode, spaces, YAML and CSV syntax. */
const contextKey = fc.oneof(
  fc.constantFrom(
    ...awkward,
    'a: b',
    '#hash',
    '- dash',
    '"quoted"',
    "it's",
    'ключ',
    '鍵',
    '🙂',
    ' padded ',
    'line\nbreak',
    '[x]',
    '{y}',
    '&anchor',
    '*alias',
    '!tag',
    '%',
    '@at',
    '`tick`',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => /\S/.test(s)),
);
const contextKind = fc.constantFrom('user', 'device', 'organization', '1', 'true');
const HOUR = 3_600_000;
const time = fc.integer({ min: 1, max: 24 * 365 * 2 }).chain((h) => fc.integer({ min: 0, max: HOUR - 1 }).map((ms) => h * HOUR + ms));

const segmentState = fc.uniqueArray(
  fc.record({ contextKind, contextKey, targetType: fc.constantFrom('included', 'excluded'), offset: time }),
  // LaunchDarkly schedules one removal per context in a resource (a context is in one list, or targeted by one variation).
  { selector: (t) => JSON.stringify([t.contextKind, t.contextKey]), maxLength: 4 },
);
const flagState = fc.uniqueArray(fc.record({ contextKind, contextKey, variation: fc.constantFrom(0, 1, 2), offset: time }), {
  selector: (t) => JSON.stringify([t.contextKind, t.contextKey]),
  maxLength: 4,
});
const projectState = fc.record({
  segments: fc.uniqueArray(
    fc.record({ key: resourceKey, name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), targets: segmentState }),
    { selector: (s) => s.key, maxLength: 4 },
  ),
  flags: fc.uniqueArray(
    fc.record({ key: resourceKey, name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), targets: flagState }),
    { selector: (f) => f.key, maxLength: 4 },
  ),
});
type ProjectState = typeof projectState extends fc.Arbitrary<infer T> ? T : never;

let server: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
const catalog: Catalog = { projectKey: 'p0', environmentKey: 'production', flags: [], segments: [] };
beforeAll(async () => {
  server = await startFakeLaunchDarkly({ catalog });
});
afterAll(() => server.close());

let run = 0;
/** Puts the state into the fake under a project of its own; returns the ids of its resources. */
function load(state: ProjectState, now: number) {
  const projectKey = `p${++run}`;
  catalog.projectKey = projectKey;
  catalog.segments = state.segments.map(({ key, name }) => ({ key, ...(name === undefined ? {} : { name }) }));
  catalog.flags = state.flags.map(({ key, name }) => ({
    key,
    ...(name === undefined ? {} : { name }),
    variations: [0, 1, 2].map((v) => ({ _id: `${key}#v${v}`, name: `Variation ${v}`, value: v })),
  }));
  for (const s of state.segments) {
    const targets = s.targets.map((t) => ({
      contextKind: t.contextKind,
      contextKey: t.contextKey,
      targetType: t.targetType,
      expirationDate: now + t.offset,
      _version: 1,
    }));
    server.seed(`segments/${projectKey}/${encodeURIComponent(s.key)}/production`, targets, 'segment');
  }
  for (const f of state.flags) {
    const targets = f.targets.map((t) => ({
      contextKind: t.contextKind,
      contextKey: t.contextKey,
      variationId: `${f.key}#v${t.variation}`,
      expirationDate: now + t.offset,
      _version: 1,
    }));
    server.seed(`flags/${projectKey}/${encodeURIComponent(f.key)}/production`, targets, 'flag');
  }
  return projectKey;
}

async function exported(projectKey: string, format: 'yaml' | 'json', now: number) {
  const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: server.url });
  const removals = [];
  for await (const r of scheduledRemovals(ld, { projectKey, environmentKey: 'production' })) removals.push(r);
  return { ld, removals, file: exportDesiredState(removals, { projectKey, environmentKey: 'production', format, now }) };
}

describe('export, then plan', () => {
  it('plan of a fresh export reports no changes, for any state (YAML and JSON, with and without prune)', async () => {
    await fc.assert(
      fc.asyncProperty(projectState, fc.constantFrom<'yaml' | 'json'>('yaml', 'json'), async (state, format) => {
        const now = Date.now();
        const projectKey = load(state, now);
        const { ld, removals, file } = await exported(projectKey, format, now);
        const total = state.segments.reduce((n, s) => n + s.targets.length, 0) + state.flags.reduce((n, f) => n + f.targets.length, 0);
        expect(removals).toHaveLength(total);
        expect(file.removals).toBe(total);
        const desired = parseDesiredState(file.text, { fileName: `export.${format}` });
        for (const prune of [false, true]) {
          const plan = await planSync(ld, desired, { prune });
          expect(plan.ok).toBe(true);
          expect(plan.hasChanges, file.text).toBe(false);
        }
      }),
      { numRuns: Number(process.env.ROUND_TRIP_RUNS ?? 30) },
    );
  }, 120_000);

  it('after one removal changes in LaunchDarkly, plan shows exactly that one', async () => {
    const now = Date.now();
    const state: ProjectState = {
      segments: [
        {
          key: '123',
          name: 'Numbers',
          targets: [
            { contextKind: 'user', contextKey: 'true', targetType: 'included', offset: 5 * HOUR },
            { contextKind: 'user', contextKey: 'ключ', targetType: 'excluded', offset: 30 * HOUR },
          ],
        },
      ],
      flags: [
        {
          key: 'checkout',
          name: 'New checkout',
          targets: [{ contextKind: 'device', contextKey: 'a: b', variation: 1, offset: 50 * HOUR }],
        },
      ],
    };
    const projectKey = load(state, now);
    const { ld, file } = await exported(projectKey, 'yaml', now);
    expect(file.text).toContain('"123":');
    expect(file.text).toContain('# Numbers');
    expect(file.text).toContain('# New checkout; variations: checkout#v1 = Variation 1');
    const desired = parseDesiredState(file.text);
    server.schedule(`segments/${projectKey}/123/production`, 'segment', {
      contextKind: 'user',
      contextKey: 'ключ',
      targetType: 'excluded',
      expirationDate: now + 40 * HOUR,
    });
    const plan = await planSync(ld, desired);
    expect(plan.counts).toMatchObject({ add: 0, update: 1, remove: 0 });
    const changes = plan.resources.flatMap((r) => r.changes.map((c) => ({ key: r.ref, ...c })));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ action: 'update', contextKey: 'ключ', from: now + 40 * HOUR, to: now + 30 * HOUR });
  });

  it('leaves out removals already due, and counts them', async () => {
    const now = Date.now();
    const projectKey = load(
      {
        segments: [
          { key: 's', name: undefined, targets: [{ contextKind: 'user', contextKey: 'later', targetType: 'included', offset: HOUR }] },
        ],
        flags: [],
      },
      now,
    );
    server.schedule(`segments/${projectKey}/s/production`, 'segment', {
      contextKind: 'user',
      contextKey: 'due',
      targetType: 'included',
      expirationDate: now - 1000,
    });
    const { file } = await exported(projectKey, 'json', now);
    expect(file).toMatchObject({ removals: 1, past: 1, resources: 1 });
    expect(JSON.parse(file.text).projects[projectKey].environments.production.segments.s).toEqual([
      { contextKind: 'user', contextKey: 'later', targetType: 'included', expiresAt: new Date(now + HOUR).toISOString() },
    ]);
  });
});
