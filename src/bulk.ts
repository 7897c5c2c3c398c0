/**
 * `patchAll`: many instructions in batches, every one accounted for exactly once.
 *
 * Each batch is sent once (the transport repeats a request only when LaunchDarkly said it was not
 * applied, unless the caller opted into `retryUnsafe`), so no instruction is ever sent twice by
 * this loop. Batches whose answer was lost end `unknown` and, by default, are settled by one read
 * of the resource afterwards.
 */
import { ConfigurationError, type ExpiringTargetsError } from './errors.js';
import type { CallOptions } from './options.js';
import { type FateCounts, type InstructionOutcome, countFates, fateOfError } from './outcomes.js';
import { settleByReadingBack } from './reconcile.js';
import type { GetResult, PatchResult } from './results.js';
import type { FlagInstruction, ResourceKind, SegmentInstruction } from './validation.js';

/** Progress of a bulk run, reported after every batch and after reading back. */
export interface BulkProgress extends FateCounts {
  /** Instructions whose batch has finished (whatever their fate). */
  done: number;
  total: number;
  /** Unknown fates settled so far by reading back. */
  reconciled: number;
}

/** Options of `patchAll`. */
export interface PatchAllOptions extends CallOptions {
  /** Instructions per request. Default 50. */
  batchSize?: number | undefined;
  /** Requests in flight at once. Default 1: LaunchDarkly's limits are per account. */
  concurrency?: number | undefined;
  /** Audit-log comment for every batch. */
  comment?: string | undefined;
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Settle `unknown` fates by reading the targets back once at the end. Default true. */
  reconcile?: boolean | undefined;
  /** Re-send, once, the instructions that reading back proved were not applied. Default false. */
  resendUnapplied?: boolean | undefined;
}

/** The outcome of `patchAll`: every input instruction appears exactly once in `outcomes`. */
export interface BulkResult<I> {
  /** True when every instruction applied. */
  ok: boolean;
  total: number;
  /** One entry per input instruction, in input order. */
  outcomes: InstructionOutcome<I>[];
  applied: InstructionOutcome<I>[];
  failed: InstructionOutcome<I>[];
  unknown: InstructionOutcome<I>[];
  notAttempted: InstructionOutcome<I>[];
  counts: FateCounts & { reconciled: number; resent: number };
  /** The error that stopped the run early (401, 403, 404, an abort), if any. */
  stoppedBy: ExpiringTargetsError | undefined;
}

export interface BulkDeps<I> {
  resource: ResourceKind;
  sendBatch(instructions: I[], options: CallOptions & { comment?: string | undefined }): Promise<PatchResult<I>>;
  read(options: CallOptions): Promise<GetResult>;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigurationError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Runs batches with bounded concurrency; writes each instruction's fate into `outcomes`. */
async function sendInBatches<I>(
  deps: BulkDeps<I>,
  outcomes: InstructionOutcome<I>[],
  indices: number[],
  options: PatchAllOptions,
  batchSize: number,
  concurrency: number,
  report: (finished: number) => void,
  resent: boolean,
): Promise<ExpiringTargetsError | undefined> {
  const batches: number[][] = [];
  for (let i = 0; i < indices.length; i += batchSize) batches.push(indices.slice(i, i + batchSize));
  let next = 0;
  let stoppedBy: ExpiringTargetsError | undefined;
  const call: CallOptions & { comment?: string | undefined } = {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    retryUnsafe: options.retryUnsafe,
    comment: options.comment,
  };
  const worker = async () => {
    while (stoppedBy === undefined && next < batches.length) {
      const batch = batches[next++] ?? [];
      if (options.signal?.aborted) return;
      const instructions = batch.map((index) => (outcomes[index] as InstructionOutcome<I>).instruction);
      try {
        const result = await deps.sendBatch(instructions, call);
        result.outcomes.forEach((o, position) => {
          const index = batch[position] as number;
          outcomes[index] = { ...o, index, ...(resent && { resent }) };
        });
      } catch (error) {
        const fate = fateOfError(error);
        for (const index of batch) {
          const prior = outcomes[index] as InstructionOutcome<I>;
          outcomes[index] = {
            index,
            instruction: prior.instruction,
            fate: fate.fate,
            message: fate.message,
            status: fate.status,
            error: error as ExpiringTargetsError,
            ...(fate.fate === 'failed' && fate.status !== undefined && { decidedBy: 'response' as const }),
            ...(resent && { resent }),
          };
        }
        if (fate.fatal) stoppedBy ??= error as ExpiringTargetsError;
      }
      report(batch.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return stoppedBy;
}

/** Reads the resource once and settles what it can of the unknown outcomes. */
async function reconcile<I extends SegmentInstruction | FlagInstruction>(
  deps: BulkDeps<I>,
  outcomes: InstructionOutcome<I>[],
  options: CallOptions,
  all: readonly I[],
): Promise<number> {
  const unknown = outcomes.filter((o) => o.fate === 'unknown');
  if (unknown.length === 0 || options.signal?.aborted) return 0;
  return (await settleByReadingBack(deps.resource, unknown, all, deps.read, options)).settled;
}

export async function runBulk<I extends SegmentInstruction | FlagInstruction>(
  deps: BulkDeps<I>,
  instructions: readonly I[],
  options: PatchAllOptions = {},
): Promise<BulkResult<I>> {
  const batchSize = positiveInteger('batchSize', options.batchSize, 50);
  const concurrency = positiveInteger('concurrency', options.concurrency, 1);
  const total = instructions.length;
  const outcomes: InstructionOutcome<I>[] = instructions.map((instruction, index) => ({
    index,
    instruction,
    fate: 'notAttempted',
    message: 'not attempted',
  }));
  let done = 0;
  let reconciled = 0;
  let resent = 0;
  const report = (finished: number) => {
    done = Math.min(total, done + finished);
    options.onProgress?.({ done, total, reconciled, ...countFates(outcomes) });
  };
  const stoppedBy = await sendInBatches(deps, outcomes, instructions.map((_, i) => i), options, batchSize, concurrency, report, false);
  const why = stoppedBy ? `the run stopped: ${stoppedBy.message}` : options.signal?.aborted ? 'the run was aborted' : undefined;
  if (why) for (const o of outcomes) if (o.fate === 'notAttempted' && o.error === undefined) o.message = `not attempted: ${why}`;

  if (options.reconcile !== false) {
    reconciled += await reconcile(deps, outcomes, options, instructions);
    if (reconciled > 0) report(0);
    if (options.resendUnapplied === true && stoppedBy === undefined) {
      // Only what reading back proved not applied: never anything that may have applied.
      const again = outcomes.filter((o) => o.fate === 'failed' && o.decidedBy === 'read-back').map((o) => o.index);
      if (again.length > 0) {
        resent = again.length;
        await sendInBatches(deps, outcomes, again, options, batchSize, concurrency, () => report(0), true);
        reconciled += await reconcile(deps, outcomes, options, instructions);
        report(0);
      }
    }
  }
  const byFate = (fate: InstructionOutcome<I>['fate']) => outcomes.filter((o) => o.fate === fate);
  const counts = countFates(outcomes);
  return {
    ok: counts.applied === total,
    total,
    outcomes,
    applied: byFate('applied'),
    failed: byFate('failed'),
    unknown: byFate('unknown'),
    notAttempted: byFate('notAttempted'),
    counts: { ...counts, reconciled, resent },
    stoppedBy,
  };
}
