/**
 * What calls return, in one vocabulary: every instruction ends with one of four fates (see
 * {@link Fate}), `patch` and `patchAll` count them with the same keys, and one function builds
 * each kind of result from an answer. What only bulk runs and reading back need (running counts,
 * deciding from the state read back) lives in ./bulk.ts, which a page loads only when it uses it.
 */
import type { components } from '../../generated/schema.js';
import { type ExpiringTargetsError, type Fate, InvalidResponseError } from './errors.js';

type Schemas = components['schemas'];

/**
 * LaunchDarkly's documentation does not say whether `instructionIndex` counts from 0 or 1.
 * We read it as 0-based; this is the one place to change if that turns out wrong.
 */
const INSTRUCTION_INDEX_BASE = 0;

/** An expiring target as LaunchDarkly returns it, with its time also as a Date. */
export type ExpiringTarget = Omit<Schemas['ExpiringTarget'], 'expirationDate'> & {
  /** Unix milliseconds, as on the wire (a numeric string from the server is converted). */
  expirationDate: number;
  /** `expirationDate` as a Date. */
  expiresAt: Date;
};

/** The fate of one instruction, at its position in the caller's list. */
export interface InstructionOutcome<I> {
  /** Position in the list the caller passed (0-based). */
  index: number;
  /** The very object the caller passed. */
  instruction: I;
  /** What happened to it: `applied`, `failed`, `unknown` or `notAttempted`. */
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

/** How many instructions ended with each fate; the same keys for `patch` and `patchAll`. */
export interface OutcomeCounts {
  /** Every instruction passed. */
  total: number;
  /** Instructions LaunchDarkly applied. */
  applied: number;
  /** Instructions LaunchDarkly said it did not apply. */
  failed: number;
  /** Instructions that may or may not have applied (their answer was lost). */
  unknown: number;
  /** Instructions never sent. */
  notAttempted: number;
  /** Fates settled by reading the targets back after an ambiguous answer. */
  reconciled: number;
  /** Instructions sent a second time after reading back proved they had not applied. */
  resent: number;
}

/** An instruction LaunchDarkly reported as failed, mapped back to what the caller passed. */
export type InstructionFailure<I> =
  | {
      /** LaunchDarkly named an instruction of this request. */
      mapped: true;
      /** Position in the caller's list (0-based). */
      instructionIndex: number;
      /** LaunchDarkly's message. */
      message: string;
      /** The very object the caller passed. */
      instruction: I;
    }
  | {
      /** LaunchDarkly named an index outside the request: reported, never pinned on the wrong instruction. */
      mapped: false;
      /** The index LaunchDarkly named. */
      instructionIndex: number;
      /** LaunchDarkly's message. */
      message: string;
      /** No instruction of this request. */
      instruction: undefined;
    };

/** The outcome of one PATCH. */
export interface PatchResult<I> {
  /** True when every instruction applied. */
  ok: boolean;
  /** The fate of every instruction, in the order passed. */
  outcomes: InstructionOutcome<I>[];
  /** How many instructions ended with each fate. */
  counts: OutcomeCounts;
  /** What LaunchDarkly reported as failed, mapped to the caller's objects. */
  errors: InstructionFailure<I>[];
  /** The expiring targets LaunchDarkly returned (after reading back: the ones read). */
  items: ExpiringTarget[];
  /** The `X-Request-Id` response header, when present. */
  requestId: string | undefined;
  /** The response body as received (after reading back: the GET's body). */
  raw: Schemas['ExpiringTargetPatchResponse'];
}

/**
 * What `patchAll` returns for a stream of instructions: the counts, and what stopped the run.
 * Each outcome went to `onOutcome` as it settled; none is kept, so memory does not grow with the input.
 */
export interface BulkSummary {
  /** True when every instruction applied. */
  ok: boolean;
  /** How many instructions ended with each fate. */
  counts: OutcomeCounts;
  /**
   * The error that stopped the run early (401, 403, 404, an unreachable server, an abort, an
   * invalid instruction in a stream, a stream that threw), if any.
   */
  stoppedBy: ExpiringTargetsError | undefined;
}

/** The outcome of `patchAll` over an array: every input instruction appears exactly once in `outcomes`. */
export interface BulkResult<I> extends BulkSummary {
  /** One entry per input instruction, in input order. */
  outcomes: InstructionOutcome<I>[];
  /** The outcomes that applied. */
  applied: InstructionOutcome<I>[];
  /** The outcomes LaunchDarkly said did not apply; safe to send again once fixed. */
  failed: InstructionOutcome<I>[];
  /** The outcomes that may have applied: check before sending them again. */
  unknown: InstructionOutcome<I>[];
  /** The outcomes never sent. */
  notAttempted: InstructionOutcome<I>[];
}

/** The outcome of one GET. */
export interface GetResult {
  /** The contexts scheduled for removal, each with `expiresAt` as a Date. */
  items: ExpiringTarget[];
  /** The `X-Request-Id` response header, when present. */
  requestId: string | undefined;
  /** The response body as received. */
  raw: Schemas['ExpiringTargetGetResponse'];
}

/** Counts of nothing yet. */
export const ZERO_COUNTS: Readonly<OutcomeCounts> = {
  total: 0,
  applied: 0,
  failed: 0,
  unknown: 0,
  notAttempted: 0,
  reconciled: 0,
  resent: 0,
};

/** The counts of a list of outcomes. */
export function countOutcomes(outcomes: readonly InstructionOutcome<unknown>[]): OutcomeCounts {
  const counts: OutcomeCounts = { ...ZERO_COUNTS, total: outcomes.length };
  for (const o of outcomes) {
    counts[o.fate]++;
    if (o.decidedBy === 'read-back') counts.reconciled++;
    if (o.resent) counts.resent++;
  }
  return counts;
}

/** The one builder of a PatchResult: `ok` and `counts` always agree with `outcomes`. */
export function patchResult<I>(
  outcomes: InstructionOutcome<I>[],
  answer: Pick<PatchResult<I>, 'errors' | 'items' | 'requestId' | 'raw'>,
): PatchResult<I> {
  const counts = countOutcomes(outcomes);
  return { ok: counts.applied === counts.total, outcomes, counts, ...answer };
}

function toTarget(item: Schemas['ExpiringTarget'], status: number): ExpiringTarget {
  // One upstream example shows expirationDate as a numeric string; accept both forms.
  const raw: unknown = item.expirationDate;
  const ms = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InvalidResponseError(`LaunchDarkly returned an unreadable expirationDate: ${JSON.stringify(raw)?.slice(0, 100)}`, { status });
  }
  return { ...item, expirationDate: ms, expiresAt: new Date(ms) };
}

function itemsOf(body: unknown, status: number): ExpiringTarget[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new InvalidResponseError('LaunchDarkly returned a body without an items list', { status });
  return items.map((item) => toTarget(item as Schemas['ExpiringTarget'], status));
}

/** A GET's answer as a result. */
export function toGetResult(body: unknown, response: Response): GetResult {
  return {
    items: itemsOf(body, response.status),
    requestId: response.headers.get('x-request-id') ?? undefined,
    raw: body as Schemas['ExpiringTargetGetResponse'],
  };
}

/**
 * A reported `instructionIndex` as a number, NaN when it names none. Only a number (or a string of
 * digits) names one: `Number(null)`, `Number("")` and `Number(false)` are 0, which would pin an
 * error LaunchDarkly did not place on the first instruction.
 */
function indexOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** A PATCH's 200 answer as a result, each reported error mapped to the instruction it names. */
export function toPatchResult<I>(body: unknown, response: Response, instructions: readonly I[]): PatchResult<I> {
  const raw = body as Schemas['ExpiringTargetPatchResponse'];
  const items = itemsOf(raw, response.status);
  const reported = Array.isArray(raw?.errors) ? raw.errors : [];
  const errors: InstructionFailure<I>[] = reported.map((e) => {
    const reportedIndex = indexOf(e?.instructionIndex);
    const position = reportedIndex - INSTRUCTION_INDEX_BASE;
    const message = typeof e?.message === 'string' ? e.message : 'instruction failed';
    return Number.isInteger(position) && position >= 0 && position < instructions.length
      ? { mapped: true, instructionIndex: position, message, instruction: instructions[position] as I }
      : { mapped: false, instructionIndex: reportedIndex, message, instruction: undefined };
  });
  const failedAt = new Map<number, string>();
  for (const e of errors) if (e.mapped && !failedAt.has(e.instructionIndex)) failedAt.set(e.instructionIndex, e.message);
  // An error LaunchDarkly pinned on no instruction of ours leaves every unpinned one in doubt.
  const someUnmapped = errors.some((e) => !e.mapped);
  const outcomes: InstructionOutcome<I>[] = instructions.map((instruction, index) => {
    const message = failedAt.get(index);
    if (message !== undefined) return { index, instruction, fate: 'failed', message, status: response.status, decidedBy: 'response' };
    if (someUnmapped) {
      return {
        index,
        instruction,
        fate: 'unknown',
        message: 'LaunchDarkly reported an error for an instruction index outside this request',
      };
    }
    return { index, instruction, fate: 'applied', decidedBy: 'response' };
  });
  return patchResult(outcomes, { errors, items, requestId: response.headers.get('x-request-id') ?? undefined, raw });
}
