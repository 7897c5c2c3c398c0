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
