// @ts-check
/**
 * Derives, from the bundled document, what the client checks at run time: for each resource
 * (segment, flag), its path and path parameters, the query parameters of each operation, the
 * semantic-patch media type of its PATCH, the top-level fields of the PATCH body, and for each
 * instruction kind the fields with their JSON Schema rules. Written as
 * generated/instruction-rules.ts, so validation reads the schema instead of a hand-kept copy.
 */

/** Which resource a path belongs to: the collection right after /api/v2/. */
const RESOURCE_OF_COLLECTION = { segments: 'segment', flags: 'flag' };

/** Keywords a field rule keeps; anything else in a property schema is not checked at run time. */
const FIELD_KEYWORDS = [
  'type',
  'const',
  'enum',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'format',
  'deprecated',
];

export class RulesError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'RulesError';
  }
}

/**
 * @param {Record<string, any>} document
 * @param {string} ref
 * @returns {{ name: string, schema: Record<string, any> }}
 */
function resolve(document, ref) {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  const schema = m ? document.components?.schemas?.[m[1] ?? ''] : undefined;
  if (!m || schema === undefined) throw new RulesError(`cannot resolve ${ref}`);
  return { name: m[1] ?? '', schema };
}

/**
 * Follows $refs (and single-member allOf) down to a schema with content.
 * @param {Record<string, any>} document @param {Record<string, any>} schema
 * @returns {{ schema: Record<string, any>, named: string | undefined }}
 */
function deref(document, schema) {
  let named;
  let current = schema;
  for (let hops = 0; hops < 16; hops++) {
    if (typeof current.$ref === 'string') {
      const r = resolve(document, current.$ref);
      named ??= r.name;
      current = r.schema;
    } else if (Array.isArray(current.allOf) && current.allOf.length === 1) {
      current = current.allOf[0];
    } else {
      return { schema: current, named };
    }
  }
  throw new RulesError('a $ref chain is too long (a cycle?)');
}

/**
 * The rule of one instruction field.
 * @param {Record<string, any>} document @param {Record<string, any>} property @param {string} where
 */
function fieldRule(document, property, where) {
  const { schema, named } = deref(document, property);
  /** @type {Record<string, unknown>} */
  const rule = {};
  for (const keyword of FIELD_KEYWORDS) if (schema[keyword] !== undefined) rule[keyword] = schema[keyword];
  if (property.deprecated !== undefined) rule.deprecated = property.deprecated;
  // The 3.0 -> 3.1 conversion writes `nullable: false` as a one-member list of types.
  if (Array.isArray(rule.type) && rule.type.length === 1) rule.type = rule.type[0];
  if (Array.isArray(rule.type)) {
    throw new RulesError(`${where}: a field with several types (${rule.type.join(', ')}) is not supported by run-time validation`);
  }
  if (rule.type === undefined && rule.const === undefined && rule.enum === undefined) {
    throw new RulesError(`${where}: a field needs a type, a const or an enum to be checked at run time`);
  }
  if (named !== undefined) rule.schema = named;
  return rule;
}

/**
 * The names of an operation's query parameters, the path item's shared ones included.
 * @param {Record<string, any>} document @param {Record<string, any>} item @param {Record<string, any> | undefined} operation
 * @returns {string[]}
 */
function queryParameters(document, item, operation) {
  const names = new Set();
  for (const parameter of [...(item.parameters ?? []), ...(operation?.parameters ?? [])]) {
    const ref = typeof parameter?.$ref === 'string' ? /^#\/components\/parameters\/(.+)$/.exec(parameter.$ref) : null;
    const resolved = ref ? document.components?.parameters?.[ref[1] ?? ''] : parameter;
    if (resolved === undefined) throw new RulesError(`cannot resolve ${parameter.$ref}`);
    if (resolved.in === 'query') names.add(String(resolved.name));
  }
  return [...names].sort();
}

/** The resource a path belongs to, and whether it is the collection's listing (a GET and nothing else). */
function classify(/** @type {string} */ path, /** @type {Record<string, any>} */ item) {
  const collection = /^\/api\/v2\/([^/]+)\//.exec(path)?.[1] ?? '';
  const resource = /** @type {Record<string, string>} */ (RESOURCE_OF_COLLECTION)[collection];
  if (resource === undefined) throw new RulesError(`${path}: not a segment or flag path`);
  const listing = !path.includes('/expiring-targets/') && item?.get !== undefined && item?.patch === undefined;
  return { resource, listing };
}

/**
 * The rule of one integer query parameter (a page's limit or offset).
 * @param {Record<string, any>} document @param {Record<string, any>} item @param {Record<string, any>} operation @param {string} name
 */
function integerParameter(document, item, operation, name) {
  for (const parameter of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
    const ref = typeof parameter?.$ref === 'string' ? /^#\/components\/parameters\/(.+)$/.exec(parameter.$ref) : null;
    const resolved = ref ? document.components?.parameters?.[ref[1] ?? ''] : parameter;
    if (resolved?.in !== 'query' || resolved.name !== name) continue;
    const schema = deref(document, resolved.schema ?? {}).schema;
    if (schema.type !== 'integer') throw new RulesError(`${operation.operationId}: query parameter ${name} must be an integer`);
    /** @type {Record<string, number>} */
    const rule = {};
    for (const keyword of ['minimum', 'maximum']) if (typeof schema[keyword] === 'number') rule[keyword] = schema[keyword];
    return rule;
  }
  throw new RulesError(`${operation.operationId}: no query parameter ${name}, so the listing cannot be paged`);
}

/**
 * For each resource, how its listing is read page by page: path, path parameters, query
 * parameters, and the bounds of `limit` and `offset` (the largest page is the limit's maximum).
 * @param {Record<string, any>} document the bundled, corrected document
 */
export function listingRules(document) {
  /** @type {Record<string, any>} */
  const listings = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const { resource, listing } = classify(path, item);
    if (!listing) continue;
    const limit = integerParameter(document, item, item.get, 'limit');
    if (limit.maximum === undefined) throw new RulesError(`${path}: the limit needs a maximum, the largest page the listing reads`);
    listings[resource] = {
      path,
      pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
      operation: item.get.operationId,
      queryParams: queryParameters(document, item, item.get),
      limit,
      offset: integerParameter(document, item, item.get, 'offset'),
    };
  }
  for (const wanted of Object.values(RESOURCE_OF_COLLECTION)) {
    if (!listings[wanted]) throw new RulesError(`the document has no listing of ${wanted}s`);
  }
  return listings;
}

/**
 * @param {Record<string, any>} document the bundled, corrected document
 */
export function instructionRules(document) {
  /** @type {Record<string, any>} */
  const resources = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const { resource, listing } = classify(path, item);
    if (listing) continue;
    const patch = item?.patch;
    if (!patch) throw new RulesError(`${path}: no PATCH operation`);
    const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const content = patch.requestBody?.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length !== 1)
      throw new RulesError(`${path}: the PATCH must take exactly one media type, found ${mediaTypes.join(', ') || 'none'}`);
    const mediaType = /** @type {string} */ (mediaTypes[0]);
    const body = deref(document, content[mediaType].schema).schema;
    const items = body.properties?.instructions?.items;
    if (!items) throw new RulesError(`${path}: the PATCH body has no instructions array`);
    const union = deref(document, items).schema;
    const members = Array.isArray(union.oneOf) ? union.oneOf : [items];
    /** @type {Record<string, any>} */
    const kinds = {};
    for (const member of members) {
      const { schema, named } = deref(document, member);
      const where = `${resource} instruction ${named ?? '(inline)'}`;
      const kindSchema = deref(document, schema.properties?.kind ?? {}).schema;
      // A one-value enum says the same as a const; upstream writes kinds both ways.
      const kind = kindSchema.const ?? (Array.isArray(kindSchema.enum) && kindSchema.enum.length === 1 ? kindSchema.enum[0] : undefined);
      if (typeof kind !== 'string') throw new RulesError(`${where}: its kind must be a const string (or a one-value enum)`);
      /** @type {Record<string, unknown>} */
      const fields = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        fields[name] = fieldRule(document, /** @type {Record<string, any>} */ (property), `${where}.${name}`);
      }
      kinds[kind] = {
        schema: named,
        required: [...(schema.required ?? [])],
        additionalProperties: schema.additionalProperties !== false,
        fields,
      };
    }
    /** @type {Record<string, unknown>} */
    const bodyFields = {};
    for (const [name, property] of Object.entries(body.properties ?? {})) {
      if (name !== 'instructions')
        bodyFields[name] = fieldRule(document, /** @type {Record<string, any>} */ (property), `${resource} PATCH body.${name}`);
    }
    resources[resource] = {
      path,
      pathParams,
      operations: { get: item.get?.operationId, patch: patch.operationId },
      queryParams: { get: queryParameters(document, item, item.get), patch: queryParameters(document, item, patch) },
      patchMediaType: mediaType,
      patchBodyFields: bodyFields,
      minInstructions: body.properties.instructions.minItems ?? 0,
      kinds,
    };
  }
  for (const wanted of Object.values(RESOURCE_OF_COLLECTION)) {
    if (!resources[wanted]) throw new RulesError(`the document has no ${wanted} path`);
  }
  return resources;
}

/**
 * The TypeScript module: the rules as a const object, so both their values and their literal
 * types (kinds, field names) are available to the client.
 * @param {Record<string, any>} document @param {string} header
 */
export function instructionRulesModule(document, header) {
  const rules = instructionRules(document);
  const listings = listingRules(document);
  return `${header}
/** What run-time validation checks, taken from the bundled document. */
export const RESOURCE_RULES = ${JSON.stringify(rules, null, 2)} as const;

/** How each resource's listing is paged, taken from the bundled document. */
export const LISTING_RULES = ${JSON.stringify(listings, null, 2)} as const;
`;
}
