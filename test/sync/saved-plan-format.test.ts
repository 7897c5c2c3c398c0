// The saved-plan format read as data: every field a reader relies on is checked, each refusal
// names where and what, and a plan reads back exactly as it was written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import {
  PLAN_FORMAT,
  PLAN_FORMAT_VERSION,
  SavedPlanError,
  type SyncPlan,
  parseDesiredState,
  parsePlan,
  planSync,
  savedPlanInputs,
  serializePlan,
} from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

const T1 = Date.parse('2031-01-01T00:00:00Z');
const FILE = `projects:
  default:
    environments:
      production:
        segments:
          beta:
            - { contextKind: user, contextKey: alice, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: bob, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
          gamma: []
        flags:
          checkout: []
`;
const FILES = [{ path: 'expiring-targets.yaml', sha256: 'b'.repeat(64) }];

// Set up for each test, not once for the file: code run outside a test counts as covered by every
// test, which makes a mutation run try each of its mutants against the whole suite.
let desired: ReturnType<typeof parseDesiredState>;
let close: () => Promise<unknown>;
let plan: SyncPlan;
let text: string;
beforeEach(async () => {
  desired = parseDesiredState(FILE);
  const fake = await startFakeLaunchDarkly();
  close = fake.close;
  fake.seed(
    'segments/default/beta/production',
    [
      { contextKind: 'user', contextKey: 'bob', targetType: 'included', expirationDate: T1 - 5000, _version: 3 },
      { contextKind: 'user', contextKey: 'old', targetType: 'excluded', expirationDate: T1 - 9000, _version: 2 },
    ],
    'segment',
  );
  const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: fake.url, logLevel: 'off' });
  plan = await planSync(ld, desired, { prune: true });
  text = serializePlan(plan, { files: FILES, targets: ['segment:default/production/beta'], createdAt: '2030-01-01T00:00:00.000Z' });
});
afterEach(() => close());

// biome-ignore lint/suspicious/noExplicitAny: each edit reaches into the saved JSON where the test needs to.
const edit = (f: (saved: any) => void) => {
  const saved = JSON.parse(text);
  f(saved);
  return JSON.stringify(saved);
};

describe('serializePlan', () => {
  it('writes the format, the inputs and only the resources with changes, with null for what a change lacks', () => {
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith(`{\n  "format": "${PLAN_FORMAT}",\n  "version": ${PLAN_FORMAT_VERSION},\n`)).toBe(true);
    const saved = JSON.parse(text);
    expect(Object.keys(saved)).toEqual(['format', 'version', 'createdAt', 'files', 'targets', 'prune', 'allowPast', 'counts', 'resources']);
    expect(saved).toMatchObject({
      createdAt: '2030-01-01T00:00:00.000Z',
      files: FILES,
      targets: ['segment:default/production/beta'],
      prune: true,
      allowPast: false,
      counts: { resources: 3, add: 1, update: 1, remove: 1, unchanged: 0, unmanaged: 0, unread: 0 },
    });
    expect(saved.resources).toEqual([
      {
        resource: 'segment',
        ref: { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' },
        changes: [
          {
            action: 'add',
            contextKind: 'user',
            contextKey: 'alice',
            target: 'included',
            from: null,
            to: T1,
            version: null,
            instruction: { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: T1 },
            line: 7,
          },
          {
            action: 'update',
            contextKind: 'user',
            contextKey: 'bob',
            target: 'included',
            from: T1 - 5000,
            to: T1,
            version: 3,
            instruction: {
              kind: 'updateExpiringTarget',
              contextKind: 'user',
              contextKey: 'bob',
              targetType: 'included',
              value: T1,
              version: 3,
            },
            line: 8,
          },
          {
            action: 'remove',
            contextKind: 'user',
            contextKey: 'old',
            target: 'excluded',
            from: T1 - 9000,
            to: null,
            version: 2,
            instruction: { kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'old', targetType: 'excluded' },
            line: null,
          },
        ],
      },
    ]);
  });

  it('defaults: no targets, and the time of writing', () => {
    const before = Date.now();
    const saved = JSON.parse(serializePlan(plan, { files: [] }));
    expect(saved.targets).toEqual([]);
    expect(saved.files).toEqual([]);
    expect(Date.parse(saved.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(saved.createdAt)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a plan with a resource that could not be read', () => {
    const incomplete = { ...plan, ok: false };
    expect(() => serializePlan(incomplete, { files: FILES })).toThrow(
      new SavedPlanError('a plan with resources that could not be read cannot be saved: plan again'),
    );
  });
});

describe('parsePlan', () => {
  it('reads back every change as saved, and every resource of the files (those without changes too)', () => {
    const back = parsePlan(text, desired);
    expect(back).toMatchObject({ files: FILES, targets: ['segment:default/production/beta'], createdAt: '2030-01-01T00:00:00.000Z' });
    expect(back.plan).toMatchObject({ prune: true, allowPast: false, ok: true, hasChanges: true, desired });
    expect(back.plan.counts).toEqual({ resources: 3, add: 1, update: 1, remove: 1, unchanged: 0, unmanaged: 0, unread: 0 });
    expect(back.plan.resources.map((r) => [r.resource, r.ref, r.source?.line, r.error, r.unchanged, r.unmanaged])).toEqual([
      ['segment', { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' }, 6, undefined, 0, 0],
      ['segment', { projectKey: 'default', environmentKey: 'production', segmentKey: 'gamma' }, 9, undefined, 0, 0],
      ['flag', { projectKey: 'default', environmentKey: 'production', flagKey: 'checkout' }, 11, undefined, 0, 0],
    ]);
    expect(back.plan.resources[0]?.changes).toEqual(
      plan.resources[0]?.changes.map((c) => ({ ...c, source: c.source && { line: c.source.line, column: 1, index: 0, fields: {} } })),
    );
  });

  it('savedPlanInputs reads the header alone', () => {
    expect(savedPlanInputs(text)).toMatchObject({ files: FILES, prune: true, allowPast: false, createdAt: '2030-01-01T00:00:00.000Z' });
  });

  it.each([
    ['not JSON', () => '{', 'the saved plan is not JSON'],
    ['an array', () => '[]', `the file is not a saved plan (format ${PLAN_FORMAT})`],
    ['null', () => 'null', `the file is not a saved plan (format ${PLAN_FORMAT})`],
    ['another version', () => edit((p) => (p.version = '1')), 'the saved plan has version "1"; this version reads 1: plan again'],
    ['no version', () => edit((p) => delete p.version), 'the saved plan has version undefined; this version reads 1: plan again'],
    ['files missing', () => edit((p) => delete p.files), 'the plan: files is missing or invalid'],
    ['files not an array', () => edit((p) => (p.files = {})), 'the plan: files is missing or invalid'],
    ['a file not an object', () => edit((p) => (p.files = ['x'])), 'files[0] is not an object'],
    ['a file without a path', () => edit((p) => (p.files[0].path = 7)), 'files[0]: path is missing or invalid'],
    ['a hash in capitals', () => edit((p) => (p.files[0].sha256 = 'B'.repeat(64))), 'files[0]: sha256 is missing or invalid'],
    ['a hash too long', () => edit((p) => (p.files[0].sha256 = 'b'.repeat(65))), 'files[0]: sha256 is missing or invalid'],
    ['a hash with a prefix', () => edit((p) => (p.files[0].sha256 = `x${'b'.repeat(64)}`)), 'files[0]: sha256 is missing or invalid'],
    ['targets missing', () => edit((p) => delete p.targets), 'the plan: targets is missing or invalid'],
    ['a target not a string', () => edit((p) => (p.targets = [1])), 'targets must be strings'],
    ['createdAt missing', () => edit((p) => delete p.createdAt), 'the plan: createdAt is missing or invalid'],
    ['prune not a boolean', () => edit((p) => (p.prune = 'yes')), 'the plan: prune is missing or invalid'],
    ['allowPast missing', () => edit((p) => delete p.allowPast), 'the plan: allowPast is missing or invalid'],
    ['resources missing', () => edit((p) => delete p.resources), 'the plan: resources is missing or invalid'],
    ['a resource not an object', () => edit((p) => (p.resources = [null])), 'resources[0] is not a segment or flag plan'],
    ['a resource of no kind', () => edit((p) => (p.resources[0].resource = 'project')), 'resources[0] is not a segment or flag plan'],
    ['a ref not an object', () => edit((p) => (p.resources[0].ref = 'beta')), 'resources[0] is not a segment or flag plan'],
    [
      'a ref without its key',
      () => edit((p) => delete p.resources[0].ref.segmentKey),
      'resources[0].ref: segmentKey is missing or invalid',
    ],
    [
      'a resource twice',
      () => edit((p) => p.resources.push(p.resources[0])),
      'the plan lists segment beta (project default, environment production) twice',
    ],
    ['changes missing', () => edit((p) => delete p.resources[0].changes), 'resources[0]: changes is missing or invalid'],
    ['a change not an object', () => edit((p) => (p.resources[0].changes[1] = [])), 'resources[0].changes[1] is not an object'],
    [
      'an unknown action',
      () => edit((p) => (p.resources[0].changes[0].action = 'move')),
      'resources[0].changes[0]: action is missing or invalid',
    ],
    ['from a string', () => edit((p) => (p.resources[0].changes[0].from = '1')), 'resources[0].changes[0]: from must be a number or null'],
    [
      'to infinite',
      () => edit((p) => (p.resources[0].changes[0].to = 'INF')).replace('"INF"', '1e999'),
      'resources[0].changes[0]: to must be a number or null',
    ],
    [
      'version missing',
      () => edit((p) => delete p.resources[0].changes[0].version),
      'resources[0].changes[0]: version must be a number or null',
    ],
    ['line a string', () => edit((p) => (p.resources[0].changes[2].line = 'x')), 'resources[0].changes[2]: line must be a number or null'],
    [
      'contextKind missing',
      () => edit((p) => delete p.resources[0].changes[0].contextKind),
      'resources[0].changes[0]: contextKind is missing or invalid',
    ],
    [
      'contextKey a number',
      () => edit((p) => (p.resources[0].changes[0].contextKey = 5)),
      'resources[0].changes[0]: contextKey is missing or invalid',
    ],
    ['target missing', () => edit((p) => delete p.resources[0].changes[0].target), 'resources[0].changes[0]: target is missing or invalid'],
  ])('refuses %s', (_name, saved, message) => {
    expect(() => parsePlan(saved(), desired)).toThrow(new SavedPlanError(message));
  });

  it('a key inherited from Object.prototype is not a field', () => {
    const saved = edit((p) => {
      delete p.createdAt;
    }).replace('"format"', '"__proto__": { "createdAt": "2030-01-01T00:00:00.000Z" }, "format"');
    expect(() => parsePlan(saved, desired)).toThrow(new SavedPlanError('the plan: createdAt is missing or invalid'));
  });
});
