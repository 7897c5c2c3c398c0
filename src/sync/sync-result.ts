/**
 * What an apply reports: the fate of each planned change, the totals, and the plan read
 * afterwards. Apart from apply.ts so that the rounds' rules (rounds.ts) read these types without
 * importing the apply itself.
 */
import type { FlagRef, SegmentRef } from '../core/client.js';
import type { ExpiringTargetsError } from '../core/errors.js';
import type { ResourceKind } from '../core/resources.js';
import type { InstructionOutcome, OutcomeCounts } from '../core/results.js';
import type { AnyInstruction, PlannedChange, SyncPlan } from './plan.js';

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

/** What `applyPlan` did, and what LaunchDarkly holds afterwards. */
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
