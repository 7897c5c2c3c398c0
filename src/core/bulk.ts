/**
 * `patchAll`: many instructions in batches, every one accounted for exactly once. Reading back
 * (./read-back.ts) settles those whose answer was lost, under the same-target rule of
 * ./same-target.ts.
 *
 * Each batch is sent once (the transport repeats a request only when LaunchDarkly said it was not
 * applied, unless the caller opted into `retryUnsafe`), so no instruction is ever sent twice by
 * this loop. Batches whose answer was lost end `unknown` and, by default, are settled by reading
 * the resource back.
 *
 * One loop serves an array and a stream. With an array, the caller validated everything first and
 * gets every outcome back at the end. With a stream (any iterable or async iterable), each batch
 * is validated just before it is sent, each outcome goes to `onOutcome` once its fate is final,
 * and nothing is kept per instruction beyond the batches in flight and the unknown outcomes
 * waiting to be read back: memory does not grow with the input.
 */
import { OutcomeTally, bulkResult, bulkSummary, outcomeOfError } from './bulk-outcomes.js';
import { ExpiringTargetsError, InstructionValidationError, RequestAbortedError, type ValidationIssue } from './errors.js';
import { positiveInteger } from './internal/positive-integer.js';
import { pickCallOptions } from './call-options.js';
import type { CallOptions } from './options.js';
import { readAndDecide } from './read-back.js';
import type { AnyInstruction, ResourceKind } from './resources.js';
import type { BulkResult, BulkSummary, GetResult, InstructionOutcome, OutcomeCounts, PatchResult } from './results.js';
import { type Entry, type SameTargetRule, arrayRule, noRule, streamRule } from './same-target.js';
import { instructionIssues } from './validation.js';

const firstLine = (text: string) => text.split('\n', 1)[0] ?? text;

/** Progress of a bulk run, reported after every batch and after reading back. */
export interface BulkProgress extends OutcomeCounts {
  /** Instructions whose batch has finished, or that will not be sent (whatever their fate). */
  done: number;
}

/** Options of `patchAll`. */
export interface PatchAllOptions<I = AnyInstruction> extends CallOptions {
  /** Instructions per request. Default 50. */
  batchSize?: number | undefined;
  /** Requests in flight at once. Default 1: LaunchDarkly's limits are per account. */
  concurrency?: number | undefined;
  /** Audit-log comment for every batch. */
  comment?: string | undefined;
  /**
   * Called after every batch and after reading back, with the counts so far. With a stream,
   * `total` counts the instructions read so far.
   */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /**
   * Called once per instruction, as soon as its fate is final: after its batch answered, or after
   * reading back for an answer that was lost. Fates settle out of input order (use `index`).
   * With a stream, this is where outcomes go: the result holds counts only. It must not throw
   * (nor `onProgress`): an exception ends `patchAll` with it.
   */
  onOutcome?: ((outcome: InstructionOutcome<I>) => void) | undefined;
  /** Settle `unknown` fates by reading the targets back. Default true. */
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

/** Unknown outcomes a stream holds before it pauses to settle them by reading back. */
export const STREAM_SETTLE_AT = 1000;

interface Mode<I> {
  /** The number of instructions, when known before the run (an array). */
  total: number | undefined;
  /** Validate each batch before sending it (streams; an array was validated whole). */
  validate: boolean;
  /** Read back once this many unknown outcomes wait (Infinity: only at the end). */
  settleAt: number;
  rule: SameTargetRule<I>;
}

type Source<I> = { next(): IteratorResult<I> | Promise<IteratorResult<I>> };

/** The loop behind both forms of `patchAll`. */
async function run<I extends AnyInstruction>(
  deps: BulkDeps<I>,
  source: Source<I>,
  mode: Mode<I>,
  options: PatchAllOptions<I>,
): Promise<BulkSummary> {
  const batchSize = positiveInteger('batchSize', options.batchSize, 50);
  const concurrency = positiveInteger('concurrency', options.concurrency, 1);
  const reconcile = options.reconcile !== false;
  const rule: SameTargetRule<I> = reconcile ? mode.rule : (noRule as SameTargetRule<I>);
  const call = { ...pickCallOptions(options), comment: options.comment };
  const signal = options.signal;
  const tally = new OutcomeTally();
  if (mode.total !== undefined) tally.expect(mode.total);
  let stoppedBy: ExpiringTargetsError | undefined;
  let exhausted = false;
  let nextIndex = 0;
  let done = 0;
  /** Unknown outcomes waiting to be read back. */
  const unsettled: Entry<I>[] = [];

  const report = () => options.onProgress?.({ done, ...tally.counts });
  const stop = (error: unknown) => {
    stoppedBy ??=
      error instanceof ExpiringTargetsError
        ? error
        : new ExpiringTargetsError(error instanceof Error ? error.message : String(error), { cause: error });
  };
  const whyNotSent = () =>
    stoppedBy ? `the run stopped: ${firstLine(stoppedBy.message)}` : signal?.aborted ? 'the run was aborted' : undefined;

  function move(entry: Entry<I>, outcome: InstructionOutcome<I>) {
    tally.change(entry.outcome, outcome);
    entry.outcome = outcome;
  }
  function finish(entry: Entry<I>, outcome: InstructionOutcome<I>) {
    move(entry, outcome);
    rule.settled(entry);
    options.onOutcome?.(outcome);
  }
  function record(entry: Entry<I>, outcome: InstructionOutcome<I>) {
    if (outcome.fate === 'unknown' && reconcile) {
      move(entry, outcome);
      unsettled.push(entry);
    } else finish(entry, outcome);
  }

  /** The next instructions from the source, validated when the mode says so; empty at the end. */
  async function take(): Promise<Entry<I>[]> {
    // Batches in flight may go on meanwhile: whatever they send was marked against the waiting
    // targets when it was taken, which is before this point (taking is one at a time).
    if (unsettled.length >= mode.settleAt && whyNotSent() === undefined) await settle();
    const batch: Entry<I>[] = [];
    const issues: ValidationIssue[] = [];
    while (batch.length < batchSize && !exhausted) {
      let item: IteratorResult<I>;
      try {
        const next = source.next();
        // A synchronous source is read without a turn of the event loop per instruction.
        item = typeof (next as Partial<PromiseLike<unknown>>).then === 'function' ? await next : (next as IteratorResult<I>);
      } catch (error) {
        exhausted = true;
        stop(
          new ExpiringTargetsError(`reading the instructions failed: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          }),
        );
        break;
      }
      if (item.done) {
        exhausted = true;
        break;
      }
      const index = nextIndex++;
      if (mode.total === undefined) tally.expect();
      const entry: Entry<I> = {
        outcome: { index, instruction: item.value, fate: 'notAttempted', message: 'not attempted' },
        key: '',
        shared: false,
      };
      batch.push(entry);
      if (mode.validate && whyNotSent() === undefined) {
        const found = instructionIssues(deps.resource, item.value, index, { allowPast: options.allowPast });
        if (found.length > 0) {
          entry.problem = found.map((i) => `${i.field} ${i.message}`).join('; ');
          issues.push(...found);
        }
      }
    }
    if (issues.length > 0) {
      stop(new InstructionValidationError(issues, 'Invalid instructions in the stream; their batch and the rest were not sent'));
    }
    if (whyNotSent() === undefined) for (const entry of batch) rule.sending(entry);
    return batch;
  }

  // One reader at a time, so instructions are numbered and checked in input order.
  let reading: Promise<unknown> = Promise.resolve();
  const takeNext = () => {
    const batch = reading.then(take);
    reading = batch.catch(() => undefined);
    return batch;
  };

  async function send(batch: readonly Entry<I>[], resent: boolean): Promise<void> {
    const instructions = batch.map((e) => e.outcome.instruction);
    const mark = resent ? { resent: true } : {};
    let result: PatchResult<I>;
    try {
      result = await deps.sendBatch(instructions, call);
    } catch (error) {
      for (const entry of batch) record(entry, { ...outcomeOfError(entry.outcome.index, entry.outcome.instruction, error), ...mark });
      if ((error as Partial<ExpiringTargetsError>).stopsBulkRun ?? true) stop(error);
      return;
    }
    // Outside the try: an exception from onOutcome is the caller's, not this batch's fate.
    result.outcomes.forEach((o, position) => {
      const entry = batch[position] as Entry<I>;
      record(entry, { ...o, index: entry.outcome.index, ...mark });
    });
  }

  /**
   * Reads back every unknown outcome, decides what the state allows, and (with
   * `resendUnapplied`) re-sends once what it proved not applied, then reads those back too.
   */
  async function settle(): Promise<void> {
    while (unsettled.length > 0) {
      const entries = unsettled.splice(0);
      if (signal?.aborted) {
        for (const entry of entries) finish(entry, entry.outcome);
        continue;
      }
      const undecidable = rule.undecidable(entries);
      const { outcomes } = await readAndDecide(
        deps.resource,
        entries.map((e) => e.outcome),
        (_, i) => undecidable(entries[i] as Entry<I>),
        deps.read,
        options,
      );
      const again: Entry<I>[] = [];
      outcomes.forEach((outcome, i) => {
        const entry = entries[i] as Entry<I>;
        // Only what reading back proved not applied, and only once: never anything that may have applied.
        const resend = options.resendUnapplied === true && stoppedBy === undefined && !entry.outcome.resent;
        if (resend && outcome.fate === 'failed' && outcome.decidedBy === 'read-back') {
          move(entry, outcome);
          again.push(entry);
        } else finish(entry, outcome);
      });
      for (let i = 0; i < again.length; i += batchSize) {
        const batch = again.slice(i, i + batchSize);
        if (whyNotSent() === undefined) await send(batch, true);
        else for (const entry of batch) finish(entry, entry.outcome);
      }
      report();
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const batch = await takeNext();
      if (batch.length === 0) return;
      const why = whyNotSent();
      if (why === undefined) await send(batch, false);
      else {
        for (const entry of batch) {
          const message = entry.problem === undefined ? `not attempted: ${why}` : `not attempted: ${entry.problem}`;
          const error = entry.problem === undefined ? undefined : stoppedBy;
          finish(entry, { ...entry.outcome, message, ...(error && { error }) });
        }
      }
      done += batch.length;
      report();
    }
  }

  const workers = mode.total === undefined ? concurrency : Math.min(concurrency, Math.ceil(mode.total / batchSize));
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  if (unsettled.length > 0) await settle();
  if (stoppedBy === undefined && signal?.aborted) stoppedBy = new RequestAbortedError(signal.reason);
  return bulkSummary(tally.counts, stoppedBy);
}

/** Runs `patchAll` over an array whose instructions have all been validated. */
export async function runBulk<I extends AnyInstruction>(
  deps: BulkDeps<I>,
  instructions: readonly I[],
  options: PatchAllOptions<I> = {},
): Promise<BulkResult<I>> {
  const outcomes: InstructionOutcome<I>[] = new Array(instructions.length);
  const onOutcome = options.onOutcome;
  const summary = await run(
    deps,
    instructions[Symbol.iterator](),
    { total: instructions.length, validate: false, settleAt: Number.POSITIVE_INFINITY, rule: arrayRule(deps.resource, instructions) },
    {
      ...options,
      onOutcome(outcome) {
        outcomes[outcome.index] = outcome;
        onOutcome?.(outcome);
      },
    },
  );
  return bulkResult(outcomes, summary.counts, summary.stoppedBy);
}

/**
 * Runs `patchAll` over a stream: each batch is validated just before it is sent (an invalid one
 * stops the run: it and the rest end `notAttempted`), outcomes go to `onOutcome`, and the result
 * holds counts only. After a stop or an abort the rest of the stream is still read, so that each
 * instruction is reported, as not attempted.
 */
export async function runBulkStream<I extends AnyInstruction>(
  deps: BulkDeps<I>,
  instructions: Iterable<I> | AsyncIterable<I>,
  options: PatchAllOptions<I> = {},
): Promise<BulkSummary> {
  const source: Source<I> =
    Symbol.asyncIterator in instructions ? instructions[Symbol.asyncIterator]() : (instructions as Iterable<I>)[Symbol.iterator]();
  return run(deps, source, { total: undefined, validate: true, settleAt: STREAM_SETTLE_AT, rule: streamRule(deps.resource) }, options);
}
