/**
 * A desired-state file as the checker and the reader see it: mappings, lists and plain values,
 * each with the offset where it starts in the text, whatever the file's syntax (YAML or JSON).
 * A plain value is a row of the tree's table (its offsets and value), not an object of its own,
 * so a file of 100,000 entries stays a few tens of megabytes; line and column are worked out only
 * for the values a message or a change names.
 */

/** A place in the file: 1-based line and column. */
export interface SourcePosition {
  /** The line (from 1). */
  line: number;
  /** The column (from 1). */
  column: number;
}

/** What a plain value holds: text, a number, true or false, or nothing (`~`, `null`, empty). */
export type ScalarValue = string | number | boolean | null;

/** A plain value: its row in the tree's table (see {@link SourceTree.scalar}). */
export type ScalarRef = number;
/**
 * A mapping: its keys and their values, in file order (read them with {@link keyAt} and
 * {@link valueAt}). When every key and value is a plain value, as in each entry of a big file,
 * they are consecutive rows of the table and only the first is kept: no list per mapping.
 */
export interface MapNode {
  kind: 'map';
  start: number;
  /** How many keys. */
  size: number;
  /** The first row (key i is row `pairs + 2i`, its value the next), or keys and values alternating. */
  pairs: number | SourceNode[];
}

/** The key at `index` of a mapping. */
export function keyAt(map: MapNode, index: number): SourceNode {
  const { pairs } = map;
  return typeof pairs === 'number' ? pairs + 2 * index : (pairs[2 * index] as SourceNode);
}

/** The value at `index` of a mapping. */
export function valueAt(map: MapNode, index: number): SourceNode {
  const { pairs } = map;
  return typeof pairs === 'number' ? pairs + 2 * index + 1 : (pairs[2 * index + 1] as SourceNode);
}
/** A list. */
export interface SeqNode {
  kind: 'seq';
  start: number;
  items: SourceNode[];
}
/** An alias (`*name`) and the node its anchor names. */
export interface AliasNode {
  kind: 'alias';
  start: number;
  end: number;
  /** The anchor's name, as written after `*`. */
  name: string;
  target: SourceNode;
}
export type SourceNode = ScalarRef | MapNode | SeqNode | AliasNode;

const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/** The nodes of one file: its root, and the table of its plain values. */
export class SourceTree {
  root: SourceNode | null = null;
  /** Start and end offset of each plain value, two numbers a row. */
  #offsets: Uint32Array;
  /** The values, in chunks: one list of 100,000s would be copied each time it grew. */
  readonly #values: ScalarValue[][] = [];
  #rows = 0;
  /**
   * `capacity`: the plain values expected (a parser knows how many it read), so the table is
   * allocated once rather than grown and copied; it still grows past it.
   */
  constructor(capacity = 512) {
    // Stryker disable next-line MethodExpression: a smaller first table only grows sooner
    this.#offsets = new Uint32Array(2 * Math.max(capacity, 1));
  }

  /** Adds a plain value that spans `start` to `end` (exclusive) in the text. */
  scalar(start: number, end: number, value: ScalarValue): ScalarRef {
    const row = this.#rows++;
    // Stryker disable next-line ArithmeticOperator,BlockStatement: the parser sizes the table by its event count (one value per event at most), so it never grows
    if (2 * row + 2 > this.#offsets.length) {
      // Stryker disable next-line ArithmeticOperator: the parser sizes the table by its event count (one value per event at most), so it never grows
      const grown = new Uint32Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
    }
    if ((row & CHUNK_MASK) === 0) this.#values.push([]);
    (this.#values[row >>> CHUNK_BITS] as ScalarValue[]).push(value);
    this.#offsets[2 * row] = start;
    this.#offsets[2 * row + 1] = end;
    return row;
  }

  /** A node with an alias replaced by what it names (aliases of aliases do not exist). */
  plain(node: SourceNode): Exclude<SourceNode, AliasNode> {
    return typeof node === 'object' && node.kind === 'alias' ? (node.target as Exclude<SourceNode, AliasNode>) : node;
  }

  /** The value of a plain value (through an alias), or undefined for a mapping or list. */
  value(node: SourceNode): ScalarValue | undefined {
    const plain = this.plain(node);
    // Stryker disable next-line OptionalChaining: every row has its chunk
    return typeof plain === 'number' ? this.#values[plain >>> CHUNK_BITS]?.[plain & CHUNK_MASK] : undefined;
  }

  /** Where a node starts in the text. */
  start(node: SourceNode): number {
    return typeof node === 'number' ? (this.#offsets[2 * node] as number) : node.start;
  }

  /** Where a plain value (or an alias) ends in the text. */
  end(node: SourceNode): number {
    return typeof node === 'number' ? (this.#offsets[2 * node + 1] as number) : node.kind === 'alias' ? node.end : node.start;
  }
}

/** Line and column of offsets in one text; the line starts are found once, on first use. */
export class LineIndex {
  #starts: number[] | undefined;
  constructor(readonly text: string) {}

  #lineStarts(): number[] {
    if (this.#starts === undefined) {
      const starts = [0];
      for (let at = this.text.indexOf('\n'); at !== -1; at = this.text.indexOf('\n', at + 1)) starts.push(at + 1);
      this.#starts = starts;
    }
    return this.#starts;
  }

  /** The 1-based line and column of `offset`. */
  position(offset: number): SourcePosition {
    const starts = this.#lineStarts();
    let low = 0;
    // Stryker disable next-line ArithmeticOperator: a line start past the end reads as undefined, which compares as past any offset
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }
}
