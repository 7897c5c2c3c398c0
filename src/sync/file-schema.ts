/**
 * The shape of a desired-state file, as schemas/expiring-targets.schema.json states it: the file
 * editors use too, so the shape is stated once. Only the JSON Schema keywords that file uses are
 * understood, and loading fails on any other, so the schema can never say something the checker
 * (./file-check.ts) silently ignores; a test compares its verdicts with a full validator's.
 */
import FILE_SCHEMA_JSON from '../../schemas/expiring-targets.schema.json' with { type: 'json' };

/** The JSON Schema keywords the checker understands (annotations included). */
export interface SchemaNode {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: 'object' | 'array' | 'string';
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  minProperties?: number;
  items?: SchemaNode;
  enum?: unknown[];
  minLength?: number;
  pattern?: string;
  not?: SchemaNode;
  definitions?: Record<string, SchemaNode>;
}

/**
 * Each keyword of {@link SchemaNode}, with the schemas it holds: the compiler checks that this
 * table names exactly the interface's keys, so the two cannot drift apart.
 */
const KEYWORDS = {
  $schema: 'annotation',
  $id: 'annotation',
  $ref: 'reference',
  title: 'annotation',
  description: 'annotation',
  type: 'type',
  required: 'value',
  properties: 'schemas by name',
  additionalProperties: 'schema',
  propertyNames: 'schema',
  minProperties: 'value',
  items: 'schema',
  enum: 'value',
  minLength: 'value',
  pattern: 'value',
  not: 'schema',
  definitions: 'schemas by name',
} as const satisfies Record<keyof SchemaNode, string>;
const KNOWN_TYPES = new Set(['object', 'array', 'string']);

/** Throws when the schema uses a keyword or type the checker does not implement. */
export function assertSupported(schema: SchemaNode, where = '#'): void {
  for (const [keyword, value] of Object.entries(schema)) {
    const role = Object.hasOwn(KEYWORDS, keyword) ? KEYWORDS[keyword as keyof SchemaNode] : undefined;
    if (role === undefined) throw new Error(`${where}: the desired-state checker does not implement the keyword ${keyword}`);
    if (role === 'type' && !KNOWN_TYPES.has(value as string))
      throw new Error(`${where}: the desired-state checker does not implement type ${String(value)}`);
    if (role === 'reference' && !/^#\/definitions\/[^/]+$/.test(value as string))
      throw new Error(`${where}: only local #/definitions/ references are implemented`);
    if (role === 'schema' && typeof value === 'object') assertSupported(value as SchemaNode, `${where}/${keyword}`);
    if (role === 'schemas by name')
      for (const [name, child] of Object.entries(value as Record<string, SchemaNode>))
        assertSupported(child, `${where}/${keyword}/${name}`);
  }
}

/** The schema of the desired-state file, as shipped in the package. */
export const FILE_SCHEMA: SchemaNode = FILE_SCHEMA_JSON as SchemaNode;
assertSupported(FILE_SCHEMA);

const patterns = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (re === undefined) patterns.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
}

/** A schema with its `#/definitions/…` reference followed. */
export function resolveSchema(schema: SchemaNode, root: SchemaNode = FILE_SCHEMA): SchemaNode {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.slice('#/definitions/'.length);
  const target = root.definitions?.[name];
  if (target === undefined) throw new Error(`the desired-state schema refers to ${schema.$ref}, which it does not define`);
  return resolveSchema(target, root);
}

/** Whether `value` has fewer than `n` code points, without spreading a long string into an array. */
function codePointsBelow(value: string, n: number): boolean {
  if (value.length >= 2 * n) return false;
  let count = 0;
  for (const _ of value) if (++count >= n) return false;
  return count < n;
}

/** Whether a plain value satisfies a (scalar-only) schema; used for values, map keys and `not`. */
export function valueMatches(value: unknown, schema: SchemaNode, root: SchemaNode = FILE_SCHEMA): boolean {
  const s = resolveSchema(schema, root);
  if (s.type !== undefined && !(s.type === 'string' && typeof value === 'string')) return false;
  if (s.enum !== undefined && !s.enum.some((e) => e === value)) return false;
  if (typeof value === 'string') {
    if (s.minLength !== undefined && codePointsBelow(value, s.minLength)) return false;
    if (s.pattern !== undefined && !regex(s.pattern).test(value)) return false;
  }
  if (s.not !== undefined && valueMatches(value, s.not, root)) return false;
  return true;
}
