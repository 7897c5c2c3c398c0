/**
 * Reads the text of a desired-state file into a {@link SourceNode} tree with js-yaml's event
 * parser: one flat list of events with source offsets, turned into the tree in one pass (each
 * event dropped once used, so the list and the tree are not held in full together). A document
 * object per value, as a YAML library's document API builds, made a file of 100,000 entries take
 * seconds and most of a gigabyte; this takes a fraction of either.
 *
 * One YAML semantics, YAML 1.2's core schema as js-yaml defines its scalars: `yes`, `no`, `on`
 * and `off` are text, `0o17` and `017` are numbers, `1_000` is text, `<<` is a key like any other
 * (no merge keys), a key appears once per mapping, one document per file. JSON is YAML 1.2, so a
 * `.json` file is read the same way after a check that it is JSON.
 */
import {
  CORE_SCHEMA,
  EVENT_ID,
  type Event,
  NOT_RESOLVED,
  SCALAR_STYLE,
  type ScalarEvent,
  type ScalarTagDefinition,
  YAMLException,
  getScalarValue,
  parseEvents,
} from 'js-yaml';
import { clip, quote } from './bounds.js';
import {
  type AliasNode,
  type MapNode,
  type ScalarRef,
  type ScalarValue,
  type SeqNode,
  type SourceNode,
  SourceTree,
} from './source-tree.js';

/** A problem with the text as YAML, at an offset. */
export interface SyntaxProblem {
  offset: number;
  message: string;
}

/** The tree of a file, or the first syntax problem that stopped reading it. */
export type ParsedSource = { ok: true; tree: SourceTree } | { ok: false; problem: SyntaxProblem };

/** Distinct short values shared at most (keys are always shared). */
const SHARED_VALUES = 4096;
/** Collections nest at most this deep (js-yaml's bound, stated here so it is ours). */
const MAX_DEPTH = 100;
const CORE = 'tag:yaml.org,2002:';

const SCALAR_TAGS = CORE_SCHEMA.tags.filter((t): t is ScalarTagDefinition => t.nodeKind === 'scalar');
/** The implicit resolvers of plain scalars by first character, in schema order. */
const IMPLICIT = new Map<string, ScalarTagDefinition[]>();
const IMPLICIT_ANY: ScalarTagDefinition[] = [];
for (const tag of SCALAR_TAGS.filter((t) => t.implicit)) {
  if (tag.implicitFirstChars === null) IMPLICIT_ANY.push(tag);
  else
    for (const first of tag.implicitFirstChars) {
      const list = IMPLICIT.get(first) ?? [];
      list.push(tag);
      IMPLICIT.set(first, list);
    }
}

class Refusal extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

function resolvePlain(source: string): ScalarValue {
  for (const tag of IMPLICIT.get(source.charAt(0)) ?? IMPLICIT_ANY) {
    const value = tag.resolve(source, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value as ScalarValue;
  }
  // Stryker disable next-line BlockStatement: the core schema has no resolver without first characters, so this list is empty
  for (const tag of IMPLICIT_ANY) {
    // Stryker disable next-line BooleanLiteral: the core schema has no resolver without first characters, so this list is empty
    const value = tag.resolve(source, false, tag.tagName);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the core schema has no resolver without first characters, so this list is empty
    if (value !== NOT_RESOLVED) return value as ScalarValue;
  }
  return source;
}

/** The full name of an explicit tag (`!!str`, `!<tag:yaml.org,2002:str>`), or undefined for `!`. */
function tagName(text: string, start: number, end: number): string | undefined {
  const written = text.slice(start, end);
  if (written === '!') return undefined;
  if (written.startsWith('!!')) return CORE + written.slice(2);
  if (written.startsWith('!<') && written.endsWith('>')) return written.slice(2, -1);
  throw new Refusal(start, `unknown tag ${quote(written)}; only YAML's own tags (such as !!str) are read`);
}

/** Turns the event list into a tree, taking each event out of the list as it goes. */
class TreeBuilder {
  #at = 0;
  readonly #anchors = new Map<string, SourceNode>();
  /** One copy of each key's text (the same field names repeat on every entry), and of common values. */
  readonly #shared = new Map<string, string>();
  /** The keys, values and items of the mappings and lists open now, innermost last. */
  readonly #pending = { keys: [] as SourceNode[], values: [] as SourceNode[], items: [] as SourceNode[] };
  readonly tree: SourceTree;
  constructor(
    readonly text: string,
    readonly events: (Event | undefined)[],
  ) {
    // At most one plain value per event.
    this.tree = new SourceTree(events.length);
  }

  next(): Event | undefined {
    const event = this.events[this.#at];
    this.events[this.#at++] = undefined;
    return event;
  }

  peekType(): number | undefined {
    return this.events[this.#at]?.type;
  }

  /** The node that starts with the next event; `emptyAt` places an empty value, `isKey` shares its text. */
  // Stryker disable next-line BooleanLiteral: isKey only decides which texts are shared, which saves memory and changes no value
  node(emptyAt: number, isKey = false): SourceNode {
    const event = this.next();
    if (event === undefined) throw new Refusal(this.text.length, 'the file ends inside a value');
    switch (event.type) {
      case EVENT_ID.SCALAR:
        return this.#anchor(event, this.scalar(event, emptyAt, isKey));
      case EVENT_ID.ALIAS: {
        const name = this.text.slice(event.anchorStart, event.anchorEnd);
        const target = this.#anchors.get(name);
        if (target === undefined) throw new Refusal(event.anchorStart - 1, `the alias *${clip(name)} names no anchor before it`);
        const alias: AliasNode = { kind: 'alias', start: event.anchorStart - 1, end: event.anchorEnd, name, target };
        return alias;
      }
      case EVENT_ID.MAPPING: {
        this.#collectionTag(event, 'map');
        const map: MapNode = { kind: 'map', start: event.start, size: 0, pairs: 0 };
        this.#anchor(event, map);
        const { keys, values } = this.#pending;
        const base = keys.length;
        let seen: Set<unknown> | undefined;
        while (this.peekType() !== EVENT_ID.POP) {
          // Stryker disable next-line BooleanLiteral: isKey only decides which texts are shared, which saves memory and changes no value
          const key = this.node(event.start, true);
          seen = this.#refuseDuplicate(keys, base, key, seen);
          // A mapping or list in the value uses the stacks above `base` and is gone when it ends.
          const value = this.node(this.#afterColon(key));
          keys.push(key);
          values.push(value);
        }
        this.next();
        // Items wait on shared stacks and are copied out once, exactly sized (a list per mapping
        // grown by push would leave spare room and garbage 100,000 times over in a big file), or
        // not at all when they are consecutive rows of the table.
        map.size = keys.length - base;
        map.pairs = consecutiveRows(keys, values, base) ?? interleaved(keys, values, base);
        keys.length = base;
        values.length = base;
        return map;
      }
      case EVENT_ID.SEQUENCE: {
        this.#collectionTag(event, 'seq');
        // Stryker disable next-line ArrayDeclaration: the list is replaced by the copy made when the list ends
        const seq: SeqNode = { kind: 'seq', start: event.start, items: [] };
        this.#anchor(event, seq);
        const { items } = this.#pending;
        const base = items.length;
        while (this.peekType() !== EVENT_ID.POP) items.push(this.node(event.start));
        this.next();
        seq.items = items.slice(base);
        items.length = base;
        return seq;
      }
      // Stryker disable next-line ConditionalExpression: js-yaml emits a scalar, alias, mapping or sequence where a node starts, nothing else
      default:
        // Stryker disable next-line StringLiteral: js-yaml emits a scalar, alias, mapping or sequence where a node starts, nothing else
        throw new Refusal(emptyAt, 'unexpected structure');
    }
  }

  scalar(event: ScalarEvent, emptyAt: number, isKey: boolean): ScalarRef {
    const empty = event.valueStart === -1;
    // A quoted value starts at its opening quote, as the file shows it.
    const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED ? 1 : 0;
    const start = empty ? emptyAt : event.valueStart - quoted;
    const end = empty ? emptyAt : event.valueEnd + quoted;
    const source = empty ? '' : getScalarValue(this.text, event);
    let value: ScalarValue;
    if (event.tagStart !== -1) {
      const name = tagName(this.text, event.tagStart, event.tagEnd);
      const tag = name === undefined ? undefined : SCALAR_TAGS.find((t) => t.tagName === name);
      if (name !== undefined && tag === undefined) throw new Refusal(event.tagStart, `the tag ${quote(name)} is not one of a plain value`);
      const resolved = tag === undefined ? source : tag.resolve(source, true, name as string);
      if (resolved === NOT_RESOLVED) throw new Refusal(start, `${quote(source)} cannot be read as ${quote(name as string)}`);
      value = resolved as ScalarValue;
    } else value = event.style === SCALAR_STYLE.PLAIN ? resolvePlain(source) : source;
    // Keys, and the first few thousand short values (`user`, `included`), are held once.
    // Stryker disable next-line StringLiteral,BlockStatement: sharing equal texts saves memory and changes no value
    if (typeof value === 'string' && value.length <= 24) {
      const shared = this.#shared.get(value);
      if (shared !== undefined) value = shared;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: sharing equal texts saves memory and changes no value
      else if (isKey || this.#shared.size < SHARED_VALUES) this.#shared.set(value, value);
    }
    return this.tree.scalar(start, end, value);
  }

  #anchor<T extends SourceNode>(event: { anchorStart: number; anchorEnd: number }, node: T): T {
    if (event.anchorStart !== -1) this.#anchors.set(this.text.slice(event.anchorStart, event.anchorEnd), node);
    return node;
  }

  #collectionTag(event: { tagStart: number; tagEnd: number }, kind: 'map' | 'seq'): void {
    if (event.tagStart === -1) return;
    const name = tagName(this.text, event.tagStart, event.tagEnd);
    if (name !== undefined && name !== CORE + kind)
      throw new Refusal(event.tagStart, `the tag ${quote(name)} is not one of a ${kind === 'map' ? 'mapping' : 'list'}`);
  }

  /** Where an empty value after `key` is: just after the `:` that follows it. */
  #afterColon(key: SourceNode): number {
    let at = this.tree.end(key);
    while (this.text[at] === ' ' || this.text[at] === '\t') at++;
    return this.text[at] === ':' ? at + 1 : at;
  }

  /**
   * A key appears once per mapping (compared as values: `1` and `"1"` are two keys). Small
   * mappings are searched; a large one gets a set, so a mapping of many keys stays linear.
   */
  #refuseDuplicate(keys: SourceNode[], base: number, key: SourceNode, seen: Set<unknown> | undefined): Set<unknown> | undefined {
    const value = this.tree.value(key);
    if (value === undefined) return seen;
    let repeated = false;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,ArithmeticOperator: searching or a set finds the same repeated key; the choice is speed only
    if (seen === undefined && keys.length - base < 16) {
      for (let i = base; i < keys.length && !repeated; i++) repeated = this.tree.value(keys[i] as SourceNode) === value;
    } else {
      seen ??= new Set(keys.slice(base).map((k) => this.tree.value(k)));
      repeated = seen.has(value);
      seen.add(value);
    }
    if (repeated) throw new Refusal(this.tree.start(key), `the key ${quote(String(value))} appears twice in this mapping`);
    return seen;
  }
}

/** The first row when the keys and values from `base` on are the rows that follow it, in order. */
function consecutiveRows(keys: SourceNode[], values: SourceNode[], base: number): number | undefined {
  const first = keys[base];
  if (typeof first !== 'number') return undefined;
  for (let i = base; i < keys.length; i++)
    if (keys[i] !== first + 2 * (i - base) || values[i] !== first + 2 * (i - base) + 1) return undefined;
  return first;
}

function interleaved(keys: SourceNode[], values: SourceNode[], base: number): SourceNode[] {
  const pairs: SourceNode[] = new Array(2 * (keys.length - base));
  for (let i = base; i < keys.length; i++) {
    pairs[2 * (i - base)] = keys[i] as SourceNode;
    pairs[2 * (i - base) + 1] = values[i] as SourceNode;
  }
  return pairs;
}

/**
 * The tree of a YAML (or JSON) text, or the first problem that keeps it from being read: a
 * syntax error, a second document, an unknown tag or alias, a key repeated in a mapping.
 */
export function parseSource(text: string): ParsedSource {
  let events: (Event | undefined)[];
  try {
    // Stryker disable next-line ObjectLiteral: js-yaml's own default depth is 100 as well; stated so the bound is ours
    events = parseEvents(text, { maxDepth: MAX_DEPTH });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    return { ok: false, problem: { offset: error.mark?.position ?? 0, message: clip(error.reason) } };
  }
  const builder = new TreeBuilder(text, events);
  try {
    const { tree } = builder;
    let documents = 0;
    while (builder.peekType() !== undefined) {
      const event = builder.next() as Event;
      if (event.type !== EVENT_ID.DOCUMENT) throw new Refusal(0, 'unexpected structure');
      if (++documents > 1) {
        const next = builder.peekType() === EVENT_ID.POP ? text.length : startOf(builder.events, text.length);
        throw new Refusal(next, 'the file holds more than one YAML document (---); a desired-state file is one document');
      }
      if (builder.peekType() !== EVENT_ID.POP) tree.root = builder.node(0);
      if (tree.root !== null && tree.value(tree.root) === null && tree.start(tree.root) === tree.end(tree.root)) tree.root = null;
      builder.next();
    }
    return { ok: true, tree };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, problem: { offset: error.offset, message: error.message } };
  }
}

/** The offset of the first event still in the list that has one. */
function startOf(events: (Event | undefined)[], fallback: number): number {
  for (const event of events) {
    if (event === undefined) continue;
    if ('start' in event) return event.start;
    if ('valueStart' in event && event.valueStart !== -1) return event.valueStart;
    if ('anchorStart' in event && event.anchorStart !== -1) return event.anchorStart;
  }
  return fallback;
}
