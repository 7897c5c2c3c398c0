/**
 * The packed package in a real browser, the way a web app uses it: the page's client has no
 * token and calls `/ld-proxy` on its own origin, where the package's proxy (also from the packed
 * tarball) checks the page's session cookie, adds the token and forwards to a stateful fake
 * LaunchDarkly that refuses requests without it. A second proxy on another origin shows CORS:
 * the page's origin is allowed, the same page opened under another origin is refused.
 *
 * Needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH); `npm run test:browser` runs it, `npm test` does not.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ProxyModule from '../../src/proxy/index.js';
import type { ProxyAuditEvent } from '../../src/proxy/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type PackedConsumer, PACKAGE_NAME, preparePackedConsumer } from '../support/packed.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** The token only the backend knows; the fake refuses every request without it. */
const TOKEN = 'api-browser-proxy-held-0000';
const SESSION = 'session=alice-session-id';
const SEGMENT_ID = 'segments/default/beta-testers/production';
const JAN_2031 = Date.parse('2031-01-01T00:00:00Z');
const FEB_2031 = Date.parse('2031-02-01T00:00:00Z');

// The page: imports the package by name, as an app would, and records what happened.
const PAGE_ENTRY = `
import { ApiConnectionError, ConfigurationError, PermissionDeniedError, createExpiringTargetsClient, flagInstructions, segmentInstructions } from '${PACKAGE_NAME}';

const params = new URLSearchParams(location.search);
const ref = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const contextOf = (key) => ({ contextKind: 'user', contextKey: key, targetType: 'included' });

async function app() {
  const result = { retries: [] };
  // Same origin: a path, resolved against the page's origin; no apiKey.
  const ld = createExpiringTargetsClient({ baseUrl: '/ld-proxy', onRetry: (e) => result.retries.push([e.attempt, e.status, e.delayMs]) });
  result.before = (await ld.segments.get(ref)).items.map((t) => t.contextKey);
  const steps = [
    ['schedule', segmentInstructions.add({ ...contextOf('carol'), expiresAt: ${JAN_2031} })],
    ['reschedule', segmentInstructions.update({ ...contextOf('carol'), expiresAt: ${FEB_2031} })],
    ['cancel', segmentInstructions.remove(contextOf('alice'))],
  ];
  result.steps = [];
  for (const [name, instruction] of steps) {
    const patched = await ld.segments.patch(ref, [instruction], { comment: name + ' from the browser' });
    result.steps.push([name, patched.ok, patched.counts.applied]);
  }
  result.after = (await ld.segments.get(ref)).items.map((t) => [t.contextKey, t.expiresAt.getTime()]);
  const flag = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };
  const flagged = await ld.flags.patch(flag, [flagInstructions.add({ contextKind: 'user', contextKey: 'dana', variationId: 'v-on', expiresAt: ${JAN_2031} })]);
  result.flag = [flagged.ok, (await ld.flags.get(flag)).items.map((t) => t.contextKey)];

  // authorize limits this user to production.
  try {
    await ld.segments.get({ ...ref, environmentKey: 'staging' });
    result.staging = 'no error';
  } catch (error) {
    result.staging = [error instanceof PermissionDeniedError, error.status];
  }
  // The rest of LaunchDarkly's API is not there.
  result.otherApis = await Promise.all(
    ['/ld-proxy/api/v2/tokens', '/ld-proxy/api/v2/members', '/ld-proxy/api/v2/flags/default/new-checkout'].map(async (url) => (await fetch(url)).status),
  );

  // A token in a page is refused unless the caller insists.
  try {
    createExpiringTargetsClient({ apiKey: 'x-token', baseUrl: '/ld-proxy' });
    result.tokenRefused = false;
  } catch (error) {
    result.tokenRefused = error instanceof ConfigurationError && error.message.includes('dangerouslyAllowBrowser');
  }
  return result;
}

async function cross() {
  const ld = createExpiringTargetsClient({ baseUrl: params.get('proxy'), maxRetries: 0 });
  try {
    const got = await ld.segments.get(ref);
    const patched = await ld.segments.patch(ref, [segmentInstructions.add({ ...contextOf('erin'), expiresAt: ${JAN_2031} })]);
    return { keys: got.items.map((t) => t.contextKey), patchOk: patched.ok, requestId: patched.requestId };
  } catch (error) {
    return { error: error.name, connection: error instanceof ApiConnectionError };
  }
}

(params.get('mode') === 'cross' ? cross() : app()).then(
  (result) => { window.__result = result; },
  (error) => { window.__result = { failed: String(error && error.stack || error) }; },
);
`;

interface Seen {
  url: string;
  requestHeaders: Record<string, string>;
  status: number;
  responseHeaders: Record<string, string>;
  body: string;
}

async function listen(server: http.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
let consumer: PackedConsumer | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;
const servers: http.Server[] = [];
const sameOriginEvents: ProxyAuditEvent<string>[] = [];
const crossOriginEvents: ProxyAuditEvent<string>[] = [];
const seen: Seen[] = [];
const browserLog: string[] = [];
const results: Record<'app' | 'crossAllowed' | 'crossRefused', Record<string, unknown>> = { app: {}, crossAllowed: {}, crossRefused: {} };
const upstreamCalls: Record<keyof typeof results, number> = { app: 0, crossAllowed: 0, crossRefused: 0 };
let appOrigin: string;
let otherOrigin: string;

async function runPage(page: Page, url: string): Promise<Record<string, unknown>> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 30_000 });
  return page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  const [startedFake, packed] = await Promise.all([startFakeLaunchDarkly({ token: TOKEN }), preparePackedConsumer()]);
  fake = startedFake;
  consumer = packed;
  fake.seed(
    SEGMENT_ID,
    [{ contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: JAN_2031, _version: 1 }],
    'segment',
  );

  // The backend uses the proxy from the packed tarball, as an app's server would.
  const proxyEntry = pathToFileURL(path.join(consumer.dir, 'node_modules', PACKAGE_NAME, 'dist', 'proxy.js')).href;
  const { createExpiringTargetsProxy, createNodeListener } = (await import(proxyEntry)) as typeof ProxyModule;

  // Bundle the page the way an app's bundler would: from the installed package, for the browser.
  const entry = path.join(consumer.dir, 'page.js');
  await writeFile(entry, PAGE_ENTRY);
  const bundle = await build({
    entryPoints: [entry],
    absWorkingDir: consumer.dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;

  // The app's server: the page, a session cookie, and the proxy on the same origin.
  const sameOrigin = createNodeListener(
    createExpiringTargetsProxy<string>({
      apiKey: TOKEN,
      baseUrl: fake.url,
      basePath: '/ld-proxy',
      authorize: ({ request, environmentKey }) => {
        const signedIn = (request.headers.get('cookie') ?? '').split(/;\s*/).includes(SESSION);
        return { allow: signedIn && environmentKey === 'production', actor: signedIn ? 'alice' : undefined };
      },
      onAudit: (event) => void sameOriginEvents.push(event),
    }),
  );
  const appServer = http.createServer((req, res) => {
    if (req.url?.startsWith('/ld-proxy/')) return sameOrigin(req, res);
    if (req.url === '/page.js') return void res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
    if (req.url === '/favicon.ico') return void res.writeHead(204).end();
    if (req.url === '/' || req.url?.startsWith('/?')) {
      return void res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': `${SESSION}; Path=/; HttpOnly; SameSite=Strict` })
        .end(
          '<!doctype html><html><head><meta charset="utf-8"><title>ld-expiring-targets</title></head><body><script type="module" src="/page.js"></script></body></html>',
        );
    }
    res.writeHead(404).end();
  });
  const appPort = await listen(appServer);
  appOrigin = `http://127.0.0.1:${appPort}`;
  // The same server under another name is another origin.
  otherOrigin = `http://localhost:${appPort}`;

  // A proxy on its own origin that allows only the app's origin.
  const crossServer = http.createServer(
    createNodeListener(
      createExpiringTargetsProxy<string>({
        apiKey: TOKEN,
        baseUrl: fake.url,
        basePath: '/ld-proxy',
        allowedOrigins: [appOrigin],
        authorize: () => ({ allow: true, actor: 'cross-origin page' }),
        onAudit: (event) => void crossOriginEvents.push(event),
      }),
    ),
  );
  const crossUrl = `http://127.0.0.1:${await listen(crossServer)}/ld-proxy`;
  servers.push(appServer, crossServer);

  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  context.on('response', async (response) => {
    const request = response.request();
    seen.push({
      url: response.url(),
      requestHeaders: await request.allHeaders(),
      status: response.status(),
      responseHeaders: await response.allHeaders(),
      body: await response.text().catch(() => ''),
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => browserLog.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));

  const cross = `?${new URLSearchParams({ mode: 'cross', proxy: crossUrl })}`;
  const runs: [keyof typeof results, string][] = [
    ['app', `${appOrigin}/`],
    ['crossAllowed', `${appOrigin}/${cross}`],
    ['crossRefused', `${otherOrigin}/${cross}`],
  ];
  for (const [name, url] of runs) {
    // The first request of the app's session gets a 429 with Retry-After: 1.
    if (name === 'app') fake.throttle({ times: 1, retryAfterSeconds: 1 });
    const before = fake.log.length;
    results[name] = await runPage(page, url);
    upstreamCalls[name] = fake.log.length - before;
  }
}, 180_000);

afterAll(async () => {
  await context?.close();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await fake?.close();
  await consumer?.cleanup();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe('in Chromium, a same-origin page through the proxy', () => {
  it('runs the page without errors', () => {
    expect(results.app.failed, browserLog.join('\n')).toBeUndefined();
  });

  it('schedules, reschedules and cancels against the fake LaunchDarkly', () => {
    expect(results.app.before).toEqual(['alice']);
    expect(results.app.steps).toEqual([
      ['schedule', true, 1],
      ['reschedule', true, 1],
      ['cancel', true, 1],
    ]);
    expect(results.app.after).toEqual([['carol', FEB_2031]]);
    expect(results.app.flag).toEqual([true, ['dana']]);
    // erin came later, from the allowed cross-origin page.
    expect(fake.targets(SEGMENT_ID).map((t) => [t.contextKey, t.expirationDate])).toEqual([
      ['carol', FEB_2031],
      ['erin', JAN_2031],
    ]);
  });

  it('honours a 429’s Retry-After once, in the browser; LaunchDarkly saw that GET twice, not more', () => {
    expect(results.app.retries).toEqual([[1, 429, 1000]]);
    const segmentPath = '/api/v2/segments/default/beta-testers/expiring-targets/production';
    expect(fake.log.slice(0, 3).map((r) => [r.method, r.url])).toEqual([
      ['GET', segmentPath],
      ['GET', segmentPath],
      ['PATCH', segmentPath],
    ]);
    expect(fake.stats.rateLimited).toBe(1);
    expect(sameOriginEvents.slice(0, 2).map((e) => [e.method, e.status, e.outcome])).toEqual([
      ['GET', 429, 'forwarded'],
      ['GET', 200, 'forwarded'],
    ]);
    // Every audited forward is one upstream request: the proxy itself never retried.
    expect(upstreamCalls.app).toBe(sameOriginEvents.filter((e) => e.outcome === 'forwarded').length);
  });

  it('cannot reach another environment (authorize) or any other LaunchDarkly API through it', () => {
    expect(results.app.staging).toEqual([true, 403]);
    expect(results.app.otherApis).toEqual([404, 404, 404]);
    expect(sameOriginEvents.filter((e) => e.outcome === 'denied').map((e) => [e.environmentKey, e.actor])).toEqual([['staging', 'alice']]);
    expect(fake.log.some((r) => r.url.includes('/staging') || r.url.includes('/tokens') || r.url.includes('/members'))).toBe(false);
  });

  it('audits who did what, with the instructions and LaunchDarkly’s request id', () => {
    const patches = sameOriginEvents.filter((e) => e.method === 'PATCH' && e.resource === 'segment');
    expect(patches.map((e) => [e.actor, e.instructions?.map((i) => `${i.kind}:${i.contextKey}`), e.status])).toEqual([
      ['alice', ['addExpiringTarget:carol'], 200],
      ['alice', ['updateExpiringTarget:carol'], 200],
      ['alice', ['removeExpiringTarget:alice'], 200],
    ]);
    expect(patches.every((e) => /^fake-\d+$/.test(e.requestId ?? ''))).toBe(true);
  });

  it('refuses an apiKey in the page unless dangerouslyAllowBrowser is set', () => {
    expect(results.app.tokenRefused).toBe(true);
  });
});

describe('in Chromium, across origins', () => {
  it('an allowed origin passes the preflight and calls the proxy', () => {
    expect(results.crossAllowed).toMatchObject({ keys: ['carol'], patchOk: true });
    // The client read X-Request-Id across origins: the proxy exposed it.
    expect(String(results.crossAllowed.requestId)).toMatch(/^fake-\d+$/);
    expect(crossOriginEvents.filter((e) => e.outcome === 'preflight').map((e) => [e.origin, e.status])).toContainEqual([appOrigin, 204]);
    expect(upstreamCalls.crossAllowed).toBe(2);
  });

  it('a refused origin fails at the preflight, and nothing reaches LaunchDarkly', () => {
    expect(results.crossRefused).toEqual({ error: 'ApiConnectionError', connection: true });
    expect(crossOriginEvents.filter((e) => e.origin === otherOrigin).map((e) => [e.outcome, e.status, e.refusal])).toEqual([
      ['preflight', 403, 'origin-not-allowed'],
    ]);
    expect(upstreamCalls.crossRefused).toBe(0);
  });
});

describe('the token', () => {
  it('never appears in anything the browser sent or received', () => {
    const proxied = seen.filter((s) => s.url.includes('/ld-proxy/'));
    expect(proxied.length).toBeGreaterThanOrEqual(12);
    for (const s of seen) {
      expect(JSON.stringify(s), s.url).not.toContain(TOKEN);
      expect(Object.keys(s.requestHeaders)).not.toContain('authorization');
    }
  });

  it('reaches LaunchDarkly on every forwarded request, and the session cookie does not', () => {
    expect(fake.stats.unauthorized).toBe(0);
    expect(fake.log.every((r) => r.headers.authorization === TOKEN && r.headers.cookie === undefined)).toBe(true);
    // The browser did send its cookie to the proxy, which is how authorize knew the user.
    expect(seen.some((s) => s.url.startsWith(`${appOrigin}/ld-proxy/`) && s.requestHeaders.cookie === SESSION)).toBe(true);
  });
});
