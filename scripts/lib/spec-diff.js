// @ts-check
/**
 * What changed between two OpenAPI 3.1 documents, as report lines that name operations,
 * schemas, properties, enum values, required lists, parameters, responses and media types, each
 * with the location it concerns (locations.js), so the change report can tell whether a change
 * made it through the merge and the corrections.
 *
 * Why our own differ rather than a library: the two maintained candidates were tried on the
 * vendored documents with the edits the report must catch.
 * - openapi-diff (Atlassian) reports request and response bodies as one "scope" difference
 *   carrying a JSON Schema blob, without naming the property or enum value; it said nothing about
 *   a changed tag or a `deprecated` flag, and took about a second for a 30 KB document.
 * - api-smart-diff resolves every $ref first, so a field added to ExpiringTarget came out six
 *   times (once per response using it) with wording that differs per place, and compares arrays
 *   such as tags by index.
 * Neither gives a change at the location where the document states it (schema, property), which
 * is what "did a correction hide this?" is decided on; the walk below is what this needs.
 */
import { canonical, identityOf, isObject, sameValue } from './locations.js';
import { METHODS } from './select.js';

/**
 * One change. `location` is where it is stated (array members by identity); for a value added to
 * or removed from a set-like list (`enum`, `required`, tags, a union's members) `member` is that
 * value and `location` the list.
 * @typedef {import('./locations.js').Location} Location
 * @typedef {{ location: Location, member?: unknown, line: string }} Change
 */

const COMPONENT_KINDS = /** @type {Record<string, string>} */ ({
  schemas: 'schema',
  parameters: 'component parameter',
  responses: 'component response',
  requestBodies: 'component request body',
  headers: 'component header',
  examples: 'component example',
  securitySchemes: 'security scheme',
  links: 'component link',
  callbacks: 'component callback',
  pathItems: 'component path item',
});

/** Keywords whose value is one thing to a reader (an example is not a list of changes). */
const WHOLE_VALUES = new Set(['example', 'examples', 'default', 'const', 'security', 'type']);

/** Keywords whose array is a set: order carries no meaning, members are reported one by one. */
const SET_KEYWORDS = new Set(['required', 'enum']);

/** Keywords holding one subschema. */
const SUBSCHEMA = [
  'items',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
];

/** Keywords holding a map of subschemas. */
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];

/**
 * @param {Record<string, any> | undefined} before
 * @param {Record<string, any> | undefined} after
 * @returns {Change[]}
 */
export function diffDocuments(before, after) {
  /** @type {Change[]} */
  const out = [];
  const a = before ?? {};
  const b = after ?? {};
  for (const key of keysOf(a, b)) {
    if (key === 'paths') diffPaths(a.paths ?? {}, b.paths ?? {}, out);
    else if (key === 'components') diffComponents(a.components ?? {}, b.components ?? {}, out);
    else if (key === 'servers' || key === 'tags')
      diffMembers(a[key], b[key], '', [key], key === 'servers' ? 'server' : 'tag', out, diffGeneric);
    else diffValue(a[key], b[key], '', [key], key, out, diffGeneric);
  }
  return out;
}

/**
 * @typedef {(a: any, b: any, label: string, at: Location, out: Change[]) => void} Walker
 */

/** @param {Record<string, any>} a @param {Record<string, any>} b @param {Change[]} out */
function diffPaths(a, b, out) {
  for (const path of keysOf(a, b)) {
    const was = a[path] ?? {};
    const is = b[path] ?? {};
    for (const key of keysOf(was, is)) {
      const at = ['paths', path, key];
      if (key === 'parameters') diffParameterList(was[key] ?? [], is[key] ?? [], `path ${path}`, at, out);
      if (!METHODS.includes(key)) {
        if (key !== 'parameters') diffValue(was[key], is[key], `path ${path}`, at, key, out, diffGeneric);
        continue;
      }
      const opA = was[key];
      const opB = is[key];
      const name = `operation ${opB?.operationId ?? opA?.operationId ?? `${key.toUpperCase()} ${path}`}`;
      if (opA === undefined) emit(out, at, `+ ${name} (${key.toUpperCase()} ${path})`);
      else if (opB === undefined) emit(out, at, `- ${name} (${key.toUpperCase()} ${path})`);
      else diffOperation(opA, opB, name, at, out);
    }
  }
}

/** @type {Walker} */
function diffOperation(a, b, label, at, out) {
  for (const key of keysOf(a, b)) {
    const here = [...at, key];
    if (key === 'parameters') diffParameterList(a[key] ?? [], b[key] ?? [], label, here, out);
    else if (key === 'requestBody') diffValue(a[key], b[key], label, here, 'request body', out, diffRequestBody);
    else if (key === 'responses') diffResponses(a[key] ?? {}, b[key] ?? {}, label, here, out);
    else if (key === 'tags') diffSet(a[key], b[key], label, here, 'tag', out);
    else diffValue(a[key], b[key], label, here, key, out, diffGeneric);
  }
}

/** @type {Walker} */
function diffParameterList(a, b, label, at, out) {
  diffMembers(a, b, label, at, 'parameter', out, diffParameter);
}

/** @type {Walker} */
function diffParameter(a, b, label, at, out) {
  if (diffRefs(a, b, label, at, out)) return;
  for (const key of keysOf(a, b)) {
    const here = [...at, key];
    if (key === 'schema') diffValue(a[key], b[key], label, here, 'schema', out, diffSchema);
    else if (key === 'content') diffContent(a[key] ?? {}, b[key] ?? {}, label, here, out);
    else diffValue(a[key], b[key], label, here, key, out, diffGeneric);
  }
}

/** @type {Walker} */
function diffRequestBody(a, b, label, at, out) {
  if (diffRefs(a, b, label, at, out)) return;
  for (const key of keysOf(a, b)) {
    const here = [...at, key];
    if (key === 'content') diffContent(a[key] ?? {}, b[key] ?? {}, label, here, out);
    else diffValue(a[key], b[key], label, here, key, out, diffGeneric);
  }
}

/** @type {Walker} */
function diffResponses(a, b, label, at, out) {
  for (const status of keysOf(a, b)) {
    diffValue(a[status], b[status], label, [...at, status], `response ${status}`, out, diffResponse);
  }
}

/** @type {Walker} */
function diffResponse(a, b, label, at, out) {
  if (diffRefs(a, b, label, at, out)) return;
  for (const key of keysOf(a, b)) {
    const here = [...at, key];
    if (key === 'content') diffContent(a[key] ?? {}, b[key] ?? {}, label, here, out);
    else if (key === 'headers') {
      for (const name of keysOf(a[key] ?? {}, b[key] ?? {})) {
        diffValue(a[key]?.[name], b[key]?.[name], label, [...here, name], `header ${name}`, out, diffParameter);
      }
    } else diffValue(a[key], b[key], label, here, key, out, diffGeneric);
  }
}

/** @type {Walker} */
function diffContent(a, b, label, at, out) {
  for (const mediaType of keysOf(a, b)) {
    diffValue(a[mediaType], b[mediaType], label, [...at, mediaType], `media type ${mediaType}`, out, diffMediaType);
  }
}

/** @type {Walker} */
function diffMediaType(a, b, label, at, out) {
  for (const key of keysOf(a, b)) {
    const here = [...at, key];
    if (key === 'schema') diffValue(a[key], b[key], label, here, 'schema', out, diffSchema);
    else diffValue(a[key], b[key], label, here, key, out, diffGeneric);
  }
}

/** @param {Record<string, any>} a @param {Record<string, any>} b @param {Change[]} out */
function diffComponents(a, b, out) {
  for (const type of keysOf(a, b)) {
    const kind = COMPONENT_KINDS[type] ?? `component ${type}`;
    const walker =
      type === 'schemas'
        ? diffSchema
        : type === 'parameters' || type === 'headers'
          ? diffParameter
          : type === 'responses'
            ? diffResponse
            : type === 'requestBodies'
              ? diffRequestBody
              : diffGeneric;
    for (const name of keysOf(a[type] ?? {}, b[type] ?? {})) {
      diffValue(a[type]?.[name], b[type]?.[name], '', ['components', type, name], `${kind} ${name}`, out, walker);
    }
  }
}

/** @type {Walker} */
function diffSchema(a, b, label, at, out) {
  if (!isObject(a) || !isObject(b)) return diffGeneric(a, b, label, at, out);
  for (const key of keysOf(a, b)) {
    const here = [...at, key];
    if (key === '$ref') diffValue(a[key], b[key], label, here, key, out, diffGeneric);
    else if (SUBSCHEMA_MAPS.includes(key)) {
      const noun = key === 'properties' ? 'property' : `${key} member`;
      for (const name of keysOf(a[key] ?? {}, b[key] ?? {})) {
        const was = a[key]?.[name];
        const is = b[key]?.[name];
        if (was === undefined) emit(out, [...here, name], `${label}: + ${noun} ${name}${typeHint(is)}`);
        else if (is === undefined) emit(out, [...here, name], `${label}: - ${noun} ${name}`);
        else diffSchema(was, is, `${label} ${noun} ${name}`, [...here, name], out);
      }
    } else if (SUBSCHEMA.includes(key) || (key === 'additionalProperties' && isObject(a[key]) && isObject(b[key]))) {
      diffValue(a[key], b[key], label, here, key, out, diffSchema);
    } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf' || key === 'prefixItems') {
      diffSchemaList(a[key], b[key], label, here, key, out);
    } else if (SET_KEYWORDS.has(key)) {
      diffSet(a[key], b[key], label, here, key, out);
    } else {
      diffValue(a[key], b[key], label, here, key, out, diffGeneric);
    }
  }
}

/**
 * A union or intersection: members that are references form a set (adding a kind to a union is
 * one line); inline members are compared by position.
 * @param {unknown} a @param {unknown} b @param {string} label @param {Location} at @param {string} key @param {Change[]} out
 */
function diffSchemaList(a, b, label, at, key, out) {
  const was = Array.isArray(a) ? a : [];
  const is = Array.isArray(b) ? b : [];
  if (a === undefined || b === undefined || !Array.isArray(a) || !Array.isArray(b)) {
    return diffValue(a, b, label, at, key, out, diffGeneric);
  }
  const refs = (/** @type {unknown[]} */ list) =>
    list.filter((m) => isObject(m) && typeof m.$ref === 'string' && Object.keys(m).length === 1);
  const inline = (/** @type {unknown[]} */ list) => list.filter((m) => !refs(list).includes(m));
  const refsA = refs(was).map((m) => /** @type {any} */ (m).$ref);
  const refsB = refs(is).map((m) => /** @type {any} */ (m).$ref);
  for (const ref of refsB.filter((r) => !refsA.includes(r))) emit(out, at, `${label}: ${key} + ${refName(ref)}`, { $ref: ref });
  for (const ref of refsA.filter((r) => !refsB.includes(r))) emit(out, at, `${label}: ${key} - ${refName(ref)}`, { $ref: ref });
  const inA = inline(was);
  const inB = inline(is);
  for (let i = 0; i < Math.max(inA.length, inB.length); i++) {
    const member = inB[i] ?? inA[i];
    const index = (inB[i] !== undefined ? is : was).indexOf(member);
    diffValue(inA[i], inB[i], label, [...at, index], `${key}[${index}]`, out, diffSchema);
  }
}

/**
 * Members of a list that have an identity (parameters, servers, tags), matched by it.
 * @param {unknown} a @param {unknown} b @param {string} label @param {Location} at @param {string} noun
 * @param {Change[]} out @param {Walker} walker
 */
function diffMembers(a, b, label, at, noun, out, walker) {
  const was = Array.isArray(a) ? a : [];
  const is = Array.isArray(b) ? b : [];
  /** @param {any[]} list */
  const byId = (list) => new Map(list.map((m, i) => [identityOf(m) ?? String(i), m]));
  const mapA = byId(was);
  const mapB = byId(is);
  const prefix = label ? `${label}: ` : '';
  for (const id of [...new Set([...mapA.keys(), ...mapB.keys()])]) {
    const was = mapA.get(id);
    const is = mapB.get(id);
    if (sameValue(was, is)) continue;
    const byRef = id.startsWith('#/');
    const name = byRef ? `${noun} ${refName(id)} (reference)` : `${noun} ${id}`;
    if (was === undefined) emit(out, [...at, id], `${prefix}+ ${name}${byRef ? '' : typeHint(is)}`);
    else if (is === undefined) emit(out, [...at, id], `${prefix}- ${name}`);
    else walker(was, is, label ? `${label} ${name}` : name, [...at, id], out);
  }
}

/**
 * @param {unknown} a @param {unknown} b @param {string} label @param {Location} at @param {string} noun @param {Change[]} out
 */
function diffSet(a, b, label, at, noun, out) {
  if (!Array.isArray(a) && a !== undefined) return diffValue(a, b, label, at, noun, out, diffGeneric);
  if (!Array.isArray(b) && b !== undefined) return diffValue(a, b, label, at, noun, out, diffGeneric);
  const was = a ?? [];
  const is = b ?? [];
  const has = (/** @type {unknown[]} */ list, /** @type {unknown} */ v) => list.some((m) => sameValue(m, v));
  for (const v of is) if (!has(was, v)) emit(out, at, `${label}: ${noun} + ${scalar(v)}`, v);
  for (const v of was) if (!has(is, v)) emit(out, at, `${label}: ${noun} - ${scalar(v)}`, v);
}

/**
 * A member present on one side only is one line; present on both, the walker compares it.
 * @param {unknown} a @param {unknown} b @param {string} label @param {Location} at @param {string} name
 * @param {Change[]} out @param {Walker} walker
 */
function diffValue(a, b, label, at, name, out, walker) {
  if (sameValue(a, b)) return;
  const prefix = label ? `${label}: ` : '';
  const entity = !/^[a-z$][\w$-]*$/i.test(name) || COMPONENT_NAMES.test(name);
  if (a === undefined) {
    emit(out, at, entity ? `${prefix}+ ${name}${typeHint(b)}` : `${prefix}+ ${name}: ${show(b)}`);
  } else if (b === undefined) {
    emit(out, at, entity ? `${prefix}- ${name}` : `${prefix}- ${name}: ${show(a)}`);
  } else if (isObject(a) && isObject(b) && !WHOLE_VALUES.has(name)) {
    walker(a, b, label ? `${label} ${name}` : name, at, out);
  } else {
    emit(out, at, `${prefix}~ ${name}: ${showPair(a, b)}`);
  }
}

/** Names that are things (a schema, a response) rather than keywords, whatever their spelling. */
const COMPONENT_NAMES = /^(schema|component|security scheme|operation|response|request body|media type|parameter|header|server|tag) /;

/**
 * Any two JSON values, member by member (for files that are not OpenAPI, like the run-time rules).
 * @param {unknown} before @param {unknown} after @param {string} label
 * @returns {Change[]}
 */
export function diffValues(before, after, label) {
  /** @type {Change[]} */
  const out = [];
  if (!sameValue(before, after)) diffGeneric(before, after, label, [], out);
  return out;
}

/** @type {Walker} */
function diffGeneric(a, b, label, at, out) {
  if (!isObject(a) || !isObject(b)) {
    emit(out, at, `${label}: ~ ${showPair(a, b)}`);
    return;
  }
  for (const key of keysOf(a, b)) diffValue(a[key], b[key], label, [...at, key], key, out, diffGeneric);
}

/**
 * Both sides references: a changed target is one line. Returns true when it handled the pair.
 * @param {any} a @param {any} b @param {string} label @param {Location} at @param {Change[]} out
 */
function diffRefs(a, b, label, at, out) {
  if (typeof a?.$ref !== 'string' && typeof b?.$ref !== 'string') return false;
  diffGeneric(a, b, label, at, out);
  return true;
}

/** @param {Change[]} out @param {Location} location @param {string} line @param {unknown} [member] */
function emit(out, location, line, member) {
  out.push(member === undefined ? { location, line } : { location, member, line });
}

/** @param {string} ref */
function refName(ref) {
  return ref.startsWith('#/components/') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
}

/** What a newly added schema-like value is, in a word or two. */
function typeHint(/** @type {unknown} */ value) {
  if (!isObject(value)) return '';
  if (typeof value.$ref === 'string') return ` (${refName(value.$ref)})`;
  if (value.const !== undefined) return ` (const ${scalar(value.const)})`;
  const type = Array.isArray(value.type) ? value.type.join(' | ') : value.type;
  if (Array.isArray(value.enum)) return ` (${type === undefined ? '' : `${type} `}enum ${value.enum.map(scalar).join(', ')})`;
  if (type !== undefined) return ` (${type})`;
  if (value.schema !== undefined) return typeHint(value.schema);
  return '';
}

/** @param {Record<string, any>} a @param {Record<string, any>} b */
function keysOf(a, b) {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
}

const MAX = 80;

/** A value in a report line: JSON, cut to a readable length. */
export function show(/** @type {unknown} */ value) {
  const text = value === undefined ? 'nothing' : canonicalText(value);
  return text.length <= MAX ? text : `${text.slice(0, MAX - 1)}…`;
}

/** Strings as they are when plain; anything else as JSON. */
function scalar(/** @type {unknown} */ value) {
  return typeof value === 'string' && /^[\w.\-/@:]+$/.test(value) ? value : show(value);
}

/** @param {unknown} value */
function canonicalText(value) {
  return isObject(value) || Array.isArray(value) ? JSON.stringify(value) : canonical(value);
}

/**
 * Two values side by side; two long strings are shown around their first difference, so that a
 * changed word deep in a description is visible.
 * @param {unknown} a @param {unknown} b
 */
export function showPair(a, b) {
  if (typeof a === 'string' && typeof b === 'string' && Math.max(a.length, b.length) > MAX - 2) {
    let same = 0;
    while (same < a.length && same < b.length && a[same] === b[same]) same++;
    const start = Math.max(0, same - 20);
    const width = 50;
    const cut = (/** @type {string} */ s) =>
      `${start > 0 ? '…' : ''}${JSON.stringify(s.slice(start, start + width)).slice(1, -1)}${start + width < s.length ? '…' : ''}`;
    return `"${cut(a)}" → "${cut(b)}"`;
  }
  return `${show(a)} → ${show(b)}`;
}
