/**
 * The abuse table of the proxy, run against the installed package: copied into a consumer project
 * next to node_modules/ld-expiring-targets (test/package/proxy-abuse.test.ts does that), it mounts
 * the proxy on node:http through `createNodeListener` and calls the bare fetch handler, in front
 * of a scripted stand-in for LaunchDarkly, sends the hostile requests and prints one JSON line of
 * what came back, what was audited and what reached upstream. The test asserts on that line.
 */
import http from 'node:http';
import { createExpiringTargetsProxy, createNodeListener } from 'ld-expiring-targets/proxy';

const TOKEN = 'api-packed-abuse-0000-token';
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const path = (project) => `/ld-proxy/api/v2/segments/${project}/beta-testers/expiring-targets/production`;
// The token as LaunchDarkly might echo it inside a JSON string: every `-` written as \u002d.
const ESCAPED_TOKEN = TOKEN.replace(/-/g, '\\u002d');

/** LaunchDarkly's stand-in, by project key: `html` is busy with an HTML page, `echo` quotes the token. */
const reached = [];
const upstream = http.createServer((req, res) => {
  const project = (req.url ?? '').split('/')[4];
  reached.push(project);
  if (project === 'html') {
    res.writeHead(503, { 'Content-Type': 'text/html', 'Retry-After': '7', 'X-Ratelimit-Reset': '1900000000000' });
    res.end('<html><script>alert(1)</script></html>');
  } else if (project === 'echo') {
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(`{"message":"token ${ESCAPED_TOKEN} is revoked"}`);
  } else {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"items":[]}');
  }
});

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
const upstreamUrl = await listen(upstream);

/** A proxy and what it audited and asked; `hang` is a project whose authorize never settles. */
function makeProxy(options) {
  const events = [];
  const asked = [];
  const proxy = createExpiringTargetsProxy({
    apiKey: TOKEN,
    baseUrl: upstreamUrl,
    basePath: '/ld-proxy',
    authorize: ({ projectKey }) => {
      asked.push(projectKey);
      return projectKey === 'hang' ? new Promise(() => undefined) : { allow: true, actor: 'packed' };
    },
    onAudit: (event) => events.push({ ...event, at: undefined }),
    // The events are printed as data; the default log lines would only repeat them on stderr.
    logLevel: 'off',
    ...options,
  });
  return { proxy, events, asked };
}

/** What an answer showed: status, the headers the table speaks of, the body and its size. */
const seen = (status, headers, body) => ({
  status,
  allow: headers.get('allow'),
  nosniff: headers.get('x-content-type-options'),
  contentType: headers.get('content-type'),
  retryAfter: headers.get('retry-after'),
  rateLimitReset: headers.get('x-ratelimit-reset'),
  bytes: Buffer.byteLength(body),
  body: body.length <= 4096 ? body : `${body.slice(0, 4096)}…`,
});

/** Through node:http, with the proxy behind `createNodeListener`. */
function viaNode(base, method, target, headers = {}, body = undefined) {
  const { hostname, port } = new URL(base);
  const length = { 'Content-Length': String(body === undefined ? 0 : Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: target, headers: { ...length, ...headers }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) answer.set(name, String(value));
        resolve(seen(res.statusCode, answer, Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Through the bare fetch handler, as a Request the runtime built. */
async function viaFetch(proxy, method, target, headers = {}, body = undefined) {
  const response = await proxy(new Request(`http://localhost${target}`, { method, headers, body }));
  return seen(response.status, response.headers, await response.text());
}

const hugeBody = `{"instructions":[${'{},'.repeat(349_000)}{}]}`;
const patchHeaders = { 'Content-Type': SEMANTIC };

async function table(send) {
  return {
    hugeBody: await send('PATCH', path('default'), patchHeaders, hugeBody),
    nonJson: await send('GET', path('html')),
    escapedToken: await send('GET', path('echo')),
  };
}

const mounted = makeProxy({});
const server = http.createServer(createNodeListener(mounted.proxy));
const proxyUrl = await listen(server);
// A short deadline, on a proxy of its own so that no other row can run into it.
const hanging = makeProxy({ requestTimeoutMs: 300 });
const hangingServer = http.createServer(createNodeListener(hanging.proxy));
const hangingUrl = await listen(hangingServer);

const node = {
  ...(await table((...args) => viaNode(proxyUrl, ...args))),
  // Only the Node adapter can receive a TRACE: a fetch Request cannot carry the method at all.
  trace: await viaNode(proxyUrl, 'TRACE', path('default')),
  hangingAuthorize: await viaNode(hangingUrl, 'GET', path('hang')),
};
const nodeEvents = [...mounted.events, ...hanging.events];
const nodeAsked = [...mounted.asked, ...hanging.asked];
mounted.events.length = 0;
mounted.asked.length = 0;
hanging.events.length = 0;
hanging.asked.length = 0;

const fetchHandler = {
  ...(await table((...args) => viaFetch(mounted.proxy, ...args))),
  hangingAuthorize: await viaFetch(hanging.proxy, 'GET', path('hang')),
};

console.log(
  JSON.stringify({
    requestBytes: Buffer.byteLength(hugeBody),
    node,
    nodeEvents,
    nodeAsked,
    fetch: fetchHandler,
    fetchEvents: [...mounted.events, ...hanging.events],
    fetchAsked: [...mounted.asked, ...hanging.asked],
    reached,
  }),
);
await Promise.all([server, hangingServer, upstream].map((s) => new Promise((resolve) => s.close(resolve))));
