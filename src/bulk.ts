/**
 * `patchAll`: many instructions in batches, every one accounted for exactly once; and reading
 * back, which settles instructions whose answer was lost (for `patchAll`, and for `patch` with
 * `reconcile: true`).
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
import { ConfigurationError, ExpiringTargetsError, type Fate, InstructionValidationError, RequestAbortedError, type ValidationIssue } from './errors.js';
import { type FlagInstruction, type ResourceKind, type SegmentInstruction, type TargetFields, instructionIssues, targetIdentity } from './instructions.js';
import { type CallOptions, pickCallOptions } from './options.js';
import {
  type BulkResult,
  type BulkSummary,
  type ExpiringTarget,
  type GetResult,
  type InstructionOutcome,
  type OutcomeCounts,
  type PatchResult,
  ZERO_COUNTS,
  outcomeOfError,
  patchResult,
} from './results.js';


/**
 * The counts of a run whose outcomes change (batches answer, reading back settles, resends),
 * kept up to date at every change: reading them never walks the outcomes, and the outcomes
 * themselves need not be kept.
 */
export class OutcomeTally {
  // TypeScript-private rather than #private: no # field helpers in down-levelled bundles.
  private readonly tally: OutcomeCounts = { ...ZERO_COUNTS };

  /** Counts `n` instructions that have no fate yet: not attempted until they get one. */
  expect(n = 1): void {
    this.tally.total += n;
    this.tally.notAttempted += n;
  }

  /** Moves one instruction from the outcome it was counted under to `after`. */
  change(before: Pick<InstructionOutcome<unknown>, 'fate' | 'decidedBy' | 'resent'>, after: Pick<InstructionOutcome<unknown>, 'fate' | 'decidedBy' | 'resent'>): void {
    const c = this.tally;
    c[before.fate]--;
    if (before.decidedBy === 'read-back') c.reconciled--;
    if (before.resent) c.resent--;
    c[after.fate]++;
    if (after.decidedBy === 'read-back') c.reconciled++;
    if (after.resent) c.resent++;
  }

  /** A snapshot of the counts. */
  get counts(): OutcomeCounts {
    return { ...this.tally };
  }
}

/** The one builder of a BulkSummary: `ok` always agrees with `counts`. */
export function bulkSummary(counts: OutcomeCounts, stoppedBy: ExpiringTargetsError | undefined): BulkSummary {
  return { ok: counts.applied === counts.total, counts, stoppedBy };
}

/** The one builder of a BulkResult. */
export function bulkResult<I>(outcomes: InstructionOutcome<I>[], counts: OutcomeCounts, stoppedBy: ExpiringTargetsError | undefined): BulkResult<I> {
  const byFate = (fate: Fate) => outcomes.filter((o) => o.fate === fate);
  return {
    ...bulkSummary(counts, stoppedBy),
    outcomes,
    applied: byFate('applied'),
    failed: byFate('failed'),
    unknown: byFate('unknown'),
    notAttempted: byFate('notAttempted'),
  };
}

type AnyInstruction = SegmentInstruction | FlagInstruction;

/**
 * The targets of `wanted` that more than one instruction of `instructions` changes: for those,
 * the state read back cannot say which instruction it reflects.
 */
export function sharedTargets<I extends AnyInstruction>(resource: ResourceKind, wanted: readonly I[], instructions: Iterable<I>): Set<string> {
  const keys = new Set(wanted.map((i) => targetIdentity(resource, i as TargetFields)));
  const uses = new Map<string, number>();
  for (const i of instructions) {
    const key = targetIdentity(resource, i as TargetFields);
    if (keys.has(key)) uses.set(key, (uses.get(key) ?? 0) + 1);
  }
  return new Set([...uses].filter(([, n]) => n > 1).map(([key]) => key));
}

/**
 * Decides unknown outcomes from the targets read back after their answers were lost:
 *
 *   add / update  applied if a target for that context (and targetType or variationId) exists
 *                 with exactly the instruction's expirationDate; otherwise not applied.
 *   remove        applied if no such target exists; otherwise not applied.
 *
 * When another instruction of the same run touches the same target (`undecidable` says so), the
 * state cannot say which of them it reflects, so that outcome stays unknown (with a message
 * saying why). Returns the new outcomes, in the order given; the caller records them.
 */
export function decideFromState<I extends AnyInstruction>(
  resource: ResourceKind,
  unknown: readonly InstructionOutcome<I>[],
  targets: readonly ExpiringTarget[],
  undecidable: (outcome: InstructionOutcome<I>, position: number) => boolean,
): InstructionOutcome<I>[] {
  const state = new Map<string, ExpiringTarget>();
  for (const t of targets) state.set(targetIdentity(resource, t), t);
  return unknown.map((outcome, position) => {
    const key = targetIdentity(resource, outcome.instruction as TargetFields);
    const was = outcome.message ?? 'answer lost';
    if (undecidable(outcome, position)) {
      return { ...outcome, message: `${was}; reading back cannot decide: another instruction in this run changes the same target` };
    }
    const current = state.get(key);
    const instruction = outcome.instruction as { kind: string; value?: unknown };
    if (instruction.kind !== 'removeExpiringTarget' && typeof instruction.value !== 'number') {
      return { ...outcome, message: `${was}; reading back cannot decide a ${instruction.kind}` };
    }
    const applied = instruction.kind === 'removeExpiringTarget' ? current === undefined : current?.expirationDate === instruction.value;
    if (applied) return { ...outcome, fate: 'applied', decidedBy: 'read-back', message: `decided by reading back after: ${was}` };
    const now = current === undefined ? 'no expiring target for this context' : `expiring target is at ${current.expiresAt.toISOString()}`;
    return { ...outcome, fate: 'failed', decidedBy: 'read-back', message: `decided by reading back: not applied (${now}) after: ${was}` };
  });
}

/**
 * What `patch` with `reconcile: true` returns after its answer was lost: every instruction of the
 * request decided, where the state allows, by reading the targets back.
 */
export async function patchResultByReadingBack<I extends AnyInstruction>(
  resource: ResourceKind,
  instructions: readonly I[],
  cause: ExpiringTargetsError,
  read: (options: CallOptions) => Promise<GetResult>,
  options: CallOptions | undefined,
): Promise<PatchResult<I>> {
  const unknown: InstructionOutcome<I>[] = instructions.map((instruction, index) => ({ index, instruction, fate: 'unknown', message: cause.message, error: cause }));
  const { outcomes, state } = await settleByReadingBack(resource, unknown, instructions, read, options);
  return patchResult(outcomes, {
    errors: outcomes
      .filter((o) => o.fate === 'failed')
      .map((o) => ({ mapped: true as const, instructionIndex: o.index, message: o.message ?? '', instruction: o.instruction })),
    items: state?.items ?? [],
    requestId: state?.requestId,
    raw: state?.raw ?? { items: [] },
  });
}

/** Progress of a bulk run, reported after every batch and after reading back. */
export interface BulkProgress extends OutcomeCounts {
  /** Instructions whose batch has finished, or that will not be sent (whatever their fate). */
  done: number;
}

/** Options of `patchAll`. */
export interface PatchAllOptions<I = SegmentInstruction | FlagInstruction> extends CallOptions {
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

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigurationError(`${name} must be a positive integer, got ${value}`);
  return value;
}

const firstLine = (text: string) => text.split('\n', 1)[0] ?? text;

/**
 * Reads the resource once and decides what it can of `unknown`; `undecidable` names the outcomes
 * another instruction of the run makes undecidable. When the read itself fails, each outcome
 * keeps its fate and says why it could not be settled. Returns the new outcomes, in the order
 * given, and the read, if it succeeded.
 */
async function readAndDecide<I extends AnyInstruction>(
  resource: ResourceKind,
  unknown: readonly InstructionOutcome<I>[],
  undecidable: (outcome: InstructionOutcome<I>, position: number) => boolean,
  read: (options: CallOptions) => Promise<GetResult>,
  options: CallOptions | undefined,
): Promise<{ outcomes: InstructionOutcome<I>[]; state: GetResult | undefined }> {
  try {
    // Reading is safe to retry: the caller's retry budget applies, not retryUnsafe.
    const state = await read({ ...pickCallOptions(options), retryUnsafe: undefined });
    return { outcomes: decideFromState(resource, unknown, state.items, undecidable), state };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { outcomes: unknown.map((o) => ({ ...o, message: `${o.message ?? 'answer lost'}; reading back failed: ${why}` })), state: undefined };
  }
}

/**
 * Settles `unknown` by reading the resource once, when every instruction of the run is at hand
 * (`patch` with `reconcile`): an outcome stays unknown when another of them changes its target.
 */
export async function settleByReadingBack<I extends AnyInstruction>(
  resource: ResourceKind,
  unknown: readonly InstructionOutcome<I>[],
  everyInstruction: Iterable<I>,
  read: (options: CallOptions) => Promise<GetResult>,
  options: CallOptions | undefined,
): Promise<{ outcomes: InstructionOutcome<I>[]; state: GetResult | undefined }> {
  const shared = sharedTargets(resource, unknown.map((o) => o.instruction), everyInstruction);
  const key = (o: InstructionOutcome<I>) => targetIdentity(resource, o.instruction as TargetFields);
  return readAndDecide(resource, unknown, (o) => shared.has(key(o)), read, options);
}

/** One instruction of a run, from the moment it is read until its fate is final. */
interface Entry<I> {
  /** What the tally counts this instruction under right now. */
  outcome: InstructionOutcome<I>;
  /** Its target's identity, once reading back may need it. */
  key: string;
  /** Another instruction of the run changes the same target: reading back cannot decide this one. */
  shared: boolean;
  /** Why validation refused it (streams), if it did. */
  problem?: string;
}

/**
 * How a run knows, at reading-back time, whether another of its instructions changes the same
 * target as an unknown one (then the state cannot say which of them it shows).
 */
interface SameTargetRule<I> {
  /** Notes an instruction about to be sent, in input order. */
  sending(entry: Entry<I>): void;
  /** Notes that an instruction no longer waits for its fate. */
  settled(entry: Entry<I>): void;
  /** Just before `entries` are read back: which of them cannot be decided. */
  undecidable(entries: readonly Entry<I>[]): (entry: Entry<I>) => boolean;
}

/** An array is at hand whole: count the uses of each unknown target over all of it. */
function arrayRule<I extends AnyInstruction>(resource: ResourceKind, instructions: readonly I[]): SameTargetRule<I> {
  return {
    sending() {},
    settled() {},
    undecidable(entries) {
      const shared = sharedTargets(
        resource,
        entries.map((e) => e.outcome.instruction),
        instructions,
      );
      return (e) => shared.has(targetIdentity(resource, e.outcome.instruction as TargetFields));
    },
  };
}

/**
 * Two independent 32-bit hashes of a text (FNV-1a, and a multiply-xorshift variant), for a
 * Bloom filter here and for the CLI's duplicate check: cheap, and no text kept per entry.
 */
export function hashPair(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

/**
 * Which targets a stream has sent so far, in fixed memory (2 MiB): a Bloom filter, 4 probes over
 * 2^24 bits. It may say "seen" of a target never sent (rarely below a few million targets, more
 * often beyond), never the reverse; a wrong "seen" only leaves an unknown outcome unknown.
 */
class TargetFilter {
  private readonly bits = new Uint32Array(1 << 19);

  /** Records `key`; returns whether it (or a colliding key) was recorded before. */
  add(key: string): boolean {
    const [h1, odd] = hashPair(key);
    const h2 = odd | 1;
    let seen = true;
    for (let probe = 0; probe < 4; probe++) {
      const bit = (h1 + Math.imul(probe, h2)) >>> 8; // 24 bits
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      if (((this.bits[word] as number) & mask) === 0) {
        seen = false;
        this.bits[word] = (this.bits[word] as number) | mask;
      }
    }
    return seen;
  }
}

/**
 * A stream is not at hand, so the rule is kept as it goes. An unknown outcome can be decided from
 * the state only if no other instruction of the run changes its target:
 *
 * - none before it: a fixed-size filter of every target sent so far answers "maybe" or "no"
 *   (a wrong "maybe" only leaves the outcome unknown, the safe side);
 * - none after it: every instruction sent while it waits (its batch in flight, or its reading
 *   back pending) is checked against the targets still waiting, and marks both.
 *
 * Fates that are final leave the waiting set; what waits stays bounded, because a stream reads
 * back whenever `STREAM_SETTLE_AT` unknown outcomes have piled up (and at the end).
 */
function streamRule<I extends AnyInstruction>(resource: ResourceKind): SameTargetRule<I> {
  const sent = new TargetFilter();
  const waiting = new Map<string, Entry<I>[]>();
  return {
    sending(entry) {
      entry.key = targetIdentity(resource, entry.outcome.instruction as TargetFields);
      if (sent.add(entry.key)) entry.shared = true;
      const others = waiting.get(entry.key);
      if (others === undefined) waiting.set(entry.key, [entry]);
      else {
        for (const other of others) other.shared = true;
        entry.shared = true;
        others.push(entry);
      }
    },
    settled(entry) {
      const others = waiting.get(entry.key);
      if (others === undefined) return;
      const rest = others.filter((e) => e !== entry);
      if (rest.length === 0) waiting.delete(entry.key);
      else waiting.set(entry.key, rest);
    },
    undecidable: () => (e) => e.shared,
  };
}

const noRule: SameTargetRule<never> = { sending() {}, settled() {}, undecidable: () => () => true };

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
    stoppedBy ??= error instanceof ExpiringTargetsError ? error : new ExpiringTargetsError(error instanceof Error ? error.message : String(error), { cause: error });
  };
  const whyNotSent = () => (stoppedBy ? `the run stopped: ${firstLine(stoppedBy.message)}` : signal?.aborted ? 'the run was aborted' : undefined);

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
        stop(new ExpiringTargetsError(`reading the instructions failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
        break;
      }
      if (item.done) {
        exhausted = true;
        break;
      }
      const index = nextIndex++;
      if (mode.total === undefined) tally.expect();
      const entry: Entry<I> = { outcome: { index, instruction: item.value, fate: 'notAttempted', message: 'not attempted' }, key: '', shared: false };
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
      const { outcomes } = await readAndDecide(deps.resource, entries.map((e) => e.outcome), (_, i) => undecidable(entries[i] as Entry<I>), deps.read, options);
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
  const summary = await run(deps, instructions[Symbol.iterator](), { total: instructions.length, validate: false, settleAt: Number.POSITIVE_INFINITY, rule: arrayRule(deps.resource, instructions) }, {
    ...options,
    onOutcome(outcome) {
      outcomes[outcome.index] = outcome;
      onOutcome?.(outcome);
    },
  });
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
