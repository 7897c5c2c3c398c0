/**
 * The package as users get it: built, packed with `npm pack`, installed into a project outside
 * this repository, then imported as ESM, required as CJS (each calling the Prism mock for real),
 * and type-checked as a TypeScript consumer under `node16` and `bundler` module resolution.
 * How the tarball is installed without the network: see test/support/packed.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PackedConsumer, PACKAGE_NAME, preparePackedConsumer, run } from '../support/packed.js';
import { projectRoot } from '../support/project.js';

const SEGMENT = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };

// Both scripts do the same thing through the package's public API and print one JSON line.
const body = (load: string, resolved: string) => `
${load}
const ref = ${JSON.stringify(SEGMENT)};
const ld = createExpiringTargetsClient({ apiKey: 'api-packed-test', baseUrl: process.env.PRISM_URL });
const got = await ld.segments.get(ref);
const patched = await ld.segments.patch(ref, [
  segmentInstructions.add({ contextKind: 'user', contextKey: 'carol', targetType: 'included', expiresAt: '2030-01-01T00:00:00Z' }),
]);
let configurationError = false;
try {
  createExpiringTargetsClient({}); // no token and LaunchDarkly's own URL
} catch (error) {
  configurationError = error instanceof ConfigurationError && error instanceof ExpiringTargetsError;
}
console.log(JSON.stringify({
  resolved: ${resolved},
  keys: got.items.map((item) => item.contextKey),
  firstExpiresAt: got.items[0].expiresAt.toISOString(),
  patchOk: patched.ok,
  sent: patched.raw.totalInstructions,
  configurationError,
}));
`;

const ESM_SCRIPT = body(
  `import { createExpiringTargetsClient, segmentInstructions, ConfigurationError, ExpiringTargetsError } from '${PACKAGE_NAME}';`,
  `import.meta.resolve('${PACKAGE_NAME}')`,
);
// CommonJS has no top-level await: wrap it, and fail the process on a rejection.
const CJS_SCRIPT = `const { createExpiringTargetsClient, segmentInstructions, ConfigurationError, ExpiringTargetsError } = require('${PACKAGE_NAME}');
(async () => {${body('', `require.resolve('${PACKAGE_NAME}')`)}})().catch((error) => { console.error(error); process.exit(1); });
`;

// One consumer, valid under every setting: a type error anywhere (or a type that collapsed to
// `any`, which would leave an @ts-expect-error unused) fails the check.
const TS_CONSUMER = `import {
  ConfigurationError,
  createExpiringTargetsClient,
  segmentInstructions,
  type ExpiringTargetsClient,
  type PatchResult,
  type SegmentInstruction,
  type SegmentRef,
} from '${PACKAGE_NAME}';

const ld: ExpiringTargetsClient = createExpiringTargetsClient({ baseUrl: 'http://127.0.0.1:8080/ld-proxy' });
const ref: SegmentRef = ${JSON.stringify(SEGMENT)};

export async function consume(): Promise<boolean> {
  const got = await ld.segments.get(ref);
  const keys: string[] = got.items.map((item) => item.contextKey);
  const when: Date | undefined = got.items[0]?.expiresAt;
  const result: PatchResult<SegmentInstruction> = await ld.segments.patch(ref, [
    segmentInstructions.remove({ contextKind: 'user', contextKey: keys[0] ?? 'alice', targetType: 'excluded' }),
  ]);
  // The raw client is typed from the generated schema, inlined into the declarations.
  const raw = await ld.raw.GET('/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}', {
    params: { path: { projectKey: 'default', segmentKey: 'beta-testers', environmentKey: 'production' } },
  });
  const version: number | undefined = raw.data?.items[0]?._version;
  // @ts-expect-error targetType is 'included' | 'excluded'
  segmentInstructions.remove({ contextKind: 'user', contextKey: 'a', targetType: 'both' });
  // @ts-expect-error not a path of this API
  void ld.raw.GET('/api/v2/flags');
  // @ts-expect-error ok is a boolean
  const notOk: string = result.ok;
  void notOk;
  return result.ok && when !== undefined && version !== undefined && new ConfigurationError('x') instanceof Error;
}
`;

const strict = { strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true };
const TSCONFIGS: Record<string, object> = {
  // Node only: no DOM lib, fetch types from @types/node. esm.mts sees the `import` condition
  // (index.d.ts), cjs.cts the `require` one (index.d.cts).
  'tsconfig.node16.json': {
    compilerOptions: { ...strict, target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] },
    files: ['esm.mts', 'cjs.cts'],
  },
  // A browser app's bundler setup.
  'tsconfig.bundler.json': {
    compilerOptions: { ...strict, target: 'ES2022', module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] },
    files: ['app.ts'],
  },
};

let consumer: PackedConsumer;

beforeAll(async () => {
  consumer = await preparePackedConsumer({ '@types/node': '*' });
  const { dir } = consumer;
  await writeFile(path.join(dir, 'esm.mjs'), ESM_SCRIPT);
  await writeFile(path.join(dir, 'cjs.cjs'), CJS_SCRIPT);
  const types = path.join(dir, 'types');
  await mkdir(types);
  for (const file of ['esm.mts', 'cjs.cts', 'app.ts']) await writeFile(path.join(types, file), TS_CONSUMER);
  for (const [file, config] of Object.entries(TSCONFIGS)) await writeFile(path.join(types, file), JSON.stringify(config, null, 2));
}, 60_000);

afterAll(async () => {
  await consumer?.cleanup();
});

describe('the packed package', () => {
  it('holds the built entries, declarations and README, and nothing from the source tree', () => {
    const files = consumer.files.map((f) => f.path).sort();
    for (const required of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'package.json', 'README.md']) {
      expect(files).toContain(required);
    }
    const declared = ((consumer.manifest.files as string[] | undefined) ?? []).map((f) => f.replace(/^\.\//, ''));
    const allowed = (file: string) =>
      /^(dist\/|package\.json$|README|LICENSE|NOTICE)/.test(file) || declared.some((d) => file === d || file.startsWith(`${d}/`));
    expect(files.filter((file) => !allowed(file))).toEqual([]);
    expect(files.filter((file) => /^(src|test|scripts|generated|bench)\//.test(file))).toEqual(['generated/expiring-targets.openapi.yaml']);
  });

  it('imports nothing at run time but openapi-fetch, a declared dependency, from either entry', async () => {
    for (const entry of ['index.js', 'index.cjs']) {
      const { metafile } = await build({
        entryPoints: [path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', entry)],
        bundle: true,
        write: false,
        metafile: true,
        packages: 'external',
        platform: 'neutral',
        logLevel: 'silent',
      });
      const external = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
      expect([...new Set(external)], entry).toEqual(['openapi-fetch']);
    }
    expect(consumer.manifest.dependencies).toHaveProperty('openapi-fetch');
    expect(consumer.copied['openapi-fetch']).toMatch(/^\d+\.\d+\.\d+/);
  });

  const runScript = async (file: string) => {
    const { stdout } = await run(process.execPath, [file], {
      cwd: consumer.dir,
      env: { ...process.env, PRISM_URL: inject('prismUrl') },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  };
  const expected = {
    keys: ['alice', 'acme'],
    firstExpiresAt: '2030-12-31T00:00:00.000Z',
    patchOk: true,
    sent: 1,
    configurationError: true,
  };

  it('imports as ESM from a project outside the repo and calls the API', async () => {
    const out = await runScript('esm.mjs');
    expect(out).toMatchObject(expected);
    expect(String(out.resolved)).toBe(`file://${path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'index.js')}`);
  });

  it('requires as CommonJS from a project outside the repo and calls the API', async () => {
    const out = await runScript('cjs.cjs');
    expect(out).toMatchObject(expected);
    expect(out.resolved).toBe(path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'index.cjs'));
  });

  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  // Both configs at once: each tsc run takes a few seconds (skipLibCheck is off, so our
  // declarations themselves are checked too).
  it.concurrent.each([
    ['tsconfig.node16.json', ['dist/index.d.cts', 'dist/index.d.ts']],
    ['tsconfig.bundler.json', ['dist/index.d.ts']],
  ])('type-checks a TypeScript consumer with %s', async (config, declarations) => {
    const cwd = path.join(consumer.dir, 'types');
    const result = await run(process.execPath, [tsc, '-p', config, '--listFiles'], { cwd }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc -p ${config} failed:\n${error.stdout ?? String(error)}`);
    });
    // The declarations it used are the installed package's (for node16: the CJS ones for
    // cjs.cts, the ESM ones for esm.mts), and nothing came from this repository but TypeScript's libs.
    const files = result.stdout.split('\n').filter(Boolean);
    const prefix = path.join(consumer.dir, 'node_modules', PACKAGE_NAME) + path.sep;
    expect(files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length)).sort()).toEqual(declarations);
    const typescriptLib = path.join(path.dirname(path.dirname(tsc)), 'lib') + path.sep;
    expect(files.filter((f) => !f.startsWith(consumer.dir + path.sep) && !f.startsWith(typescriptLib))).toEqual([]);
  });
});
