// @ts-check
/**
 * Merges the prepared sources (selected, converted to 3.1) into one document, property by
 * property: where two sources state the same member of the same object, the earlier source wins;
 * what only a later source states is kept. So the official document's `deprecated` flags,
 * `example`s and fields survive wherever the documentation page is silent.
 *
 * Three kinds of value are taken whole from the winner rather than merged:
 * - a `$ref` object (a reference next to a later source's inline schema would mean both);
 * - arrays, apart from those whose members have an identity of their own (locations.js):
 *   `parameters` (by `in` and `name`, or by `$ref`), `servers` (by `url`) and top-level `tags`
 *   (by `name`), which merge member by member;
 * - scalars.
 */
import { select } from './overlay.js';
import { METHODS } from './select.js';
import { identityOf, isObject } from './locations.js';

/**
 * @typedef {{ id: string, document: Record<string, any>, ignore?: readonly string[] }} PreparedSource
 */

/**
 * @param {PreparedSource[]} sources in order of precedence (first wins)
 * @param {readonly string[]} pathOrder the document's paths in this order, the rest after them
 * @returns {Record<string, any>}
 */
export function mergeSources(sources, pathOrder = []) {
  /** @type {Record<string, any> | undefined} */
  let merged;
  for (const source of sources) {
    const document = withoutIgnored(source);
    merged = merged === undefined ? structuredClone(document) : mergeValue(merged, document, []);
  }
  if (merged === undefined) throw new Error('no sources to merge');
  // Key order is fixed here so that the written document is byte-stable across runs.
  const { openapi, info, servers, security, tags, paths, components, ...rest } = merged;
  return dropUndefined({
    openapi,
    info,
    servers,
    security,
    tags,
    paths: sortPaths(paths ?? {}, pathOrder),
    components,
    ...rest,
  });
}

/**
 * A copy of the source's document without what sources.yaml tells the merge to ignore in it, so
 * that later sources supply those members.
 * @param {PreparedSource} source
 */
export function withoutIgnored(source) {
  if (!source.ignore?.length) return source.document;
  const document = structuredClone(source.document);
  for (const target of source.ignore) {
    for (const { parent, key } of select(document, target).reverse()) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else if (parent) delete parent[key];
    }
  }
  return document;
}

/**
 * @param {unknown} winner @param {unknown} loser @param {readonly (string | number)[]} at
 * @returns {any}
 */
function mergeValue(winner, loser, at) {
  if (winner === undefined) return structuredClone(loser);
  if (loser === undefined) return winner;
  if (Array.isArray(winner) && Array.isArray(loser)) {
    return mergesByMember(at) ? mergeByMember(winner, loser, at) : winner;
  }
  if (isObject(winner) && isObject(loser)) {
    if ('$ref' in winner || '$ref' in loser) return winner;
    for (const [key, value] of Object.entries(loser)) {
      winner[key] = mergeValue(winner[key], value, [...at, key]);
    }
    return winner;
  }
  return winner;
}

/**
 * Whether members of the array at `at` merge one by one (by identityOf) or the array is one value.
 * @param {readonly (string | number)[]} at
 */
function mergesByMember(at) {
  const key = at[at.length - 1];
  // Only where OpenAPI puts these lists (document, path item, operation), not inside examples.
  const inPathItem = at[0] === 'paths' && (at.length === 3 || (at.length === 4 && METHODS.includes(String(at[2]))));
  return (
    (key === 'parameters' && inPathItem) || (key === 'servers' && (at.length === 1 || inPathItem)) || (key === 'tags' && at.length === 1)
  );
}

/** @param {any[]} winner @param {any[]} loser @param {readonly (string | number)[]} at */
function mergeByMember(winner, loser, at) {
  /** @type {Map<string, number>} */
  const index = new Map();
  winner.forEach((member, i) => {
    const id = identityOf(member);
    if (id !== undefined) index.set(id, i);
  });
  for (const member of loser) {
    const id = identityOf(member);
    const i = id === undefined ? undefined : index.get(id);
    if (i === undefined) {
      winner.push(structuredClone(member));
      if (id !== undefined) index.set(id, winner.length - 1);
    } else {
      winner[i] = mergeValue(winner[i], member, [...at, i]);
    }
  }
  return winner;
}

/** @param {Record<string, any>} paths @param {readonly string[]} order */
function sortPaths(paths, order) {
  const names = [...order.filter((p) => p in paths), ...Object.keys(paths).filter((p) => !order.includes(p))];
  /** @type {Record<string, any>} */
  const out = {};
  for (const name of names) {
    const item = paths[name];
    /** @type {Record<string, any>} */
    const sorted = {};
    for (const key of Object.keys(item).filter((k) => !METHODS.includes(k))) sorted[key] = item[key];
    for (const method of METHODS) if (item[method]) sorted[method] = item[method];
    out[name] = sorted;
  }
  return out;
}

/** @param {Record<string, any>} object */
function dropUndefined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}
