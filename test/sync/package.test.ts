/**
 * `ld-expiring-targets/sync` as users get it: packed, installed outside the repository, imported
 * as ESM and required as CJS next to the main entry, against the stateful fake LaunchDarkly.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type PackedConsumer, PACKAGE_NAME, preparePackedConsumer, run } from '../support/packed.js';
import { projectRoot } from '../support/project.js';

const FILE = `projects:
  p:
    environments:
      e:
        segments:
          beta:
            - { contextKind: user, contextKey: alice, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`;

// Each script works on its own segment (SEGMENT), so both start from empty.
const body = `
const ld = createExpiringTargetsClient({ apiKey: 'api-packed-sync-test', baseUrl: process.env.FAKE_URL });
const text = ${JSON.stringify(FILE)}.replace('beta', process.env.SEGMENT);
const plan = await planSync(ld, parseDesiredState(text));
const applied = await applyPlan(ld, plan);
const again = await planSync(ld, parseDesiredState(text));
let fileError;
try {
  parseDesiredState('projects: {}\\n');
} catch (error) {
  fileError = { sameBase: error instanceof ExpiringTargetsError, own: error instanceof DesiredStateError, line: error.issues[0].line };
}
console.log(JSON.stringify({ add: plan.counts.add, ok: applied.ok, pending: again.hasChanges, fileError }));
`;
const ESM = `import { createExpiringTargetsClient, ExpiringTargetsError } from '${PACKAGE_NAME}';
import { applyPlan, DesiredStateError, parseDesiredState, planSync } from '${PACKAGE_NAME}/sync';
${body}`;
const CJS = `const { createExpiringTargetsClient, ExpiringTargetsError } = require('${PACKAGE_NAME}');
const { applyPlan, DesiredStateError, parseDesiredState, planSync } = require('${PACKAGE_NAME}/sync');
const schema = require('${PACKAGE_NAME}/schemas/expiring-targets.schema.json');
(async () => {${body.replace('console.log(JSON.stringify({', 'console.log(JSON.stringify({ schema: schema.title,')}})().catch((error) => { console.error(error); process.exit(1); });
`;
const TS = `import { createExpiringTargetsClient } from '${PACKAGE_NAME}';
import { type DesiredState, type SyncResult, applyPlan, planSync } from '${PACKAGE_NAME}/sync';
const desired: DesiredState = { resources: [{ resource: 'flag', ref: { projectKey: 'p', environmentKey: 'e', flagKey: 'f' }, targets: [] }] };
export async function go(): Promise<SyncResult> {
  const ld = createExpiringTargetsClient({ apiKey: 'x', baseUrl: 'http://127.0.0.1:1' });
  return applyPlan(ld, await planSync(ld, desired));
}
// @ts-expect-error a segment's entries need targetType
export const wrong: DesiredState = { resources: [{ resource: 'segment', ref: { projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, targets: [{ contextKind: 'user', contextKey: 'a', expiresAt: 0 }] }] };
`;

let consumer: PackedConsumer;
let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
beforeAll(async () => {
  consumer = await preparePackedConsumer({ '@types/node': '*' });
  await writeFile(path.join(consumer.dir, 'sync.mjs'), ESM);
  await writeFile(path.join(consumer.dir, 'sync.cjs'), CJS);
  await writeFile(path.join(consumer.dir, 'sync-app.mts'), TS);
  await writeFile(
    path.join(consumer.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, types: ['node'] },
      files: ['sync-app.mts'],
    }),
  );
  fake = await startFakeLaunchDarkly();
}, 600_000);
afterAll(async () => {
  await fake?.close();
  await consumer?.cleanup();
});

describe('the sync subpath of the packed package', () => {
  it("ships the JSON Schema, and only the sync entry imports js-yaml (a declared dependency) and Node's file modules", async () => {
    expect(consumer.files).toContain('schemas/expiring-targets.schema.json');
    expect(consumer.manifest.dependencies).toHaveProperty('js-yaml');
    for (const [entry, external] of [
      ['index.js', ['openapi-fetch']],
      // The sync entry shares the client's chunk (openapi-fetch), parses YAML, and reads and hashes files with Node's own modules.
      ['sync.js', ['openapi-fetch', 'js-yaml', 'crypto', 'fs', 'fs/promises']],
      ['sync.cjs', ['openapi-fetch', 'js-yaml', 'crypto', 'fs', 'fs/promises']],
    ] as const) {
      const { metafile } = await build({
        entryPoints: [path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', entry)],
        bundle: true,
        write: false,
        metafile: true,
        packages: 'external',
        platform: 'neutral',
        logLevel: 'silent',
      });
      const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
      expect([...new Set(imports)], entry).toEqual(external);
    }
  });

  it.each(['sync.mjs', 'sync.cjs'])(
    "%s: plans and applies through the main entry's client; its errors are the main entry's classes",
    async (script) => {
      const { stdout } = await run(process.execPath, [script], {
        cwd: consumer.dir,
        env: { ...process.env, FAKE_URL: fake.url, SEGMENT: script.replace('.', '-') },
      });
      const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
      expect(out).toMatchObject({ add: 1, ok: true, pending: false, fileError: { sameBase: true, own: true, line: 1 } });
      if (script === 'sync.cjs') expect(out.schema).toBe('LaunchDarkly expiring targets as code');
    },
  );

  it('type-checks a TypeScript consumer of the subpath (node16)', async () => {
    const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer.dir }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout ?? String(error)}`);
    });
    // A full type check takes 10-20 s on an idle 2-core machine; allow for a busy one.
  }, 180_000);
});
