/**
 * Reads a desired-state file's text (YAML, or JSON) into a {@link DesiredState}: parsed into a
 * tree that keeps where each value is (./yaml-source.ts), checked against the file's JSON Schema
 * (./file-check.ts), then compiled as a state built in code is (./compile-desired.ts). Every
 * problem is reported at once with its line and column, and a file with any is refused whole.
 */
import { RESOURCES, type ResourceKind, kindOfPlural, targetField } from '../core/resources.js';
import { MAX_ISSUES } from './bounds.js';
import { type CompiledResource, compileDesiredState } from './compile-desired.js';
import { DesiredStateError } from './desired-state-error.js';
import type {
  DesiredFlagTarget,
  DesiredResource,
  DesiredSegmentTarget,
  DesiredState,
  DesiredStateIssue,
  DesiredTargetBase,
  EntrySource,
  ParseOptions,
} from './desired-state.js';
import { type CheckContext, checkFile } from './file-check.js';
import { LineIndex, type MapNode, type SourceNode, type SourcePosition, type SourceTree, keyAt, valueAt } from './source-tree.js';
import { parseSource } from './yaml-source.js';

/** The text of a plain value ('' for anything else: the checker has reported it). */
function textOf(tree: SourceTree, node: SourceNode | undefined): string {
  const value = node === undefined ? undefined : tree.value(node);
  return value === undefined ? '' : String(value);
}

/** The mapping under `key` in a mapping, if there is one. */
function mapUnder(tree: SourceTree, node: SourceNode | null | undefined, key: string): MapNode | undefined {
  if (node === null || typeof node !== 'object' || node.kind !== 'map') return undefined;
  let value: SourceNode | undefined;
  for (let i = 0; i < node.size && value === undefined; i++) if (textOf(tree, keyAt(node, i)) === key) value = valueAt(node, i);
  return typeof value === 'object' && value.kind === 'map' ? value : undefined;
}

/** What the entries of one list share: the file's lines, and where every entry's field values start. */
interface EntryOffsets {
  lines: LineIndex;
  /** The offsets of each entry's field values, entry after entry (no list per entry). */
  offsets: number[];
}

/**
 * Where an entry is, and its fields: the fields' lines and columns are worked out when asked
 * for (a message about one), not for each of 100,000 entries that have none.
 */
class FileEntrySource implements EntrySource {
  readonly line: number;
  readonly column: number;
  readonly #shared: EntryOffsets;
  readonly #names: string[];
  /** Where this entry's offsets start in the shared list. */
  readonly #first: number;
  #fields: Partial<Record<string, SourcePosition>> | undefined;
  constructor(
    shared: EntryOffsets,
    start: number,
    readonly index: number,
    names: string[],
    first: number,
  ) {
    ({ line: this.line, column: this.column } = shared.lines.position(start));
    this.#shared = shared;
    this.#names = names;
    this.#first = first;
  }
  get fields(): Partial<Record<string, SourcePosition>> {
    if (this.#fields === undefined) {
      // Without a prototype: a key such as __proto__ is only data here.
      const fields: Record<string, SourcePosition> = Object.create(null);
      const { lines, offsets } = this.#shared;
      this.#names.forEach((name, i) => {
        fields[name] = lines.position(offsets[this.#first + i] as number);
      });
      this.#fields = fields;
    }
    return this.#fields;
  }
  toJSON(): EntrySource {
    return { line: this.line, column: this.column, index: this.index, fields: this.fields };
  }
}

/**
 * Reads a desired-state file (YAML, or JSON with `format: 'json'`) and checks it; throws a
 * {@link DesiredStateError} listing every problem with its line and column, so nothing is sent
 * for a file with any error.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { createExpiringTargetsClient } from 'ld-expiring-targets';
 * import { applyPlan, parseDesiredState, planSync } from 'ld-expiring-targets/sync';
 *
 * const desired = parseDesiredState(await readFile('expiring-targets.yaml', 'utf8'), { fileName: 'expiring-targets.yaml' });
 * const ld = createExpiringTargetsClient({ apiKey: process.env.LD_API_KEY });
 * const plan = await planSync(ld, desired);
 * if (plan.hasChanges) console.log((await applyPlan(ld, plan)).ok);
 * ```
 */
export function parseDesiredState(text: string, options: ParseOptions = {}): DesiredState {
  return readDesiredState(text, options, false).desired;
}

/**
 * {@link parseDesiredState}, with the state as checking compiled it when `keep` is true (for the
 * command line, which plans what it read: each entry is then checked once, not again in
 * planning); `compiled` is empty otherwise.
 */
export function readDesiredState(
  text: string,
  options: ParseOptions,
  keep: boolean,
): { desired: DesiredState; compiled: CompiledResource[] } {
  const source = options.fileName ?? 'the desired-state file';
  const lines = new LineIndex(text);
  const refuse = (offset: number, message: string): never => {
    throw new DesiredStateError([{ ...lines.position(offset), path: [], message }], source);
  };
  // JSON's own messages quote the text: the position is all that is said.
  if (options.format === 'json' && !isJson(text)) refuse(0, 'the file is not valid JSON (it reads as YAML: fix it, or name it .yaml)');
  const parsed = parseSource(text);
  if (!parsed.ok) return refuse(parsed.problem.offset, parsed.problem.message);

  const { tree } = parsed;
  const ctx: CheckContext = { text, tree, lines, badKeys: new Set(), tainted: new Set() };
  const shape = checkFile(tree, text, ctx);
  // Resources under a bad key, and entries with a shape problem, are left out of the state, so
  // each problem is reported once; the ones that pass get every other check.
  const resources: DesiredResource[] = [];
  const projects = mapUnder(tree, tree.root, 'projects');
  for (let p = 0; p < (projects?.size ?? 0); p++) {
    const projectKey = keyAt(projects as MapNode, p);
    const environments = ctx.badKeys.has(projectKey) ? undefined : mapUnder(tree, valueAt(projects as MapNode, p), 'environments');
    for (let e = 0; e < (environments?.size ?? 0); e++) {
      const environmentKey = keyAt(environments as MapNode, e);
      const groups = ctx.badKeys.has(environmentKey) ? undefined : valueAt(environments as MapNode, e);
      if (typeof groups !== 'object' || groups.kind !== 'map') continue;
      for (let g = 0; g < groups.size; g++) {
        const kind = kindOfPlural(textOf(tree, keyAt(groups, g)));
        const group = valueAt(groups, g);
        if (kind === undefined || typeof group !== 'object' || group.kind !== 'map') continue;
        for (let r = 0; r < group.size; r++) {
          const key = keyAt(group, r);
          const list = valueAt(group, r);
          if (ctx.badKeys.has(key) || typeof list !== 'object' || list.kind !== 'seq') continue;
          const ref = {
            projectKey: textOf(tree, projectKey),
            environmentKey: textOf(tree, environmentKey),
            [RESOURCES[kind].keyField]: textOf(tree, key),
          };
          resources.push(readResource(kind, ref, key, list.items, ctx));
        }
      }
    }
  }
  const compiled = compileDesiredState({ resources }, options, keep);
  const issues: DesiredStateIssue[] = [...shape, ...compiled.issues].slice(0, MAX_ISSUES);
  if (issues.length > 0) throw new DesiredStateError(issues.sort(byPosition), source);
  return { desired: { resources }, compiled: compiled.resources };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
    // Stryker disable next-line BlockStatement: returning undefined instead of false refuses the text the same way
  } catch {
    return false;
  }
}

function byPosition(a: DesiredStateIssue, b: DesiredStateIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** One segment's or flag's entries, each with where it and its fields are. */
function readResource(
  resource: ResourceKind,
  ref: Record<string, string>,
  key: SourceNode,
  items: SourceNode[],
  { tree, lines, tainted }: CheckContext,
): DesiredResource {
  const flag = targetField(resource) === 'variationId';
  const targets: DesiredTargetBase[] = [];
  const shared: EntryOffsets = { lines, offsets: [] };
  // Entries name the same fields in the same order: one list of names serves them all.
  // Stryker disable next-line ArrayDeclaration: a first list of names that does not match is replaced by the first entry's
  let sharedNames: string[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index] as SourceNode;
    if (typeof item !== 'object' || item.kind !== 'map' || tainted.has(item)) continue;

    // Undefined when missing, as a state built in code would have it (the checker reported it).
    let contextKind: string | undefined;
    let contextKey: string | undefined;
    let target: string | undefined;
    let expiresAt: string | undefined;
    const first = shared.offsets.length;
    let same = item.size === sharedNames.length;
    for (let i = 0; i < item.size; i++) {
      const name = textOf(tree, keyAt(item, i));
      const value = valueAt(item, i);
      // The checker let through only the schema's fields.
      if (name === 'contextKind') contextKind = textOf(tree, value);
      else if (name === 'contextKey') contextKey = textOf(tree, value);
      else if (name === 'expiresAt') expiresAt = textOf(tree, value);
      else if (name === (flag ? 'variationId' : 'targetType')) target = textOf(tree, value);
      if (same && name !== sharedNames[i]) same = false;
      shared.offsets.push(tree.start(value));
    }
    if (!same) sharedNames = Array.from({ length: item.size }, (_, i) => textOf(tree, keyAt(item, i)));
    const source = new FileEntrySource(shared, item.start, index, sharedNames, first);
    // One shape per kind, written out: an object built with a computed key is slower to make and to read.
    targets.push(
      flag
        ? ({ contextKind, contextKey, variationId: target, expiresAt, source } as unknown as DesiredFlagTarget)
        : ({ contextKind, contextKey, targetType: target, expiresAt, source } as unknown as DesiredSegmentTarget),
    );
  }
  return { resource, ref, targets, source: lines.position(tree.start(key)) } as unknown as DesiredResource;
}
