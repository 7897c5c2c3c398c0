import { afterEach, describe, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { parseDesiredState, planMarkdown, planSync } from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';

let close: (() => Promise<unknown>) | undefined;
afterEach(async () => close?.());

describe('planMarkdown', () => {
  it('prints a summary and one escaped table per resource with changes, for a pull-request comment', async () => {
    const fake = await startFakeLaunchDarkly();
    close = fake.close;
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: fake.url });
    const desired = parseDesiredState(`projects:
  default:
    environments:
      production:
        segments:
          beta:
            - { contextKind: user, contextKey: "a|b](x)", targetType: included, expiresAt: 2031-01-01T00:00:00Z }
          empty: []
`);
    const text = planMarkdown(await planSync(ld, desired), { file: 'expiring-targets.yaml' });
    expect(text).toBe(
      [
        '### Expiring targets: plan for `expiring-targets.yaml`',
        '',
        '**1 to add, 0 to update, 0 to remove**; 0 unchanged.',
        '',
        '#### segment `beta` (project `default`, environment `production`)',
        '',
        '| change | context | targetType | expires at | line |',
        '|---|---|---|---|---|',
        '| ➕ add | user:a\\|b\\](x) | included | 2031-01-01T00:00:00Z | 7 |',
        '',
      ].join('\n'),
    );
  });
});

const VARIATION = '4254742c-71ae-411f-a992-43b18a51afe0';
const T1 = Date.parse('2031-01-01T00:00:00Z');

describe('planMarkdown, every kind of row', () => {
  it('updates show from → to, removals their time, flags their variation, unread resources their error; unmanaged are counted', async () => {
    const fake = await startFakeLaunchDarkly({
      fault: ({ method, id }) => (method === 'GET' && id === 'segments/default/broken/production' ? '500' : 'none'),
    });
    close = fake.close;
    fake.seed(
      'segments/default/beta/production',
      [
        { contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expirationDate: T1, _version: 4 },
        { contextKind: 'user', contextKey: 'stray', targetType: 'included', expirationDate: T1 + 1000, _version: 1 },
        { contextKind: 'user', contextKey: 'same', targetType: 'included', expirationDate: T1, _version: 1 },
      ],
      'segment',
    );
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: fake.url, maxRetries: 0, logLevel: 'off' });
    const desired = parseDesiredState(`projects:
  default:
    environments:
      production:
        segments:
          beta:
            - { contextKind: user, contextKey: bob, targetType: excluded, expiresAt: 2031-06-30T12:00:00Z }
            - { contextKind: user, contextKey: same, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
          broken: []
        flags:
          checkout:
            - { contextKind: user, contextKey: "x*_#!~<y>\`", variationId: ${VARIATION}, expiresAt: 2031-01-01T00:00:00.250Z }
`);
    const pruned = planMarkdown(await planSync(ld, desired, { prune: true }));
    expect(pruned).toBe(
      [
        '### Expiring targets: plan for the desired state',
        '',
        '⚠️ 1 segment(s) or flag(s) could not be read: the plan is incomplete.',
        '',
        '**1 to add, 1 to update, 1 to remove**; 1 unchanged.',
        '',
        '#### segment `beta` (project `default`, environment `production`)',
        '',
        '| change | context | targetType | expires at | line |',
        '|---|---|---|---|---|',
        '| ✏️ update | user:bob | excluded | 2031-01-01T00:00:00Z → 2031-06-30T12:00:00Z | 7 |',
        '| ➖ remove | user:stray | included | 2031-01-01T00:00:01Z |  |',
        '',
        '#### segment `broken` (project `default`, environment `production`)',
        '',
        // The error's message shows its first 40 characters only.
        'Could not be read: GET /api/v2/segments/default/broken/expi…',
        '',
        '#### flag `checkout` (project `default`, environment `production`)',
        '',
        '| change | context | variationId | expires at | line |',
        '|---|---|---|---|---|',
        `| ➕ add | user:x\\*\\_\\#\\!\\~\\<y\\>\\\` | ${VARIATION} | 2031-01-01T00:00:00.250Z | 12 |`,
        '',
      ].join('\n'),
    );
    const kept = planMarkdown(await planSync(ld, desired), { file: 'a|b.yaml' });
    expect(kept).toContain('### Expiring targets: plan for `a\\|b.yaml`\n');
    expect(kept).toContain(
      '**1 to add, 1 to update, 0 to remove**; 1 unchanged.\n\n1 scheduled removal(s) in LaunchDarkly are not in the file and are left alone.\n',
    );
    expect(kept).not.toContain('stray');
  });

  it('no changes: says LaunchDarkly matches; long values show their start; at most 300 rows, the rest counted', async () => {
    const fake = await startFakeLaunchDarkly();
    close = fake.close;
    const ld = createExpiringTargetsClient({ apiKey: 't', baseUrl: fake.url, logLevel: 'off' });
    const empty = parseDesiredState('projects:\n  p:\n    environments:\n      e:\n        segments:\n          s: []\n');
    expect(planMarkdown(await planSync(ld, empty), { file: 'f.yaml' })).toBe(
      '### Expiring targets: plan for `f.yaml`\n\nNo changes: LaunchDarkly matches `f.yaml`.\n',
    );
    const long = 'k'.repeat(200);
    let yaml = 'projects:\n  p:\n    environments:\n      e:\n        segments:\n';
    for (const s of ['s1', 's2']) {
      yaml += `          ${s}:\n`;
      for (let i = 0; i < 160; i++)
        yaml += `            - { contextKind: user, contextKey: "${i === 0 ? long : `u\\n${i}`}", targetType: included, expiresAt: 2031-01-01T00:00:00Z }\n`;
    }
    const text = planMarkdown(await planSync(ld, parseDesiredState(yaml)));
    const rows = text.split('\n').filter((l) => l.startsWith('| ➕'));
    expect(rows).toHaveLength(300);
    expect(rows[1]).toBe('| ➕ add | user:u 1 | included | 2031-01-01T00:00:00Z | 8 |');
    expect(text.endsWith('\n\n… and 20 more change(s), not shown.\n')).toBe(true);
    const first = rows[0]?.split(' | ')[1] as string;
    expect(first.endsWith('…')).toBe(true);
    expect(first.length).toBeLessThan(long.length);
    expect(long.startsWith(first.slice('user:'.length, -1))).toBe(true);
  });
});
