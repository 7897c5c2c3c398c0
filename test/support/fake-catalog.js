// @ts-check
/**
 * What the fake LaunchDarkly (./fake-launchdarkly.js) needs to list flags and segments: a
 * catalog of them, paged as LaunchDarkly pages its listings (`limit` up to 100, `offset`,
 * `_links.next` while there is more, `totalCount`), and rate limits per route in fixed windows,
 * answered with `X-Ratelimit-Route-Remaining` and `X-Ratelimit-Reset` as LaunchDarkly does.
 */

/**
 * @typedef {{ key: string, name?: string, tags?: string[], variations?: { _id: string, name?: string, value: unknown }[] }} CatalogFlag
 * @typedef {{ key: string, name?: string, tags?: string[] }} CatalogSegment
 * @typedef {{ projectKey: string, environmentKey: string, flags: CatalogFlag[], segments: CatalogSegment[] }} Catalog
 * @typedef {'flags-list' | 'segments-list' | 'flag-targets' | 'segment-targets'} Route
 * @typedef {{ limit: number, windowMs: number }} RouteLimit
 */

/**
 * The largest page the fake serves: 100, as openapi/corrections.overlay.yaml adds it to the listings'
 * `limit` (from LaunchDarkly's API changelog; the vendored document states no maximum).
 */
export const MAX_PAGE = 100;

/** The route a request path belongs to, for rate limits and statistics. @param {string} path @returns {Route | undefined} */
export function routeOf(path) {
  if (/^\/api\/v2\/flags\/[^/]+\/[^/]+\/expiring-targets\/[^/?]+/.test(path)) return 'flag-targets';
  if (/^\/api\/v2\/segments\/[^/]+\/[^/]+\/expiring-targets\/[^/?]+/.test(path)) return 'segment-targets';
  if (/^\/api\/v2\/flags\/[^/?]+(\?|$)/.test(path)) return 'flags-list';
  if (/^\/api\/v2\/segments\/[^/]+\/[^/?]+(\?|$)/.test(path)) return 'segments-list';
  return undefined;
}

/**
 * Fixed-window limits per route. `take(route)` counts a request and says whether it is over.
 * @param {Partial<Record<Route, RouteLimit>>} limits
 */
export function routeLimiter(limits) {
  /** @type {Map<Route, { start: number, count: number }>} */
  const windows = new Map();
  return {
    /** @param {Route} route */
    take(route) {
      const limit = limits[route];
      if (!limit) return { over: false, headers: /** @type {Record<string, string>} */ ({}) };
      const now = Date.now();
      let w = windows.get(route);
      if (!w || now - w.start >= limit.windowMs) windows.set(route, (w = { start: now, count: 0 }));
      w.count++;
      const headers = {
        'X-Ratelimit-Route-Remaining': String(Math.max(0, limit.limit - w.count)),
        'X-Ratelimit-Reset': String(w.start + limit.windowMs),
      };
      return { over: w.count > limit.limit, headers };
    },
  };
}

/**
 * The answer to a listing request, or undefined when the path is not a listing.
 * @param {Catalog} catalog @param {string} url
 * @returns {{ status: number, body: unknown } | undefined}
 */
export function listingAnswer(catalog, url) {
  const parsed = new URL(url, 'http://fake.invalid');
  const route = routeOf(parsed.pathname);
  if (route !== 'flags-list' && route !== 'segments-list') return undefined;
  const parts = parsed.pathname.split('/').map(decodeURIComponent);
  const projectKey = parts[4];
  const environmentKey = route === 'flags-list' ? parsed.searchParams.get('env') : parts[5];
  if (projectKey !== catalog.projectKey) return { status: 404, body: { code: 'not_found', message: 'Unknown project' } };
  if (environmentKey !== catalog.environmentKey) return { status: 404, body: { code: 'not_found', message: 'Unknown environment' } };
  const limit = Number(parsed.searchParams.get('limit') ?? '20');
  const offset = Number(parsed.searchParams.get('offset') ?? '0');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE || !Number.isInteger(offset) || offset < 0) {
    return { status: 400, body: { code: 'invalid_request', message: 'limit must be 1 to 100, offset 0 or more' } };
  }
  /** @type {unknown[]} */
  const all = route === 'flags-list' ? catalog.flags : catalog.segments;
  const items = all.slice(offset, offset + limit);
  const base =
    route === 'flags-list'
      ? `/api/v2/flags/${encodeURIComponent(projectKey)}`
      : `/api/v2/segments/${encodeURIComponent(projectKey)}/${encodeURIComponent(environmentKey ?? '')}`;
  const env = route === 'flags-list' ? `&env=${encodeURIComponent(environmentKey ?? '')}` : '';
  /** @type {Record<string, { href: string, type: string }>} */
  const links = { self: { href: `${base}?limit=${limit}&offset=${offset}${env}`, type: 'application/json' } };
  if (offset + limit < all.length) links.next = { href: `${base}?limit=${limit}&offset=${offset + limit}${env}`, type: 'application/json' };
  return { status: 200, body: { items, totalCount: all.length, _links: links } };
}

/**
 * A project of `flags` flags and `segments` segments, every `every`-th one with `removalsEach`
 * scheduled removals at whole hours after `now` (so some share a day), for tests and benches.
 * @param {{ projectKey?: string, environmentKey?: string, flags: number, segments: number, every?: number, removalsEach?: number, now?: number }} shape
 */
export function syntheticProject({
  projectKey = 'p',
  environmentKey = 'e',
  flags,
  segments,
  every = 20,
  removalsEach = 2,
  now = Date.now(),
}) {
  const hour = 3_600_000;
  const start = Math.ceil(now / hour) * hour + 24 * hour;
  /** @type {{ id: string, resource: 'segment' | 'flag', targets: any[] }[]} */
  const seeds = [];
  /** @type {Catalog} */
  const catalog = { projectKey, environmentKey, flags: [], segments: [] };
  for (let i = 0; i < flags; i++) {
    const key = `flag-${String(i).padStart(5, '0')}`;
    catalog.flags.push({
      key,
      name: `Flag ${i}`,
      tags: i % 2 ? ['odd'] : ['even'],
      variations: [
        { _id: `${key}-on`, name: 'On', value: true },
        { _id: `${key}-off`, name: 'Off', value: false },
      ],
    });
    if (i % every === 0) {
      const targets = Array.from({ length: removalsEach }, (_, n) => ({
        contextKind: 'user',
        contextKey: `u${i}-${n}`,
        variationId: `${key}-on`,
        expirationDate: start + ((i + n) % 72) * hour,
        _version: 1,
      }));
      seeds.push({ id: `flags/${projectKey}/${key}/${environmentKey}`, resource: 'flag', targets });
    }
  }
  for (let i = 0; i < segments; i++) {
    const key = `segment-${String(i).padStart(5, '0')}`;
    catalog.segments.push({ key, name: `Segment ${i}`, tags: i % 2 ? ['odd'] : ['even'] });
    if (i % every === 0) {
      const targets = Array.from({ length: removalsEach }, (_, n) => ({
        contextKind: n % 2 ? 'device' : 'user',
        contextKey: `s${i}-${n}`,
        targetType: n % 2 ? 'excluded' : 'included',
        expirationDate: start + ((i + n) % 48) * hour,
        _version: 1,
      }));
      seeds.push({ id: `segments/${projectKey}/${key}/${environmentKey}`, resource: 'segment', targets });
    }
  }
  return { catalog, seeds };
}
