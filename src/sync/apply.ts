/**
 * Applying a plan: each resource's changes go out through `patchAll`, so every instruction ends
 * applied, failed, unknown or not attempted (answers lost on the way are settled by reading
 * back). Then the desired state is planned again. A change refused because the target moved in
 * the meantime (a version conflict, or an add racing someone else's) shows up in that second plan
 * as a different instruction for the same target: those are sent once more, and their resources
 * read again. Anything else that did not apply stays pending, for the next plan to show.
 */
import type { BulkProgress, PatchAllOptions } from '../bulk.js';
import type { ExpiringTargetsClient, FlagRef, SegmentRef } from '../client.js';
import { type ExpiringTargetsError, RequestAbortedError } from '../errors.js';
import { patchAllChecked } from '../internal/checked-bulk.js';
import type { ResourceKind } from '../resources.js';
import { assertInstructions } from '../validation.js';
import { type CallOptions, pickCallOptions } from '../options.js';
import { type BulkResult, type InstructionOutcome, type OutcomeCounts, countOutcomes } from '../results.js';
import { forEachLimited, limiter } from './concurrency.js';
import { type CompiledResource, describeResource } from './desired-state.js';
import {
  type AnyInstruction,
  DEFAULT_READ_CONCURRENCY,
  apiOf,
  type PlannedChange,
  type ResourcePlan,
  type SyncPlan,
  changeIdentity,
  checkedDesiredState,
  planResources,
  positiveOption,
  stopsEveryResource,
  summarize,
} from './plan.js';


/** Options of {@link applyPlan}. */
export interface ApplyOptions extends CallOptions {
  /** Instructions per request. Default 50. */
  batchSize?: number | undefined;
  /** Resources written at once (each with one request in flight). Default 1: LaunchDarkly's limits are per account. */
  concurrency?: number | undefined;
  /** Resources read at once when planning again. Default 4. */
  readConcurrency?: number | undefined;
  /** Audit-log comment for every request. */
  comment?: string | undefined;
  /** Called after every batch, with the counts over the whole plan. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Re-send, once, what reading back proved was not applied (see `patchAll`). Default false. */
  resendUnapplied?: boolean | undefined;
  /** Send again, once, the changes refused because their target changed after planning. Default true. */
  replanConflicts?: boolean | undefined;
  /** Send changes whose time has passed since planning. Default: the plan's `allowPast`. */
  allowPast?: boolean | undefined;
  /** The time "past" is measured from. Default `Date.now()`. */
  now?: number | undefined;
}

/** The fate of one planned change. */
export interface ChangeOutcome extends InstructionOutcome<AnyInstruction> {
  /** Position of the change in its resource plan's `changes`. */
  index: number;
  /** Segment or flag. */
  resource: ResourceKind;
  /** Which segment or flag, in which project and environment. */
  ref: SegmentRef | FlagRef;
  /** The change whose fate this is: after a conflict, the change planned again (same target, same line). */
  change: PlannedChange;
  /** True when the change was refused, planned again because its target had changed, and sent once more. */
  replanned?: boolean | undefined;
}

/** Totals of an apply: the fates of the plan's changes, and how many were planned again. */
export interface SyncCounts extends OutcomeCounts {
  /** Changes refused because their target changed after planning, planned again and sent once more. */
  replanned: number;
}

/** What {@link applyPlan} did, and what LaunchDarkly holds afterwards. */
export interface SyncResult {
  /** True when LaunchDarkly now matches the desired state (`after` has no changes and read every resource). */
  ok: boolean;
  /** One per change of the plan, in plan order. */
  outcomes: ChangeOutcome[];
  /** Totals of the plan's changes by fate. */
  counts: SyncCounts;
  /** The error that stopped the run early (a 401, an unreachable server, an abort), if any. */
  stoppedBy: ExpiringTargetsError | undefined;
  /** The plan made after applying: what is still pending. */
  after: SyncPlan;
}

interface ResourceRun {
  plan: ResourcePlan;
  changes: PlannedChange[];
  /** Positions in `plan.changes` of `changes`. */
  indices: number[];
}

const ACTION_ORDER = { remove: 0, update: 1, add: 2 } as const;

/**
 * Sums the progress of resources written at once into one report over the whole plan.
 * Each resource reports its own running counts; the sum moves by the difference.
 */
function progressSum(total: number, onProgress: ApplyOptions['onProgress']) {
  const sum: BulkProgress = { total, done: 0, applied: 0, failed: 0, unknown: 0, notAttempted: total, reconciled: 0, resent: 0 };
  const keys = ['done', 'applied', 'failed', 'unknown', 'notAttempted', 'reconciled', 'resent'] as const;
  return (previous: BulkProgress | undefined, next: BulkProgress): void => {
    for (const key of keys) sum[key] += next[key] - (previous?.[key] ?? (key === 'notAttempted' ? next.total : 0));
    onProgress?.({ ...sum });
  };
}

// applyPlan checked every instruction up front: they go to the bulk runner's internal entry, which does not check them again.
function sendChanges(client: ExpiringTargetsClient, plan: ResourcePlan, instructions: AnyInstruction[], options: PatchAllOptions<AnyInstruction> | undefined) {
  return patchAllChecked(apiOf(client, plan.resource), plan.ref, instructions, options);
}

/**
 * Applies a plan made by {@link planSync}: each resource's changes with `patchAll` (removals
 * first), then plans again and reports whether LaunchDarkly now matches the desired state.
 * Changes refused because their target changed after planning are planned and sent once more;
 * every other change that did not apply stays pending (in `after`).
 *
 * @example
 * ```ts
 * const plan = await planSync(ld, desired);
 * const result = await applyPlan(ld, plan, { comment: 'expiring-targets.yaml' });
 * for (const o of result.outcomes) if (o.fate !== 'applied') console.error(o.change.source?.line, o.change.contextKey, o.fate, o.message);
 * console.log(result.ok ? 'LaunchDarkly matches the file' : `${result.after.counts.add + result.after.counts.update + result.after.counts.remove} change(s) pending`);
 * ```
 */
export async function applyPlan(client: ExpiringTargetsClient, plan: SyncPlan, options: ApplyOptions = {}): Promise<SyncResult> {
  const concurrency = positiveOption('concurrency', options.concurrency, 1);
  const readConcurrency = positiveOption('readConcurrency', options.readConcurrency, DEFAULT_READ_CONCURRENCY);
  const call = pickCallOptions(options);
  // The plan is the caller's object: its instructions are checked here, once, before anything is
  // sent (the clock apart, checked per change below); sending then does not check them again.
  for (const r of plan.resources) if (r.changes.length > 0) assertInstructions(r.resource, r.changes.map((c) => c.instruction), { allowPast: true });
  const compiled = checkedDesiredState(plan);
  const compiledByName = new Map(compiled.map((c) => [describeResource(c.desired), c]));
  const compiledOf = (r: ResourcePlan) => compiledByName.get(describeResource(r)) as CompiledResource;
  const allowPast = options.allowPast ?? plan.allowPast;

  // Filled as fates are known; a change never sent is given its outcome at the end.
  const outcomes = new Map<ResourcePlan, ChangeOutcome[]>(plan.resources.map((r) => [r, new Array(r.changes.length)]));
  let notSentBecause = 'not attempted';
  let stoppedBy: ExpiringTargetsError | undefined;
  const report = progressSum(
    plan.resources.reduce((n, r) => n + r.changes.length, 0),
    options.onProgress,
  );

  /**
   * Sends each run's changes; records their fates (marked `replanned` on the second pass) and
   * calls `done` with each run whose sending finished.
   */
  async function write(runs: ResourceRun[], replanned: boolean, done: (run: ResourceRun) => void = () => {}): Promise<void> {
    const now = options.now ?? Date.now();
    const notSent = await forEachLimited(
      runs,
      concurrency,
      async ({ plan: r, changes, indices }) => {
        const list = outcomes.get(r) as ChangeOutcome[];
        const record = (o: Omit<ChangeOutcome, 'index' | 'resource' | 'ref' | 'change' | 'instruction'>, position: number) => {
          const change = changes[position] as PlannedChange;
          const index = indices[position] as number;
          list[index] = {
            index,
            resource: r.resource,
            ref: r.ref,
            change,
            instruction: change.instruction,
            fate: o.fate,
            message: o.message,
            status: o.status,
            error: o.error,
            decidedBy: o.decidedBy,
            resent: o.resent,
            replanned: replanned || undefined,
          };
        };
        // A time that passed since planning would make LaunchDarkly remove the context at once.
        const due = changes.map((c, position) => ({ c, position })).filter(({ c, position }) => {
          if (allowPast || c.to === undefined || c.to >= now) return true;
          record({ fate: 'notAttempted', message: `not attempted: ${new Date(c.to).toISOString()} has passed since planning; plan again` }, position);
          return false;
        });
        if (due.length === 0) return done({ plan: r, changes, indices });
        due.sort((a, b) => ACTION_ORDER[a.c.action] - ACTION_ORDER[b.c.action]);
        let last: BulkProgress | undefined;
        const result: BulkResult<AnyInstruction> = await sendChanges(
          client,
          r,
          due.map(({ c }) => c.instruction),
          {
            ...call,
            batchSize: options.batchSize,
            concurrency: 1,
            comment: options.comment,
            resendUnapplied: options.resendUnapplied,
            // Checked above, against the same clock for every change.
            allowPast: true,
            onProgress: replanned
              ? undefined
              : (p) => {
                  report(last, p);
                  last = p;
                },
          },
        );
        // patchAll's outcomes are fresh objects: each becomes the change's outcome in place.
        for (const o of result.outcomes) record(o, (due[o.index] as { position: number }).position);
        if (result.stoppedBy && stopsEveryResource(result.stoppedBy, call.signal)) stoppedBy ??= result.stoppedBy;
        done({ plan: r, changes, indices });
      },
      () => stoppedBy !== undefined || call.signal?.aborted === true,
    );
    if (notSent.length > 0) notSentBecause = stoppedBy ? `not attempted: the run stopped: ${stoppedBy.message}` : 'not attempted: the run was aborted';
  }

  // Planning again, resource by resource: each is read as soon as its changes are sent (the
  // others at once), while the next resource is being written, so the reads cost little time.
  const replan = (subset: CompiledResource[]) => planResources(client, subset, { prune: plan.prune, concurrency: readConcurrency, call });
  const positions = new Map(plan.resources.map((r, i) => [r, i]));
  let afterPlans: (ResourcePlan | undefined)[] = new Array(plan.resources.length);
  const readLimit = limiter(readConcurrency);
  const reads: Promise<void>[] = [];
  const readAgain = (r: ResourcePlan) => {
    const position = positions.get(r) as number;
    reads.push(
      readLimit(async () => {
        if (stoppedBy !== undefined || call.signal?.aborted) return;
        afterPlans[position] = (await planResources(client, [compiledOf(r)], { prune: plan.prune, concurrency: 1, call }))[0];
      }),
    );
  };
  const firstRuns = plan.resources
    .filter((r) => r.changes.length > 0 && r.error === undefined)
    .map((r) => ({ plan: r, changes: r.changes, indices: r.changes.map((_, i) => i) }));
  for (const r of plan.resources) if (r.changes.length === 0 || r.error !== undefined) readAgain(r);
  await write(firstRuns, false, (run) => readAgain(run.plan));
  await Promise.all(reads);
  // What could not be read again (the run stopped, or was aborted) keeps its plan, with the reason.
  afterPlans = plan.resources.map((r, i) => afterPlans[i] ?? { ...r, error: r.error ?? stoppedBy ?? new RequestAbortedError(call.signal?.reason) });

  // Conflicts: a change that failed while its target moved now plans as another instruction.
  if (options.replanConflicts !== false && stoppedBy === undefined && !call.signal?.aborted) {
    const again: ResourceRun[] = [];
    plan.resources.forEach((r, position) => {
      const after = afterPlans[position] as ResourcePlan;
      if (after.error !== undefined) return;
      const replanned = new Map<string, PlannedChange>(after.changes.map((c: PlannedChange) => [changeIdentity(c), c]));
      const run: ResourceRun = { plan: r, changes: [], indices: [] };
      for (const o of outcomes.get(r) as ChangeOutcome[]) {
        if (o?.fate !== 'failed') continue;
        const next = replanned.get(changeIdentity(o.change));
        if (next === undefined || JSON.stringify(next.instruction) === JSON.stringify(o.change.instruction)) continue;
        run.changes.push({ ...next, source: next.source ?? o.change.source });
        run.indices.push(o.index);
      }
      if (run.changes.length > 0) again.push(run);
    });
    if (again.length > 0) {
      await write(again, true);
      const reread = await replan(again.map((run) => compiledOf(run.plan)));
      again.forEach((run, i) => {
        afterPlans[positions.get(run.plan) as number] = reread[i];
      });
    }
  }

  const all: ChangeOutcome[] = [];
  for (const r of plan.resources) {
    const list = outcomes.get(r) as ChangeOutcome[];
    r.changes.forEach((change, index) => {
      all.push(list[index] ?? { index, resource: r.resource, ref: r.ref, change, instruction: change.instruction, fate: 'notAttempted', message: notSentBecause });
    });
  }
  const after = summarize(afterPlans as ResourcePlan[], plan.desired, plan.prune, plan.allowPast);
  return {
    ok: after.ok && !after.hasChanges,
    outcomes: all,
    counts: { ...countOutcomes(all), replanned: all.filter((o) => o.replanned).length },
    stoppedBy,
    after,
  };
}

