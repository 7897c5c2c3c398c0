/**
 * The path rules of the proxy, on the functions that hold them: which pathnames match a route
 * (and with which decoded keys), which raw request targets count as rewritten, and how the
 * upstream path is rebuilt. The HTTP tests (security.test.ts) send these shapes through a real
 * server; here each rule is pinned at its edge, including the shapes a URL parser would have
 * normalised before a fetch handler sees them.
 */
import { beforeAll, describe, expect, it } from 'vitest';

// Imported inside a test, not at the top: a module that throws while it loads (its tables are
// built from the bundled document then) fails a test here instead of the whole file, which
// Stryker's runner would count as no test failing.
let matchRoute: typeof import('../../src/proxy/route.js').matchRoute;
let rawTargetIsRewritten: typeof import('../../src/proxy/route.js').rawTargetIsRewritten;
let upstreamPath: typeof import('../../src/proxy/route.js').upstreamPath;

describe('the proxy’s modules', () => {
  it('load, with the methods and paths they derive from the document', async () => {
    const { createExpiringTargetsProxy, createNodeListener } = await import('../../src/proxy/index.js');
    const checks = await import('../../src/proxy/checks.js');
    expect([typeof createExpiringTargetsProxy, typeof createNodeListener]).toEqual(['function', 'function']);
    expect([...checks.OPERATION_OF_METHOD]).toEqual([
      ['GET', 'get'],
      ['PATCH', 'patch'],
    ]);
    expect(checks.ALLOWED_METHODS).toEqual(['GET', 'PATCH']);
    ({ matchRoute, rawTargetIsRewritten, upstreamPath } = await import('../../src/proxy/route.js'));
  });
});

beforeAll(async () => {
  ({ matchRoute, rawTargetIsRewritten, upstreamPath } = await import('../../src/proxy/route.js').catch(() => ({}) as never));
});

const SEGMENT = '/api/v2/segments/default/beta-testers/expiring-targets/production';
const FLAG = '/api/v2/flags/default/new-checkout/expiring-targets/production';

describe('matchRoute', () => {
  it('a segment and a flag path: resource, every parameter and the key', () => {
    expect(matchRoute(SEGMENT, '')).toEqual({
      resource: 'segment',
      params: { projectKey: 'default', segmentKey: 'beta-testers', environmentKey: 'production' },
      projectKey: 'default',
      environmentKey: 'production',
      key: 'beta-testers',
    });
    expect(matchRoute(`/ld-proxy${FLAG}`, '/ld-proxy')).toEqual({
      resource: 'flag',
      params: { projectKey: 'default', featureFlagKey: 'new-checkout', environmentKey: 'production' },
      projectKey: 'default',
      environmentKey: 'production',
      key: 'new-checkout',
    });
  });

  it('only below the mount point, with a slash after it', () => {
    // Same length as the mount point: a prefix check by length alone would accept it.
    expect(matchRoute(`/xx-proxy${SEGMENT}`, '/ld-proxy')).toBeUndefined();
    expect(matchRoute(`/ld-proxyx${SEGMENT}`, '/ld-proxy')).toBeUndefined();
    expect(matchRoute(SEGMENT, '/ld-proxy')).toBeUndefined();
    expect(matchRoute(`/ld-proxy${SEGMENT}`, '/ld-proxy')?.key).toBe('beta-testers');
  });

  it('keys are decoded once, and a key named like the API prefix is still a key', () => {
    expect(matchRoute('/api/v2/segments/my%20project/beta%2Dtesters/expiring-targets/prod', '')).toMatchObject({
      projectKey: 'my project',
      key: 'beta-testers',
    });
    // `%4g` after decoding is a percent sign and text, not an escape: kept as it is.
    expect(matchRoute('/api/v2/segments/a%254g/beta-testers/expiring-targets/production', '')?.projectKey).toBe('a%4g');
    // `api` alone is not the prefix `api/v2` repeated.
    expect(matchRoute('/api/v2/segments/api/x/expiring-targets/v2', '')).toMatchObject({
      projectKey: 'api',
      key: 'x',
      environmentKey: 'v2',
    });
    expect(matchRoute('/api/v2/segments/x/v2/expiring-targets/api', '')).toMatchObject({
      projectKey: 'x',
      key: 'v2',
      environmentKey: 'api',
    });
    // The prefix repeated where the keys are is refused.
    expect(matchRoute('/api/v2/segments/api/v2/expiring-targets/production', '')).toBeUndefined();
  });

  it('refuses what another parser could read differently', () => {
    const refused = [
      // a backslash, raw or encoded, and an encoded slash
      '/api/v2/segments/de\\fault/beta-testers/expiring-targets/production',
      '/api/v2/segments/de%5Cfault/beta-testers/expiring-targets/production',
      '/api/v2/segments/de%2Ffault/beta-testers/expiring-targets/production',
      // still encoded after one decoding (%2541 is %41)
      '/api/v2/segments/de%2541fault/beta-testers/expiring-targets/production',
      // control characters
      '/api/v2/segments/de%0Afault/beta-testers/expiring-targets/production',
      '/api/v2/segments/de%7Ffault/beta-testers/expiring-targets/production',
      // not decodable
      '/api/v2/segments/de%E0%A4fault/beta-testers/expiring-targets/production',
      // dot segments, encoded
      '/api/v2/segments/%2e/beta-testers/expiring-targets/production',
      '/api/v2/segments/%2e%2e/beta-testers/expiring-targets/production',
      // a key of blanks
      '/api/v2/segments/%20/beta-testers/expiring-targets/production',
      // one segment too many or too few, or another literal
      `${SEGMENT}/x`,
      '/api/v2/segments/default/beta-testers/expiring-targets',
      '/api/v2/segment/default/beta-testers/expiring-targets/production',
    ];
    for (const path of refused) expect([path, matchRoute(path, '')]).toEqual([path, undefined]);
  });

  it('a percent sign that is not an escape of two hex digits is refused before decoding', () => {
    expect(matchRoute('/api/v2/segments/50%/beta-testers/expiring-targets/production', '')).toBeUndefined();
    // `%4` and a letter: one hex digit only, still refused because it cannot be decoded.
    expect(matchRoute('/api/v2/segments/a%4g/beta-testers/expiring-targets/production', '')).toBeUndefined();
  });
});

describe('upstreamPath', () => {
  it('rebuilds the path from the template, each key encoded again', () => {
    const route = matchRoute('/api/v2/flags/my%20project/a%3Fb/expiring-targets/prod%23uction', '');
    expect(route).toBeDefined();
    expect(upstreamPath(route!)).toBe('/api/v2/flags/my%20project/a%3Fb/expiring-targets/prod%23uction');
    expect(upstreamPath(matchRoute(SEGMENT, '')!)).toBe(SEGMENT);
  });

  it('a parameter the route lacks becomes an empty segment, never the word undefined', () => {
    const route = { ...matchRoute(SEGMENT, '')!, params: { projectKey: 'p', environmentKey: 'e' } };
    expect(upstreamPath(route)).toBe('/api/v2/segments/p//expiring-targets/e');
  });
});

describe('rawTargetIsRewritten', () => {
  it('a plain origin-form target, with or without a query, is not', () => {
    expect(rawTargetIsRewritten(`/ld-proxy${SEGMENT}`)).toBe(false);
    expect(rawTargetIsRewritten(`${SEGMENT}?a=..`)).toBe(false);
    expect(rawTargetIsRewritten('/api/v2/segments/.x/x./expiring-targets/...')).toBe(false);
  });

  it('a target that is not a path is', () => {
    expect(rawTargetIsRewritten(`http://app.example.test${SEGMENT}`)).toBe(true);
    expect(rawTargetIsRewritten('*')).toBe(true);
    expect(rawTargetIsRewritten('')).toBe(true);
  });

  it('dot segments in any spelling and backslashes are', () => {
    for (const dots of ['.', '..', '%2e', '%2E', '%2e%2E', '.%2e', '%2e.'])
      expect([dots, rawTargetIsRewritten(`/api/v2/segments/${dots}/x/expiring-targets/production`)]).toEqual([dots, true]);
    expect(rawTargetIsRewritten('/api/v2/segments/a\\b/x/expiring-targets/production')).toBe(true);
    expect(rawTargetIsRewritten(`${SEGMENT}/..`)).toBe(true);
    expect(rawTargetIsRewritten(`/..${SEGMENT}`)).toBe(true);
  });
});
