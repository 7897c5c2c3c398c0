// @ts-check
/**
 * Locations inside OpenAPI documents that stay meaningful from one document to another: an
 * array member that has an identity of its own (a parameter, a server, a top-level tag) is named
 * by that identity rather than by its index, because the same parameter sits at different
 * indices in the documentation page, the official document and the merged bundle.
 */

/** @typedef {(string | number)[]} Location */

/**
 * The identity of an array member, if it has one: `in name` for a parameter, its `$ref` for a
 * referenced one, `url` for a server, `name` for a tag.
 * @param {unknown} member
 * @returns {string | undefined}
 */
export function identityOf(member) {
  if (!isObject(member)) return undefined;
  if (typeof member.$ref === 'string') return member.$ref;
  if (typeof member.in === 'string' && typeof member.name === 'string') return `${member.in} ${member.name}`;
  if (typeof member.url === 'string') return member.url;
  if (typeof member.name === 'string') return member.name;
  return undefined;
}

/**
 * The value at `location`, or undefined. A string step into an array finds the member with
 * that identity.
 * @param {unknown} root @param {Location} location
 */
export function valueAt(root, location) {
  /** @type {any} */
  let node = root;
  for (const step of location) {
    if (Array.isArray(node)) {
      node = typeof step === 'number' ? node[step] : node.find((m) => identityOf(m) === step);
    } else if (isObject(node)) {
      node = Object.hasOwn(node, step) ? node[step] : undefined;
    } else {
      return undefined;
    }
  }
  return node;
}

/**
 * `location` with each index into an array replaced by the member's identity where it has one.
 * @param {unknown} root @param {Location} location
 * @returns {Location}
 */
export function stableLocation(root, location) {
  /** @type {any} */
  let node = root;
  /** @type {Location} */
  const out = [];
  for (const step of location) {
    if (Array.isArray(node) && typeof step === 'number') {
      const member = node[step];
      out.push(identityOf(member) ?? step);
      node = member;
    } else {
      out.push(step);
      node = isObject(node) ? node[step] : undefined;
    }
  }
  return out;
}

/** @param {Location} prefix @param {Location} location */
export function isPrefix(prefix, location) {
  return prefix.length <= location.length && prefix.every((step, i) => String(step) === String(location[i]));
}

/** Key order is not meaning: objects compare member by member. */
export function canonical(/** @type {unknown} */ value) {
  return JSON.stringify(value, (_, v) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** @param {unknown} a @param {unknown} b */
export function sameValue(a, b) {
  return canonical(a) === canonical(b);
}

/** @param {unknown} v @returns {v is Record<string, any>} */
export function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
