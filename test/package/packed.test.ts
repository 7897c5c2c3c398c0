/**
 * The package as users get it: packed with `npm pack` from a clean copy of the checkout (its
 * `prepack` builds dist/), installed into a project outside this repository, then imported as ESM,
 * required as CJS (each calling the Prism mock for real), type-checked as a TypeScript consumer
 * under `node16` and `bundler` module resolution, and its command line run as the README shows.
 * How the tarball is made and installed without the network: see test/support/packed.ts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
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

// The proxy subpath: mounted in node:http in front of Prism, with the client (no token) calling it.
const proxyBody = (resolved: string) => `
const proxy = createExpiringTargetsProxy({
  apiKey: 'api-packed-proxy',
  baseUrl: process.env.PRISM_URL,
  basePath: '/ld-proxy',
  authorize: ({ projectKey }) => ({ allow: projectKey === 'default', actor: 'packed' }),
  onAudit: (event) => audited.push([event.outcome, event.status, event.actor]),
});
const audited = [];
const server = http.createServer(createNodeListener(proxy));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const proxied = createExpiringTargetsClient({ baseUrl: 'http://127.0.0.1:' + server.address().port + '/ld-proxy', maxRetries: 0 });
const viaProxy = await proxied.segments.get(ref);
const refused = await proxied.segments.get({ ...ref, projectKey: 'other' }).catch((error) => error.status);
server.close();
let proxyConfigurationError = false;
try {
  createExpiringTargetsProxy({ apiKey: 'api-packed-proxy' }); // no authorize
} catch (error) {
  proxyConfigurationError = error instanceof ConfigurationError && error instanceof ProxyConfigurationError;
}
console.log(JSON.stringify({
  resolvedProxy: ${resolved},
  proxyKeys: viaProxy.items.map((item) => item.contextKey),
  refused,
  audited,
  proxyConfigurationError,
  sameClass: ConfigurationError === ProxyConfigurationError,
}));
`;

const ESM_SCRIPT =
  body(
    `import { createExpiringTargetsClient, segmentInstructions, ConfigurationError, ExpiringTargetsError } from '${PACKAGE_NAME}';
import { createExpiringTargetsProxy, createNodeListener, ConfigurationError as ProxyConfigurationError } from '${PACKAGE_NAME}/proxy';
import http from 'node:http';`,
    `import.meta.resolve('${PACKAGE_NAME}')`,
  ) + proxyBody(`import.meta.resolve('${PACKAGE_NAME}/proxy')`);
// CommonJS has no top-level await: wrap it, and fail the process on a rejection.
const CJS_SCRIPT = `const { createExpiringTargetsClient, segmentInstructions, ConfigurationError, ExpiringTargetsError } = require('${PACKAGE_NAME}');
const { createExpiringTargetsProxy, createNodeListener, ConfigurationError: ProxyConfigurationError } = require('${PACKAGE_NAME}/proxy');
const http = require('node:http');
(async () => {${body('', `require.resolve('${PACKAGE_NAME}')`)}${proxyBody(`require.resolve('${PACKAGE_NAME}/proxy')`)}})().catch((error) => { console.error(error); process.exit(1); });
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
import {
  createExpiringTargetsProxy,
  createNodeListener,
  type ExpiringTargetsProxy,
  type NodeRequestListener,
  type ProxyAuditEvent,
  type ProxyCall,
} from '${PACKAGE_NAME}/proxy';

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

// The proxy subpath's types: the call is a union narrowed by operation, the actor type flows to audit events.
export const proxy: ExpiringTargetsProxy = createExpiringTargetsProxy<{ user: string }>({
  apiKey: 'api-consumer',
  basePath: '/ld-proxy',
  authorize: (call: ProxyCall) =>
    call.operation === 'get' || call.instructions.every((i) => i.contextKind === 'user') ? { allow: true, actor: { user: 'alice' } } : false,
  onAudit: (event: ProxyAuditEvent<{ user: string }>) => {
    const who: string | undefined = event.actor?.user;
    void who;
  },
});
// @ts-expect-error authorize is required
createExpiringTargetsProxy({ apiKey: 'api-consumer' });
export const listener: NodeRequestListener = createNodeListener(proxy);
export const answered: Promise<Response> = proxy(new Request('http://localhost/ld-proxy/api/v2/segments/p/s/expiring-targets/e'));
`;

// Only where Node's types are loaded: the adapter takes node:http's request and response as they are.
const NODE_SERVER = `import * as http from 'node:http';
import { createExpiringTargetsProxy, createNodeListener } from '${PACKAGE_NAME}/proxy';

const proxy = createExpiringTargetsProxy({ apiKey: 'api-consumer', authorize: () => true });
export const server: http.Server = http.createServer(createNodeListener(proxy));
`;

const strict = { strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true };
const TSCONFIGS: Record<string, object> = {
  // Node only: no DOM lib, fetch types from @types/node. esm.mts sees the `import` condition
  // (index.d.ts), cjs.cts the `require` one (index.d.cts).
  'tsconfig.node16.json': {
    compilerOptions: { ...strict, target: 'ES2022', module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] },
    files: ['esm.mts', 'cjs.cts', 'node-server.mts', 'node-server.cts'],
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
  for (const file of ['node-server.mts', 'node-server.cts']) await writeFile(path.join(types, file), NODE_SERVER);
  for (const [file, config] of Object.entries(TSCONFIGS)) await writeFile(path.join(types, file), JSON.stringify(config, null, 2));
}, 300_000);

afterAll(async () => {
  await consumer?.cleanup();
});

describe('the packed package', () => {
  it('holds the built entries, declarations, CLI, LICENSE and README, and nothing from the source tree', () => {
    const files = [...consumer.files].sort();
    const entries = ['index', 'proxy'].flatMap((entry) => ['js', 'cjs', 'd.ts', 'd.cts'].map((ext) => `dist/${entry}.${ext}`));
    for (const required of [...entries, 'dist/cli.js', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      expect(files).toContain(required);
    }
    const declared = ((consumer.manifest.files as string[] | undefined) ?? []).map((f) => f.replace(/^\.\//, ''));
    const allowed = (file: string) =>
      /^(dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts)$|package\.json$|README\.md$|LICENSE$|NOTICE$)/.test(file) ||
      declared.some((d) => file === d || file.startsWith(`${d}/`));
    expect(files.filter((file) => !allowed(file))).toEqual([]);
    expect(files.filter((file) => /^(src|test|scripts|generated|bench)\//.test(file))).toEqual(['generated/expiring-targets.openapi.yaml']);
  });

  it('ships the whole Apache License 2.0 that package.json names', async () => {
    expect(consumer.manifest.license).toBe('Apache-2.0');
    const licence = await readFile(path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s/);
    for (let section = 1; section <= 9; section++) expect(licence).toMatch(new RegExp(`^\\s+${section}\\. [A-Z]`, 'm'));
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });

  it('declares Prism as an optional peer dependency, at the range this repository tests with', () => {
    const { peerDependencies, peerDependenciesMeta, devDependencies } = consumer.manifest;
    expect(peerDependenciesMeta).toEqual({
      '@stoplight/prism-cli': { optional: true },
      '@opentelemetry/api': { optional: true },
      '@tanstack/query-core': { optional: true },
    });
    expect(peerDependencies?.['@stoplight/prism-cli']).toMatch(/^\d+\.\d+$/);
    expect(peerDependencies?.['@stoplight/prism-cli']).toBe(devDependencies?.['@stoplight/prism-cli']);
    expect(consumer.copied['@stoplight/prism-cli']).toBeUndefined();
    // TanStack Query's core, for the types of ld-expiring-targets/query only: the range starts at the version tested.
    expect(peerDependencies?.['@tanstack/query-core']).toBe(`^${devDependencies?.['@tanstack/query-core']}`);
  });

  it('imports nothing at run time but openapi-fetch, a declared dependency, from the client entries, and nothing at all from the proxy or the query options', async () => {
    const expectedExternals: Record<string, string[]> = {
      'index.js': ['openapi-fetch'],
      'index.cjs': ['openapi-fetch'],
      'proxy.js': [],
      'proxy.cjs': [],
      'query.js': [],
      'query.cjs': [],
    };
    for (const [entry, expectedExternal] of Object.entries(expectedExternals)) {
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
      expect([...new Set(external)], entry).toEqual(expectedExternal);
    }
    expect(consumer.manifest.dependencies).toHaveProperty('openapi-fetch');
    expect(consumer.copied['openapi-fetch']).toMatch(/^\d+\.\d+\.\d+/);
  });

  const expected = {
    keys: ['alice', 'acme'],
    firstExpiresAt: '2030-12-31T00:00:00.000Z',
    patchOk: true,
    sent: 1,
    configurationError: true,
  };
  const expectedThroughProxy = {
    proxyKeys: ['alice', 'acme'],
    refused: 403,
    audited: [
      ['forwarded', 200, 'packed'],
      ['denied', 403, 'packed'],
    ],
    proxyConfigurationError: true,
    sameClass: true,
  };
  const runBoth = async (file: string) => {
    const { stdout } = await run(process.execPath, [file], { cwd: consumer.dir, env: { ...process.env, PRISM_URL: inject('prismUrl') } });
    const [client, proxy] = stdout
      .trim()
      .split('\n')
      .slice(-2)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { client: client!, proxy: proxy! };
  };

  it('imports as ESM from a project outside the repo and calls the API, directly and through the proxy subpath', async () => {
    const { client, proxy } = await runBoth('esm.mjs');
    expect(client).toMatchObject(expected);
    expect(String(client.resolved)).toBe(`file://${path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'index.js')}`);
    expect(proxy).toMatchObject(expectedThroughProxy);
    expect(String(proxy.resolvedProxy)).toBe(`file://${path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'proxy.js')}`);
  });

  it('requires as CommonJS from a project outside the repo and calls the API, directly and through the proxy subpath', async () => {
    const { client, proxy } = await runBoth('cjs.cjs');
    expect(client).toMatchObject(expected);
    expect(client.resolved).toBe(path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'index.cjs'));
    expect(proxy).toMatchObject(expectedThroughProxy);
    expect(proxy.resolvedProxy).toBe(path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'proxy.cjs'));
  });

  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  // Both configs at once: each tsc run takes a few seconds (skipLibCheck is off, so our
  // declarations themselves are checked too).
  // Declarations the entries share are emitted as hashed chunks per format.
  const SHARED = /\/[\w-]+-[\w-]{8}\.d\.(c?ts)$/;
  it.concurrent.each([
    [
      'tsconfig.node16.json',
      ['dist/[shared].d.cts', 'dist/[shared].d.ts', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/proxy.d.cts', 'dist/proxy.d.ts'],
    ],
    ['tsconfig.bundler.json', ['dist/[shared].d.ts', 'dist/index.d.ts', 'dist/proxy.d.ts']],
  ])(
    'type-checks a TypeScript consumer with %s',
    async (config, declarations) => {
      const cwd = path.join(consumer.dir, 'types');
      const result = await run(process.execPath, [tsc, '-p', config, '--listFiles'], { cwd }).catch((error: { stdout?: string }) => {
        throw new Error(`tsc -p ${config} failed:\n${error.stdout ?? String(error)}`);
      });
      // The declarations it used are the installed package's (for node16: the CJS ones for
      // cjs.cts, the ESM ones for esm.mts), and nothing came from this repository but TypeScript's libs.
      const files = result.stdout.split('\n').filter(Boolean);
      const prefix = path.join(consumer.dir, 'node_modules', PACKAGE_NAME) + path.sep;
      const used = files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).replace(SHARED, '/[shared].d.$1'));
      // (How many shared chunks there are is the bundler's business: three entries make two per format.)
      expect([...new Set(used)].sort()).toEqual(declarations);
      const typescriptLib = path.join(path.dirname(path.dirname(tsc)), 'lib') + path.sep;
      expect(files.filter((f) => !f.startsWith(consumer.dir + path.sep) && !f.startsWith(typescriptLib))).toEqual([]);
      // Two full type checks at once take 20 s on an idle 2-core machine; allow for a busy one.
    },
    180_000,
  );
});

/**
 * The README's command-line examples, run as written in the consumer project right after the
 * install: the first `npx ld-expiring-targets` command of the README must work with no token and
 * no network; the `--mock` example fails naming one command until that command has been run.
 */
describe("the README's command-line examples, after installing the tarball", () => {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  // Shell commands of the README's sh blocks, with line continuations joined and comments dropped.
  const commands = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap(([, block]) =>
    block!
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  const cliCommands = commands.filter((c) => c.startsWith('npx ld-expiring-targets ') || c.startsWith('ld-expiring-targets '));
  const first = cliCommands[0]!;
  const mockExample = cliCommands.find((c) => / --mock( |$)/.test(c))!;

  // sh, from the consumer's folder, without LD_API_KEY, and with npm offline: a command that
  // needed the registry would fail here instead of quietly downloading.
  const shell = (command: string) =>
    run('sh', ['-c', command], {
      cwd: consumer.dir,
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_API_KEY')), npm_config_offline: 'true' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );

  it('the installed bin answers --help', async () => {
    const help = await shell('npx ld-expiring-targets --help');
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}ld-expiring-targets <segment\|flag> <command> \[options\]$/m);
  });

  it('the first example works as written, with no token and no network', async () => {
    expect(first).toMatch(/^npx ld-expiring-targets /);
    expect(first).not.toMatch(/--mock|--base-url|LD_API_KEY|--token/);
    const result = await shell(first);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/"kind":"addExpiringTarget"/);
  });

  it('--mock names one command, the one the README shows before it; once run, the --mock example works', async () => {
    const before = await shell(mockExample);
    expect(before.code).toBe(2);
    const named = /Install it with: (.+)$/m.exec(before.stderr)?.[1];
    expect(named).toBeDefined();
    expect(before.stderr.match(/npm (install|i) /g)).toHaveLength(1);
    // The README shows that same command as the example's prerequisite, before the example.
    expect(commands.indexOf(named!)).toBeGreaterThanOrEqual(0);
    expect(commands.indexOf(named!)).toBeLessThan(commands.indexOf(mockExample));
    expect(commands.filter((c) => c.includes('@stoplight/prism-cli')).every((c) => c === named)).toBe(true);

    // Running that command needs the registry; installing the very package and range it names from
    // this repository's node_modules (how the tarball's own dependencies got there) stands in for it.
    const spec = /^npm install --save-dev (@[^@\s]+\/[^@\s]+|[^@\s]+)@(\S+)$/.exec(named!);
    expect(spec).not.toBeNull();
    await consumer.install({ [spec![1]!]: spec![2]! });
    expect(consumer.copied[spec![1]!]).toBeDefined();

    const after = await shell(mockExample);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/\sapplied$/m);
  }, 120_000);
});
