// @ts-check
/**
 * What changed between two bundled documents, for `npm run spec:pull`. Pure: takes parsed
 * documents, returns data, so it can be tested without the network or the file system.
 */
import { listOperations } from './select.js';

/**
 * Which PATCH carries the instructions of which resource. Keyed by operationId because
 * openapi/sources.yaml already pins those ids; the instruction schemas are found by walking.
 */
export const INSTRUCTION_OPERATIONS = /** @type {const} */ ({
  segment: 'patchExpiringTargetsForSegment',
  flag: 'patchExpiringTargets',
});

/**
 * @typedef {{ name: string, keys: string[] }} Changed
 * @typedef {{ added: string[], removed: string[], changed: Changed[] }} NamedChanges
 * @typedef {{ added: string[], removed: string[] }} KindChanges
 * @typedef {{ operations: NamedChanges, schemas: NamedChanges,
 *   instructionKinds: Record<keyof typeof INSTRUCTION_OPERATIONS, KindChanges> }} SpecReport
 */

/**
 * @param {Record<string, any>} before
 * @param {Record<string, any>} after
 * @returns {SpecReport}
 */
export function diffSpecs(before, after) {
  /** @type {Record<string, KindChanges>} */
  const instructionKinds = {};
  for (const [resource, operationId] of Object.entries(INSTRUCTION_OPERATIONS)) {
    const was = new Set(instructionKindsOf(before, operationId));
    const is = new Set(instructionKindsOf(after, operationId));
    instructionKinds[resource] = {
      added: [...is].filter((k) => !was.has(k)),
      removed: [...was].filter((k) => !is.has(k)),
    };
  }
  return {
    operations: diffNamed(operationsById(before), operationsById(after)),
    schemas: diffNamed(before.components?.schemas ?? {}, after.components?.schemas ?? {}),
    instructionKinds: /** @type {SpecReport['instructionKinds']} */ (instructionKinds),
  };
}

/** @param {SpecReport} report @returns {string} */
export function formatReport(report) {
  /** @type {string[]} */
  const lines = [];
  /** @param {string} label @param {string[]} entries */
  const section = (label, entries) => {
    if (entries.length === 0) lines.push(`${label}: no changes`);
    for (const entry of entries) lines.push(`${label}: ${entry}`);
  };
  /** @param {NamedChanges} c */
  const named = (c) => [
    ...c.added.map((n) => `+ ${n}`),
    ...c.removed.map((n) => `- ${n}`),
    ...c.changed.map((x) => `~ ${x.name}${x.keys.length > 0 ? ` (${x.keys.join(', ')})` : ''}`),
  ];
  section('operations', named(report.operations));
  section('schemas', named(report.schemas));
  for (const [resource, kinds] of Object.entries(report.instructionKinds)) {
    section(`instruction kinds (${resource})`, [...kinds.added.map((k) => `+ ${k}`), ...kinds.removed.map((k) => `- ${k}`)]);
  }
  return lines.join('\n');
}

/** @param {Record<string, any>} document */
function operationsById(document) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const { operationId, method, path } of listOperations(document)) out[operationId] = document.paths[path][method];
  return out;
}

/**
 * "changed" lists the top-level keys that differ, so a maintainer sees at a glance whether it is
 * prose (description, summary) or shape (requestBody, properties).
 * @param {Record<string, any>} before @param {Record<string, any>} after @returns {NamedChanges}
 */
function diffNamed(before, after) {
  const added = Object.keys(after).filter((n) => !(n in before)).sort();
  const removed = Object.keys(before).filter((n) => !(n in after)).sort();
  /** @type {Changed[]} */
  const changed = [];
  for (const name of Object.keys(after).filter((n) => n in before).sort()) {
    const was = before[name];
    const is = after[name];
    if (canonical(was) === canonical(is)) continue;
    const keys = isObject(was) && isObject(is) ? [...new Set([...Object.keys(was), ...Object.keys(is)])] : [];
    changed.push({ name, keys: keys.filter((k) => canonical(was[k]) !== canonical(is[k])).sort() });
  }
  return { added, removed, changed };
}

/** Key order is not meaning: an upstream that only reorders keys has changed nothing. */
function canonical(/** @type {unknown} */ value) {
  return JSON.stringify(value, (_, v) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** @param {unknown} v @returns {v is Record<string, any>} */
function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The `kind` values an operation's request body accepts: body schema -> `instructions` ->
 * `items` -> oneOf/anyOf/allOf members -> `properties.kind` (const or enum), following $refs at
 * every step so that renaming or restructuring the schemas does not hide a new kind.
 * @param {Record<string, any>} document @param {string} operationId @returns {string[]}
 */
export function instructionKindsOf(document, operationId) {
  const operation = operationsById(document)[operationId];
  /** @type {Set<string>} */
  const kinds = new Set();
  for (const media of Object.values(deref(document, operation?.requestBody)?.content ?? {})) {
    for (const instructions of findProperty(document, media?.schema, 'instructions')) {
      for (const items of findProperty(document, instructions, 'items', true)) collectKinds(document, items, kinds);
    }
  }
  return [...kinds].sort();
}

/**
 * Every schema reached for `name`, looking through $refs and compositions. With `keyword`, `name`
 * is a schema keyword (like `items`) rather than a member of `properties`.
 * @param {Record<string, any>} document @param {unknown} schema @param {string} name
 * @returns {unknown[]}
 */
function findProperty(document, schema, name, keyword = false, seen = new Set()) {
  const s = deref(document, schema);
  if (!isObject(s) || seen.has(s)) return [];
  seen.add(s);
  const own = keyword ? s[name] : s.properties?.[name];
  const found = own === undefined ? [] : [own];
  for (const member of compositions(s)) found.push(...findProperty(document, member, name, keyword, seen));
  return found;
}

/** @param {Record<string, any>} document @param {unknown} schema @param {Set<string>} kinds */
function collectKinds(document, schema, kinds, seen = new Set()) {
  const s = deref(document, schema);
  if (!isObject(s) || seen.has(s)) return;
  seen.add(s);
  const kind = deref(document, s.properties?.kind);
  if (isObject(kind)) {
    if (typeof kind.const === 'string') kinds.add(kind.const);
    for (const value of Array.isArray(kind.enum) ? kind.enum : []) if (typeof value === 'string') kinds.add(value);
  }
  for (const member of compositions(s)) collectKinds(document, member, kinds, seen);
}

/** @param {Record<string, any>} s @returns {unknown[]} */
function compositions(s) {
  return ['oneOf', 'anyOf', 'allOf'].flatMap((k) => (Array.isArray(s[k]) ? s[k] : []));
}

/**
 * Follows local $refs (chains included); anything unresolvable comes back as undefined.
 * @param {Record<string, any>} document @param {unknown} node @returns {any}
 */
function deref(document, node, depth = 0) {
  if (!isObject(node) || typeof node.$ref !== 'string') return node;
  if (depth > 32 || !node.$ref.startsWith('#/')) return undefined;
  /** @type {any} */
  let target = document;
  for (const part of node.$ref.slice(2).split('/')) {
    target = target !== null && typeof target === 'object' ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return deref(document, target, depth + 1);
}
