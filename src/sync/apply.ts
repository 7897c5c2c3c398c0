/**
 * Applying a plan, in rounds: each resource's changes go out through `patchAll`, batch by batch,
 * so every instruction ends applied, failed, unknown or not attempted (answers lost on the way
 * are settled by reading back). Each resource written is then read again. A change the read
 * still shows pending is sent in the next round when that can end differently (see rounds.ts):
 * reading back proved it was not applied, its answer was lost, it met a transient failure, or its
 * target moved since planning (a version conflict, an add racing someone else's) and it plans as
 * another instruction now. Rounds stop when nothing is left to send, or after `maxRounds`.
 */
import type { PatchAllOptions } from '../core/bulk.js';
import type { ExpiringTargetsClient } from '../core/client.js';
import { type ExpiringTargetsError, RequestAbortedError } from '../core/errors.js';
import { patchAllChecked } from '../core/internal/checked-bulk.js';
import { observeSync } from '../core/internal/sync-telemetry.js';
import { type BulkResult, type InstructionOutcome, countOutcomes } from '../core/results.js';
import { assertInstructions } from '../core/validation.js';
import { type ApplyOptions, normalizeApplyOptions } from './apply-options.js';
import { NO_PROGRESS, PROGRESS_KEYS, type Progress, progressSum } from './apply-progress.js';
import { forEachLimited, limiter } from './concurrency.js';
import { type CompiledResource, checkedDesiredState, resourceIdentity } from './compile-desired.js';
import {
  type AnyInstruction,
  type PlannedChange,
  type ResourcePlan,
  type SyncPlan,
  apiOf,
  planResources,
  stopsEveryResource,
  summarize,
} from './plan.js';
import { nextChanges, pause, roundDelay } from './rounds.js';
import type { ChangeOutcome, SyncResult } from './sync-result.js';

interface ResourceRun {
  plan: ResourcePlan;
  changes: PlannedChange[];
  /** Positions in `plan.changes` of `changes`. */
  indices: number[];
  /** Per change: planned again since its last sending. */
  replanned: boolean[];
}

const ACTION_ORDER = { remove: 0, update: 1, add: 2 } as const;

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
  const { concurrency, readConcurrency, batchSize, maxRounds, roundDelayMs, call, stop } = normalizeApplyOptions(options);
  // The plan is the caller's object: its instructions are checked here, once, before anything is
  // sent (the clock apart, checked per change below); sending then does not check them again.
  for (const r of plan.resources)
    if (r.changes.length > 0)
      assertInstructions(
        r.resource,
        r.changes.map((c) => c.instruction),
        { allowPast: true },
      );
  const compiled = checkedDesiredState(plan.desired);
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
    let before: Progress = NO_PROGRESS;
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
