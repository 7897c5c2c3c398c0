/**
 * What happened to each instruction. Four fates, and the difference between two of them is the
 * point of this file: `failed` means LaunchDarkly said the instruction did not apply; `unknown`
 * means the request may have reached LaunchDarkly but its answer was lost or ambiguous.
 */
import {
  ApiConnectionError,
  AuthenticationError,
  type ExpiringTargetsError,
  InvalidResponseError,
  LaunchDarklyApiError,
  NotFoundError,
  PermissionDeniedError,
  RequestAbortedError,
  ServerError,
} from './errors.js';

export type Fate = 'applied' | 'failed' | 'unknown' | 'notAttempted';

/** The fate of one instruction, at its position in the caller's list. */
export interface InstructionOutcome<I> {
  /** Position in the list the caller passed. */
  index: number;
  /** The very object the caller passed. */
  instruction: I;
  fate: Fate;
  /** LaunchDarkly's message, the HTTP error, or why the fate is what it is. */
  message?: string | undefined;
  /** The HTTP status behind a failed or unknown fate, when there was one. */
  status?: number | undefined;
  /** The error behind a failed, unknown or not-attempted fate, when there was one. */
  error?: ExpiringTargetsError | undefined;
  /** How the fate was decided: from LaunchDarkly's answer, or by reading the state back. */
  decidedBy?: 'response' | 'read-back' | undefined;
  /** True when this instruction was sent again after a read-back proved it had not applied. */
  resent?: boolean | undefined;
}

export interface FateCounts {
  applied: number;
  failed: number;
  unknown: number;
  notAttempted: number;
}

export function countFates(outcomes: readonly { fate: Fate }[]): FateCounts {
  const counts: FateCounts = { applied: 0, failed: 0, unknown: 0, notAttempted: 0 };
  for (const o of outcomes) counts[o.fate]++;
  return counts;
}

/**
 * What a thrown error means for the instructions of the request that raised it.
 * `fatal` errors stop a bulk run: every later request would fail the same way.
 */
export function fateOfError(error: unknown): { fate: Fate; fatal: boolean; status?: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RequestAbortedError) return { fate: error.maybeSent ? 'unknown' : 'notAttempted', fatal: true, message };
  if (error instanceof InvalidResponseError) return { fate: 'unknown', fatal: false, status: error.status, message };
  if (error instanceof ServerError) return { fate: 'unknown', fatal: false, status: error.status, message };
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError || error instanceof NotFoundError) {
    return { fate: 'failed', fatal: true, status: error.status, message };
  }
  if (error instanceof LaunchDarklyApiError) return { fate: 'failed', fatal: false, status: error.status, message };
  if (error instanceof ApiConnectionError) {
    return { fate: error.stage === 'before-send' ? 'failed' : 'unknown', fatal: false, message };
  }
  return { fate: 'unknown', fatal: true, message };
}
