/**
 * What a further round of an apply sends: the changes a fresh read still shows pending for the
 * targets the plan named, unless the last attempt failed for good. Sending again is safe exactly
 * when the read proves the change is not in LaunchDarkly: an instruction that applied changes
 * what the read shows (an update bumps the version, an add makes the target exist), so nothing
 * is applied twice.
 */
import type { ChangeOutcome } from './sync-result.js';
import { type PlannedChange, type ResourcePlan, changeIdentity } from './plan.js';

/** Rounds an apply makes by default: the first, and two to converge through faults and conflicts. */
export const DEFAULT_MAX_ROUNDS = 3;
/** The wait before round 2; doubled for each later round, never above {@link MAX_ROUND_DELAY_MS}. */
export const DEFAULT_ROUND_DELAY_MS = 250;
export const MAX_ROUND_DELAY_MS = 5_000;

/** Statuses after which the same instruction may be sent again: LaunchDarkly did not apply it, or may not have. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([409, 429, 500, 502, 503, 504]);

/**
 * Whether sending the same instruction again can end differently. A failure LaunchDarkly stated
 * for the instruction itself (a 200 with an error for it, a 400, a 403) is permanent: the answer
 * would be the same. What reading back proved not applied, what stayed unknown, and what failed
 * with a transient status are not.
 */
export function worthResending(outcome: ChangeOutcome): boolean {
  if (outcome.fate === 'unknown') return true;
  if (outcome.fate !== 'failed') return false;
  if (outcome.decidedBy === 'read-back') return true;
  return outcome.status === undefined || TRANSIENT_STATUSES.has(outcome.status);
}

/** The same instruction, field by field (instructions are flat objects of primitives). */
export function sameInstruction(a: PlannedChange['instruction'], b: PlannedChange['instruction']): boolean {
  const ak = Object.keys(a) as (keyof typeof a)[];
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => a[k] === (b as typeof a)[k]);
}

/** One change to send in a further round: the plan's change at `index`, as planned again. */
export interface NextChange {
  index: number;
  change: PlannedChange;
  /** True when the instruction differs from the one last sent (its target moved). */
  replanned: boolean;
}

/**
 * The changes of one resource to send in the next round, given its fresh plan (`after`) and the
 * last outcome of each of its planned changes. `final` holds the outcomes that must not be sent
 * again whatever the read shows (a time that passed since planning).
 */
export function nextChanges(
  planned: ResourcePlan,
  after: ResourcePlan,
  last: readonly (ChangeOutcome | undefined)[],
  final: ReadonlySet<ChangeOutcome>,
): NextChange[] {
  if (after.error !== undefined) return [];
  const pending = new Map<string, PlannedChange>();
  for (const c of after.changes as PlannedChange[]) pending.set(changeIdentity(c), c);
  const next: NextChange[] = [];
  planned.changes.forEach((original: PlannedChange, index) => {
    const outcome = last[index];
    if (outcome === undefined || final.has(outcome)) return;
    const now = pending.get(changeIdentity(original));
    if (now === undefined) return;
    const replanned = !sameInstruction(now.instruction, outcome.change.instruction);
    // The same instruction once applied, or refused for good, is not sent again.
    if (!replanned && !worthResending(outcome)) return;
    next.push({ index, change: { ...now, source: now.source ?? original.source }, replanned });
  });
  return next;
}

/** The wait before `round` (2 and up): doubling from `base`, capped. */
export function roundDelay(round: number, base: number): number {
  return Math.min(MAX_ROUND_DELAY_MS, base * 2 ** Math.max(0, round - 2));
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      // Stryker disable next-line StringLiteral: removing the listener only frees it early; done() a second time changes nothing.
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once, and done() a second time changes nothing.
    signal?.addEventListener('abort', done, { once: true });
  });
}
