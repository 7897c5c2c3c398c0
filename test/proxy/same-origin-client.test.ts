/**
 * A same-origin page: the client with `baseUrl: '/ld-proxy'`, resolved against the page's origin,
 * talking to the proxy mounted on that origin. The page is emulated by the globals the client
 * reads (window, document, location); the real-Chromium test does the same in a browser.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createExpiringTargetsClient } from '../../src/index.js';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyAuditEvent } from '../../src/proxy/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { type ProxyServer, startProxyServer } from '../support/proxy-server.js';

const TOKEN = 'api-same-origin-0000';
const SEGMENT = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const page = globalThis as { window?: unknown; document?: unknown; location?: unknown };

let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
let server: ProxyServer;
const events: ProxyAuditEvent[] = [];

beforeAll(async () => {
  fake = await startFakeLaunchDarkly({ token: TOKEN });
  fake.seed(
    'segments/default/beta-testers/production',
    [{ contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: 1924992000000, _version: 1 }],
    'segment',
  );
  server = await startProxyServer(
    createExpiringTargetsProxy({
      apiKey: TOKEN,
      baseUrl: fake.url,
      basePath: '/ld-proxy',
      authorize: () => true,
      onAudit: (e) => void events.push(e),
    }),
  );
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});
afterEach(() => {
  delete page.window;
  delete page.document;
  delete page.location;
});

function openPage(origin: string) {
  page.window = globalThis;
  page.document = {};
  page.location = { origin };
}

describe('a relative baseUrl', () => {
  it('in a page, resolves against the page origin and reaches the proxy mounted there', async () => {
    openPage(server.url);
    const ld = createExpiringTargetsClient({ baseUrl: '/ld-proxy', maxRetries: 0 });
    const { items } = await ld.segments.get(SEGMENT);
    expect(items.map((t) => t.contextKey)).toEqual(['alice']);
    expect(events.at(-1)).toMatchObject({
      path: '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production',
      outcome: 'forwarded',
    });
    expect(fake.log.at(-1)?.headers.authorization).toBe(TOKEN);
  });

  it('in a page, still refuses an apiKey next to it', () => {
    openPage(server.url);
    expect(() => createExpiringTargetsClient({ baseUrl: '/ld-proxy', apiKey: TOKEN })).toThrow(/dangerouslyAllowBrowser/);
  });

  it('in a page with an opaque origin (a sandboxed frame), is a ConfigurationError', () => {
    openPage('null');
    expect(() => createExpiringTargetsClient({ baseUrl: '/ld-proxy' })).toThrow(ConfigurationError);
  });

  it('outside a page, is a ConfigurationError that says what to give instead', () => {
    expect(() => createExpiringTargetsClient({ baseUrl: '/ld-proxy' })).toThrow(ConfigurationError);
    expect(() => createExpiringTargetsClient({ baseUrl: '/ld-proxy' })).toThrow(
      'baseUrl "/ld-proxy" is relative: outside a browser page, give an absolute URL such as https://example.com/ld-proxy',
    );
  });
});
