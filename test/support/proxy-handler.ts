/**
 * The proxy's bare fetch handler in front of the fake LaunchDarkly, as the tests of its own
 * answers drive it: one fake for the calling test file, and a fresh handler for each test that
 * records its audit events and tells how many requests reached the fake.
 */
import { afterAll, beforeAll } from 'vitest';
import { createExpiringTargetsProxy } from '../../src/proxy/index.js';
import type { ProxyAuditEvent, ProxyAuthorization, ProxyCall, ProxyOptions } from '../../src/proxy/index.js';
import { startFakeLaunchDarkly } from './fake-launchdarkly.js';

export const APP_ORIGIN = 'http://app.example.test';
/** Another origin, for tests to allow with `allowedOrigins`. */
export const ADMIN_ORIGIN = 'http://admin.example.test';
/** A segment's expiring targets, through a handler mounted at /ld-proxy on the app's origin. */
export const SEGMENT_URL = `${APP_ORIGIN}/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production`;
export const SEMANTIC_PATCH = 'application/json; domain-model=launchdarkly.semanticpatch';
/** An instruction the proxy forwards: alice into the segment until 2031. */
export const ADD_ALICE = {
  kind: 'addExpiringTarget',
  contextKind: 'user',
  contextKey: 'alice',
  targetType: 'included',
  value: Date.parse('2031-01-01'),
};
/** A semantic-patch body the proxy forwards. */
export const VALID_PATCH = JSON.stringify({ instructions: [ADD_ALICE] });

type FakeLaunchDarkly = Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
type Decide = (call: ProxyCall) => ProxyAuthorization<string> | Promise<ProxyAuthorization<string>>;

/**
 * Starts a fake LaunchDarkly that takes `token` before the calling file's tests and stops it after
 * them. Answers a maker of handlers in front of it, mounted at /ld-proxy, quiet, each with
 * `defaults`, then the test's options, and `decide` as `authorize` (everything allowed unless given).
 */
export function handlersBeforeFakeLaunchDarkly(token: string, defaults: Partial<ProxyOptions<string>> = {}) {
  let fake: FakeLaunchDarkly | undefined;
  beforeAll(async () => {
    fake = await startFakeLaunchDarkly({ token });
  });
  afterAll(async () => {
    await fake?.close();
  });
  return (options: Partial<ProxyOptions<string>> = {}, decide: Decide = () => true) => {
    const upstream = fake as FakeLaunchDarkly;
    const events: ProxyAuditEvent<string>[] = [];
    const proxy = createExpiringTargetsProxy<string>({
      apiKey: token,
      baseUrl: upstream.url,
      basePath: '/ld-proxy',
      authorize: decide,
      onAudit: (event) => void events.push(event),
      logLevel: 'off',
      ...defaults,
      ...options,
    });
    /** The answer to `request` (or to `url` requested with it as init), and how many requests reached the fake meanwhile. */
    const send = async (request: Request | RequestInit = {}, url = SEGMENT_URL) => {
      const before = upstream.log.length;
      const response = await proxy(request instanceof Request ? request : new Request(url, request));
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? undefined : JSON.parse(text),
        upstream: upstream.log.length - before,
      };
    };
    /** A semantic patch of `body` to the segment, with `headers` over its Content-Type. */
    const patch = (body: string, headers: Record<string, string> = {}) =>
      send({ method: 'PATCH', headers: { 'Content-Type': SEMANTIC_PATCH, ...headers }, body });
    return { events, proxy, send, patch };
  };
}
