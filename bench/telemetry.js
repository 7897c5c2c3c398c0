// @ts-check
/**
 * `npm run bench:telemetry`: what logging and instrumentation cost, side by side in one run with
 * the build before them (a git ref, default 414ac6a, the last commit before them; give another
 * with `--before=<ref>`).
 *
 *   1. Per request: sequential PATCHes to a local keep-alive node:http server through
 *      - the build before (default options),
 *      - this build with default options (`warn` to the console: nothing is written when calls succeed),
 *      - this build with `logLevel: 'off'` and nothing registered,
 *      - this build at `info` to a no-op logger, `registerInstrumentation()` over the API's no-op
 *        providers (no SDK),
 *      - the same over OpenTelemetry's SDK with no processor or reader (spans made, sent nowhere),
 *      interleaved in rounds; the median of the rounds' means, as a ratio to the build before.
 *   2. Browser bundle of one `segments.patch` (esbuild, browser, minified, gzip 9): what the page
 *      loads first, before and now.
 *   3. Cold import, whole process: `node` importing the package, before and now, alternated.
 *
 * Runs against the built dist/ (`npm run bench:telemetry` builds first); the build before is
 * built from `git archive <ref>` in a temporary folder that borrows this node_modules.
 * Traffic goes to 127.0.0.1 only; every loop is bounded. Prints its figures; with --write (and
 * not --quick), also writes bench/telemetry-results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleForBrowser, onePatchPage, total } from './page-bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
// The build before logging and telemetry came in (issue 24): the baseline its goals are stated against.
const beforeRef = argv.find((a) => a.startsWith('--before='))?.slice('--before='.length) ?? '414ac6a';
// Tracked files change only when asked: a plain run leaves the tree clean.
const write = argv.includes('--write');
const GOALS = { offRatio: 1.05, infoRatio: 1.1, bundleGrowthGzipBytes: 300 };
const ROUNDS = quick ? 5 : 15;
const PER_ROUND = quick ? 100 : 300;
const IMPORT_SPAWNS = quick ? 6 : 20;

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? /** @type {number} */ (s[m]) : /** @type {number} */ (s[m - 1] + /** @type {number} */ (s[m])) / 2;
};
const round = (/** @type {number} */ x, digits = 3) => Number(x.toFixed(digits));

/** Builds the package as it was at `ref`, in a temporary folder; answers that folder. */
function buildBefore(ref) {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `ld-et-bench-before-${sha}`);
  if (!existsSync(path.join(dir, 'dist', 'index.js'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['archive', '--format=tar', sha], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
      cwd: dir,
      stdio: 'ignore',
      timeout: 300_000,
    });
  }
  return { sha, dir };
}

const RESPONSE = JSON.stringify({ items: [], errors: [] });

async function startServer() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(RESPONSE), 'X-Request-Id': 'bench' });
      res.end(RESPONSE);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

const REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const noop = () => {};
const noopLogger = { error: noop, warn: noop, info: noop, debug: noop };

async function perRequest(beforeDir, baseUrl) {
  const before = await import(pathToFileURL(path.join(beforeDir, 'dist', 'index.js')).href);
  const now = await import(pathToFileURL(path.join(root, 'dist', 'index.js')).href);
  const { registerInstrumentation } = await import(pathToFileURL(path.join(root, 'dist', 'otel.js')).href);
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const sdk = { tracerProvider: new BasicTracerProvider(), meterProvider: new MeterProvider() };
  const patchWith = (lib, client) => async () => {
    const r = await client.segments.patch(REF, [
      lib.segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-01-01T00:00:00Z' }),
    ]);
    if (!r.ok) throw new Error('not ok');
  };
  const apiKey = 'api-bench-token';
  /** @type {Record<string, { run: () => Promise<void>, register?: () => () => void }>} */
  const variants = {
    'before (default options)': { run: patchWith(before, before.createExpiringTargetsClient({ apiKey, baseUrl })) },
    'now (default options: warn to console)': { run: patchWith(now, now.createExpiringTargetsClient({ apiKey, baseUrl })) },
    'now, logLevel off, nothing registered': { run: patchWith(now, now.createExpiringTargetsClient({ apiKey, baseUrl, logLevel: 'off' })) },
    'now, info to a no-op logger, instrumentation over the no-op API': {
      run: patchWith(now, now.createExpiringTargetsClient({ apiKey, baseUrl, logLevel: 'info', logger: noopLogger })),
      register: () => registerInstrumentation(),
    },
    'now, info to a no-op logger, instrumentation over an SDK exporting nowhere': {
      run: patchWith(now, now.createExpiringTargetsClient({ apiKey, baseUrl, logLevel: 'info', logger: noopLogger })),
      register: () => registerInstrumentation(sdk),
    },
  };
  /** @type {Record<string, number[]>} */
  const means = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  // Warm-up: connections, JIT, the lazily loaded modules.
  for (const v of Object.values(variants)) {
    const off = v.register?.();
    for (let i = 0; i < 50; i++) await v.run();
    off?.();
  }
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order, so no variant always runs first (or last) in a round.
    const order = r % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse();
    for (const [name, v] of order) {
      const off = v.register?.();
      const t0 = performance.now();
      for (let i = 0; i < PER_ROUND; i++) await v.run();
      means[name]?.push(((performance.now() - t0) * 1000) / PER_ROUND);
      off?.();
    }
  }
  const base = median(/** @type {number[]} */ (means['before (default options)']));
  return Object.fromEntries(
    Object.entries(means).map(([name, xs]) => [name, { usPerRequest: round(median(xs), 1), ratio: round(median(xs) / base) }]),
  );
}

/** Gzipped bytes of what the page of one `segments.patch` loads first, with the client at `entryPath`. */
async function bundleGzipBytes(entryPath) {
  const { initial } = await bundleForBrowser({ contents: onePatchPage(entryPath), resolveDir: root });
  return total(initial, 'gzipBytes');
}

function coldImportMs(entryPath) {
  const code = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(entryPath).href)});console.log(performance.now()-t)`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  return Number(out.stdout.trim());
}

const loadBefore = os.loadavg()[0] ?? 0;
const { sha, dir } = buildBefore(beforeRef);
const server = await startServer();
const requests = await perRequest(dir, server.url);
await server.close();
const before = { bundle: await bundleGzipBytes(path.join(dir, 'dist', 'index.js')), imports: /** @type {number[]} */ ([]) };
const now = { bundle: await bundleGzipBytes(path.join(root, 'dist', 'index.js')), imports: /** @type {number[]} */ ([]) };
for (let i = 0; i < IMPORT_SPAWNS; i++) {
  before.imports.push(coldImportMs(path.join(dir, 'dist', 'index.js')));
  now.imports.push(coldImportMs(path.join(root, 'dist', 'index.js')));
}
const results = {
  before: `${beforeRef} (${sha})`,
  node: process.version,
  cpus: os.cpus().length,
  loadAverage1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0] ?? 0, 2) },
  rounds: ROUNDS,
  requestsPerRound: PER_ROUND,
  perRequest: requests,
  bundleGzipBytes: { before: before.bundle, now: now.bundle, growth: now.bundle - before.bundle },
  coldImportMs: {
    before: round(median(before.imports), 1),
    now: round(median(now.imports), 1),
    ratio: round(median(now.imports) / median(before.imports)),
  },
  goals: GOALS,
};
console.table(Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, v])));
console.log(
  `bundle of one segments.patch, gzip: ${before.bundle} B before, ${now.bundle} B now (${now.bundle - before.bundle >= 0 ? '+' : ''}${now.bundle - before.bundle} B; goal <= +${GOALS.bundleGrowthGzipBytes} B)`,
);
console.log(`cold import: ${results.coldImportMs.before} ms before, ${results.coldImportMs.now} ms now (x${results.coldImportMs.ratio})`);
console.log(`load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0]?.toFixed(2)} (${os.cpus().length} cores)`);
if (write && !quick) await writeFile(path.join(root, 'bench', 'telemetry-results.json'), `${JSON.stringify(results, null, 2)}\n`);
