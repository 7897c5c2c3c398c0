// @ts-check
/**
 * `node bench/overhead-breakdown.js` (after `npm run build`): where our per-request overhead over
 * raw `fetch` goes. Each step below adds one thing our stack does per PATCH, rebuilt in plain JS
 * from what src/transport.ts, src/client.ts and openapi-fetch do, so the difference between two
 * neighbouring rows is that step's cost. The last rows are the real thing (openapi-fetch bare, our
 * raw client, our `segments.patch`). Same local keep-alive server and interleaved rounds as bench/client.js.
 */
import http from 'node:http';
import createClient from 'openapi-fetch';
import { createExpiringTargetsClient, segmentInstructions } from 'ld-expiring-targets';

const quick = process.argv.includes('--quick');
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const PATH = '/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}';
const EXPIRES_ISO = '2030-01-01T00:00:00Z';
const EXPIRES_MS = Date.parse(EXPIRES_ISO);
const BODY = JSON.stringify({
  items: [{ _id: 'x', _version: 1, expirationDate: 1767139200000, contextKind: 'user', contextKey: 'alice', targetType: 'included' }],
  totalInstructions: 1,
  successfulInstructions: 1,
  failedInstructions: 0,
  errors: [],
});

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
const base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
const url = `${base}/api/v2/segments/default/beta-testers/expiring-targets/production`;
const headers = { Authorization: 'api-bench', 'Content-Type': SEMANTIC, 'LD-API-Version': '20240415', 'X-LaunchDarkly-User-Agent': 'ld-expiring-targets/0.1.0' };
const body = () => JSON.stringify({ instructions: [{ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: EXPIRES_MS }] });

/** What src/transport.ts does around one fetch: abort controller, timer, listener, full body read, new Response. */
async function transportLike(/** @type {Request} */ request, rebuffer = true) {
  const text = request.body === null ? undefined : await request.text();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    const response = await fetch(request.url, { method: request.method, headers: request.headers, redirect: request.redirect, body: text, signal: controller.signal });
    if (!rebuffer) return response;
    const buf = await response.arrayBuffer();
    return new Response(buf, { status: response.status, statusText: response.statusText, headers: response.headers });
  } finally {
    clearTimeout(timer);
  }
}

const bare = /** @type {any} */ (createClient({ baseUrl: base, headers }));
const bareTransport = /** @type {any} */ (createClient({ baseUrl: base, headers, fetch: (r) => transportLike(r) }));
const ours = createExpiringTargetsClient({ apiKey: 'api-bench', baseUrl: base });

/** @type {Record<string, () => Promise<unknown>>} */
const steps = {
  '1 raw fetch + res.json()': async () => (await fetch(url, { method: 'PATCH', headers, body: body() })).json(),
  '2 + res.text() + JSON.parse': async () => JSON.parse(await (await fetch(url, { method: 'PATCH', headers, body: body() })).text()),
  '3 + AbortController/timer/signal': async () => {
    const c = new AbortController();
    const t = setTimeout(() => c.abort(), 30_000);
    try {
      return JSON.parse(await (await fetch(url, { method: 'PATCH', headers, body: body(), signal: c.signal })).text());
    } finally {
      clearTimeout(t);
    }
  },
  '4 + new Request() and request.text()': async () => {
    const r = new Request(url, { method: 'PATCH', headers, body: body() });
    return JSON.parse(await (await transportLike(r, false)).text());
  },
  '5 + arrayBuffer() and new Response()': async () => {
    const r = new Request(url, { method: 'PATCH', headers, body: body() });
    return JSON.parse(await (await transportLike(r)).text());
  },
  '6 openapi-fetch, global fetch': async () =>
    bare.PATCH(PATH, { params: { path: REF }, body: /** @type {any} */ (JSON.parse(body())), parseAs: 'text' }),
  '7 openapi-fetch + transport-like fetch': async () =>
    bareTransport.PATCH(PATH, { params: { path: REF }, body: /** @type {any} */ (JSON.parse(body())), parseAs: 'text' }),
  '8 ours: ld.raw.PATCH': async () =>
    ours.raw.PATCH(PATH, { params: { path: REF }, body: /** @type {any} */ (JSON.parse(body())), parseAs: 'text' }),
  '9 ours: segments.patch + helper': async () =>
    ours.segments.patch(REF, [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: EXPIRES_ISO })]),
};

const names = Object.keys(steps);
const rounds = quick ? 2 : 10;
const perRound = quick ? 50 : 200;
/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (const n of names) for (let i = 0; i < (quick ? 50 : 300); i++) await /** @type {() => Promise<unknown>} */ (steps[n])();
for (let r = 0; r < rounds; r++) {
  for (const n of r % 2 ? [...names].reverse() : names) {
    const step = /** @type {() => Promise<unknown>} */ (steps[n]);
    const out = /** @type {number[]} */ (samples[n]);
    for (let i = 0; i < perRound; i++) {
      const t = performance.now();
      await step();
      out.push(performance.now() - t);
    }
  }
}
server.close();

// In process, no network: fetch replaced by one that answers at once, so only CPU work remains.
const fakeFetch = async (/** @type {unknown} */ _input, /** @type {unknown} */ _init) =>
  new Response(BODY, { status: 200, headers: { 'Content-Type': 'application/json' } });
const oursOffline = createExpiringTargetsClient({ apiKey: 'api-bench', baseUrl: base, fetch: fakeFetch });
const bareOffline = /** @type {any} */ (createClient({ baseUrl: base, headers, fetch: /** @type {any} */ (fakeFetch) }));
/** @type {Record<string, () => unknown>} */
const offline = {
  'a fetch(url, init) + text() + JSON.parse': async () =>
    JSON.parse(await (await fakeFetch(url, { method: 'PATCH', headers, body: body() })).text()),
  'b openapi-fetch PATCH': async () => bareOffline.PATCH(PATH, { params: { path: REF }, body: /** @type {any} */ (JSON.parse(body())), parseAs: 'text' }),
  'c ours: ld.raw.PATCH (our transport)': async () =>
    oursOffline.raw.PATCH(PATH, { params: { path: REF }, body: /** @type {any} */ (JSON.parse(body())), parseAs: 'text' }),
  'd ours: segments.patch + helper': async () =>
    oursOffline.segments.patch(REF, [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: EXPIRES_ISO })]),
  'e segmentInstructions.add alone': () => segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: EXPIRES_ISO }),
};
const batch = quick ? 200 : 1000;
/** @type {Record<string, number[]>} */
const offlineSamples = Object.fromEntries(Object.keys(offline).map((n) => [n, []]));
for (let r = 0; r < (quick ? 3 : 12); r++) {
  const order = r % 2 ? Object.keys(offline).reverse() : Object.keys(offline);
  for (const n of order) {
    const op = /** @type {() => unknown} */ (offline[n]);
    const t = performance.now();
    for (let i = 0; i < batch; i++) await op();
    if (r > 1) /** @type {number[]} */ (offlineSamples[n]).push((performance.now() - t) / batch); // rounds 0-1 warm up
  }
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return /** @type {number} */ (s[s.length >> 1]);
};
const first = median(/** @type {number[]} */ (samples[/** @type {string} */ (names[0])]));
let previous = first;
console.log(`median µs per PATCH (${rounds * perRound} each, interleaved); Δ is against the row above\n`);
for (const n of names) {
  const m = median(/** @type {number[]} */ (samples[n]));
  console.log(`${n.padEnd(40)} ${(m * 1000).toFixed(0).padStart(6)} µs  ×${(m / first).toFixed(3)}  Δ ${((m - previous) * 1000).toFixed(0).padStart(5)} µs`);
  previous = m;
}

console.log(`\nin process, fetch answering at once (median of rounds × ${batch} ops): CPU per PATCH\n`);
for (const n of Object.keys(offline)) {
  console.log(`${n.padEnd(40)} ${(median(/** @type {number[]} */ (offlineSamples[n])) * 1000).toFixed(1).padStart(6)} µs`);
}
