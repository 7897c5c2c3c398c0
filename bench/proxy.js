// @ts-check
/**
 * `npm run bench` (after bench/client.js): what the proxy costs, side by side with the build
 * before a given commit (`--baseline <git ref>`, default the last commit before the proxy's
 * abuse bounds), both measured in one run.
 *
 * 1. CPU per request. An upstream node:http server on 127.0.0.1 answers every request at once
 *    with a fixed JSON body. The same request (GET, and a one-instruction PATCH) is sent with the
 *    global fetch (keep-alive) straight to the upstream with the token, or through this build's
 *    proxy, or through the baseline's, each mounted in node:http through createNodeListener. The
 *    three alternate one by one (the order rotates), so all see the same machine load. Added CPU
 *    = proxied − direct CPU time of this process per request; the goal is this build's added CPU
 *    at most 1.05 × the baseline's.
 * 2. Peak RSS under 50 concurrent anonymous PATCHes of realistic 1 MiB bodies (about 8,000 valid
 *    instructions each, refused by authorize), of a child process running only the proxy: this
 *    build's and the baseline's, one after the other. Goal: ≤ 256 MB.
 *
 * Both builds are bundled here from source with esbuild (the baseline's from `git archive`), the
 * same way. Prints a table and, unless --quick, writes its figures to .bench/ (bench/proxy-results.json with --write). Traffic goes to
 * 127.0.0.1 only.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const baselineArg = process.argv.find((a) => a.startsWith('--baseline='));
const BASELINE = baselineArg ? baselineArg.slice('--baseline='.length) : 'c1bdb88';
const ROUNDS = quick ? 300 : 2000;
const WARMUP = quick ? 100 : 300;
const CONCURRENT = 50;
const GOALS = { addedCpuRatio: 1.05, peakRssBytes: 256 * 1000 * 1000 };

const TOKEN = 'api-bench-proxy-0000';
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const PATH = '/api/v2/segments/default/beta-testers/expiring-targets/production';
const TARGET = { contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: 1924992000000, _version: 1 };
const GET_BODY = JSON.stringify({ items: [{ _id: '1', _resourceId: {}, ...TARGET }] });
const PATCH_BODY = JSON.stringify({
  items: [{ _id: '1', _resourceId: {}, ...TARGET }],
  totalInstructions: 1,
  successfulInstructions: 1,
  failedInstructions: 0,
  errors: [],
});
const add = (/** @type {number} */ i) => ({
  kind: 'addExpiringTarget',
  contextKind: 'user',
  contextKey: `user-${i}@example.com`,
  targetType: 'included',
  value: 1924992000000,
});
const INSTRUCTIONS = JSON.stringify({ instructions: [add(0)] });
/** A realistic 1 MiB body: valid instructions, as many as fit. */
const BIG_BODY = (() => {
  const instructions = [];
  let size = 20;
  for (let i = 0; ; i++) {
    const next = JSON.stringify(add(i)).length + 1;
    if (size + next > 1024 * 1024) break;
    instructions.push(add(i));
    size += next;
  }
  return JSON.stringify({ instructions });
})();
/** What the browser client sends (without a token); direct calls add the token. */
const CLIENT_HEADERS = { 'LD-API-Version': '20240415', 'X-LaunchDarkly-User-Agent': 'ld-expiring-targets/bench' };

/** Bundles src/proxy/index.ts of `sourceRoot` into one ES module in `dir`. */
async function bundle(/** @type {string} */ sourceRoot, /** @type {string} */ dir, /** @type {string} */ name) {
  const outfile = path.join(dir, `${name}.mjs`);
  await build({
    entryPoints: [path.join(sourceRoot, 'src/proxy/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-proxy-'));
const baselineRoot = path.join(scratch, 'baseline');
execFileSync('mkdir', ['-p', baselineRoot]);
execFileSync('sh', ['-c', `git -C "${root}" archive "${BASELINE}" src generated | tar -x -C "${baselineRoot}"`]);
const builds = { current: await bundle(root, scratch, 'current'), baseline: await bundle(baselineRoot, scratch, 'baseline') };

/** @param {http.RequestListener} listener */
async function serve(listener) {
  const server = http.createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

const upstream = await serve((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = req.method === 'PATCH' ? PATCH_BODY : GET_BODY;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Request-Id': 'bench' });
    res.end(body);
  });
});

/** The proxy of one build, mounted in node:http in this process. */
async function mountBuild(/** @type {string} */ file) {
  const { createExpiringTargetsProxy, createNodeListener } = await import(pathToFileURL(file).href);
  const proxy = createExpiringTargetsProxy({ apiKey: TOKEN, baseUrl: upstream.url, basePath: '/ld-proxy', authorize: () => true });
  return serve(createNodeListener(proxy));
}
const servers = { current: await mountBuild(builds.current), baseline: await mountBuild(builds.baseline) };

/** CPU time this process spent (all threads), in microseconds. */
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** @typedef {{ url: string, init: RequestInit }} Call */
/** @param {'GET' | 'PATCH'} method @param {string} base @param {boolean} withToken @returns {Call} */
function call(method, base, withToken) {
  const body = method === 'PATCH' ? { body: INSTRUCTIONS } : {};
  const type = method === 'PATCH' ? { 'Content-Type': SEMANTIC } : {};
  return {
    url: `${base}${PATH}`,
    init: { method, headers: { ...CLIENT_HEADERS, ...type, ...(withToken && { Authorization: TOKEN }) }, ...body },
  };
}

/** One request; its wall-clock ms, and its CPU µs added to `cpu`. @param {Call} c @param {{ us: number }} cpu */
async function timed(c, cpu) {
  const before = cpuUs();
  const t = performance.now();
  const response = await fetch(c.url, c.init);
  await response.text();
  const elapsed = performance.now() - t;
  cpu.us += cpuUs() - before;
  if (response.status !== 200) throw new Error(`${c.init.method} ${c.url} answered ${response.status}`);
  return elapsed;
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round = (/** @type {number} */ x, digits = 3) => Number(x.toFixed(digits));

/** Direct, this build and the baseline, one by one, the order rotating every round. @param {'GET' | 'PATCH'} method */
async function series(method) {
  const sides = {
    direct: call(method, upstream.url, true),
    current: call(method, `${servers.current.url}/ld-proxy`, false),
    baseline: call(method, `${servers.baseline.url}/ld-proxy`, false),
  };
  const names = /** @type {(keyof typeof sides)[]} */ (Object.keys(sides));
  const cpu = { direct: { us: 0 }, current: { us: 0 }, baseline: { us: 0 } };
  /** @type {Record<string, number[]>} */ const times = { direct: [], current: [], baseline: [] };
  for (let i = 0; i < WARMUP; i++) for (const name of names) await timed(sides[name], { us: 0 });
  for (let i = 0; i < ROUNDS; i++) {
    for (let j = 0; j < names.length; j++) {
      const name = /** @type {keyof typeof sides} */ (names[(i + j) % names.length]);
      times[name]?.push(await timed(sides[name], cpu[name]));
    }
  }
  const perRequest = (/** @type {keyof typeof sides} */ name) => cpu[name].us / ROUNDS;
  const added = { current: perRequest('current') - perRequest('direct'), baseline: perRequest('baseline') - perRequest('direct') };
  return {
    cpuUsPerRequest: {
      direct: Math.round(perRequest('direct')),
      current: Math.round(perRequest('current')),
      baseline: Math.round(perRequest('baseline')),
    },
    addedCpuUsPerRequest: { current: Math.round(added.current), baseline: Math.round(added.baseline) },
    addedCpuRatio: round(added.current / added.baseline),
    medianMs: {
      direct: round(median(times.direct ?? [])),
      current: round(median(times.current ?? [])),
      baseline: round(median(times.baseline ?? [])),
    },
  };
}

/** Peak RSS of a child running only `file`'s proxy, under CONCURRENT anonymous 1 MiB PATCHes. */
async function peakRss(/** @type {string} */ file) {
  const child = fork(path.join(root, 'bench/proxy-child.js'), [file, upstream.url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /** @returns {Promise<number>} */
  const next = (/** @type {string} */ key) =>
    new Promise((resolve) => {
      const on = (/** @type {Record<string, number>} */ m) => {
        if (key in m) {
          child.off('message', on);
          resolve(/** @type {number} */ (m[key]));
        }
      };
      child.on('message', on);
    });
  const port = await next('port');
  const agent = new http.Agent({ keepAlive: false, maxSockets: CONCURRENT });
  const send = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'PATCH',
          path: `/ld-proxy${PATH}`,
          agent,
          headers: { 'Content-Type': SEMANTIC, 'Content-Length': Buffer.byteLength(BIG_BODY) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(BIG_BODY);
    });
  const startRss = (child.send('rss'), await next('rss'));
  const statuses = await Promise.all(Array.from({ length: CONCURRENT }, send));
  const peak = (child.send('rss'), await next('rss'));
  child.kill();
  agent.destroy();
  return { idleBytes: startRss, peakBytes: peak, statuses: [...new Set(statuses)].join(', ') };
}

const loadBefore = os.loadavg()[0] ?? 0;
/** @type {Record<string, Awaited<ReturnType<typeof series>>>} */
const cpuSeries = {};
/** @type {Record<string, Awaited<ReturnType<typeof peakRss>>>} */
const rss = {};
try {
  for (const method of /** @type {const} */ (['GET', 'PATCH'])) cpuSeries[method] = await series(method);
  rss.current = await peakRss(builds.current);
  rss.baseline = await peakRss(builds.baseline);
} finally {
  await servers.current.close();
  await servers.baseline.close();
  await upstream.close();
  await rm(scratch, { recursive: true, force: true });
}
const loadAfter = os.loadavg()[0] ?? 0;

const mb = (/** @type {number} */ bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(
  `\nProxy: this build against ${BASELINE}, side by side (${ROUNDS} rounds of direct / this build / baseline after ${WARMUP} warm-up rounds)`,
);
console.log(
  '| series | CPU µs/request direct | added CPU this build | added CPU baseline | ratio (goal ≤ 1.05) | median ms direct / this / baseline |',
);
console.log('|---|---|---|---|---|---|');
for (const [name, s] of Object.entries(cpuSeries)) {
  console.log(
    `| ${name} | ${s.cpuUsPerRequest.direct} | ${s.addedCpuUsPerRequest.current} | ${s.addedCpuUsPerRequest.baseline} | ${s.addedCpuRatio} ${s.addedCpuRatio <= GOALS.addedCpuRatio ? 'ok' : 'MISSED'} | ${s.medianMs.direct} / ${s.medianMs.current} / ${s.medianMs.baseline} |`,
  );
}
console.log(`\nPeak RSS of a proxy-only process under ${CONCURRENT} concurrent anonymous 1 MiB PATCHes (goal ≤ ${mb(GOALS.peakRssBytes)})`);
for (const [name, r] of Object.entries(rss))
  console.log(
    `- ${name === 'current' ? 'this build' : `baseline ${BASELINE}`}: idle ${mb(r.idleBytes)}, peak ${mb(r.peakBytes)} (answers ${r.statuses})`,
  );
const cpuModel = `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`;
console.log(`node ${process.version}, ${cpuModel}, load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`);

const pass =
  Object.values(cpuSeries).every((s) => s.addedCpuRatio <= GOALS.addedCpuRatio) &&
  (rss.current?.peakBytes ?? Infinity) <= GOALS.peakRssBytes;
if (!quick) {
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  const results = {
    date: new Date().toISOString(),
    commit,
    baseline: BASELINE,
    node: process.version,
    cpu: cpuModel,
    loadAverage1m: { before: round(loadBefore), after: round(loadAfter) },
    what: 'CPU of this process per request, direct to a local upstream or through this build or the baseline, alternating one by one; added = proxied − direct. Peak RSS of a proxy-only child process under concurrent anonymous 1 MiB PATCHes',
    rounds: ROUNDS,
    warmupRounds: WARMUP,
    goals: GOALS,
    cpuSeries,
    rss,
    pass,
  };
  // Tracked: written only with --write, so a plain run leaves the tree clean.
  const file = process.argv.includes('--write') ? path.join(root, 'bench', 'proxy-results.json') : path.join(root, '.bench', 'proxy.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
}
