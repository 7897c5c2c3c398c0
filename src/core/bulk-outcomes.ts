/**
 * What a bulk run counts and returns: its running tally of fates, the fate an error gives each
 * instruction of its batch, and the one builder of each of its results. Apart from ./results.ts
 * so that a page sending one patch does not load it.
 */
import { ExpiringTargetsError, type Fate } from './errors.js';
import { type BulkResult, type BulkSummary, type InstructionOutcome, type OutcomeCounts, ZERO_COUNTS } from './results.js';

/**
 * The counts of a run whose outcomes change (batches answer, reading back settles, resends),
 * kept up to date at every change: reading them never walks the outcomes, and the outcomes
 * themselves need not be kept.
 */
export class OutcomeTally {
  // TypeScript-private rather than #private: no # field helpers in down-levelled bundles.
  // Assigned in the constructor: a class field would bring the bundler's field helper into a chunk
  // of its own, which the page then loads.
  declare private readonly tally: OutcomeCounts;
  constructor() {
    this.tally = { ...ZERO_COUNTS };
  }

  /** Counts `n` instructions that have no fate yet: not attempted until they get one. */
  expect(n = 1): void {
    this.tally.total += n;
    this.tally.notAttempted += n;
  }

  /** Moves one instruction from the outcome it was counted under to `after`. */
  change(
    before: Pick<InstructionOutcome<unknown>, 'fate' | 'decidedBy' | 'resent'>,
    after: Pick<InstructionOutcome<unknown>, 'fate' | 'decidedBy' | 'resent'>,
  ): void {
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
export function bulkResult<I>(
  outcomes: InstructionOutcome<I>[],
  counts: OutcomeCounts,
  stoppedBy: ExpiringTargetsError | undefined,
): BulkResult<I> {
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

/** The fate, message and status an error gives every instruction of its request. */
export function outcomeOfError<I>(index: number, instruction: I, error: unknown): InstructionOutcome<I> {
  const fate: Fate = error instanceof ExpiringTargetsError ? error.instructionsFate : 'unknown';
  const status = (error as { status?: unknown } | null)?.status;
  return {
    index,
    instruction,
    fate,
    message: error instanceof Error ? error.message : String(error),
    status: typeof status === 'number' ? status : undefined,
    error: error instanceof ExpiringTargetsError ? error : undefined,
    ...(fate === 'failed' && typeof status === 'number' && { decidedBy: 'response' as const }),
  };
}
