/**
 * Applying a plan, in rounds: each resource's changes go out through `patchAll`, batch by batch,
 * so every instruction ends applied, failed, unknown or not attempted (answers lost on the way
 * are settled by reading back). Each resource written is then read again. A change the read
 * still shows pending is sent in the next round when that can end differently (see rounds.ts):
 * reading back proved it was not applied, its answer was lost, it met a transient failure, or its
 * target moved since planning (a version conflict, an add racing someone else's) and it plans as
 * another instruction now. Rounds stop when nothing is left to send, or after `maxRounds`.
 */
import type { BulkProgress, PatchAllOptions } from '../core/bulk.js';
import type { ExpiringTargetsClient, FlagRef, SegmentRef } from '../core/client.js';
import { ConfigurationError, type ExpiringTargetsError, RequestAbortedError } from '../core/errors.js';
import { patchAllChecked } from '../core/internal/checked-bulk.js';
import type { ResourceKind } from '../core/resources.js';
import { assertInstructions } from '../core/validation.js';
import { type CallOptions, pickCallOptions } from '../core/options.js';
import { observeSync } from '../core/internal/sync-telemetry.js';
import { type BulkResult, type InstructionOutcome, type OutcomeCounts, countOutcomes } from '../core/results.js';
import { forEachLimited, limiter } from './concurrency.js';
import { DEFAULT_MAX_ROUNDS, DEFAULT_ROUND_DELAY_MS, nextChanges, pause, roundDelay } from './rounds.js';
import { type CompiledResource, resourceIdentity } from './desired-state.js';
import {
  type AnyInstruction,
  DEFAULT_READ_CONCURRENCY,
  apiOf,
  type PlannedChange,
  type ResourcePlan,
  type SyncPlan,
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
  /** Called after every batch of the first round, with the counts over the whole plan. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Re-send, within a batch's run, what reading back proved was not applied (see `patchAll`). Default false: later rounds do it. */
  resendUnapplied?: boolean | undefined;
  /** Send again the changes refused because their target changed after planning, as planned again. Default true. */
  replanConflicts?: boolean | undefined;
  /**
   * Rounds at most: the first sends the plan, each later one what a fresh read still shows
   * pending and can end differently. Default 3; 1 sends the plan once. Against a server that keeps
   * no state (a mock), use 1.
   */
  maxRounds?: number | undefined;
  /** The wait before round 2 in milliseconds, doubled for each later round (at most 5 s). Default 250. */
  roundDelayMs?: number | undefined;
  /**
   * Stops the apply gently: no batch is started once it aborts, the batches in flight finish
   * (their answers are kept) and what was sent is read back. `signal`, by contrast, abandons the
   * requests in flight.
   */
  stop?: AbortSignal | undefined;
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
  /** The round that decided this fate (1 for the first sending; undefined when never sent). */
  round?: number | undefined;
}

/** Totals of an apply: the fates of the plan's changes, and how many were planned again. */
export interface SyncCounts extends OutcomeCounts {
  /** Changes refused because their target changed after planning, planned again and sent once more. */
  replanned: number;
  /** Rounds made (1 when everything was settled by the first sending). */
  rounds: number;
}

/** What {@link applyPlan} did, and what LaunchDarkly holds afterwards. */
export interface SyncResult {
  /** True when LaunchDarkly now matches the desired state (`after` has no changes and read every resource). */
  ok: boolean;
  /** One per change of the plan, in plan order: its last fate. */
  outcomes: ChangeOutcome[];
  /** Totals of the plan's changes by fate, and the rounds made. */
  counts: SyncCounts;
  /** The error that stopped the run early (a 401, an unreachable server, an abort), if any. */
  stoppedBy: ExpiringTargetsError | undefined;
  /** True when `stop` ended the apply before it was done. */
  interrupted: boolean;
  /** The plan made after applying: what is still pending. */
  after: SyncPlan;
}

interface ResourceRun {
  plan: ResourcePlan;
  changes: PlannedChange[];
  /** Positions in `plan.changes` of `changes`. */
  indices: number[];
  /** Per change: planned again since its last sending. */
  replanned: boolean[];
}

const ACTION_ORDER = { remove: 0, update: 1, add: 2 } as const;
const DEFAULT_BATCH_SIZE = 50;
type Progress = Omit<BulkProgress, 'total'>;
const PROGRESS_KEYS = ['done', 'applied', 'failed', 'unknown', 'notAttempted', 'reconciled', 'resent'] as const;

/**
 * Sums the progress of resources written at once into one report over the whole plan. Each
 * resource reports its own running counts (over its batches so far); the sum moves by the difference.
 */
function progressSum(total: number, onProgress: ApplyOptions['onProgress']) {
  const sum: BulkProgress = { total, done: 0, applied: 0, failed: 0, unknown: 0, notAttempted: total, reconciled: 0, resent: 0 };
  return (previous: Progress | undefined, next: Progress, size: number): void => {
    for (const key of PROGRESS_KEYS) sum[key] += next[key] - (previous?.[key] ?? (key === 'notAttempted' ? size : 0));
    onProgress?.({ ...sum });
  };
}

// applyPlan checked every instruction up front: they go to the bulk runner's internal entry, which does not check them again.
function sendChanges(
  client: ExpiringTargetsClient,
  plan: ResourcePlan,
  instructions: AnyInstruction[],
  options: PatchAllOptions<AnyInstruction> | undefined,
) {
  return patchAllChecked(apiOf(client, plan.resource), plan.ref, instructions, options);
}

/** Whether a resource that could not be read is worth reading again: not when it is refused (403, 404). */
function readableLater(error: ExpiringTargetsError): boolean {
  const status = (error as { status?: unknown }).status;
  return status !== 401 && status !== 403 && status !== 404;
}

/**
 * Applies a plan made by {@link planSync}: each resource's changes with `patchAll` (removals
 * first), then reads each resource again; what is still pending and can end differently is sent
 * in further rounds (at most `maxRounds`), so one call converges through transient faults and
 * conflicts. Reports whether LaunchDarkly now matches the desired state, and what is pending.
 *
 * @example
 * ```ts
 * const plan = await planSync(ld, desired);
 * const result = await applyPlan(ld, plan, { comment: 'expiring-targets.yaml', maxRounds: 3 });
 * for (const o of result.outcomes) if (o.fate !== 'applied') console.error(o.change.source?.line, o.change.contextKey, o.fate, o.message);
 * console.log(result.ok ? `LaunchDarkly matches the file (${result.counts.rounds} round(s))` : `${result.after.counts.add + result.after.counts.update + result.after.counts.remove} change(s) pending`);
 * ```
 */
export function applyPlan(client: ExpiringTargetsClient, plan: SyncPlan, options: ApplyOptions = {}): Promise<SyncResult> {
  return observeSync(plan.resources.length, () => apply(client, plan, options));
}

async function apply(client: ExpiringTargetsClient, plan: SyncPlan, options: ApplyOptions): Promise<SyncResult> {
  const concurrency = positiveOption('concurrency', options.concurrency, 1);
  const readConcurrency = positiveOption('readConcurrency', options.readConcurrency, DEFAULT_READ_CONCURRENCY);
  const batchSize = positiveOption('batchSize', options.batchSize, DEFAULT_BATCH_SIZE);
  const maxRounds = positiveOption('maxRounds', options.maxRounds, DEFAULT_MAX_ROUNDS);
  const roundDelayMs = options.roundDelayMs ?? DEFAULT_ROUND_DELAY_MS;
  if (!Number.isFinite(roundDelayMs) || roundDelayMs < 0)
    throw new ConfigurationError(`roundDelayMs must be a non-negative number, got ${roundDelayMs}`);
  const call = pickCallOptions(options);
  const stop = options.stop;
  // The plan is the caller's object: its instructions are checked here, once, before anything is
  // sent (the clock apart, checked per change below); sending then does not check them again.
  for (const r of plan.resources)
    if (r.changes.length > 0)
      assertInstructions(
        r.resource,
        r.changes.map((c) => c.instruction),
        { allowPast: true },
      );
  const compiled = checkedDesiredState(plan);
  const compiledByName = new Map(compiled.map((c) => [resourceIdentity(c.desired), c]));
  const compiledOf = (r: ResourcePlan) => compiledByName.get(resourceIdentity(r)) as CompiledResource;
  const allowPast = options.allowPast ?? plan.allowPast;
  const halted = () => stoppedBy !== undefined || call.signal?.aborted === true || stop?.aborted === true;

  // The last fate of each change; a change never sent is given its outcome at the end.
  const outcomes = new Map<ResourcePlan, (ChangeOutcome | undefined)[]>(plan.resources.map((r) => [r, new Array(r.changes.length)]));
  // Fates no later round may change: a time that passed since planning.
  const final = new Set<ChangeOutcome>();
  let notSentBecause = 'not attempted';
  let stoppedBy: ExpiringTargetsError | undefined;
  let round = 1;
  const report = progressSum(
    plan.resources.reduce((n, r) => n + r.changes.length, 0),
    options.onProgress,
  );

  /** Sends one resource's changes batch by batch, checking `stop` between batches. */
  async function writeRun(run: ResourceRun): Promise<void> {
    const { plan: r, changes, indices } = run;
    const list = outcomes.get(r) as (ChangeOutcome | undefined)[];
    const record = (o: Omit<InstructionOutcome<AnyInstruction>, 'index' | 'instruction'>, position: number) => {
      const change = changes[position] as PlannedChange;
      const index = indices[position] as number;
      const outcome: ChangeOutcome = {
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
        resent: o.resent || (round > 1 && !run.replanned[position]) || undefined,
        replanned: run.replanned[position] || list[index]?.replanned || undefined,
        round: o.fate === 'notAttempted' ? list[index]?.round : round,
      };
      list[index] = outcome;
      return outcome;
    };
    // A time that passed since planning would make LaunchDarkly remove the context at once.
    const now = options.now ?? Date.now();
    const due = changes
      .map((c, position) => ({ c, position }))
      .filter(({ c, position }) => {
        if (allowPast || c.to === undefined || c.to >= now) return true;
        final.add(
          record(
            { fate: 'notAttempted', message: `not attempted: ${new Date(c.to).toISOString()} has passed since planning; plan again` },
            position,
          ),
        );
        return false;
      });
    due.sort((a, b) => ACTION_ORDER[a.c.action] - ACTION_ORDER[b.c.action]);
    let before: Progress = { done: 0, applied: 0, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 };
    let last: Progress | undefined;
    for (let start = 0; start < due.length; start += batchSize) {
      if (halted()) return;
      const batch = due.slice(start, start + batchSize);
      const result: BulkResult<AnyInstruction> = await sendChanges(
        client,
        r,
        batch.map(({ c }) => c.instruction),
        {
          ...call,
          batchSize,
          concurrency: 1,
          comment: options.comment,
          resendUnapplied: options.resendUnapplied,
          // Checked above, against the same clock for every change.
          allowPast: true,
          onProgress:
            round > 1
              ? undefined
              : (p) => {
                  const total = { ...p };
                  for (const key of PROGRESS_KEYS) total[key] += before[key];
                  total.notAttempted += due.length - start - batch.length;
                  report(last, total, due.length);
                  last = total;
                },
        },
      );
      // patchAll's outcomes are fresh objects: each becomes the change's outcome in place.
      for (const o of result.outcomes) record(o, (batch[o.index] as { position: number }).position);
      if (last !== undefined) before = { ...last, notAttempted: 0 };
      if (result.stoppedBy && stopsEveryResource(result.stoppedBy, call.signal)) stoppedBy ??= result.stoppedBy;
    }
  }

  /** Sends each run's changes; calls `done` with each run, once its sending finished or was skipped. */
  async function write(runs: ResourceRun[], done: (run: ResourceRun) => void): Promise<void> {
    const notSent = await forEachLimited(
      runs,
      concurrency,
      async (run) => {
        await writeRun(run);
        done(run);
      },
      halted,
    );
    for (const index of notSent) done(runs[index] as ResourceRun);
    if (notSent.length > 0 || halted()) {
      notSentBecause = stoppedBy
        ? `not attempted: the run stopped: ${stoppedBy.message}`
        : stop?.aborted && !call.signal?.aborted
          ? 'not attempted: the run was interrupted'
          : 'not attempted: the run was aborted';
    }
  }

  // Reading again, resource by resource: each is read as soon as its changes are sent (the others
  // at once), while the next resource is being written, so the reads cost little time. A stop
  // does not prevent them: they tell what was applied.
  const positions = new Map(plan.resources.map((r, i) => [r, i]));
  const afterPlans: (ResourcePlan | undefined)[] = new Array(plan.resources.length);
  const readLimit = limiter(readConcurrency);
  let reads: Promise<void>[] = [];
  const readAgain = (r: ResourcePlan) => {
    const position = positions.get(r) as number;
    afterPlans[position] = undefined;
    reads.push(
      readLimit(async () => {
        if (stoppedBy !== undefined || call.signal?.aborted) return;
        afterPlans[position] = (await planResources(client, [compiledOf(r)], { prune: plan.prune, concurrency: 1, call }))[0];
      }),
    );
  };
  const settle = async () => {
    await Promise.all(reads);
    reads = [];
  };

  const firstRuns = plan.resources
    .filter((r) => r.changes.length > 0 && r.error === undefined)
    .map((r) => ({ plan: r, changes: r.changes, indices: r.changes.map((_, i) => i), replanned: r.changes.map(() => false) }));
  for (const r of plan.resources) if (r.changes.length === 0 || r.error !== undefined) readAgain(r);
  await write(firstRuns, (run) => readAgain(run.plan));
  await settle();

  // Further rounds: what the fresh reads still show pending and can end differently.
  while (round < maxRounds && !halted()) {
    const again: ResourceRun[] = [];
    const unread: ResourcePlan[] = [];
    plan.resources.forEach((r, position) => {
      const after = afterPlans[position];
      if (after === undefined) return;
      if (after.error !== undefined) {
        if (readableLater(after.error) && r.error === undefined) unread.push(r);
        return;
      }
      let next = nextChanges(r, after, outcomes.get(r) as (ChangeOutcome | undefined)[], final);
      if (options.replanConflicts === false) next = next.filter((n) => !n.replanned);
      if (next.length > 0)
        again.push({
          plan: r,
          changes: next.map((n) => n.change),
          indices: next.map((n) => n.index),
          replanned: next.map((n) => n.replanned),
        });
    });
    if (again.length === 0 && unread.length === 0) break;
    round++;
    await pause(roundDelay(round, roundDelayMs), stop ?? call.signal);
    if (halted()) break;
    for (const r of unread) readAgain(r);
    await write(again, (run) => readAgain(run.plan));
    await settle();
  }

  const all: ChangeOutcome[] = [];
  for (const r of plan.resources) {
    const list = outcomes.get(r) as (ChangeOutcome | undefined)[];
    r.changes.forEach((change, index) => {
      all.push(
        list[index] ?? {
          index,
          resource: r.resource,
          ref: r.ref,
          change,
          instruction: change.instruction,
          fate: 'notAttempted',
          message: notSentBecause,
        },
      );
    });
  }
  // What could not be read again (the run stopped, or was aborted) keeps its plan, with the reason.
  const afterList = plan.resources.map(
    (r, i) => afterPlans[i] ?? { ...r, error: r.error ?? stoppedBy ?? new RequestAbortedError(call.signal?.reason) },
  );
  const after = summarize(afterList, plan.desired, plan.prune, plan.allowPast);
  return {
    ok: after.ok && !after.hasChanges,
    outcomes: all,
    counts: { ...countOutcomes(all), replanned: all.filter((o) => o.replanned).length, rounds: round },
    stoppedBy,
    interrupted: stop?.aborted === true,
    after,
  };
}
