/**
 * The packed package in a real browser, the way a web app should use it: the page talks to its
 * own backend proxy with no token; the proxy adds `Authorization` and forwards to LaunchDarkly
 * (here Prism). Browser → proxy → API, across origins, so CORS preflights happen for real.
 *
 * Needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH); `npm run test:browser` runs it, `npm test` does not.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrism } from '../../src/cli/prism.js';
import { type PackedConsumer, PACKAGE_NAME, preparePackedConsumer } from '../support/packed.js';
import { BUNDLED_DOCUMENT } from '../support/project.js';

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
/** The token only the proxy knows. */
const PROXY_TOKEN = 'api-proxy-held-token';
/** Where the proxy mounts LaunchDarkly's API on the backend. */
const PROXY_PREFIX = '/ld';
const EXPIRING_TARGETS = /^\/api\/v2\/(segments|flags)\/[^/]+\/[^/]+\/expiring-targets\/[^/]+$/;

// The page: one module that imports the package by name, as an app would, and records what happened.
const PAGE_ENTRY = `
import { AuthenticationError, ConfigurationError, createExpiringTargetsClient, segmentInstructions } from '${PACKAGE_NAME}';

const params = new URLSearchParams(location.search);
const proxyBase = params.get('proxy');
const prismUrl = params.get('prism');
const ref = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };

async function main() {
  const result = {};
  // Proxy mode: no apiKey, the backend's URL.
  const ld = createExpiringTargetsClient({ baseUrl: proxyBase, maxRetries: 0 });
  const got = await ld.segments.get(ref);
  result.getKeys = got.items.map((item) => item.contextKey);
  result.getExpiresAt = got.items.map((item) => item.expiresAt.toISOString());
  const patched = await ld.segments.patch(
    ref,
    [segmentInstructions.add({ contextKind: 'user', contextKey: 'carol', targetType: 'included', expiresAt: '2030-01-01T00:00:00Z' })],
    { comment: 'from the browser' },
  );
  result.patchOk = patched.ok;
  result.patchCounts = patched.counts;

  // Without the proxy there is no token, and the API says so.
  try {
    await createExpiringTargetsClient({ baseUrl: prismUrl, maxRetries: 0 }).segments.get(ref);
    result.direct = 'no error';
  } catch (error) {
    result.direct = { authenticationError: error instanceof AuthenticationError, status: error.status };
  }

  // A token in a page is refused unless the caller insists.
  try {
    createExpiringTargetsClient({ apiKey: 'x', baseUrl: prismUrl });
    result.tokenRefused = false;
  } catch (error) {
    result.tokenRefused = error instanceof ConfigurationError;
    result.tokenMessage = error.message;
  }
  try {
    createExpiringTargetsClient({ apiKey: 'x', baseUrl: prismUrl, dangerouslyAllowBrowser: true });
    result.dangerouslyAllowed = true;
  } catch (error) {
    result.dangerouslyAllowed = String(error);
  }
  return result;
}

main().then(
  (result) => { window.__result = result; },
  (error) => { window.__result = { failed: String(error && error.stack || error) }; },
);
`;

interface ProxiedRequest {
  method: string;
  url: string;
  origin: string | undefined;
  authorization: string | undefined;
  forwardedStatus?: number;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A backend proxy as a web app would run it: answers CORS for the page's origin, adds the token, forwards. */
function createProxy(upstream: () => string, log: ProxiedRequest[]): http.Server {
  return http.createServer(async (req, res) => {
    const origin = req.headers.origin;
    const entry: ProxiedRequest = { method: req.method ?? '', url: req.url ?? '', origin, authorization: req.headers.authorization };
    log.push(entry);
    const cors = { 'Access-Control-Allow-Origin': origin ?? '*', Vary: 'Origin' };
    const url = new URL(req.url ?? '/', 'http://proxy');
    const apiPath = url.pathname.startsWith(PROXY_PREFIX + '/') ? url.pathname.slice(PROXY_PREFIX.length) : '';
    if (!EXPIRING_TARGETS.test(apiPath)) {
      res.writeHead(404, cors).end();
      return;
    }
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'GET, PATCH',
          'Access-Control-Allow-Headers': 'Content-Type, LD-API-Version, X-LaunchDarkly-User-Agent',
          'Access-Control-Max-Age': '600',
        })
        .end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = { Authorization: PROXY_TOKEN };
    for (const name of ['content-type', 'accept', 'ld-api-version', 'x-launchdarkly-user-agent']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const upstreamResponse = await fetch(`${upstream()}${apiPath}${url.search}`, {
        method: req.method ?? 'GET',
        headers,
        ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
      });
      entry.forwardedStatus = upstreamResponse.status;
      const body = Buffer.from(await upstreamResponse.arrayBuffer());
      res.writeHead(upstreamResponse.status, {
        ...cors,
        'Content-Type': upstreamResponse.headers.get('content-type') ?? 'application/json',
        'Content-Length': body.length,
      });
      res.end(body);
    } catch (error) {
      res.writeHead(502, cors).end(String(error));
    }
  });
}

let prism: Awaited<ReturnType<typeof startPrism>> | undefined;
let consumer: PackedConsumer | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;
const servers: http.Server[] = [];
const proxied: ProxiedRequest[] = [];
const browserLog: string[] = [];
let pageResult: Record<string, unknown>;
let pageOrigin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  const [startedPrism, packed] = await Promise.all([startPrism({ document: BUNDLED_DOCUMENT }), preparePackedConsumer()]);
  prism = startedPrism;
  consumer = packed;

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

  const pageServer = http.createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (req.url?.startsWith('/?') || req.url === '/') {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end('<!doctype html><html><head><meta charset="utf-8"><title>ld-expiring-targets</title></head><body><script type="module" src="/page.js"></script></body></html>');
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  const proxy = createProxy(() => prism!.url, proxied);
  servers.push(pageServer, proxy);
  const [pageUrl, proxyUrl] = await Promise.all([listen(pageServer), listen(proxy)]);
  pageOrigin = pageUrl;

  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => browserLog.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));
  const query = new URLSearchParams({ proxy: `${proxyUrl}${PROXY_PREFIX}`, prism: prism.url });
  await page.goto(`${pageUrl}/?${query}`);
  await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, null, { timeout: 30_000 });
  pageResult = await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await prism?.stop();
  await consumer?.cleanup();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe('in Chromium, through a backend proxy that holds the token', () => {
  it('runs the page without errors', () => {
    expect(pageResult.failed, browserLog.join('\n')).toBeUndefined();
  });

  it('reads a segment’s expiring targets through the proxy', () => {
    expect(pageResult.getKeys).toEqual(['alice', 'acme']);
    expect(pageResult.getExpiresAt).toEqual(['2030-12-31T00:00:00.000Z', '2031-01-31T00:00:00.000Z']);
  });

  it('sends a semantic patch built with a helper through the proxy', () => {
    expect(pageResult.patchOk).toBe(true);
    expect(pageResult.patchCounts).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
  });

  it('never sends a token from the page; the proxy adds it, after answering the CORS preflights', () => {
    const fromPage = proxied.filter((r) => r.origin === pageOrigin);
    expect(fromPage.every((r) => r.authorization === undefined)).toBe(true);
    const calls = fromPage.filter((r) => r.method !== 'OPTIONS');
    expect(calls.map((r) => [r.method, r.forwardedStatus])).toEqual([
      ['GET', 200],
      ['PATCH', 200],
    ]);
    // Custom headers (LD-API-Version, the agent header, the semantic-patch content type) make both cross-origin calls preflighted.
    expect(fromPage.filter((r) => r.method === 'OPTIONS').length).toBeGreaterThanOrEqual(1);
  });

  it('without the proxy, the API refuses the page for want of a token', () => {
    expect(pageResult.direct).toEqual({ authenticationError: true, status: 401 });
  });

  it('refuses an apiKey in the page unless dangerouslyAllowBrowser is set', () => {
    expect(pageResult.tokenRefused).toBe(true);
    expect(String(pageResult.tokenMessage)).toContain('dangerouslyAllowBrowser');
    expect(pageResult.dangerouslyAllowed).toBe(true);
  });
});
