// @ts-check
/**
 * `npm run bench` (after bench/client.js): the latency the proxy adds in front of a local
 * upstream, side by side with direct calls in one run.
 *
 * An upstream node:http server on 127.0.0.1 answers every request at once with a fixed JSON
 * body. The same request (GET, and a one-instruction PATCH) is sent with the global fetch
 * (keep-alive) either straight to the upstream with the token, or to the proxy mounted in a
 * node:http server through createNodeListener, which validates, authorizes and forwards it to
 * the same upstream. Direct and proxied requests alternate one by one (the order flips every
 * pair), so both see the same machine load. A third series calls the fetch handler in process,
 * without the extra HTTP hop, to show what the handler itself costs.
 *
 * Added latency = proxied percentile − direct percentile. Goal: median ≤ 1 ms, p99 ≤ 3 ms.
 * Runs against the built dist/ (`ld-expiring-targets/proxy` resolves to it). Prints a table and,
 * unless --quick, writes bench/proxy-results.json. Traffic goes to 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createExpiringTargetsProxy, createNodeListener } from 'ld-expiring-targets/proxy';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const PAIRS = quick ? 300 : 3000;
const WARMUP = quick ? 100 : 500;
const GOALS = { addedMedianMs: 1, addedP99Ms: 3 };

const TOKEN = 'api-bench-proxy-0000';
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const PATH = '/api/v2/segments/default/beta-testers/expiring-targets/production';
const TARGET = { contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: 1924992000000, _version: 1 };
const GET_BODY = JSON.stringify({ items: [{ _id: '1', _resourceId: {}, ...TARGET }] });
const PATCH_BODY = JSON.stringify({ items: [{ _id: '1', _resourceId: {}, ...TARGET }], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] });
const INSTRUCTIONS = JSON.stringify({
  instructions: [{ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: 1924992000000 }],
});
/** What the browser client sends (without a token); direct calls add the token. */
const CLIENT_HEADERS = { 'LD-API-Version': '20240415', 'X-LaunchDarkly-User-Agent': 'ld-expiring-targets/bench' };

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
const proxy = createExpiringTargetsProxy({ apiKey: TOKEN, baseUrl: upstream.url, basePath: '/ld-proxy', authorize: () => true });
const proxyServer = await serve(/** @type {http.RequestListener} */ (/** @type {unknown} */ (createNodeListener(proxy))));

/** @typedef {{ url: string, init: RequestInit }} Call */
/** @param {'GET' | 'PATCH'} method @returns {{ direct: Call, proxied: Call }} */
function calls(method) {
  const body = method === 'PATCH' ? { body: INSTRUCTIONS } : {};
  const type = method === 'PATCH' ? { 'Content-Type': SEMANTIC } : {};
  return {
    direct: { url: `${upstream.url}${PATH}`, init: { method, headers: { ...CLIENT_HEADERS, ...type, Authorization: TOKEN }, ...body } },
    proxied: { url: `${proxyServer.url}/ld-proxy${PATH}`, init: { method, headers: { ...CLIENT_HEADERS, ...type }, ...body } },
  };
}

/** CPU time this process spent (all threads), in microseconds: what a request costs whatever the load. */
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Garbage-collection pauses of this process, on the same clock as the requests: the client, the
 * proxy and the upstream share one heap, so a pause lands in whichever request is running. Only
 * observed, to say how much of each side's tail is a pause; the timings are not adjusted.
 * @type {{ start: number, end: number }[]}
 */
const gcPauses = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
});
gcObserver.observe({ entryTypes: ['gc'] });

/**
 * One request: its wall-clock time (ms), and the CPU it cost (µs) added to `cpu`. With `spans`,
 * also when it ran, for matching GC pauses to it.
 * @param {Call} call @param {(c: Call) => Promise<Response>} send @param {{ us: number }} cpu @param {[number, number][]} [spans]
 */
async function timed(call, send, cpu = { us: 0 }, spans) {
  const c = cpuUs();
  const t = performance.now();
  const response = await send(call);
  await response.text();
  const end = performance.now();
  const ms = end - t;
  spans?.push([t, end]);
  cpu.us += cpuUs() - c;
  if (response.status !== 200) throw new Error(`${call.init.method} ${call.url} answered ${response.status}`);
  return ms;
}

const overHttp = (/** @type {Call} */ c) => fetch(c.url, c.init);
const inProcess = (/** @type {Call} */ c) => proxy(new Request(`http://app.local/ld-proxy${PATH}`, c.init));

/**
 * Of the slowest 1 % of requests, how many had a GC pause inside them, and the pauses' share of
 * their time.
 * @param {number[]} xs @param {[number, number][]} spans
 */
function tailGc(xs, spans) {
  const slowest = xs
    .map((x, i) => ({ x, span: /** @type {[number, number]} */ (spans[i]) }))
    .sort((a, b) => b.x - a.x)
    .slice(0, Math.max(1, Math.ceil(xs.length / 100)));
  let hit = 0;
  let pausedMs = 0;
  let totalMs = 0;
  for (const { x, span } of slowest) {
    totalMs += x;
    const paused = gcPauses.reduce((sum, p) => sum + Math.max(0, Math.min(p.end, span[1]) - Math.max(p.start, span[0])), 0);
    if (paused > 0) hit++;
    pausedMs += paused;
  }
  return { slowestRequests: slowest.length, withGcPause: hit, gcShareOfTheirTime: Number((pausedMs / totalMs).toFixed(2)) };
}

/** @param {number[]} xs @param {number} q */
function percentile(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  return /** @type {number} */ (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
}
const ms = (/** @type {number} */ x) => Number(x.toFixed(3));

/**
 * Alternates direct and proxied requests one by one, flipping the order every pair.
 * @param {Call} direct @param {Call} proxied @param {(c: Call) => Promise<Response>} viaProxy
 */
async function interleaved(direct, proxied, viaProxy) {
  for (let i = 0; i < WARMUP; i++) {
    await timed(direct, overHttp);
    await timed(proxied, viaProxy);
  }
  /** @type {number[]} */ const d = [];
  /** @type {number[]} */ const p = [];
  const dCpu = { us: 0 };
  const pCpu = { us: 0 };
  /** @type {[number, number][]} */ const dSpans = [];
  /** @type {[number, number][]} */ const pSpans = [];
  gcPauses.length = 0;
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      d.push(await timed(direct, overHttp, dCpu, dSpans));
      p.push(await timed(proxied, viaProxy, pCpu, pSpans));
    } else {
      p.push(await timed(proxied, viaProxy, pCpu, pSpans));
      d.push(await timed(direct, overHttp, dCpu, dSpans));
    }
  }
  // GC entries are delivered after the fact.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const summary = (/** @type {number[]} */ xs, /** @type {{ us: number }} */ cpu, /** @type {[number, number][]} */ spans) => ({
    medianMs: ms(percentile(xs, 0.5)),
    p99Ms: ms(percentile(xs, 0.99)),
    cpuUsPerRequest: Math.round(cpu.us / xs.length),
    tail: tailGc(xs, spans),
  });
  const directSummary = summary(d, dCpu, dSpans);
  const proxiedSummary = summary(p, pCpu, pSpans);
  return {
    direct: directSummary,
    proxied: proxiedSummary,
    added: {
      medianMs: ms(proxiedSummary.medianMs - directSummary.medianMs),
      p99Ms: ms(proxiedSummary.p99Ms - directSummary.p99Ms),
      cpuUsPerRequest: proxiedSummary.cpuUsPerRequest - directSummary.cpuUsPerRequest,
    },
  };
}

const loadBefore = os.loadavg()[0] ?? 0;
/** @type {Record<string, Awaited<ReturnType<typeof interleaved>>>} */
const series = {};
try {
  for (const method of /** @type {const} */ (['GET', 'PATCH'])) {
    const { direct, proxied } = calls(method);
    series[`${method} via node:http`] = await interleaved(direct, proxied, overHttp);
    series[`${method} fetch handler in process`] = await interleaved(direct, proxied, inProcess);
  }
} finally {
  gcObserver.disconnect();
  await proxyServer.close();
  await upstream.close();
}
const loadAfter = os.loadavg()[0] ?? 0;

const goalRows = Object.entries(series).filter(([name]) => name.endsWith('via node:http'));
const pass = goalRows.every(([, s]) => s.added.medianMs <= GOALS.addedMedianMs && s.added.p99Ms <= GOALS.addedP99Ms);
const rows = [
  [
    'series',
    'direct median / p99 (ms)',
    'via proxy median / p99 (ms)',
    'added median / p99 (ms)',
    'added CPU (µs/request)',
    'slowest 1 % with a GC pause: direct / via proxy',
    `goal ≤ ${GOALS.addedMedianMs} / ≤ ${GOALS.addedP99Ms} ms`,
  ],
  ...Object.entries(series).map(([name, s]) => [
    name,
    `${s.direct.medianMs} / ${s.direct.p99Ms}`,
    `${s.proxied.medianMs} / ${s.proxied.p99Ms}`,
    `${s.added.medianMs} / ${s.added.p99Ms}`,
    `${s.added.cpuUsPerRequest}`,
    `${s.direct.tail.withGcPause} / ${s.proxied.tail.withGcPause} of ${s.proxied.tail.slowestRequests}`,
    name.endsWith('via node:http') ? (s.added.medianMs <= GOALS.addedMedianMs && s.added.p99Ms <= GOALS.addedP99Ms ? 'ok' : 'MISSED') : '',
  ]),
];
const widths = /** @type {string[]} */ (rows[0]).map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
const line = (/** @type {string[]} */ r) => `| ${r.map((c, i) => String(c).padEnd(/** @type {number} */ (widths[i]))).join(' | ')} |`;
console.log(`\nProxy: added latency in front of a local upstream (${PAIRS} interleaved pairs per series after ${WARMUP} warm-up pairs)`);
console.log(line(/** @type {string[]} */ (rows[0])));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(/** @type {string[]} */ (r)));
const cpu = `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`;
console.log(`node ${process.version}, ${cpu}, load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`);

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
    node: process.version,
    cpu,
    loadAverage1m: { before: ms(loadBefore), after: ms(loadAfter) },
    what: 'one request at a time with the global fetch (keep-alive): direct to a local node:http upstream with the token, or through the proxy; direct and proxied alternate one by one; added = proxied percentile − direct percentile',
    pairs: PAIRS,
    warmupPairs: WARMUP,
    goals: GOALS,
    series,
    pass,
  };
  // Tracked: written only with --write, so a plain run leaves the tree clean.
  const file = process.argv.includes('--write') ? path.join(root, 'bench', 'proxy-results.json') : path.join(root, '.bench', 'proxy.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
}
