/**
 * A desired-state file as the checker and the reader see it: mappings, lists and plain values,
 * each with the offset where it starts in the text, whatever the file's syntax (YAML or JSON).
 * One small object per value and nothing else, so a file of 100,000 entries stays a few tens of
 * megabytes; line and column are worked out only for the values a message or a change names.
 */

/** A place in the file: 1-based line and column. */
export interface SourcePosition {
  /** The line (from 1). */
  line: number;
  /** The column (from 1). */
  column: number;
}

/** A plain value: text, a number, true or false, or nothing (`~`, `null`, an empty value). */
export interface ScalarNode {
  kind: 'scalar';
  /** Offset of its first character (of the place it would be, when empty). */
  start: number;
  /** Offset just after its last character. */
  end: number;
  value: string | number | boolean | null;
}
/** A mapping: its keys and their values, in file order. */
export interface MapNode {
  kind: 'map';
  start: number;
  keys: SourceNode[];
  values: SourceNode[];
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
export type SourceNode = ScalarNode | MapNode | SeqNode | AliasNode;

/** A node with an alias replaced by what it names (aliases of aliases do not exist). */
export function deref(node: SourceNode): Exclude<SourceNode, AliasNode> {
  return node.kind === 'alias' ? (node.target as Exclude<SourceNode, AliasNode>) : node;
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
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }
}
