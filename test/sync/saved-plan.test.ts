// A saved plan applies exactly the changes that were reviewed: no re-planning, a target that moved
// since is reported rather than overwritten, and a plan of another format or version is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { SavedPlanError, applyPlan, parseDesiredState, parsePlan, planSync, selectTargets, serializePlan } from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

const T1 = Date.parse('2031-01-01T00:00:00Z');
const BETA = 'segments/default/beta/production';
const GAMMA = 'segments/default/gamma/production';
const FILE = `projects:
  default:
    environments:
      production:
        segments:
          beta:
            - { contextKind: user, contextKey: alice, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: bob, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
          gamma:
            - { contextKind: user, contextKey: carol, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`;
const FILES = [{ path: 'expiring-targets.yaml', sha256: 'a'.repeat(64) }];

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function setup() {
  const fake = await startFakeLaunchDarkly();
  closers.push(fake.close);
  return { fake, ld: createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: fake.url, maxRetryDelayMs: 5 }) };
}

describe('saved plans', () => {
  it('round-trips: the saved changes, versions, lines, files and targets come back as saved', async () => {
    const { fake, ld } = await setup();
    fake.seed(
      BETA,
      [{ contextKind: 'user', contextKey: 'bob', targetType: 'included', expirationDate: T1 - 5000, _version: 3 }],
      'segment',
    );
    const desired = parseDesiredState(FILE);
    const plan = await planSync(ld, desired);
    const text = serializePlan(plan, { files: FILES, targets: [], createdAt: '2030-01-01T00:00:00.000Z' });
    const saved = JSON.parse(text);
    expect(saved).toMatchObject({ format: 'ld-expiring-targets/plan', version: 1, files: FILES, prune: false });
    expect(saved.resources[0].changes[1]).toMatchObject({
      action: 'update',
      contextKey: 'bob',
      version: 3,
      from: T1 - 5000,
      to: T1,
      line: 8,
    });
    const back = parsePlan(text, desired);
    expect(back.files).toEqual(FILES);
    expect(back.plan.counts).toMatchObject({ resources: 2, add: 2, update: 1 });
    expect(back.plan.resources.map((r) => r.changes.map((c) => [c.action, c.contextKey, c.version, c.source?.line]))).toEqual([
      [
        ['add', 'alice', undefined, 7],
        ['update', 'bob', 3, 8],
      ],
      [['add', 'carol', undefined, 10]],
    ]);
  });

  it('applies exactly the saved changes, not what a new plan would: later edits to LaunchDarkly are not planned', async () => {
    const { fake, ld } = await setup();
    const desired = parseDesiredState(FILE);
    const text = serializePlan(await planSync(ld, selectTargets(desired, ['segment:default/production/beta'])), {
      files: FILES,
      targets: ['segment:default/production/beta'],
    });
    // After the review, someone schedules carol's removal in gamma (not in the plan: untouched).
    fake.schedule(GAMMA, 'segment', { contextKind: 'user', contextKey: 'carol', targetType: 'included', expirationDate: T1 + 1 });
    const { plan } = parsePlan(text, selectTargets(desired, ['segment:default/production/beta']));
    const result = await applyPlan(ld, plan, { replanConflicts: false });
    expect(result.ok).toBe(true);
    expect(
      fake
        .targets(BETA)
        .map((t) => t.contextKey)
        .sort(),
    ).toEqual(['alice', 'bob']);
    expect(fake.targets(GAMMA)).toMatchObject([{ contextKey: 'carol', expirationDate: T1 + 1 }]);
    expect(fake.stats.byResource[GAMMA]?.patches ?? 0).toBe(0);
  });

  it('a change whose target moved since planning is reported, not overwritten', async () => {
    const { fake, ld } = await setup();
    fake.seed(
      BETA,
      [{ contextKind: 'user', contextKey: 'bob', targetType: 'included', expirationDate: T1 - 5000, _version: 1 }],
      'segment',
    );
    const desired = parseDesiredState(FILE);
    const text = serializePlan(await planSync(ld, desired), { files: FILES });
    fake.schedule(BETA, 'segment', { contextKind: 'user', contextKey: 'bob', targetType: 'included', expirationDate: T1 + 9000 });
    const result = await applyPlan(ld, parsePlan(text, desired).plan, { replanConflicts: false, roundDelayMs: 1 });
    const bob = result.outcomes.find((o) => o.change.contextKey === 'bob');
    expect(bob).toMatchObject({ fate: 'failed', message: 'version mismatch' });
    expect(result.counts.replanned).toBe(0);
    expect(fake.targets(BETA).find((t) => t.contextKey === 'bob')?.expirationDate).toBe(T1 + 9000);
    expect(result.ok).toBe(false);
  });

  it('refuses another format or version, an invalid instruction, and a resource the files no longer name', async () => {
    const { ld } = await setup();
    const desired = parseDesiredState(FILE);
    const text = serializePlan(await planSync(ld, desired), { files: FILES });
    // biome-ignore lint/suspicious/noExplicitAny: each edit reaches into the saved JSON where the test needs to.
    const edit = (f: (plan: any) => void) => {
      const plan = JSON.parse(text);
      f(plan);
      return JSON.stringify(plan);
    };
    expect(() => parsePlan('{', desired)).toThrow(SavedPlanError);
    expect(() =>
      parsePlan(
        edit((p) => (p.version = 2)),
        desired,
      ),
    ).toThrow('the saved plan has version 2; this version reads 1: plan again');
    expect(() =>
      parsePlan(
        edit((p) => (p.format = 'terraform')),
        desired,
      ),
    ).toThrow('the file is not a saved plan');
    expect(() =>
      parsePlan(
        edit((p) => (p.resources[0].changes[0].instruction.targetType = 'sideways')),
        desired,
      ),
    ).toThrow(/resources\[0\]\.changes\[0\]: the instruction is invalid: targetType/);
    expect(() =>
      parsePlan(
        edit((p) => (p.resources[0].ref.segmentKey = 'other')),
        desired,
      ),
    ).toThrow('the plan changes segment other (project default, environment production), which its files no longer name');
    expect(() =>
      parsePlan(
        edit((p) => (p.files[0].sha256 = 'x')),
        desired,
      ),
    ).toThrow('files[0]: sha256 is missing or invalid');
  });

  it('targets: selects the resources named, and refuses a target that names none', () => {
    const desired = parseDesiredState(FILE);
    expect(selectTargets(desired, ['segment:default/production/gamma']).resources.map((r) => r.source?.line)).toEqual([9]);
    expect(selectTargets(desired, []).resources).toHaveLength(2);
    expect(() => selectTargets(desired, ['segment:default/production/delta'])).toThrow(
      '"segment:default/production/delta" names no segment or flag of the desired state',
    );
    expect(() => selectTargets(desired, ['beta'])).toThrow('must look like segment:PROJECT/ENVIRONMENT/KEY');
  });
});
