// @ts-check
/**
 * A stateless stand-in for LaunchDarkly's expiring-targets endpoints that accepts every semantic
 * patch and lists nothing, on 127.0.0.1 and a free port. No rate limit and no bookkeeping beyond
 * counters, so it costs as little as a server can: used where the client's own cost is measured
 * (`npm run bench:scale`) and by tests that send many rows.
 *
 * It still speaks the API: a PATCH must carry the semantic-patch Content-Type and a body with an
 * `instructions` list, and is answered with the patch response shape; a GET with `{ items: [] }`.
 * Optional `delayMs` holds every answer back (for tests that need a run to be mid-flight).
 */
import http from 'node:http';
import { listenOnFreePort } from './listen.js';

const PATH = /^\/api\/v2\/(segments|flags)\/[^/]+\/[^/]+\/expiring-targets\/[^/?]+$/;

/**
 * @param {{ delayMs?: number, onPatch?: (instructions: unknown[]) => void }} [options]
 */
export async function startAcceptAllServer(options = {}) {
  const stats = { requests: 0, patches: 0, gets: 0, instructions: 0 };
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();

  /** @param {http.ServerResponse} res @param {number} status @param {unknown} body */
  function send(res, status, body) {
    const text = JSON.stringify(body);
    const answer = () => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (!options.delayMs) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, options.delayMs);
    timers.add(timer);
  }

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    stats.requests++;
    if (!PATH.test(req.url ?? '')) return send(res, 404, { code: 'not_found', message: 'Invalid resource identifier' });
    if (req.method === 'GET') {
      stats.gets++;
      return send(res, 200, { items: [] });
    }
    if (req.method !== 'PATCH') return send(res, 405, { code: 'method_not_allowed', message: 'method not allowed' });
    if (!String(req.headers['content-type']).includes('domain-model=launchdarkly.semanticpatch')) {
      return send(res, 400, { code: 'invalid_request', message: 'semantic patch required' });
    }
    /** @type {unknown} */
    let instructions;
    try {
      instructions = JSON.parse(Buffer.concat(chunks).toString('utf8')).instructions;
    } catch {
      instructions = undefined;
    }
    if (!Array.isArray(instructions) || instructions.length === 0) {
      return send(res, 400, { code: 'invalid_request', message: 'instructions must be a non-empty list' });
    }
    stats.patches++;
    stats.instructions += instructions.length;
    options.onPatch?.(instructions);
    const total = instructions.length;
    return send(res, 200, { items: [], totalInstructions: total, successfulInstructions: total, failedInstructions: 0, errors: [] });
  });
  server.keepAliveTimeout = 60_000;
  const { url, close } = await listenOnFreePort(server);
  return {
    url,
    stats,
    close: () => {
      for (const t of timers) clearTimeout(t);
      return close();
    },
  };
}
