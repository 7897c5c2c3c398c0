/**
 * `patchAll`: many instructions in batches, every one accounted for exactly once; and reading
 * back, which settles instructions whose answer was lost (for `patchAll`, and for `patch` with
 * `reconcile: true`).
 *
 * Each batch is sent once (the transport repeats a request only when LaunchDarkly said it was not
 * applied, unless the caller opted into `retryUnsafe`), so no instruction is ever sent twice by
 * this loop. Batches whose answer was lost end `unknown` and, by default, are settled by one read
 * of the resource afterwards.
 */
import { ConfigurationError, type ExpiringTargetsError } from './errors.js';
import type { FlagInstruction, ResourceKind, SegmentInstruction } from './instructions.js';
import { type CallOptions, pickCallOptions } from './options.js';
import {
  type BulkResult,
  type GetResult,
  type InstructionOutcome,
  OutcomeLedger,
  type OutcomeCounts,
  type PatchResult,
  bulkResult,
  decideFromState,
  outcomeOfError,
} from './results.js';

type AnyInstruction = SegmentInstruction | FlagInstruction;

/** Progress of a bulk run, reported after every batch and after reading back. */
export interface BulkProgress extends OutcomeCounts {
  /** Instructions whose batch has finished (whatever their fate). */
  done: number;
}

/** Options of `patchAll`. */
export interface PatchAllOptions extends CallOptions {
  /** Instructions per request. Default 50. */
  batchSize?: number | undefined;
  /** Requests in flight at once. Default 1: LaunchDarkly's limits are per account. */
  concurrency?: number | undefined;
  /** Audit-log comment for every batch. */
  comment?: string | undefined;
  /** Called after every batch and after reading back, with the counts so far. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Settle `unknown` fates by reading the targets back once at the end. Default true. */
  reconcile?: boolean | undefined;
  /** Re-send, once, the instructions that reading back proved were not applied. Default false. */
  resendUnapplied?: boolean | undefined;
  /** Accept expiry times that are already past. Default false. */
  allowPast?: boolean | undefined;
}

/** What a bulk run needs from the client: one PATCH, one GET. */
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

/**
 * Reads the resource once and settles what it can of `unknown`. When the read itself fails, each
 * outcome keeps its fate and says why it could not be settled. Returns the new outcomes and the
 * read, if it succeeded.
 */
export async function settleByReadingBack<I extends AnyInstruction>(
  resource: ResourceKind,
  unknown: readonly InstructionOutcome<I>[],
  everyInstruction: Iterable<I>,
  read: (options: CallOptions) => Promise<GetResult>,
  options: CallOptions | undefined,
): Promise<{ outcomes: InstructionOutcome<I>[]; state: GetResult | undefined }> {
  try {
    // Reading is safe to retry: the caller's retry budget applies, not retryUnsafe.
    const state = await read({ ...pickCallOptions(options), retryUnsafe: undefined });
    return { outcomes: decideFromState(resource, unknown, state.items, everyInstruction), state };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { outcomes: unknown.map((o) => ({ ...o, message: `${o.message ?? 'answer lost'}; reading back failed: ${why}` })), state: undefined };
  }
}

/** Runs `patchAll` over instructions that have been validated. */
export async function runBulk<I extends AnyInstruction>(
  deps: BulkDeps<I>,
  instructions: readonly I[],
  options: PatchAllOptions = {},
): Promise<BulkResult<I>> {
  const batchSize = positiveInteger('batchSize', options.batchSize, 50);
  const concurrency = positiveInteger('concurrency', options.concurrency, 1);
  const call = { ...pickCallOptions(options), comment: options.comment };
  const ledger = new OutcomeLedger<I>();
  instructions.forEach((instruction, index) => ledger.set({ index, instruction, fate: 'notAttempted', message: 'not attempted' }));
  let done = 0;
  const report = (finished: number) => {
    done = Math.min(instructions.length, done + finished);
    options.onProgress?.({ done, ...ledger.counts });
  };

  /** Sends the instructions at `indices` in batches; returns the error that stopped it, if any. */
  async function sendInBatches(indices: readonly number[], resent: boolean): Promise<ExpiringTargetsError | undefined> {
    let next = 0;
    let stoppedBy: ExpiringTargetsError | undefined;
    const worker = async () => {
      while (stoppedBy === undefined && next < indices.length && !options.signal?.aborted) {
        const batch = indices.slice(next, next + batchSize);
        next += batch.length;
        const sent = batch.map((index) => instructions[index] as I);
        try {
          const result = await deps.sendBatch(sent, call);
          result.outcomes.forEach((o, position) => ledger.set({ ...o, index: batch[position] as number, ...(resent && { resent }) }));
        } catch (error) {
          batch.forEach((index, position) => ledger.set({ ...outcomeOfError(index, sent[position] as I, error), ...(resent && { resent }) }));
          const stops = (error as Partial<ExpiringTargetsError>).stopsBulkRun ?? true;
          if (stops) stoppedBy ??= error as ExpiringTargetsError;
        }
        report(resent ? 0 : batch.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.ceil(indices.length / batchSize)) }, worker));
    return stoppedBy;
  }

  async function reconcile(): Promise<void> {
    const unknown = ledger.outcomes.filter((o) => o.fate === 'unknown');
    if (unknown.length === 0 || options.signal?.aborted) return;
    const settled = await settleByReadingBack(deps.resource, unknown, instructions, deps.read, options);
    for (const o of settled.outcomes) ledger.set(o);
    report(0);
  }

  const stoppedBy = await sendInBatches(
    instructions.map((_, i) => i),
    false,
  );
  const why = stoppedBy ? `the run stopped: ${stoppedBy.message}` : options.signal?.aborted ? 'the run was aborted' : undefined;
  if (why) {
    for (const o of ledger.outcomes) if (o.fate === 'notAttempted' && o.error === undefined) o.message = `not attempted: ${why}`;
  }
  if (options.reconcile !== false) {
    await reconcile();
    if (options.resendUnapplied === true && stoppedBy === undefined) {
      // Only what reading back proved not applied: never anything that may have applied.
      const again = ledger.outcomes.filter((o) => o.fate === 'failed' && o.decidedBy === 'read-back').map((o) => o.index);
      if (again.length > 0) {
        await sendInBatches(again, true);
        await reconcile();
      }
    }
  }
  return bulkResult(ledger.outcomes, ledger.counts, stoppedBy);
}
