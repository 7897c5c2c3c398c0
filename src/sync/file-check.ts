/**
 * Checks a desired-state file's tree against its JSON Schema (./file-schema.ts), so that every
 * problem carries the line and column of the value at fault: the tree keeps where each value
 * starts, which a plain parsed value would not.
 */
import { MAX_ISSUES, quote, shortPath } from './bounds.js';
import { FILE_SCHEMA, type SchemaNode, resolveSchema, valueMatches } from './file-schema.js';
import { LineIndex, type MapNode, type SourceNode, type SourcePosition, type SourceTree, keyAt, valueAt } from './source-tree.js';

/** One problem with the file, at the value it is about. */
export interface FileIssue extends SourcePosition {
  /** Keys and list indices from the top of the file down to the value (empty for the file itself). */
  path: (string | number)[];
  message: string;
}

/** What checking a file needs besides the schema, and what it marks for the reader. */
export interface CheckContext {
  text: string;
  tree: SourceTree;
  lines: LineIndex;
  /** Keys with a problem of their own (a bad key, or a value of the wrong type under it). */
  badKeys: Set<SourceNode>;
  /** Values with a problem at or below them. */
  tainted: Set<SourceNode>;
}

/**
 * Where a value is, from the top of the file down, one link per key or index: made into a list
 * only for a problem (a path per value of a file of 100,000 entries is garbage to collect).
 */
interface Path {
  up: Path | undefined;
  at: string | number;
}

function pathList(path: Path | undefined): (string | number)[] {
  const list: (string | number)[] = [];
  for (let p = path; p !== undefined; p = p.up) list.push(p.at);
  return list.reverse();
}

/** Records one problem: `at` is an offset in the text, `path` that of the value at fault. */
function report(ctx: CheckContext, issues: FileIssue[], at: number, path: Path | undefined, message: string): void {
  if (issues.length < MAX_ISSUES) issues.push({ ...ctx.lines.position(at), path: shortPath(pathList(path)), message });
}

/** A schema's constraints on a plain value besides its type, worked out once per schema. */
const CONSTRAINTS = new Map<SchemaNode, SchemaNode | undefined>();
function constraintsOf(s: SchemaNode): SchemaNode | undefined {
  if (!CONSTRAINTS.has(s)) {
    const { type: _checkedApart, ...constraints } = s;
    const any = s.enum !== undefined || s.pattern !== undefined || s.minLength !== undefined || s.not !== undefined;
    CONSTRAINTS.set(s, any ? constraints : undefined);
  }
  return CONSTRAINTS.get(s);
}

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'other';
const NOUN: Record<Kind, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
  // Stryker disable next-line StringLiteral: the core schema reads every plain value as text, a number, true or false, or null
  other: 'a value of another type',
};

function kindOf(node: SourceNode | null, tree: SourceTree): Kind {
  if (node === null) return 'null';
  if (typeof node === 'object') return node.kind === 'map' ? 'object' : node.kind === 'seq' ? 'array' : 'other';
  const v = tree.value(node);
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  return typeof v === 'boolean' ? 'boolean' : 'other';
}

/** What a value is, for "got …": its text when it is a plain value. */
function got(node: SourceNode | null, kind: Kind, ctx: CheckContext, expected?: SchemaNode): string {
  if (node === null || typeof node === 'object') return NOUN[kind];
  if (kind === 'string') return quote(String(ctx.tree.value(node)));
  if (kind === 'null') return 'nothing';
  const source = ctx.text.slice(ctx.tree.start(node), ctx.tree.end(node)).trim();
  const shown = source.length > 60 ? `${source.slice(0, 57)}…` : source;
  // YAML reads a context key like 0123 or 1e3 as a number: when the text as written would do,
  // say how to keep it.
  const asText = expected !== undefined && valueMatches(source, expected);
  return asText ? `${NOUN[kind]} (${shown}; quote it to keep it as text: "${shown.replace(/"/g, '\\"')}")` : `${NOUN[kind]} (${shown})`;
}

/** The name an issue uses for the value at `path`. */
function subject(path: Path | undefined): string {
  const last = path?.at;
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

/**
 * Checks `node` (at `path`) against `schema`; records one issue per problem found. Problems below
 * a value whose own type is wrong are not looked for.
 */
function checkNode(node: SourceNode | null, schema: SchemaNode, path: Path | undefined, ctx: CheckContext, issues: FileIssue[]): void {
  // Past the bound, nothing more is looked at: the file is refused either way.
  if (issues.length >= MAX_ISSUES) return;
  const before = issues.length;
  checkValue(node, resolveSchema(schema), path, ctx, issues);
  if (issues.length > before && node !== null) ctx.tainted.add(node);
}

function checkValue(node: SourceNode | null, s: SchemaNode, path: Path | undefined, ctx: CheckContext, issues: FileIssue[]): void {
  const at = node === null ? 0 : ctx.tree.start(node);
  // Only plain values may be aliased: an aliased mapping would let a small file expand without bound.
  if (node !== null && typeof node === 'object' && node.kind === 'alias' && typeof node.target === 'object') {
    const name = node.name.length > 40 ? quote(node.name) : node.name;
    report(ctx, issues, at, path, `the alias *${name} refers to a mapping or list; only plain values may be aliased`);
    return;
  }
  const value = node === null ? null : ctx.tree.plain(node);
  const kind = kindOf(value, ctx.tree);
  if (s.type !== undefined && s.type !== kind) {
    const expected = s.type === 'string' && s.title ? s.title : NOUN[s.type];
    report(ctx, issues, at, path, `${subject(path)} must be ${expected}, got ${got(value, kind, ctx, s)}`);
    return;
  }
  const constraints = constraintsOf(s);
  if (constraints !== undefined) {
    const plain = typeof value === 'number' ? ctx.tree.value(value) : value;
    if (!valueMatches(plain, constraints)) {
      report(ctx, issues, at, path, `${subject(path)} must be ${expectation(s)}, got ${got(value, kind, ctx, s)}`);
      return;
    }
  }
  if (value === null || typeof value !== 'object') return;
  if (value.kind === 'map') checkMap(value, s, path, ctx, issues, at);
  if (value.kind === 'seq' && s.items !== undefined) {
    const { items } = value;
    for (let index = 0; index < items.length && issues.length < MAX_ISSUES; index++)
      checkNode(items[index] as SourceNode, s.items, { up: path, at: index }, ctx, issues);
  }
}

/** Whether a mapping has the text key `name` (the mappings with required keys are small). */
function hasKey(map: MapNode, name: string, tree: SourceTree): boolean {
  for (let i = 0; i < map.size; i++) if (tree.value(keyAt(map, i)) === name) return true;
  return false;
}

function checkMap(map: MapNode, s: SchemaNode, path: Path | undefined, ctx: CheckContext, issues: FileIssue[], at: number): void {
  if (s.minProperties !== undefined && map.size < s.minProperties) report(ctx, issues, at, path, `${subject(path)} must not be empty`);
  for (let i = 0; i < map.size; i++) {
    if (issues.length >= MAX_ISSUES) return;
    const keyNode = keyAt(map, i);
    const value = valueAt(map, i);
    const plainKey = ctx.tree.plain(keyNode);
    const key = ctx.tree.value(keyNode);
    const keyStart = ctx.tree.start(keyNode);
    if (typeof key !== 'string') {
      ctx.badKeys.add(keyNode);
      const expected = s.propertyNames ?? { type: 'string' as const };
      const message = `keys of ${subject(path)} must be text, got ${got(plainKey, kindOf(plainKey, ctx.tree), ctx, expected)}`;
      report(ctx, issues, keyStart, { up: path, at: String(key) }, message);
      continue;
    }
    if (s.propertyNames !== undefined && !valueMatches(key, s.propertyNames)) {
      ctx.badKeys.add(keyNode);
      const message = `key ${quote(key)} in ${subject(path)} must be ${expectation(resolveSchema(s.propertyNames))}`;
      report(ctx, issues, keyStart, { up: path, at: key }, message);
      continue;
    }
    // Own properties only: `constructor` or `__proto__` is a key like any other, not the schema's.
    const declared = s.properties !== undefined && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (declared !== undefined) checkNode(value, declared, { up: path, at: key }, ctx, issues);
    else if (s.additionalProperties === false) {
      const expected = Object.keys(s.properties ?? {}).filter((k) => k !== '$schema');
      report(
        ctx,
        issues,
        keyStart,
        { up: path, at: key },
        `unknown key ${quote(key)} in ${subject(path)}; expected ${expected.join(', ')}`,
      );
    } else if (typeof s.additionalProperties === 'object') checkNode(value, s.additionalProperties, { up: path, at: key }, ctx, issues);
  }
  for (const name of s.required ?? [])
    if (!hasKey(map, name, ctx.tree)) report(ctx, issues, at, path, `${subject(path)} is missing ${name}`);
}

/**
 * Every place where a file's tree breaks the file's schema (at most {@link MAX_ISSUES}). `ctx`
 * collects the keys and values with problems, for a reader to leave out.
 */
export function checkFile(tree: SourceTree, text: string, ctx: Partial<CheckContext> = {}): FileIssue[] {
  const full: CheckContext = {
    text,
    tree,
    lines: ctx.lines ?? new LineIndex(text),
    badKeys: ctx.badKeys ?? new Set(),
    tainted: ctx.tainted ?? new Set(),
  };
  const issues: FileIssue[] = [];
  checkNode(tree.root, FILE_SCHEMA, undefined, full, issues);
  return issues;
}
