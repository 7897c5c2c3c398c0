// @ts-check
/**
 * Applies an OpenAPI Overlay 1.0 document (https://spec.openapis.org/overlay/v1.0.0).
 *
 * Targets use a deliberately small JSONPath subset, enough for reviewable corrections and
 * small enough to read in one sitting:
 *   $                      the root
 *   .name  ['name']        a member (bracket form for keys with '/', '{', '.', spaces)
 *   .*  [*]                every member of an object or element of an array
 *   [?@.key=='value']      the elements/members whose `key` equals a string
 * Anything else is rejected, so a typo in a target never silently matches nothing: an
 * action whose target matches nothing is an error too.
 */

import { stableLocation } from './locations.js';

export class OverlayError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'OverlayError';
  }
}

/** @typedef {{ type: 'member', name: string } | { type: 'wildcard' } | { type: 'filter', key: string, value: string }} Segment */

/**
 * @param {string} path
 * @returns {Segment[]}
 */
export function parseTarget(path) {
  if (!path.startsWith('$')) throw new OverlayError(`target must start with "$": ${path}`);
  /** @type {Segment[]} */
  const segments = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    let m;
    if ((m = /^\.([A-Za-z_$][\w$-]*)/.exec(rest))) {
      segments.push({ type: 'member', name: m[1] ?? '' });
    } else if ((m = /^(\.\*|\[\*\])/.exec(rest))) {
      segments.push({ type: 'wildcard' });
    } else if ((m = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest))) {
      segments.push({ type: 'member', name: (m[1] ?? '').replace(/\\(.)/g, '$1') });
    } else if ((m = /^\[\?\(?@\.([A-Za-z_$][\w$-]*)\s*==\s*'((?:[^'\\]|\\.)*)'\)?\]/.exec(rest))) {
      segments.push({ type: 'filter', key: m[1] ?? '', value: (m[2] ?? '').replace(/\\(.)/g, '$1') });
    } else {
      throw new OverlayError(`unsupported JSONPath at "${rest}" in ${path}`);
    }
    i += m[0].length;
  }
  return segments;
}

/** @typedef {{ parent: any, key: string | number, value: any, path: (string | number)[] }} Match */

/**
 * @param {unknown} root
 * @param {string} target
 * @returns {Match[]}
 */
export function select(root, target) {
  /** @type {Match[]} */
  let current = [{ parent: undefined, key: '$', value: root, path: [] }];
  for (const segment of parseTarget(target)) {
    /** @type {Match[]} */
    const next = [];
    for (const { value, path } of current) {
      if (value === null || typeof value !== 'object') continue;
      const entries = Array.isArray(value) ? value.map((v, idx) => /** @type {[number, unknown]} */ ([idx, v])) : Object.entries(value);
      for (const [key, child] of entries) {
        const hit =
          segment.type === 'wildcard' ||
          (segment.type === 'member' && String(key) === segment.name) ||
          (segment.type === 'filter' &&
            child !== null &&
            typeof child === 'object' &&
            /** @type {Record<string, unknown>} */ (child)[segment.key] === segment.value);
        if (hit) next.push({ parent: value, key, value: child, path: [...path, key] });
      }
    }
    current = next;
  }
  return current;
}

/**
 * Overlay merge: objects merge member by member, arrays are appended to, anything else is replaced.
 * @param {any} target
 * @param {any} update
 * @returns {any}
 */
function merge(target, update) {
  if (Array.isArray(target) && Array.isArray(update)) return [...target, ...structuredClone(update)];
  if (isObject(target) && isObject(update)) {
    for (const [k, v] of Object.entries(update)) {
      target[k] = k in target ? merge(target[k], v) : structuredClone(v);
    }
    return target;
  }
  return structuredClone(update);
}

/** @param {unknown} v @returns {v is Record<string, any>} */
function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * @typedef {{ target: string, description?: string, update?: unknown, remove?: boolean }} OverlayAction
 * @typedef {{ overlay: string, info?: unknown, actions: OverlayAction[] }} Overlay
 */

/**
 * Applies the actions in order to a copy of `document`.
 * @template T
 * @param {T} document
 * @param {Overlay} overlay
 * @returns {T}
 */
export function applyOverlay(document, overlay) {
  return traceOverlay(document, overlay).document;
}

/**
 * @typedef {{ index: number, action: OverlayAction, label: string, matched: (string | number)[][],
 *   footprint: (string | number)[][] }} AppliedAction
 */

/**
 * Applies the actions like applyOverlay and records, per action, the locations it matched and
 * its footprint: the locations (locations.js) whose upstream content it decides (a removed node; each member an
 * update sets, down to the values it replaces). With `lenient`, an action matching nothing is
 * skipped instead of failing: the change report applies today's corrections to yesterday's
 * upstream, which may lack what a new correction targets.
 * @template T
 * @param {T} document
 * @param {Overlay} overlay
 * @param {{ lenient?: boolean }} [options]
 * @returns {{ document: T, applied: AppliedAction[], skipped: AppliedAction[] }}
 */
export function traceOverlay(document, overlay, { lenient = false } = {}) {
  if (!overlay || typeof overlay.overlay !== 'string' || !overlay.overlay.startsWith('1.')) {
    throw new OverlayError('not an Overlay 1.x document (missing "overlay: 1.0.0")');
  }
  if (!Array.isArray(overlay.actions)) throw new OverlayError('overlay has no "actions" list');
  const result = structuredClone(document);
  /** @type {AppliedAction[]} */
  const applied = [];
  /** @type {AppliedAction[]} */
  const skipped = [];
  overlay.actions.forEach((action, index) => {
    const label = `action ${index + 1} (${action.description ?? action.target})`;
    const matches = select(result, action.target);
    const record = {
      index,
      action,
      label,
      matched: matches.map((m) => stableLocation(result, m.path)),
      footprint: /** @type {(string | number)[][]} */ ([]),
    };
    if (matches.length === 0) {
      if (lenient) return void skipped.push(record);
      throw new OverlayError(`${label}: target ${action.target} matches nothing`);
    }
    applied.push(record);
    if (action.remove === true) {
      record.footprint = record.matched;
      // Remove from the end so that array indices of later matches stay valid.
      for (const { parent, key } of [...matches].reverse()) {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      }
      return;
    }
    if (action.update === undefined) throw new OverlayError(`${label}: needs "update" or "remove: true"`);
    for (const match of matches) {
      record.footprint.push(...updateFootprint(match.value, action.update, match.path).map((at) => stableLocation(result, at)));
      if (match.parent === undefined) merge(result, action.update);
      else match.parent[match.key] = merge(match.value, action.update);
    }
  });
  return { document: result, applied, skipped };
}

/**
 * Where an update decides the content: members it adds or replaces. Objects merged into objects
 * and arrays appended to arrays leave the rest of the target as upstream has it.
 * @param {unknown} target @param {unknown} update @param {(string | number)[]} at
 * @returns {(string | number)[][]}
 */
function updateFootprint(target, update, at) {
  if (Array.isArray(target) && Array.isArray(update)) return [];
  if (isObject(target) && isObject(update)) {
    return Object.entries(update).flatMap(([k, v]) => (k in target ? updateFootprint(target[k], v, [...at, k]) : [[...at, k]]));
  }
  return [at];
}
