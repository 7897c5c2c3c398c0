/**
 * Checks a desired state, read from a file or built in code, and compiles each entry to the add
 * instruction `patch` would send: bad keys, entries `patch` would refuse, past times, a resource
 * or a context named twice. What passes is what planning compares with LaunchDarkly.
 */
import type { FlagRef, SegmentRef } from '../core/client.js';
import type { ValidationIssue } from '../core/errors.js';
import {
  type AnyInstruction,
  RESOURCES,
  RESOURCE_KINDS,
  type ResourceKind,
  describeResource as describeResourceOf,
  isResourceKind,
  resourceKeyOf,
  targetField,
} from '../core/resources.js';
import { describeValue as describe, parseTime } from '../core/time.js';
import { instructionIssues, keyIssues } from '../core/validation.js';
import { DEFAULT_MAX_RESOURCES, MAX_ISSUES, QUOTED_CHARS, clip, positiveOption, quote, shortPath } from './bounds.js';
import type {
  DesiredFlagTarget,
  DesiredResource,
  DesiredSegmentTarget,
  DesiredState,
  DesiredStateIssue,
  DesiredStateOptions,
  EntrySource,
} from './desired-state.js';
import { DesiredStateError } from './desired-state-error.js';
import type { SourcePosition } from './source-tree.js';

/**
 * An entry that passed every check: its add instruction (which holds the context, the target
 * and the time in Unix milliseconds) and where it is. Two references an entry, for 100,000 of them.
 */
export interface CompiledTarget {
  /** The add instruction of the entry, checked as `patch` checks it. */
  add: AnyInstruction & { kind: 'addExpiringTarget'; contextKind: string; contextKey: string; value: number };
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
  // One shape per kind, written out: an object built with a computed key is slower to make and to read.
  const { contextKind, contextKey } = t;
  const instruction = (
    targetField(resource) === 'variationId'
      ? { kind: 'addExpiringTarget', contextKind, contextKey, variationId: (t as DesiredFlagTarget).variationId, value }
      : { kind: 'addExpiringTarget', contextKind, contextKey, targetType: (t as DesiredSegmentTarget).targetType, value }
  ) as AnyInstruction;
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
 * With `keep` false only the problems are wanted: nothing compiled is kept (a file of 100,000
 * entries is checked when read and compiled again when planned).
 */
export function compileDesiredState(
  desired: DesiredState,
  options: DesiredStateOptions = {},
  keep = true,
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
    // A resource of no known kind has no path of its own (its kind is the problem reported).
    const path = resource?.ref && isResourceKind(resource.resource) ? resourcePath(resource) : [];
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
      if (keep) targets.push({ add: instruction as CompiledTarget['add'], source: where });
    }
    if (keep) resources.push({ desired: resource, targets });
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
  // Stryker disable next-line BooleanLiteral: only the issues are returned; what is kept is dropped
  return compileDesiredState(desired, options, false).issues;
}

/**
 * The checked desired state behind a plan, for planning again. Checked again here (every entry
 * with the rules `patch` applies), though not against the clock: the plan was.
 */
export function checkedDesiredState(desired: DesiredState): CompiledResource[] {
  const { resources, issues } = compileDesiredState(desired, { allowPast: true, maxResources: Number.MAX_SAFE_INTEGER });
  if (issues.length > 0) throw new DesiredStateError(issues);
  return resources;
}
