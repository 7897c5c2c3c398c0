// @ts-check
/**
 * A small stand-in for LaunchDarkly's expiring-targets endpoints with state, rate limits and
 * scripted faults, on 127.0.0.1. Used by the resilience and proxy tests, the browser test and
 * `npm run bench:bulk`.
 *
 * It applies semantic-patch instructions the way the documentation describes (add needs no
 * existing expiring target, update and remove need one; an update carrying a `version` other than
 * the target's `_version` fails, as LaunchDarkly's optimistic locking does; with `targeted`, an
 * add for a context the resource does not target individually fails), answers GET with the current state,
 * and can fail a request before applying it (429, 503, refused body) or after applying it
 * (502, a reset connection, a stall) so that clients can be checked for lost or doubled work.
 * Like LaunchDarkly, it can insist on an access token (401 without it), answers with an
 * X-Request-Id, and can be told to rate-limit the next requests with Retry-After. It logs every
 * request it receives, so a test can prove that something never reached it. With a `catalog`
 * it also lists flags and segments page by page (./fake-catalog.js), and `routeLimits` rate-limit
 * each route on its own, as LaunchDarkly does.
 */
import http from 'node:http';
import { listingAnswer, routeLimiter, routeOf } from './fake-catalog.js';
import { listenOnFreePort } from './listen.js';

/**
 * @typedef {'none' | '500' | '429' | '409' | '503-before' | '502-after' | '500-after-html' | 'reset-before' | 'reset-after' | 'stall-after' | 'invalid-json-after'} Fault
 * @typedef {{ kind: string, contextKind: string, contextKey: string, targetType?: string, variationId?: string, value?: number, version?: number }} Instruction
 * @typedef {{ contextKind: string, contextKey: string, targetType?: string, variationId?: string, expirationDate: number, _version: number }} Target
 * @typedef {{ limit: number, windowMs: number }} RateLimit
 * @typedef {{
 *   fault?: (info: { method: string, requestNo: number, instructions: Instruction[], id?: string }) => Fault,
 *   rateLimit?: RateLimit,
 *   failInstruction?: (instruction: Instruction) => string | undefined,
 *   targeted?: (id: string, instruction: Instruction) => boolean,
 *   beforePatch?: (info: { id: string, requestNo: number, instructions: Instruction[] }) => void,
 *   beforeAnswer?: (info: { id: string, requestNo: number }) => Promise<void> | void,
 *   stallMs?: number,
 *   token?: string,
 *   catalog?: import('./fake-catalog.js').Catalog,
 *   routeLimits?: Partial<Record<import('./fake-catalog.js').Route, import('./fake-catalog.js').RouteLimit>>,
 * }} FakeOptions
 * @typedef {{ method: string, url: string, headers: import('node:http').IncomingHttpHeaders, body: string }} LoggedRequest
 */

/** @param {{ contextKind: string, contextKey: string, targetType?: string, variationId?: string }} t @param {'segment' | 'flag'} resource */
export function targetKey(t, resource) {
  return JSON.stringify([t.contextKind, t.contextKey, resource === 'segment' ? t.targetType : t.variationId]);
}

/** @param {FakeOptions} [options] */
export async function startFakeLaunchDarkly(options = {}) {
  /** @type {Map<string, Map<string, Target>>} resource path -> target key -> target */
  const state = new Map();
  /**
   * How often the server processed each instruction (identity: its JSON), to catch duplicates.
   * Requests refused before processing (429, 409, 503, a reset before reading) do not count:
   * LaunchDarkly did not act on them, so resending them is correct.
   */
  /** @type {Map<string, number>} */
  const received = new Map();
  /** Instructions the server applied, by identity (JSON of the instruction). */
  /** @type {Set<string>} */
  const applied = new Set();
  const stats = {
    requests: 0,
    patches: 0,
    gets: 0,
    faults: /** @type {Record<string, number>} */ ({}),
    rateLimited: 0,
    unauthorized: 0,
    /** Requests answered (429s included) per route: flags-list, segments-list, flag-targets, segment-targets. */
    byRoute: /** @type {Record<string, number>} */ ({}),
    /** GETs and PATCHes processed per resource (e.g. "segments/p/s/e"). */
    byResource: /** @type {Record<string, { gets: number, patches: number }>} */ ({}),
  };
  /** @param {string} id */
  const countsOf = (id) => (stats.byResource[id] ??= { gets: 0, patches: 0 });
  /** @type {LoggedRequest[]} */
  const log = [];
  /** Every GET and PATCH processed, in order. @type {{ method: string, id: string }[]} */
  const processed = [];
  /** 429s still to answer, whatever the request, each with this Retry-After (seconds). */
  let throttled = { times: 0, retryAfterSeconds: 0 };
  const perRoute = routeLimiter(options.routeLimits ?? {});
  let windowStart = Date.now();
  let windowCount = 0;
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();

  /** @param {string} path */
  function resourceOf(path) {
    const m = /^\/api\/v2\/(segments|flags)\/([^/]+)\/([^/]+)\/expiring-targets\/([^/?]+)/.exec(path);
    if (!m) return undefined;
    return {
      resource: /** @type {'segment' | 'flag'} */ (m[1] === 'segments' ? 'segment' : 'flag'),
      id: `${m[1]}/${m[2]}/${m[3]}/${m[4]}`,
    };
  }

  /** @param {http.ServerResponse} res @param {number} status @param {unknown} body @param {Record<string, string>} [headers] */
  function send(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'X-Request-Id': `fake-${stats.requests}`,
      ...headers,
    });
    res.end(text);
  }

  /** Applies instructions; returns the patch response body. @param {Map<string, Target>} targets @param {Instruction[]} instructions @param {'segment' | 'flag'} resource @param {string} id */
  function apply(targets, instructions, resource, id) {
    /** @type {{ instructionIndex: number, message: string }[]} */
    const errors = [];
    /** @type {Target[]} */
    const items = [];
    instructions.forEach((ins, instructionIndex) => {
      const key = targetKey(ins, resource);
      const forced = options.failInstruction?.(ins);
      const current = targets.get(key);
      if (forced) return errors.push({ instructionIndex, message: forced });
      if (ins.kind === 'addExpiringTarget') {
        if (current) return errors.push({ instructionIndex, message: 'an expiring target already exists for this context' });
        if (options.targeted && !options.targeted(id, ins))
          return errors.push({ instructionIndex, message: 'the context is not individually targeted' });
        /** @type {Target} */
        const t = { contextKind: ins.contextKind, contextKey: ins.contextKey, expirationDate: Number(ins.value), _version: 1 };
        if (resource === 'segment') t.targetType = String(ins.targetType);
        else t.variationId = String(ins.variationId);
        targets.set(key, t);
        items.push(t);
      } else if (ins.kind === 'updateExpiringTarget') {
        if (!current) return errors.push({ instructionIndex, message: 'no expiring target for this context' });
        if (ins.version !== undefined && ins.version !== current._version)
          return errors.push({ instructionIndex, message: 'version mismatch' });
        current.expirationDate = Number(ins.value);
        current._version++;
        items.push(current);
      } else if (ins.kind === 'removeExpiringTarget') {
        if (!current) return errors.push({ instructionIndex, message: 'no expiring target for this context' });
        targets.delete(key);
      } else {
        return errors.push({ instructionIndex, message: `unknown instruction kind ${ins.kind}` });
      }
      applied.add(JSON.stringify(ins));
    });
    const total = instructions.length;
    return {
      items: items.map((t, i) => ({ _id: String(i), _resourceId: {}, ...t })),
      totalInstructions: total,
      successfulInstructions: total - errors.length,
      failedInstructions: errors.length,
      errors,
    };
  }

  /** Rate-limit headers and whether this request is over the limit. */
  function rateLimit() {
    if (!options.rateLimit) return { over: false, headers: {} };
    const { limit, windowMs } = options.rateLimit;
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      windowCount = 0;
    }
    windowCount++;
    const reset = windowStart + windowMs;
    const remaining = Math.max(0, limit - windowCount);
    /** @type {Record<string, string>} */
    const headers = { 'X-Ratelimit-Route-Remaining': String(remaining), 'X-Ratelimit-Reset': String(reset) };
    return { over: windowCount > limit, headers };
  }

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const requestNo = ++stats.requests;
    const method = req.method ?? 'GET';
    log.push({ method, url: req.url ?? '', headers: req.headers, body });
    if (options.token !== undefined && req.headers.authorization !== options.token) {
      stats.unauthorized++;
      return send(res, 401, { code: 'unauthorized', message: 'Invalid account ID header' });
    }
    const route = routeOf(req.url ?? '');
    if (route) stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    const listing = options.catalog && method === 'GET' ? listingAnswer(options.catalog, req.url ?? '') : undefined;
    const where = resourceOf(req.url ?? '');
    if (!where && !listing) return send(res, 404, { code: 'not_found', message: 'Invalid resource identifier' });
    if (throttled.times > 0) {
      throttled.times--;
      stats.rateLimited++;
      const reset = String(Date.now() + throttled.retryAfterSeconds * 1000);
      return send(
        res,
        429,
        { code: 'rate_limited', message: "You've exceeded the API rate limit." },
        { 'Retry-After': String(throttled.retryAfterSeconds), 'X-Ratelimit-Route-Remaining': '0', 'X-Ratelimit-Reset': reset },
      );
    }
    const limit = route && options.routeLimits ? perRoute.take(route) : rateLimit();
    if (limit.over) {
      stats.rateLimited++;
      return send(res, 429, { code: 'rate_limited', message: "You've exceeded the API rate limit." }, limit.headers);
    }
    if (listing) return send(res, listing.status, listing.body, limit.headers);
    if (!where) return send(res, 404, { code: 'not_found', message: 'Invalid resource identifier' });
    const [, , key] = where.id.split('/');
    const listed = where.resource === 'flag' ? options.catalog?.flags : options.catalog?.segments;
    if (listed && !listed.some((r) => r.key === decodeURIComponent(key ?? '')))
      return send(res, 404, { code: 'not_found', message: 'Unknown resource' });
    let targets = state.get(where.id);
    if (!targets) state.set(where.id, (targets = new Map()));
    if (method === 'GET') {
      stats.gets++;
      countsOf(where.id).gets++;
      processed.push({ method, id: where.id });
      const fault = options.fault?.({ method, requestNo, instructions: [], id: where.id }) ?? 'none';
      if (fault === '500') return send(res, 500, { code: 'internal_server_error', message: 'unexpected error' });
      if (fault === '429') stats.rateLimited++;
      if (fault === '429') return send(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'Retry-After': '0' });
      if (fault === '503-before') return send(res, 503, { code: 'service_unavailable', message: 'try later' });
      return send(res, 200, { items: [...targets.values()].map((t, i) => ({ _id: String(i), _resourceId: {}, ...t })) }, limit.headers);
    }
    if (method !== 'PATCH') return send(res, 405, { code: 'method_not_allowed', message: method });
    if (!String(req.headers['content-type']).includes('domain-model=launchdarkly.semanticpatch')) {
      return send(res, 400, { code: 'invalid_request', message: 'semantic patch required' });
    }
    stats.patches++;
    countsOf(where.id).patches++;
    processed.push({ method, id: where.id });
    /** @type {Instruction[]} */
    const instructions = JSON.parse(body).instructions;
    options.beforePatch?.({ id: where.id, requestNo, instructions });
    const fault = options.fault?.({ method, requestNo, instructions }) ?? 'none';
    stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    switch (fault) {
      case '429':
        return send(res, 429, { code: 'rate_limited', message: 'slow down' }, { 'Retry-After': '0', ...limit.headers });
      case '409':
        return send(res, 409, { code: 'optimistic_locking_error', message: 'Conflict' });
      case '503-before':
        return send(res, 503, { code: 'service_unavailable', message: 'try later' });
      case 'reset-before':
        return req.socket.destroy();
    }
    for (const ins of instructions) received.set(JSON.stringify(ins), (received.get(JSON.stringify(ins)) ?? 0) + 1);
    const result = apply(targets, instructions, where.resource, where.id);
    switch (fault) {
      case '502-after':
        res.writeHead(502, { 'Content-Type': 'text/html' });
        return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      case '500-after-html':
        res.writeHead(500, { 'Content-Type': 'text/html' });
        return res.end('<html>oops</html>');
      case 'reset-after':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"items":[');
        return setTimeout(() => req.socket.destroy(), 5);
      case 'stall-after': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"items":[');
        const t = setTimeout(() => res.end(']}'), options.stallMs ?? 60_000);
        timers.add(t);
        return;
      }
      case 'invalid-json-after':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"items": [');
    }
    // Applied; the answer can be held back (a slow LaunchDarkly, a signal to deliver meanwhile).
    await options.beforeAnswer?.({ id: where.id, requestNo });
    return send(res, 200, result, limit.headers);
  });
  server.keepAliveTimeout = 60_000;
  const listening = await listenOnFreePort(server);
  return {
    url: listening.url,
    stats,
    /** Every request received, in order (headers as Node parsed them). */
    log,
    /** Every GET and PATCH processed, in order, by resource id. */
    processed,
    received,
    applied,
    /**
     * The next `times` requests (any path the fake serves) get 429 with `Retry-After` in seconds.
     * @param {{ times: number, retryAfterSeconds: number }} next
     */
    throttle(next) {
      throttled = { ...next };
    },
    /** @param {string} id e.g. "segments/p/s/e" */
    targets: (id) => [...(state.get(id)?.values() ?? [])],
    /** @param {string} id @param {Target[]} targets @param {'segment' | 'flag'} resource */
    seed(id, targets, resource) {
      const map = new Map(targets.map((t) => [targetKey(t, resource), { ...t }]));
      state.set(id, map);
    },
    /**
     * A change made behind the client's back (another user, the UI): schedules the context at
     * `expirationDate`, or moves its schedule there, bumping `_version` as LaunchDarkly does.
     * @param {string} id @param {'segment' | 'flag'} resource @param {Omit<Target, '_version'>} target
     */
    schedule(id, resource, target) {
      let targets = state.get(id);
      if (!targets) state.set(id, (targets = new Map()));
      const key = targetKey(target, resource);
      const current = targets.get(key);
      if (current) {
        current.expirationDate = target.expirationDate;
        current._version++;
      } else targets.set(key, { ...target, _version: 1 });
    },
    /** Cancels a scheduled removal behind the client's back. @param {string} id @param {'segment' | 'flag'} resource @param {Pick<Target, 'contextKind' | 'contextKey' | 'targetType' | 'variationId'>} target */
    unschedule(id, resource, target) {
      state.get(id)?.delete(targetKey(target, resource));
    },
    close: () => {
      for (const t of timers) clearTimeout(t);
      return listening.close();
    },
  };
}
