/**
 * Checks a parsed YAML document against schemas/expiring-targets.schema.json, the file editors
 * use too, so the shape of a desired-state file is stated once. It walks yaml's syntax tree
 * rather than the plain value so that every issue carries the line and column of the node at
 * fault. Only the JSON Schema keywords that file uses are understood, and loading fails on any
 * other, so the schema can never say something this checker silently ignores; a test compares
 * its verdicts with a full validator's.
 */
import { type Alias, type Document, LineCounter, type Node, type Pair, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import FILE_SCHEMA_JSON from '../../schemas/expiring-targets.schema.json' with { type: 'json' };
import { MAX_ISSUES, quote, shortPath } from './bounds.js';

/** The JSON Schema keywords this checker understands (annotations included). */
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

const KNOWN_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  'title',
  'description',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'items',
  'enum',
  'minLength',
  'pattern',
  'not',
  'definitions',
]);
const KNOWN_TYPES = new Set(['object', 'array', 'string']);

/** Throws when the schema uses a keyword or type this checker does not implement. */
export function assertSupported(schema: SchemaNode, where = '#'): void {
  for (const [keyword, value] of Object.entries(schema)) {
    if (!KNOWN_KEYWORDS.has(keyword)) throw new Error(`${where}: the desired-state checker does not implement the keyword ${keyword}`);
    if (keyword === 'type' && !KNOWN_TYPES.has(value as string))
      throw new Error(`${where}: the desired-state checker does not implement type ${String(value)}`);
    if (keyword === '$ref' && !/^#\/definitions\/[^/]+$/.test(value as string))
      throw new Error(`${where}: only local #/definitions/ references are implemented`);
  }
  const children: [string, SchemaNode | undefined][] = [
    ['propertyNames', schema.propertyNames],
    ['items', schema.items],
    ['not', schema.not],
    ['additionalProperties', typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined],
  ];
  for (const [name, child] of children) if (child !== undefined) assertSupported(child, `${where}/${name}`);
  for (const [name, child] of Object.entries(schema.properties ?? {})) assertSupported(child, `${where}/properties/${name}`);
  for (const [name, child] of Object.entries(schema.definitions ?? {})) assertSupported(child, `${where}/definitions/${name}`);
}

/** The schema of the desired-state file, as shipped in the package. */
export const FILE_SCHEMA: SchemaNode = FILE_SCHEMA_JSON as SchemaNode;
assertSupported(FILE_SCHEMA);

/** A place in the file: 1-based line and column. */
export interface SourcePosition {
  /** The line (from 1). */
  line: number;
  /** The column (from 1). */
  column: number;
}

/** One problem with the file, at the node it is about. */
export interface FileIssue extends SourcePosition {
  /** Keys and list indices from the top of the file down to the node (empty for the file itself). */
  path: (string | number)[];
  message: string;
}

/** What the checker needs besides the schema: the document, its text and where its lines start. */
export interface CheckContext {
  doc: Document;
  /** The node each alias refers to (see {@link aliasTargets}). */
  aliases: Map<Alias, Node | null>;
  text: string;
  lines: LineCounter;
  /** Resolved `#/definitions/…` references and compiled patterns, per schema. */
  root: SchemaNode;
  /** Keys with a problem of their own (a bad key, or a value of the wrong type under it). */
  badPairs?: Set<unknown>;
  /** Nodes with a problem at or below them. */
  tainted?: Set<unknown>;
}

const patterns = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (re === undefined) patterns.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
}

function resolve(schema: SchemaNode, root: SchemaNode): SchemaNode {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.slice('#/definitions/'.length);
  const target = root.definitions?.[name];
  if (target === undefined) throw new Error(`the desired-state schema refers to ${schema.$ref}, which it does not define`);
  return resolve(target, root);
}

/** Position of a node (or of the place it would be), 1-based. */
export function positionOf(
  node: { range?: readonly [number, number, number] | null | undefined } | null | undefined,
  ctx: CheckContext,
  fallback = 0,
): SourcePosition {
  const offset = node?.range?.[0] ?? fallback;
  const { line, col } = ctx.lines.linePos(offset);
  return { line, column: col };
}

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'other';
const NOUN: Record<Kind, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
  other: 'a value of another type',
};

/** An alias's target (only scalars: aliased mappings would let a small file expand without bound). */
function deref(node: Node | null, ctx: CheckContext): { node: Node | null; problem?: string } {
  if (!isAlias(node)) return { node };
  const target = ctx.aliases.get(node) ?? null;
  if (target !== null && !isScalar(target))
    return { node: null, problem: `the alias *${node.source} refers to a mapping or list; only plain values may be aliased` };
  return { node: target };
}

function kindOf(node: Node | null): Kind {
  if (node === null) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return 'string';
    if (typeof v === 'number' || typeof v === 'bigint') return 'number';
    if (typeof v === 'boolean') return 'boolean';
  }
  return 'other';
}

/** What a node is, for "got …": its text when it is a scalar. */
function got(node: Node | null, kind: Kind, ctx: CheckContext, expected?: SchemaNode): string {
  if (kind === 'object' || kind === 'array' || node === null || node.range == null) return NOUN[kind];
  const source = ctx.text.slice(node.range[0], node.range[1]).trim();
  const shown = source.length > 60 ? `${source.slice(0, 57)}…` : source;
  if (kind === 'string') return isScalar(node) ? quote(String(node.value)) : JSON.stringify(shown);
  if (kind === 'null') return 'nothing';
  // YAML reads a context key like 0123 or 1e3 as a number: when the text as written would do,
  // say how to keep it.
  const asText = expected !== undefined && valueMatches(source, expected, ctx.root);
  return asText ? `${NOUN[kind]} (${shown}; quote it to keep it as text: "${shown.replace(/"/g, '\\"')}")` : `${NOUN[kind]} (${shown})`;
}

/** The name an issue uses for the node at `path`. */
function subject(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the file';
  return typeof last === 'number' ? `entry ${last + 1}` : last;
}

function expectation(schema: SchemaNode): string {
  if (schema.title !== undefined) return schema.title;
  if (schema.enum !== undefined) {
    const values = schema.enum.map((v) => JSON.stringify(v));
    return values.length <= 2 ? values.join(' or ') : `one of ${values.join(', ')}`;
  }
  if (schema.pattern !== undefined) return `a string matching /${schema.pattern}/`;
  if (schema.minLength !== undefined) return 'a non-empty string';
  return NOUN[schema.type ?? 'string'];
}

/** Whether `value` has fewer than `n` code points, without spreading a long string into an array. */
function codePointsBelow(value: string, n: number): boolean {
  if (value.length >= 2 * n) return false;
  let count = 0;
  for (const _ of value) if (++count >= n) return false;
  return count < n;
}

/** Whether a plain value satisfies a (scalar-only) schema; used for map keys and `not`. */
function valueMatches(value: unknown, schema: SchemaNode, root: SchemaNode): boolean {
  const s = resolve(schema, root);
  if (s.type !== undefined && !(s.type === 'string' && typeof value === 'string')) return false;
  if (s.enum !== undefined && !s.enum.some((e) => e === value)) return false;
  if (typeof value === 'string') {
    if (s.minLength !== undefined && codePointsBelow(value, s.minLength)) return false;
    if (s.pattern !== undefined && !regex(s.pattern).test(value)) return false;
  }
  if (s.not !== undefined && valueMatches(value, s.not, root)) return false;
  return true;
}

/**
 * Checks `node` (at `path`) against `schema`; pushes one issue per problem found. Problems below
 * a node whose own type is wrong are not looked for.
 */
export function checkNode(
  node: Node | null,
  schema: SchemaNode,
  path: (string | number)[],
  ctx: CheckContext,
  issues: FileIssue[],
  at: { range?: readonly [number, number, number] | null | undefined } | null = node,
): void {
  const s = resolve(schema, ctx.root);
  // Past the bound, nothing more is looked at: the file is refused either way.
  if (issues.length >= MAX_ISSUES) return;
  const before = issues.length;
  const add = (message: string, where: typeof at = at, under: (string | number)[] = path): void => {
    if (issues.length < MAX_ISSUES) issues.push({ ...positionOf(where ?? at, ctx), path: shortPath(under), message });
  };
  checkValue(node, s, path, ctx, issues, add);
  if (issues.length > before) ctx.tainted?.add(node);
}

function checkValue(
  node: Node | null,
  s: SchemaNode,
  path: (string | number)[],
  ctx: CheckContext,
  issues: FileIssue[],
  add: (
    message: string,
    where?: { range?: readonly [number, number, number] | null | undefined } | null,
    under?: (string | number)[],
  ) => void,
): void {
  const { node: value, problem } = deref(node, ctx);
  if (problem !== undefined) {
    add(problem);
    return;
  }
  const kind = kindOf(value);

  if (s.type !== undefined && s.type !== kind) {
    add(`${subject(path)} must be ${s.type === 'string' && s.title ? s.title : NOUN[s.type]}, got ${got(value, kind, ctx, s)}`);
    return;
  }
  if (s.enum !== undefined || s.pattern !== undefined || s.minLength !== undefined || s.not !== undefined) {
    const { type: _checkedAbove, ...constraints } = s;
    const plain = isScalar(value) ? value.value : value;
    if (!valueMatches(plain, constraints, ctx.root)) {
      add(`${subject(path)} must be ${expectation(s)}, got ${got(value, kind, ctx, s)}`);
      return;
    }
  }
  if (isMap(value)) checkMap(value.items as Pair<Node | null, Node | null>[], s, path, ctx, issues, add);
  if (isSeq(value) && s.items !== undefined) {
    const items = value.items as (Node | null)[];
    for (let index = 0; index < items.length && issues.length < MAX_ISSUES; index++)
      checkNode(items[index] as Node | null, s.items, [...path, index], ctx, issues);
  }
}

function checkMap(
  pairs: Pair<Node | null, Node | null>[],
  s: SchemaNode,
  path: (string | number)[],
  ctx: CheckContext,
  issues: FileIssue[],
  add: (
    message: string,
    where?: { range?: readonly [number, number, number] | null | undefined } | null,
    under?: (string | number)[],
  ) => unknown,
): void {
  if (s.minProperties !== undefined && pairs.length < s.minProperties) add(`${subject(path)} must not be empty`);
  const present = new Set<string>();
  for (const pair of pairs) {
    if (issues.length >= MAX_ISSUES) return;
    const keyNode = deref(pair.key, ctx).node;
    const key = isScalar(keyNode) ? keyNode.value : undefined;
    if (typeof key !== 'string') {
      ctx.badPairs?.add(pair);
      add(
        `keys of ${subject(path)} must be text, got ${got(keyNode, kindOf(keyNode), ctx, s.propertyNames ?? { type: 'string' })}`,
        pair.key,
        [...path, String(key)],
      );
      continue;
    }
    present.add(key);
    if (s.propertyNames !== undefined && !valueMatches(key, s.propertyNames, ctx.root)) {
      ctx.badPairs?.add(pair);
      add(`key ${quote(key)} in ${subject(path)} must be ${expectation(resolve(s.propertyNames, ctx.root))}`, pair.key, [...path, key]);
      continue;
    }
    // A key with nothing after it (`beta:`) has no node: issues point just after the key.
    const end = pair.key?.range?.[1];
    const valueAt = pair.value ?? { range: end === undefined ? null : ([end, end, end] as const) };
    // Own properties only: `constructor` or `__proto__` is a key like any other, not the schema's.
    const declared = s.properties !== undefined && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (declared !== undefined) checkNode(pair.value, declared, [...path, key], ctx, issues, valueAt);
    else if (s.additionalProperties === false) {
      const expected = Object.keys(s.properties ?? {}).filter((k) => k !== '$schema');
      add(`unknown key ${quote(key)} in ${subject(path)}; expected ${expected.join(', ')}`, pair.key, [...path, key]);
    } else if (typeof s.additionalProperties === 'object')
      checkNode(pair.value, s.additionalProperties, [...path, key], ctx, issues, valueAt);
  }
  for (const name of s.required ?? []) if (!present.has(name)) add(`${subject(path)} is missing ${name}`);
}

/**
 * The node each alias refers to, found in one pass over the document: the last node before it
 * with that anchor. (yaml's own `resolve` searches the document on every call, which a file of
 * many aliases turns into minutes.)
 */
export function aliasTargets(doc: Document): Map<Alias, Node | null> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node | null>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) targets.set(node, anchors.get(node.source) ?? null);
    else if (node !== null && typeof node === 'object' && 'anchor' in node && typeof node.anchor === 'string')
      anchors.set(node.anchor, node as Node);
  });
  return targets;
}

/** Parses YAML the way desired-state files are read: YAML 1.2 core schema, unique keys, one document. */
export function parseYaml(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: '1.2', schema: 'core', uniqueKeys: true });
  return { doc, lines };
}

/**
 * Every place where a parsed document breaks the file's schema (at most {@link MAX_ISSUES}).
 * `marks` collects the keys and nodes with problems, for a reader to leave out.
 */
export function checkDocument(
  doc: Document,
  text: string,
  lines: LineCounter,
  marks: Partial<Pick<CheckContext, 'badPairs' | 'tainted' | 'aliases'>> = {},
): FileIssue[] {
  const ctx: CheckContext = { doc, text, lines, root: FILE_SCHEMA, aliases: marks.aliases ?? aliasTargets(doc), ...marks };
  const issues: FileIssue[] = [];
  checkNode(doc.contents as Node | null, FILE_SCHEMA, [], ctx, issues, doc.contents ?? { range: [0, 0, 0] });
  return issues;
}
