// @ts-check
/**
 * Selection with openapi-format's filter: the configured operations and every component they
 * reach (schemas, parameters, responses, request bodies, headers, examples), following $refs
 * and discriminator mappings through chains of components.
 */
import { openapiFilter } from 'openapi-format';

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every component type the filter can drop when nothing refers to it. */
const COMPONENT_TYPES = ['schemas', 'parameters', 'responses', 'requestBodies', 'headers', 'examples'];

/**
 * The filter's own defaults, given explicitly so that it does not read them from disk per call.
 * `preserveEmptyObjects` keeps `{}` values: an empty `additionalProperties` or `default` means
 * something, and the subset must say what upstream says.
 */
const FILTER_DEFAULTS = { preserveEmptyObjects: true };

/** kebab-case or snake_case operationIds (as on the documentation pages) to the official camelCase. */
export function camelCaseOperationId(/** @type {string} */ id) {
  return id.replace(/[-_]+([a-zA-Z0-9])/g, (_, c) => String(c).toUpperCase());
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

/**
 * A copy of `document` holding only the operations whose operationId, once camelCased, is in
 * `operationIds`, with the components they reach and the top-level tags they use.
 * Ids are left as upstream wrote them: this is what gets vendored.
 * @param {Record<string, any>} document
 * @param {readonly string[]} operationIds camelCase
 * @returns {Promise<Record<string, any>>}
 */
export async function selectOperations(document, operationIds) {
  const wanted = new Set(operationIds);
  const found = listOperations(document).filter((o) => wanted.has(camelCaseOperationId(o.operationId)));
  const upstreamIds = found.map((o) => o.operationId);
  // The filter starts by copying the whole document and walks it several times; path items
  // without a wanted operation, which it would drop anyway, are left out of what it is given.
  // (Its keep-list, empty, would mean "keep everything": nothing wanted means no paths.)
  const paths = Object.fromEntries([...new Set(found.map((o) => o.path))].map((p) => [p, document.paths[p]]));
  const input = { ...document, paths };
  const { data } = await openapiFilter(input, {
    defaultFilter: {},
    filterSet: { ...FILTER_DEFAULTS, inverseOperationIds: upstreamIds, unusedComponents: COMPONENT_TYPES },
  });
  // The filter keeps every top-level tag; the subset only needs those its operations carry.
  if (Array.isArray(data.tags)) {
    const used = new Set(listOperations(data).flatMap(({ path, method }) => data.paths[path][method].tags ?? []));
    data.tags = data.tags.filter((/** @type {{ name?: string }} */ tag) => used.has(tag?.name));
    if (data.tags.length === 0) delete data.tags;
  }
  return data;
}

/**
 * Drops the components nothing refers to any more (corrections replace some upstream schemas)
 * and sorts every component map by name, so that the bundle is byte-stable.
 * @param {Record<string, any>} document
 * @returns {Promise<Record<string, any>>}
 */
export async function pruneComponents(document) {
  const { data } = await openapiFilter(document, {
    defaultFilter: {},
    filterSet: { ...FILTER_DEFAULTS, unusedComponents: COMPONENT_TYPES },
  });
  for (const [type, members] of Object.entries(data.components ?? {})) {
    if (members === null || typeof members !== 'object') continue;
    data.components[type] = Object.fromEntries(Object.entries(members).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return data;
}
