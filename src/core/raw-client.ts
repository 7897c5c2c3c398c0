/**
 * `client.raw`: the typed openapi-fetch client over the client's transport, made on first use.
 * openapi-fetch is loaded then, so a page that only calls the resources does not carry it.
 *
 * Middleware registered here is kept in order and handed to openapi-fetch, after the one that
 * sets the semantic-patch Content-Type. While any is registered, the resources' calls go
 * through openapi-fetch too, so that it sees them (./client.ts asks `viaMiddleware`).
 */
import type { Middleware } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import type { RawClient } from './client-api.js';
import { RESOURCES } from './resources.js';

/**
 * The Content-Type of every PATCH: LaunchDarkly answers a plain `application/json` PATCH with 400.
 * Taken from the bundled document's request body.
 */
export const SEMANTIC_PATCH_CONTENT_TYPE = RESOURCES.segment.rules.patchMediaType;

/**
 * Registered first, so later middleware (yours included) sees the header that goes out: every
 * PATCH of the raw client carries the semantic-patch Content-Type.
 */
const semanticPatchMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.method === 'PATCH') request.headers.set('Content-Type', SEMANTIC_PATCH_CONTENT_TYPE);
    return undefined;
  },
};

/** What openapi-fetch is created with: the client's base URL and headers, over its transport. */
export interface RawConfig {
  baseUrl: string;
  headers: Record<string, string>;
  fetch: (request: Request) => Promise<Response>;
}

export interface RawAccess {
  /** The object users hold as `client.raw`. */
  raw: RawClient;
  /** openapi-fetch with the registered middleware, while any is registered; else undefined. */
  viaMiddleware(): Promise<RawClient> | undefined;
}

const METHODS = ['request', 'GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;

export function createRaw(config: RawConfig): RawAccess {
  const registered: Middleware[] = [];
  let made: RawClient | undefined;
  let making: Promise<RawClient> | undefined;
  const client = () =>
    (making ??= import('./internal/create-openapi-client.js').then(({ createClient }) => {
      made = createClient<paths>(config);
      made.use(semanticPatchMiddleware, ...registered);
      return made;
    }));

  const raw = {
    use(...middleware: Middleware[]) {
      for (const m of middleware) {
        // Refused here, as openapi-fetch would, rather than at the first call.
        if (m && (typeof m !== 'object' || !('onRequest' in m || 'onResponse' in m || 'onError' in m))) {
          throw new TypeError('middleware must be an object with onRequest, onResponse or onError');
        }
      }
      const kept = middleware.filter(Boolean);
      registered.push(...kept);
      made?.use(...kept);
    },
    eject(...middleware: Middleware[]) {
      for (const m of middleware) {
        const i = registered.indexOf(m);
        if (i !== -1) registered.splice(i, 1);
      }
      made?.eject(...middleware);
    },
  } as Record<string, unknown>;
  for (const method of METHODS) {
    raw[method] = (...args: unknown[]) => client().then((c) => (c[method] as (...a: unknown[]) => unknown)(...args));
  }
  return {
    raw: raw as unknown as RawClient,
    viaMiddleware: () => (registered.length > 0 ? client() : undefined),
  };
}
