/**
 * The admin page's backend: Node `http`, serving the built page, the list of resources it may
 * pick from, and the expiring-targets proxy that holds the token. `authorize` reads the demo
 * session cookie set with the page, and lets its user change the environments it names.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The package's built entry (the root `npm run build`); an app would import 'ld-expiring-targets/proxy'.
import { createExpiringTargetsProxy, createNodeListener } from '../../../dist/proxy.js';
import { DEFAULT_RESOURCES, DEMO_USERS } from './config.js';
import { SECURITY_HEADERS, createStatic } from './static.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SESSION_COOKIE = 'demo-session';
/** Sessions kept at most; the oldest is forgotten first. */
const MAX_SESSIONS = 1000;

/**
 * @param {{
 *   apiKey: string,
 *   baseUrl?: string,
 *   port?: number,
 *   host?: string,
 *   resources?: readonly object[],
 *   distDir?: string,
 *   onAudit?: (event: import('../../../dist/proxy.js').ProxyAuditEvent<string>) => void,
 * }} options
 */
export async function startWebAdmin(options) {
  /** session id → user name; a session is made for each visit of the page. */
  const sessions = new Map();
  const serveStatic = createStatic(options.distDir ?? path.join(here, '..', 'dist'));
  const resources = options.resources ?? DEFAULT_RESOURCES;

  /** @param {Request | http.IncomingMessage} request */
  function userOf(request) {
    const header = request instanceof Request ? request.headers.get('cookie') : request.headers.cookie;
    const id = (header ?? '')
      .split(/;\s*/)
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
      ?.slice(SESSION_COOKIE.length + 1);
    const name = id === undefined ? undefined : sessions.get(id);
    return name === undefined ? undefined : DEMO_USERS[name];
  }

  const proxy = createNodeListener(
    createExpiringTargetsProxy({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl,
      basePath: '/ld-proxy',
      timeoutMs: 15_000,
      authorize: ({ request, environmentKey }) => {
        const user = userOf(request);
        return { allow: user?.environments.includes(environmentKey) === true, actor: user?.name };
      },
      onAudit: options.onAudit,
    }),
  );

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/ld-proxy/')) return proxy(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    /** @type {Record<string, string>} */
    const headers = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' };
    if (url.pathname === '/api/config') {
      const user = userOf(req);
      const body = JSON.stringify({ user: user?.name ?? null, resources });
      return void res.writeHead(user ? 200 : 401, { ...headers, 'Content-Type': 'application/json' }).end(body);
    }
    const file = await serveStatic(url.pathname);
    if (url.pathname === '/' && file.status === 200 && userOf(req) === undefined) {
      // The demo's sign-in: every visit of the page starts a session as demo-admin.
      const id = randomBytes(18).toString('base64url');
      sessions.set(id, 'demo-admin');
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
      headers['Set-Cookie'] = `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict`;
    }
    res.writeHead(file.status, { ...headers, 'Content-Type': file.type }).end(req.method === 'HEAD' ? undefined : file.body);
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
