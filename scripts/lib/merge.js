// @ts-check
/**
 * Merges the upstream sources into one OpenAPI 3.1 document holding only the configured paths
 * and the schemas they reach.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** kebab-case or snake_case operationIds (as on the documentation pages) to the official camelCase. */
export function camelCaseOperationId(/** @type {string} */ id) {
  return id.replace(/[-_]+([a-zA-Z0-9])/g, (_, c) => String(c).toUpperCase());
}

/**
 * @typedef {{ id: string, document: Record<string, any> }} LoadedSource
 */

/**
 * @param {LoadedSource[]} sources in order of precedence (first wins)
 * @param {string[]} keepPaths
 * @returns {Record<string, any>}
 */
export function mergeSources(sources, keepPaths) {
  /** @type {Record<string, any>} */
  const paths = {};
  /** @type {Record<string, any>} */
  const schemas = {};
  /** @type {Record<string, any>} */
  const securitySchemes = {};
  /** @type {Map<string, any>} */
  const servers = new Map();
  /** @type {Record<string, any> | undefined} */
  let info;

  for (const { document } of sources) {
    info ??= document.info;
    for (const server of document.servers ?? []) {
      if (!servers.has(server.url)) servers.set(server.url, server);
    }
    for (const path of keepPaths) {
      const item = document.paths?.[path];
      if (!item) continue;
      paths[path] ??= {};
      for (const method of METHODS) {
        if (!item[method] || paths[path][method]) continue;
        const operation = structuredClone(item[method]);
        if (typeof operation.operationId === 'string') {
          operation.operationId = camelCaseOperationId(operation.operationId);
        }
        paths[path][method] = operation;
      }
    }
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      schemas[name] ??= structuredClone(schema);
    }
    for (const [name, scheme] of Object.entries(document.components?.securitySchemes ?? {})) {
      securitySchemes[name] ??= structuredClone(scheme);
    }
  }

  // Key order is fixed here so that the written document is byte-stable across runs.
  return {
    openapi: '3.1.0',
    info: structuredClone(info ?? { title: 'LaunchDarkly REST API', version: '2.0' }),
    servers: [...servers.values()].map((s) => structuredClone(s)),
    paths: sortPathItems(paths, keepPaths),
    components: { schemas, securitySchemes },
  };
}

/** @param {Record<string, any>} paths @param {string[]} order */
function sortPathItems(paths, order) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const path of order) {
    if (!paths[path]) continue;
    out[path] = {};
    for (const method of METHODS) if (paths[path][method]) out[path][method] = paths[path][method];
  }
  return out;
}

/**
 * Keeps only the component schemas reachable from the paths (after corrections, some upstream
 * schemas are no longer used), sorted by name for stable diffs.
 * @param {Record<string, any>} document
 */
export function pruneAndSortSchemas(document) {
  const schemas = document.components?.schemas ?? {};
  const reached = new Set();
  /** @param {unknown} node */
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const m = /^#\/components\/schemas\/(.+)$/.exec(value);
        const name = m?.[1];
        if (name && !reached.has(name)) {
          reached.add(name);
          visit(schemas[name]);
        }
      } else {
        visit(value);
      }
    }
  };
  visit(document.paths);
  /** @type {Record<string, any>} */
  const kept = {};
  for (const name of [...reached].sort()) {
    if (schemas[name] !== undefined) kept[name] = schemas[name];
  }
  document.components.schemas = kept;
  return document;
}

/**
 * @param {Record<string, any>} document
 * @returns {{ operationId: string, method: string, path: string }[]}
 */
export function listOperations(document) {
  const out = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      if (item?.[method]) out.push({ operationId: String(item[method].operationId), method, path });
    }
  }
  return out;
}
