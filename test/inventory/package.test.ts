/**
 * `ld-expiring-targets/inventory` as users get it: packed, installed outside the repository,
 * imported as ESM and required as CJS next to the main entry, against the fake LaunchDarkly.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticProject } from '../support/fake-catalog.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type PackedConsumer, PACKAGE_NAME, preparePackedConsumer, run } from '../support/packed.js';

const body = `
const ld = createExpiringTargetsClient({ apiKey: 'api-packed-inventory-test', baseUrl: process.env.FAKE_URL });
const removals = [];
for await (const r of scheduledRemovals(ld, { projectKey: 'p', environmentKey: 'e' })) removals.push(r);
const file = exportDesiredState(removals, { projectKey: 'p', environmentKey: 'e' });
let optionsError;
try {
  for await (const r of scheduledRemovals(ld, { projectKey: 'p', environmentKey: 'e', within: 'soon' })) void r;
} catch (error) {
  optionsError = { sameBase: error instanceof ExpiringTargetsError, field: error.issues[0].field };
}
console.log(JSON.stringify({ removals: removals.length, resources: file.resources, optionsError }));
`;
const ESM = `import { createExpiringTargetsClient, ExpiringTargetsError } from '${PACKAGE_NAME}';
import { exportDesiredState, scheduledRemovals } from '${PACKAGE_NAME}/inventory';
${body}`;
const CJS = `const { createExpiringTargetsClient, ExpiringTargetsError } = require('${PACKAGE_NAME}');
const { exportDesiredState, scheduledRemovals } = require('${PACKAGE_NAME}/inventory');
(async () => {${body}})().catch((error) => { console.error(error); process.exit(1); });
`;

let consumer: PackedConsumer;
let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
let expected = 0;
beforeAll(async () => {
  consumer = await preparePackedConsumer({});
  await writeFile(path.join(consumer.dir, 'inventory.mjs'), ESM);
  await writeFile(path.join(consumer.dir, 'inventory.cjs'), CJS);
  const { catalog, seeds } = syntheticProject({ flags: 120, segments: 30, every: 10 });
  fake = await startFakeLaunchDarkly({ catalog });
  for (const s of seeds) fake.seed(s.id, s.targets, s.resource);
  expected = seeds.reduce((n, s) => n + s.targets.length, 0);
}, 600_000);
afterAll(async () => {
  await fake?.close();
  await consumer?.cleanup();
});

describe('the inventory subpath of the packed package', () => {
  it.each(['inventory.mjs', 'inventory.cjs'])(
    "%s: reads every removal through the main entry's client; its errors are the main entry's classes",
    async (script) => {
      const { stdout } = await run(process.execPath, [script], { cwd: consumer.dir, env: { ...process.env, FAKE_URL: fake.url } });
      const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
      expect(out).toEqual({ removals: expected, resources: 15, optionsError: { sameBase: true, field: 'within' } });
    },
  );
});
