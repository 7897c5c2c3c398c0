/**
 * The desired state: which contexts lose their individual targeting when, per segment and flag.
 * It is read from a YAML file (every problem with its line and column) or built in code, and
 * checked the same way either way: the file's shape against the shipped JSON Schema, then each
 * entry's instruction with the validation of ../instructions.ts, so a file can never accept what
 * a `patch` would refuse.
 */
import { type Node, type Pair, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { FlagRef, SegmentRef } from '../core/client.js';
import { ExpiringTargetsError, type ValidationIssue } from '../core/errors.js';
import type { SegmentTargetType } from '../core/instructions.js';
import {
  type AnyInstruction,
  RESOURCES,
  RESOURCE_KINDS,
  type ResourceKind,
  describeResource as describeResourceOf,
  isResourceKind,
  kindOfPlural,
  resourceKeyOf,
  targetField,
  targetIdentity,
} from '../core/resources.js';
import { type TimeInput, describeValue as describe, parseTime } from '../core/time.js';
import { instructionIssues, keyIssues } from '../core/validation.js';
import { DEFAULT_MAX_RESOURCES, MAX_ISSUES, QUOTED_CHARS, clip, positiveOption, quote, shortPath } from './bounds.js';
import { type CheckContext, FILE_SCHEMA, type SourcePosition, aliasTargets, checkDocument, parseYaml, positionOf } from './file-schema.js';

export type { SourcePosition } from './file-schema.js';

/** Where an entry is in its file, and where each of its fields is. */
export interface EntrySource extends SourcePosition {
  /** Position of the entry in its list in the file (0-based). */
  index: number;
  /** Position of each field's value, by field name. */
  fields: Partial<Record<string, SourcePosition>>;
}

/** What every desired entry has: the context, and when its targeting ends. */
export interface DesiredTargetBase {
  /** The context kind, such as `user`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
  /** When LaunchDarkly removes the context: a Date, an ISO-8601 string with a zone, or Unix milliseconds. */
  expiresAt: TimeInput;
  /** Where the entry is in its file (absent when built in code). */
  source?: EntrySource | undefined;
}
/** A context in a segment's `included` or `excluded` list, and when it leaves the list. */
export interface DesiredSegmentTarget extends DesiredTargetBase {
  /** Which of the segment's lists holds the context: `included` or `excluded`. */
  targetType: SegmentTargetType;
}
/** A context individually targeted by a flag variation, and when that ends. */
export interface DesiredFlagTarget extends DesiredTargetBase {
  /** The ID of the variation that individually targets the context. */
  variationId: string;
}

/** Every scheduled removal one segment should have. */
export interface DesiredSegment {
  /** Always `segment`. */
  resource: 'segment';
  /** Which segment, in which project and environment. */
  ref: SegmentRef;
  /** Every scheduled removal the segment should have. */
  targets: DesiredSegmentTarget[];
  /** Where the segment's key is in its file. */
  source?: SourcePosition | undefined;
}
/** Every scheduled removal one flag should have. */
export interface DesiredFlag {
  /** Always `flag`. */
  resource: 'flag';
  /** Which flag, in which project and environment. */
  ref: FlagRef;
  /** Every scheduled removal the flag should have. */
  targets: DesiredFlagTarget[];
  /** Where the flag's key is in its file. */
  source?: SourcePosition | undefined;
}
/** A segment or a flag of a desired state. */
export type DesiredResource = DesiredSegment | DesiredFlag;

/**
 * What LaunchDarkly should hold: for each segment and flag named, exactly these scheduled
 * removals. Resources not named are left alone.
 */
export interface DesiredState {
  /** Each segment and flag the state speaks for, with every scheduled removal it should have. */
  resources: DesiredResource[];
}

/** One problem with a desired state; `line` and `column` are set when it came from a file. */
export interface DesiredStateIssue {
  /** The line in the file (from 1), when the state came from a file. */
  line: number | undefined;
  /** The column in the file (from 1), when the state came from a file. */
  column: number | undefined;
  /** Keys and list indices from the top of the file down to the value at fault. */
  path: (string | number)[];
  /** What is wrong, such as `expiresAt must be an ISO-8601 date-time with a zone …`. */
  message: string;
}

/** How many issues an error message lists; `issues` always holds every one. */
const ISSUES_IN_MESSAGE = 20;

/**
 * A desired state (or its file) is invalid; nothing was read or sent.
 *
 * @example
 * ```ts
 * try {
 *   parseDesiredState(text, { fileName: 'expiring-targets.yaml' });
 * } catch (error) {
 *   if (error instanceof DesiredStateError) for (const i of error.issues) console.error(`line ${i.line}, column ${i.column}: ${i.message}`);
 * }
 * ```
 */
export class DesiredStateError extends ExpiringTargetsError {
  override name = 'DesiredStateError';
  /** Every problem found, in file order. */
  readonly issues: readonly DesiredStateIssue[];
  constructor(issues: readonly DesiredStateIssue[], source = 'the desired state') {
    const lines = issues
      .slice(0, ISSUES_IN_MESSAGE)
      .map((i) => `  - ${i.line === undefined ? '' : `line ${i.line}, column ${i.column}: `}${i.message}`);
    if (issues.length > ISSUES_IN_MESSAGE) lines.push(`  … and ${issues.length - ISSUES_IN_MESSAGE} more`);
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${source}; nothing was sent:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** Options of reading and checking a desired state. */
export interface DesiredStateOptions {
  /** Accept expiry times that are already past (LaunchDarkly then removes the context at once). Default false. */
  allowPast?: boolean | undefined;
  /** The time "past" is measured from. Default `Date.now()`. */
  now?: number | undefined;
  /**
   * Resources a desired state may name (planning reads each once). Default 1,000; a state naming
   * more is refused unless this is raised (--max-resources on the command line).
   */
  maxResources?: number | undefined;
}

// ---- Checking and compiling -------------------------------------------------------------------

/** An entry that passed every check, with its time in Unix milliseconds. */
export interface CompiledTarget {
  contextKind: string;
  contextKey: string;
  /** `targetType` (segments) or `variationId` (flags). */
  target: string;
  expiresAtMs: number;
  /** {@link targetIdentity} of the entry: what it is matched against in LaunchDarkly. */
  identity: string;
  /** The add instruction of the entry, checked as `patch` checks it. */
  add: AnyInstruction;
  source: EntrySource | undefined;
}

/** A resource whose entries all passed. */
export interface CompiledResource {
  desired: DesiredResource;
  targets: CompiledTarget[];
}

/** A key as a message shows it: whole when short, else its start. */
function shown(key: string): string {
  return key.length > QUOTED_CHARS ? quote(key) : key;
}

/** A resource as the file names it: `segment beta (project p, environment e)`; long keys show their start only. */
export function describeResource(resource: { resource: ResourceKind; ref: SegmentRef | FlagRef }): string {
  const { ref } = resource;
  return describeResourceOf(resource.resource, {
    projectKey: shown(ref.projectKey),
    environmentKey: shown(ref.environmentKey),
    [RESOURCES[resource.resource].keyField]: shown(resourceKeyOf(resource.resource, ref)),
  } as unknown as SegmentRef);
}

/** What identifies a resource, exactly (unlike its description, which shortens long keys). */
export function resourceIdentity(resource: { resource: ResourceKind; ref: SegmentRef | FlagRef }): string {
  return JSON.stringify([
    resource.resource,
    resource.ref.projectKey,
    resource.ref.environmentKey,
    resourceKeyOf(resource.resource, resource.ref),
  ]);
}

/** The file path of a resource: where its list is under `projects`. */
export function resourcePath(resource: { resource: ResourceKind; ref: SegmentRef | FlagRef }): (string | number)[] {
  const { ref } = resource;
  return [
    'projects',
    ref.projectKey,
    'environments',
    ref.environmentKey,
    RESOURCES[resource.resource].plural,
    resourceKeyOf(resource.resource, ref),
  ];
}

/**
 * The add instruction of an entry, checked with the rules `patch` applies, or the problems with
 * it, named as the entry names its fields (`expiresAt` for the wire's time field). Called once
 * per entry of files with 100,000 of them, so it allocates no more than it returns.
 */
function addInstruction(resource: ResourceKind, t: DesiredSegmentTarget | DesiredFlagTarget): AnyInstruction | ValidationIssue[] {
  if (t === null || typeof t !== 'object') return [{ field: 'entry', message: `must be an object, got ${describe(t)}` }];
  const time = parseTime(t.expiresAt);
  const value = time.ok ? time.ms : 0;
  const field = targetField(resource);
  const instruction = {
    kind: 'addExpiringTarget',
    contextKind: t.contextKind,
    contextKey: t.contextKey,
    [field]: (t as unknown as Record<string, unknown>)[field],
    value,
  } as AnyInstruction;
  const issues = instructionIssues(resource, instruction, undefined, { allowPast: true });
  // Checked as patchAll checks it (the clock apart, which planning and applying check): applying
  // hands it to the bulk runner's internal entry, which does not check it again.
  if (issues.length === 0 && time.ok) return instruction;
  const problems = issues.map((i) => (i.field === 'value' ? { ...i, field: 'expiresAt' } : i));
  if (!time.ok) problems.push({ field: 'expiresAt', message: time.reason });
  return problems.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/**
 * Checks a desired state and returns what passed, with every problem found: bad keys, entries
 * `patch` would refuse, times in the past (unless `allowPast`), a resource named twice, and a
 * context named twice for one segment or flag (LaunchDarkly schedules one removal per context).
 */
export function compileDesiredState(
  desired: DesiredState,
  options: DesiredStateOptions = {},
): { resources: CompiledResource[]; issues: DesiredStateIssue[] } {
  const now = options.now ?? Date.now();
  const maxResources = positiveOption('maxResources', options.maxResources, DEFAULT_MAX_RESOURCES);
  const issues: DesiredStateIssue[] = [];
  const resources: CompiledResource[] = [];
  // By identity, not by description: two keys that print alike are two resources.
  const resourcesSeen = new Map<string, DesiredResource>();
  const list: unknown = (desired as Partial<DesiredState> | null)?.resources;
  if (!Array.isArray(list))
    return { resources, issues: [{ line: undefined, column: undefined, path: ['resources'], message: 'resources must be a list' }] };
  if (list.length > maxResources) {
    const message = `the desired state names ${list.length} segments and flags, more than the limit of ${maxResources} (planning reads each): raise it with maxResources (--max-resources on the command line)`;
    return { resources, issues: [{ line: undefined, column: undefined, path: [], message }] };
  }
  for (const resource of list as DesiredResource[]) {
    if (issues.length >= MAX_ISSUES) break;
    const at = resource?.source;
    const path = resource?.ref ? resourcePath(resource) : [];
    const add = (message: string, where: SourcePosition | undefined = at, subPath: (string | number)[] = []) => {
      if (issues.length < MAX_ISSUES)
        issues.push({ line: where?.line, column: where?.column, path: shortPath([...path, ...subPath]), message: clip(message) });
    };
    if (!isResourceKind(resource?.resource)) {
      add(
        `resource must be ${RESOURCE_KINDS.map((k) => JSON.stringify(k)).join(' or ')}, got ${JSON.stringify((resource as { resource?: unknown } | undefined)?.resource)}`,
      );
      continue;
    }
    const keyProblems = keyIssues(resource.ref, RESOURCES[resource.resource].refKeys);
    if (keyProblems.length > 0) {
      for (const p of keyProblems) add(`${p.field} ${p.message}`);
      continue;
    }
    const name = describeResource(resource);
    const identity = resourceIdentity(resource);
    const earlier = resourcesSeen.get(identity);
    if (earlier !== undefined) {
      add(`${name} is listed twice${earlier.source ? ` (first at line ${earlier.source.line})` : ''}`);
      continue;
    }
    resourcesSeen.set(identity, resource);
    if (!Array.isArray(resource.targets)) {
      add(`the targets of ${name} must be a list`);
      continue;
    }
    const field = targetField(resource.resource);
    const targets: CompiledTarget[] = [];
    // By context kind, then key: no string is built per entry to look a context up.
    const contexts = new Map<string, Map<string, DesiredSegmentTarget | DesiredFlagTarget>>();
    const entries: (DesiredSegmentTarget | DesiredFlagTarget)[] = resource.targets;
    for (let position = 0; position < entries.length && issues.length < MAX_ISSUES; position++) {
      const t = entries[position] as DesiredSegmentTarget | DesiredFlagTarget;
      const where = t?.source;
      const index = where?.index ?? position;
      const instruction = addInstruction(resource.resource, t);
      if (Array.isArray(instruction)) {
        for (const i of instruction) add(`${i.field} ${i.message}`, where?.fields[i.field] ?? where, [index, i.field]);
        continue;
      }
      const ms = (instruction as { value: number }).value;
      if (ms < now && options.allowPast !== true) {
        add(
          `expiresAt ${new Date(ms).toISOString()} is in the past for ${shown(t.contextKind)}:${shown(t.contextKey)}: delete the entry, or accept past times (allowPast; --allow-past on the command line) to have LaunchDarkly remove the context at once`,
          where?.fields.expiresAt ?? where,
          [index, 'expiresAt'],
        );
        continue;
      }
      // One removal per context and resource: a second entry would be a contradiction in the file.
      let ofKind = contexts.get(t.contextKind);
      if (ofKind === undefined) contexts.set(t.contextKind, (ofKind = new Map()));
      const first = ofKind.get(t.contextKey);
      if (first !== undefined) {
        const lines = first.source && where ? ` (lines ${first.source.line} and ${where.line})` : '';
        add(
          `${shown(t.contextKind)}:${shown(t.contextKey)} is named twice for ${name}${lines}: LaunchDarkly schedules one removal per context`,
          where,
          [index],
        );
        continue;
      }
      ofKind.set(t.contextKey, t);
      const target = (t as unknown as Record<string, string>)[field] as string;
      targets.push({
        contextKind: t.contextKind,
        contextKey: t.contextKey,
        target,
        expiresAtMs: ms,
        identity: targetIdentity(resource.resource, instruction),
        add: instruction,
        source: where,
      });
    }
    resources.push({ desired: resource, targets });
  }
  return { resources, issues };
}

/**
 * Every problem with a desired state built in code (or read from a file), in order; empty when
 * it can be planned.
 *
 * @example
 * ```ts
 * const issues = desiredStateIssues({ resources: [{ resource: 'segment', ref, targets: [{ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-01-01T00:00:00Z' }] }] });
 * // []
 * ```
 */
export function desiredStateIssues(desired: DesiredState, options: DesiredStateOptions = {}): DesiredStateIssue[] {
  return compileDesiredState(desired, options).issues;
}

// ---- Reading the YAML file --------------------------------------------------------------------

/** Options of {@link parseDesiredState}. */
export interface ParseOptions extends DesiredStateOptions {
  /** The file's name, for messages. */
  fileName?: string | undefined;
  /**
   * `yaml` (default) or `json`. JSON is read with the same schema and positions; text that is
   * YAML but not JSON (comments, unquoted strings, anchors) is refused.
   */
  format?: 'yaml' | 'json' | undefined;
}

/** The message of a yaml error without the excerpt yaml appends (the position is reported apart). */
function yamlMessage(message: string): string {
  return message.split(/ at line \d+, column \d+/)[0]?.trim() ?? message;
}

function scalarText(node: Node | null, ctx: CheckContext): string {
  const value = isAlias(node) ? ctx.aliases.get(node) : node;
  return isScalar(value) ? String(value.value) : '';
}

function pairsOf(node: Node | null | undefined): Pair<Node | null, Node | null>[] {
  return isMap(node) ? (node.items as Pair<Node | null, Node | null>[]) : [];
}

function keyOf(pair: Pair<Node | null, Node | null>, ctx: CheckContext): string {
  return scalarText(pair.key, ctx);
}

/**
 * Reads a desired-state file (YAML) and checks it; throws a {@link DesiredStateError} listing
 * every problem with its line and column, so nothing is sent for a file with any error.
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
  const { doc, lines } = parseYaml(text);
  const source = options.fileName ?? 'the desired-state file';
  const syntax = [...doc.errors, ...doc.warnings].slice(0, MAX_ISSUES).map((e): DesiredStateIssue => {
    const at = e.linePos?.[0];
    return { line: at?.line ?? 1, column: at?.col ?? 1, path: [], message: clip(yamlMessage(e.message)) };
  });
  if (syntax.length > 0) throw new DesiredStateError(syntax.sort(byPosition), source);
  if (options.format === 'json' && !isJson(text)) {
    // JSON's own messages quote the text: the position is all that is said.
    throw new DesiredStateError(
      [{ line: 1, column: 1, path: [], message: 'the file is not valid JSON (it reads as YAML: fix it, or name it .yaml)' }],
      source,
    );
  }

  const ctx: CheckContext = { doc, text, lines, root: FILE_SCHEMA, aliases: aliasTargets(doc), badPairs: new Set(), tainted: new Set() };
  const shape = checkDocument(doc, text, lines, ctx);
  // Resources under a bad key, and entries with a shape problem, are left out of the state, so
  // each problem is reported once; the ones that pass get every other check.
  const badPairs = ctx.badPairs as Set<unknown>;
  const resources: DesiredResource[] = [];
  const projects = pairsOf(doc.contents as Node | null).find((p) => keyOf(p, ctx) === 'projects');
  for (const project of pairsOf(projects?.value)) {
    if (badPairs.has(project)) continue;
    const projectKey = keyOf(project, ctx);
    const environments = pairsOf(project.value).find((p) => keyOf(p, ctx) === 'environments');
    for (const environment of pairsOf(environments?.value)) {
      if (badPairs.has(environment)) continue;
      const environmentKey = keyOf(environment, ctx);
      for (const group of pairsOf(environment.value)) {
        const resourceKind = kindOfPlural(keyOf(group, ctx));
        if (resourceKind === undefined) continue;
        for (const entry of pairsOf(group.value)) {
          if (badPairs.has(entry) || !isSeq(entry.value)) continue;
          resources.push(readResource(resourceKind, projectKey, environmentKey, keyOf(entry, ctx), entry, ctx));
        }
      }
    }
  }
  const compiled = compileDesiredState({ resources }, options);
  const issues: DesiredStateIssue[] = [...shape.map((i) => ({ ...i })), ...compiled.issues].slice(0, MAX_ISSUES);
  if (issues.length > 0) throw new DesiredStateError(issues.sort(byPosition), source);
  return { resources };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function byPosition(a: DesiredStateIssue, b: DesiredStateIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

function readResource(
  resource: ResourceKind,
  projectKey: string,
  environmentKey: string,
  key: string,
  pair: Pair<Node | null, Node | null>,
  ctx: CheckContext,
): DesiredResource {
  const items = isSeq(pair.value) ? (pair.value.items as (Node | null)[]) : [];
  const field = targetField(resource);
  const targets: Record<string, unknown>[] = [];
  items.forEach((item, index) => {
    if (ctx.tainted?.has(item) || !isMap(item)) return;
    // Without a prototype: a key such as __proto__ is only data here.
    const fields: Record<string, SourcePosition> = Object.create(null);
    const values: Record<string, string> = Object.create(null);
    for (const p of item.items as Pair<Node | null, Node | null>[]) {
      const name = keyOf(p, ctx);
      values[name] = scalarText(p.value, ctx);
      fields[name] = positionOf(p.value ?? p.key, ctx);
    }
    targets.push({
      contextKind: values.contextKind,
      contextKey: values.contextKey,
      [field]: values[field],
      expiresAt: values.expiresAt,
      source: { ...positionOf(item, ctx), index, fields },
    });
  });
  const source = positionOf(pair.key, ctx);
  return {
    resource,
    ref: { projectKey, environmentKey, [RESOURCES[resource].keyField]: key },
    targets,
    source,
  } as unknown as DesiredResource;
}
