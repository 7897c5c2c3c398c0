// A sync as one span over its patchAll runs, with context carried across awaits as the Node SDK
// does (AsyncLocalStorage).
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createExpiringTargetsClient } from '../../src/index.js';
import { applyPlan, parseDesiredState, planSync } from '../../src/sync/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type CapturedTelemetry, captureTelemetry } from '../support/telemetry.js';

const FILE = `projects:
  default:
    environments:
      production:
        segments:
          beta:
            - { contextKind: user, contextKey: alice, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
          gamma:
            - { contextKind: user, contextKey: bob, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`;

let otel: CapturedTelemetry;
const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
  otel = captureTelemetry();
});
afterAll(async () => {
  await otel.stop();
  context.disable();
});

it('makes applyPlan one span, the parent of each resource’s patchAll run, its fates counted', async () => {
  const fake = await startFakeLaunchDarkly({});
  try {
    const ld = createExpiringTargetsClient({ apiKey: 'api-sync-token-0004', baseUrl: fake.url, logLevel: 'off' });
    const plan = await planSync(ld, parseDesiredState(FILE));
    otel.reset();
    const result = await applyPlan(ld, plan);
    expect(result.counts).toMatchObject({ total: 2, applied: 2 });
    const spans = otel.spans();
    const sync = spans.find((s) => s.name === 'sync');
    const runs = spans.filter((s) => s.name === 'patchAll');
    expect(runs).toHaveLength(2);
    for (const run of runs) expect(run.parentSpanContext?.spanId).toBe(sync?.spanContext().spanId);
    expect(sync?.attributes).toMatchObject({
      'ld_expiring_targets.resources': 2,
      'ld_expiring_targets.instructions.total': 2,
      'ld_expiring_targets.instructions.applied': 2,
    });
    expect(sync?.attributes['error.type']).toBeUndefined();
  } finally {
    await fake.close();
  }
});
