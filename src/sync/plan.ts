/**
 * Planning: read each resource the desired state names (one GET each, a few at a time) and
 * compute the fewest instructions that make LaunchDarkly match it: add what is not scheduled,
 * update what is scheduled at another time (carrying the version read, so that a change made in
 * between is refused rather than overwritten) and, only when pruning, remove what is scheduled
 * but not desired.
 */
import type { ExpiringTargetsClient, FlagRef, ResourceApi, SegmentRef } from '../core/client.js';
import { type ExpiringTargetsError, InstructionValidationError } from '../core/errors.js';
import { instructionHelpers } from '../core/instructions.js';
import { positiveInteger } from '../core/internal/positive-integer.js';
import {
  type AnyInstruction,
  type FlagInstruction,
  type ResourceKind,
  type SegmentInstruction,
  describeResource,
  targetField,
} from '../core/resources.js';
import { identityOf, targetIdentity } from '../core/target-identity.js';
import { resourceApiOf } from '../core/internal/resource-api.js';
import { pickCallOptions } from '../core/call-options.js';
import type { CallOptions } from '../core/options.js';
import type { ExpiringTarget, GetResult } from '../core/results.js';
import { forEachLimited } from './concurrency.js';
import { type CompiledResource, type CompiledTarget, compileDesiredState } from './compile-desired.js';
import type { DesiredState, DesiredStateOptions, EntrySource } from './desired-state.js';
import { DesiredStateError } from './desired-state-error.js';
import type { SourcePosition } from './source-tree.js';

export type { AnyInstruction } from '../core/resources.js';

/** What a change does to one scheduled removal. */
export type ChangeAction = 'add' | 'update' | 'remove';

/** One instruction of a plan, with what it changes. */
export interface PlannedChange<I extends AnyInstruction = AnyInstruction> {
  /** `add` (not scheduled yet), `update` (scheduled at another time) or `remove` (not desired; only with `prune`). */
  action: ChangeAction;
  /** The context kind, such as `user`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
  /** `targetType` for a segment, `variationId` for a flag. */
  target: string;
  /** The time scheduled in LaunchDarkly, in Unix milliseconds (update and remove). */
  from: number | undefined;
  /** The time in the desired state, in Unix milliseconds (add and update). */
  to: number | undefined;
  /** The `_version` read, carried by an update so that a concurrent change makes it fail instead of being overwritten. */
  version: number | undefined;
  /** The instruction that makes the change, exactly as it is sent. */
  instruction: I;
  /** Where the desired entry is in its file (add and update of an entry read from a file). */
  source: EntrySource | undefined;
}

/** The plan of one resource of kind `R`. */
export interface ResourcePlanOf<R extends ResourceKind, Ref, I extends AnyInstruction> {
  /** Segment or flag. */
  resource: R;
  /** Which segment or flag, in which project and environment. */
  ref: Ref;
  /** Changes in file order (removals last). */
  changes: PlannedChange<I>[];
  /** Desired entries LaunchDarkly already has, at the same time. */
  unchanged: number;
  /** Removals scheduled in LaunchDarkly but not desired, left alone because `prune` is off. */
  unmanaged: number;
  /** Where the resource's key is in its file. */
  source: SourcePosition | undefined;
  /** Why the resource could not be read (it then has no changes), or undefined. */
  error: ExpiringTargetsError | undefined;
}
/** The plan of one segment. */
export type SegmentPlan = ResourcePlanOf<'segment', SegmentRef, SegmentInstruction>;
/** The plan of one flag. */
export type FlagPlan = ResourcePlanOf<'flag', FlagRef, FlagInstruction>;
/** The plan of one resource. */
export type ResourcePlan = SegmentPlan | FlagPlan;

/** Totals of a plan. */
export interface PlanCounts {
  /** Segments and flags planned. */
  resources: number;
  /** Contexts to schedule. */
  add: number;
  /** Scheduled removals to move to another time. */
  update: number;
  /** Scheduled removals to cancel (only with `prune`). */
  remove: number;
  /** Desired entries LaunchDarkly already has. */
  unchanged: number;
  /** Scheduled removals not desired, left alone because `prune` is off. */
  unmanaged: number;
  /** Resources that could not be read. */
  unread: number;
}

/** What it takes to make LaunchDarkly match a desired state, as read at one moment. */
export interface SyncPlan {
  /** One entry per resource of the desired state, in its order. */
  resources: ResourcePlan[];
  /** Totals over every resource. */
  counts: PlanCounts;
  /** True when some resource needs a change. */
  hasChanges: boolean;
  /** True when every resource was read (so "no changes" can be trusted). */
  ok: boolean;
  /** The desired state planned for (applying re-plans from it). */
  desired: DesiredState;
  /** Whether removals of undesired scheduled targets were planned. */
  prune: boolean;
  /** Whether past expiry times were accepted. */
  allowPast: boolean;
}

/** Options of {@link planSync}. */
export interface PlanOptions extends CallOptions, DesiredStateOptions {
  /** Also remove scheduled removals that the desired state does not list (for the resources it names). Default false. */
  prune?: boolean | undefined;
  /** Resources read at once. Default 4. */
  concurrency?: number | undefined;
}

export const DEFAULT_READ_CONCURRENCY = 4;

/** A positive integer option, or its default (the core's one check). */
export const positiveOption = positiveInteger;

/**
 * Whether an error means no other resource can be reached either. A 403 or 404 is about one
 * resource (a token may be scoped to some projects); a 401, an abort or a request that could not
 * be sent is about all of them.
 */
export function stopsEveryResource(error: ExpiringTargetsError, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const status = (error as { status?: unknown }).status;
  return error.stopsBulkRun && status !== 403 && status !== 404;
}

function readOf(client: ExpiringTargetsClient, resource: CompiledResource['desired'], call: CallOptions): Promise<GetResult> {
  return apiOf(client, resource.resource).get(resource.ref, call);
}

/** The client's API of a resource kind (`segments` for `segment`). */
export function apiOf(client: ExpiringTargetsClient, resource: ResourceKind): ResourceApi<SegmentRef | FlagRef, AnyInstruction> {
  return resourceApiOf(client, resource) as unknown as ResourceApi<SegmentRef | FlagRef, AnyInstruction>;
}

/** The identity of a planned change's target (the one {@link identityOf} every layer uses). */
export function changeIdentity(c: Pick<PlannedChange, 'contextKind' | 'contextKey' | 'target'>): string {
  return identityOf(c.contextKind, c.contextKey, c.target);
}

function changeFor(resource: ResourceKind, t: CompiledTarget, target: string, current: ExpiringTarget): PlannedChange {
  const { contextKind, contextKey, value } = t.add;
  const base = { contextKind, contextKey, expiresAt: value, version: current._version, allowPast: true };
  const instruction = instructionHelpers(resource).update?.({ ...base, [targetField(resource)]: target }) as AnyInstruction;
  return {
    action: 'update',
    contextKind,
    contextKey,
    target,
    from: current.expirationDate,
    to: value,
    version: current._version,
    instruction,
    source: t.source,
  };
}

function removalOf(resource: ResourceKind, current: ExpiringTarget): PlannedChange {
  const field = targetField(resource);
  const target = current[field] as string;
  const ref = { contextKind: current.contextKind, contextKey: current.contextKey };
  const instruction = instructionHelpers(resource).remove?.({ ...ref, [field]: target }) as AnyInstruction;
  return {
    action: 'remove',
    ...ref,
    target,
    from: current.expirationDate,
    to: undefined,
    version: current._version,
    instruction,
    source: undefined,
  };
}

/** The changes that take one resource from `items` (as read) to its desired targets. */
export function diffResource(
  compiled: CompiledResource,
  items: readonly ExpiringTarget[],
  prune: boolean,
): { changes: PlannedChange[]; unchanged: number; unmanaged: number } {
  const resource = compiled.desired.resource;
  const current = new Map<string, ExpiringTarget>();
  for (const t of items) current.set(targetIdentity(resource, t), t);
  const changes: PlannedChange[] = [];
  let unchanged = 0;
  const field = targetField(resource);
  for (const t of compiled.targets) {
    const { add } = t;
    const target = (add as unknown as Record<string, string>)[field] as string;
    // Worked out here, not kept per entry: 100,000 strings held through planning for one lookup each.
    const identity = targetIdentity(resource, add);
    const now = current.get(identity);
    if (now === undefined) {
      changes.push({
        action: 'add',
        contextKind: add.contextKind,
        contextKey: add.contextKey,
        target,
        from: undefined,
        to: add.value,
        version: undefined,
        instruction: add,
        source: t.source,
      });
      continue;
    }
    current.delete(identity);
    if (now.expirationDate === add.value) unchanged++;
    else changes.push(changeFor(resource, t, target, now));
  }
  let unmanaged = 0;
  for (const rest of current.values()) {
    if (prune) changes.push(removalOf(resource, rest));
    else unmanaged++;
  }
  return { changes, unchanged, unmanaged };
}

function emptyPlan(compiled: CompiledResource, error: ExpiringTargetsError | undefined): ResourcePlan {
  const { resource, ref, source } = compiled.desired;
  return { resource, ref, changes: [], unchanged: 0, unmanaged: 0, source, error } as ResourcePlan;
}

/** Reads the given resources and plans each; exported for re-planning after an apply. */
export async function planResources(
  client: ExpiringTargetsClient,
  compiled: readonly CompiledResource[],
  options: { prune: boolean; concurrency: number; call: CallOptions },
): Promise<ResourcePlan[]> {
  const plans: ResourcePlan[] = new Array(compiled.length);
  let stoppedBy: ExpiringTargetsError | undefined;
  const unread = await forEachLimited(
    compiled,
    options.concurrency,
    async (resource, index) => {
      let result: GetResult;
      try {
        result = await readOf(client, resource.desired, options.call);
      } catch (error) {
        const e = error as ExpiringTargetsError;
        if (typeof e?.stopsBulkRun !== 'boolean') throw error;
        plans[index] = emptyPlan(resource, e);
        if (stopsEveryResource(e, options.call.signal)) stoppedBy ??= e;
        return;
      }
      try {
        plans[index] = { ...emptyPlan(resource, undefined), ...diffResource(resource, result.items, options.prune) } as ResourcePlan;
      } catch (error) {
        // Only a target LaunchDarkly returned can make a helper refuse here (say, one without a targetType).
        if (!(error instanceof InstructionValidationError)) throw error;
        plans[index] = emptyPlan(
          resource,
          new InstructionValidationError(
            error.issues,
            `LaunchDarkly returned an expiring target of ${describe(resource)} that cannot be planned`,
          ),
        );
      }
    },
    () => stoppedBy !== undefined,
  );
  for (const index of unread) plans[index] = emptyPlan(compiled[index] as CompiledResource, stoppedBy);
  return plans;
}

function describe(resource: CompiledResource): string {
  return describeResource(resource.desired.resource, resource.desired.ref);
}

/** Totals and flags of a list of resource plans. */
export function summarize(resources: ResourcePlan[], desired: DesiredState, prune: boolean, allowPast: boolean): SyncPlan {
  const counts: PlanCounts = { resources: resources.length, add: 0, update: 0, remove: 0, unchanged: 0, unmanaged: 0, unread: 0 };
  for (const r of resources) {
    for (const c of r.changes) counts[c.action]++;
    counts.unchanged += r.unchanged;
    counts.unmanaged += r.unmanaged;
    if (r.error !== undefined) counts.unread++;
  }
  return {
    resources,
    counts,
    hasChanges: counts.add + counts.update + counts.remove > 0,
    ok: counts.unread === 0,
    desired,
    prune,
    allowPast,
  };
}

/**
 * Reads the expiring targets of every resource the desired state names (one GET each, at most
 * `concurrency` at once) and plans the changes that make LaunchDarkly match it. Throws a
 * {@link DesiredStateError} before reading anything when the desired state has a problem; a
 * resource that cannot be read is reported in its plan (`error`), and `ok` is then false.
 *
 * @example
 * ```ts
 * const plan = await planSync(ld, desired, { prune: true });
 * console.log(plan.counts); // { resources: 2, add: 3, update: 1, remove: 0, unchanged: 40, unmanaged: 0, unread: 0 }
 * for (const r of plan.resources) for (const c of r.changes) console.log(c.action, c.contextKey, c.source?.line);
 * ```
 */
export async function planSync(client: ExpiringTargetsClient, desired: DesiredState, options: PlanOptions = {}): Promise<SyncPlan> {
  const settings = planSettings(options); // before compiling: a bad option fails first
  const { resources, issues } = compileDesiredState(desired, options);
  if (issues.length > 0) throw new DesiredStateError(issues);
  return planChecked(client, desired, resources, settings);
}

/** Internal: {@link planSync} of what compileDesiredState already made of `desired` (the CLI's reader keeps it): no entry checked twice. */
export function planCompiled(
  client: ExpiringTargetsClient,
  desired: DesiredState,
  compiled: readonly CompiledResource[],
  options: PlanOptions,
) {
  return planChecked(client, desired, compiled, planSettings(options));
}

/** The planning options, checked once, with their defaults. */
const planSettings = (options: PlanOptions) => ({
  concurrency: positiveOption('concurrency', options.concurrency, DEFAULT_READ_CONCURRENCY),
  prune: options.prune === true,
  allowPast: options.allowPast === true,
  call: pickCallOptions(options),
});

async function planChecked(
  client: ExpiringTargetsClient,
  desired: DesiredState,
  compiled: readonly CompiledResource[],
  settings: ReturnType<typeof planSettings>,
): Promise<SyncPlan> {
  return summarize(await planResources(client, compiled, settings), desired, settings.prune, settings.allowPast);
}
