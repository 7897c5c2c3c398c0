/**
 * Reads a desired-state file's text (YAML, or JSON) into a {@link DesiredState}: parsed into a
 * tree that keeps where each value is (./yaml-source.ts), checked against the file's JSON Schema
 * (./file-check.ts), then compiled as a state built in code is (./compile-desired.ts). Every
 * problem is reported at once with its line and column, and a file with any is refused whole.
 */
import { RESOURCES, type ResourceKind, kindOfPlural, targetField } from '../core/resources.js';
import { MAX_ISSUES } from './bounds.js';
import { compileDesiredState } from './compile-desired.js';
import { DesiredStateError } from './desired-state-error.js';
import type { DesiredResource, DesiredState, DesiredStateIssue, EntrySource, ParseOptions } from './desired-state.js';
import { type CheckContext, checkFile } from './file-check.js';
import { LineIndex, type MapNode, type SourceNode, type SourcePosition, type SourceTree } from './source-tree.js';
import { parseSource } from './yaml-source.js';

/** The text of a plain value ('' for anything else: the checker has reported it). */
function textOf(tree: SourceTree, node: SourceNode | undefined): string {
  const value = node === undefined ? undefined : tree.value(node);
  return value === undefined ? '' : String(value);
}

/** The mapping under `key` in a mapping, if there is one. */
function mapUnder(tree: SourceTree, node: SourceNode | null | undefined, key: string): MapNode | undefined {
  if (node === null || typeof node !== 'object' || node.kind !== 'map') return undefined;
  const index = node.keys.findIndex((k) => textOf(tree, k) === key);
  const value = index === -1 ? undefined : node.values[index];
  return typeof value === 'object' && value.kind === 'map' ? value : undefined;
}

/**
 * Where an entry is, and its fields: the fields' lines and columns are worked out when asked
 * for (a message about one), not for each of 100,000 entries that have none.
 */
class FileEntrySource implements EntrySource {
  readonly line: number;
  readonly column: number;
  readonly #lines: LineIndex;
  readonly #names: string[];
  readonly #offsets: number[];
  #fields: Partial<Record<string, SourcePosition>> | undefined;
  constructor(
    lines: LineIndex,
    start: number,
    readonly index: number,
    names: string[],
    offsets: number[],
  ) {
    ({ line: this.line, column: this.column } = lines.position(start));
    this.#lines = lines;
    this.#names = names;
    this.#offsets = offsets;
  }
  get fields(): Partial<Record<string, SourcePosition>> {
    if (this.#fields === undefined) {
      // Without a prototype: a key such as __proto__ is only data here.
      const fields: Record<string, SourcePosition> = Object.create(null);
      this.#names.forEach((name, i) => {
        fields[name] = this.#lines.position(this.#offsets[i] as number);
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
  for (let p = 0; p < (projects?.keys.length ?? 0); p++) {
    const projectKey = projects?.keys[p] as SourceNode;
    const environments = ctx.badKeys.has(projectKey) ? undefined : mapUnder(tree, projects?.values[p], 'environments');
    for (let e = 0; e < (environments?.keys.length ?? 0); e++) {
      const environmentKey = environments?.keys[e] as SourceNode;
      const groups = ctx.badKeys.has(environmentKey) ? undefined : environments?.values[e];
      if (typeof groups !== 'object' || groups.kind !== 'map') continue;
      for (let g = 0; g < groups.keys.length; g++) {
        const kind = kindOfPlural(textOf(tree, groups.keys[g]));
        const group = groups.values[g];
        if (kind === undefined || typeof group !== 'object' || group.kind !== 'map') continue;
        for (let r = 0; r < group.keys.length; r++) {
          const key = group.keys[r] as SourceNode;
          const list = group.values[r];
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
  // Checked only: planning compiles the state it is given, so nothing compiled is kept here.
  // Stryker disable next-line BooleanLiteral: what is compiled is dropped here; keeping it only costs memory
  const compiled = compileDesiredState({ resources }, options, false);
  const issues: DesiredStateIssue[] = [...shape, ...compiled.issues].slice(0, MAX_ISSUES);
  if (issues.length > 0) throw new DesiredStateError(issues.sort(byPosition), source);
  return { resources };
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
  const field = targetField(resource);
  const targets: Record<string, unknown>[] = [];
  // Entries name the same fields in the same order: one list of names serves them all.
  // Stryker disable next-line ArrayDeclaration: a first list of names that does not match is replaced by the first entry's
  let sharedNames: string[] = [];
  items.forEach((item, index) => {
    if (tainted.has(item) || typeof item !== 'object' || item.kind !== 'map') return;
    const { keys, values } = item;
    const target: Record<string, unknown> = {
      contextKind: undefined,
      contextKey: undefined,
      [field]: undefined,
      expiresAt: undefined,
      source: undefined,
    };
    // Stryker disable next-line ArrayDeclaration: every offset is set below; the size only spares the array growing
    const offsets: number[] = new Array(keys.length);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the names are compared one by one below, and every entry here has the same four
    let same = keys.length === sharedNames.length;
    for (let i = 0; i < keys.length; i++) {
      const name = textOf(tree, keys[i]);
      const value = values[i] as SourceNode;
      // The checker let through only the schema's fields, so no name here is __proto__.
      if (name === 'contextKind' || name === 'contextKey' || name === field || name === 'expiresAt') target[name] = textOf(tree, value);
      if (same && name !== sharedNames[i]) same = false;
      offsets[i] = tree.start(value);
    }
    if (!same) sharedNames = keys.map((k) => textOf(tree, k));
    target.source = new FileEntrySource(lines, item.start, index, sharedNames, offsets);
    targets.push(target);
  });
  return { resource, ref, targets, source: lines.position(tree.start(key)) } as unknown as DesiredResource;
}
