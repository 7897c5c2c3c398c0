import type { components } from '../generated/schema.js';
import { InvalidResponseError } from './errors.js';
import type { InstructionOutcome } from './outcomes.js';

type Schemas = components['schemas'];

/**
 * LaunchDarkly's documentation does not say whether `instructionIndex` counts from 0 or 1.
 * We read it as 0-based; this is the one place to change if that turns out wrong.
 */
export const INSTRUCTION_INDEX_BASE = 0;

/** An expiring target as LaunchDarkly returns it, with its time also as a Date. */
export type ExpiringTarget = Omit<Schemas['ExpiringTarget'], 'expirationDate'> & {
  /** Unix milliseconds, as on the wire (a numeric string from the server is converted). */
  expirationDate: number;
  /** `expirationDate` as a Date. */
  expiresAt: Date;
};

/** An instruction LaunchDarkly reported as failed, mapped back to what the caller passed. */
export type InstructionFailure<I> =
  | {
      mapped: true;
      /** Position in the caller's list (0-based). */
      instructionIndex: number;
      message: string;
      /** The very object the caller passed. */
      instruction: I;
    }
  | {
      /** LaunchDarkly named an index outside the request: reported, never pinned on the wrong instruction. */
      mapped: false;
      instructionIndex: number;
      message: string;
      instruction: undefined;
    };

/** The outcome of one PATCH. */
export interface PatchResult<I> {
  /** True when every instruction applied. */
  ok: boolean;
  /** The expiring targets LaunchDarkly returned. */
  items: ExpiringTarget[];
  /** Failed instructions, mapped to the caller's objects. */
  errors: InstructionFailure<I>[];
  /** The fate of every instruction, in the order passed. */
  outcomes: InstructionOutcome<I>[];
  /**
   * `succeeded` applied, `failed` did not apply, `unknown` cannot be told (an error LaunchDarkly
   * pinned on no instruction of this request, or an ambiguous answer that reading back could not settle).
   */
  counts: { total: number; succeeded: number; failed: number; unknown: number };
  /** True when the fates were settled by reading the targets back after an ambiguous answer. */
  reconciled: boolean;
  /** The `X-Request-Id` response header, when present. */
  requestId: string | undefined;
  /** The response body as received (after reconciliation: the GET's body). */
  raw: Schemas['ExpiringTargetPatchResponse'];
}

/** The outcome of one GET. */
export interface GetResult {
  items: ExpiringTarget[];
  requestId: string | undefined;
  raw: Schemas['ExpiringTargetGetResponse'];
}

function toTarget(item: Schemas['ExpiringTarget'], status: number): ExpiringTarget {
  // One upstream example shows expirationDate as a numeric string; accept both forms.
  const raw: unknown = item.expirationDate;
  const ms = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InvalidResponseError(`LaunchDarkly returned an unreadable expirationDate: ${JSON.stringify(raw)}`, { status });
  }
  return { ...item, expirationDate: ms, expiresAt: new Date(ms) };
}

function itemsOf(body: unknown, status: number): ExpiringTarget[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new InvalidResponseError('LaunchDarkly returned a body without an items list', { status });
  return items.map((item) => toTarget(item as Schemas['ExpiringTarget'], status));
}

export function toGetResult(body: unknown, response: Response): GetResult {
  return {
    items: itemsOf(body, response.status),
    requestId: response.headers.get('x-request-id') ?? undefined,
    raw: body as Schemas['ExpiringTargetGetResponse'],
  };
}

export function toPatchResult<I>(body: unknown, response: Response, instructions: readonly I[]): PatchResult<I> {
  const raw = body as Schemas['ExpiringTargetPatchResponse'];
  const reported = Array.isArray(raw?.errors) ? raw.errors : [];
  const errors: InstructionFailure<I>[] = reported.map((e) => {
    const position = Number(e.instructionIndex) - INSTRUCTION_INDEX_BASE;
    const message = String(e.message ?? 'instruction failed');
    return Number.isInteger(position) && position >= 0 && position < instructions.length
      ? { mapped: true, instructionIndex: position, message, instruction: instructions[position] as I }
      : { mapped: false, instructionIndex: Number(e.instructionIndex), message, instruction: undefined };
  });
  const failedAt = new Map<number, string>();
  for (const e of errors) if (e.mapped && !failedAt.has(e.instructionIndex)) failedAt.set(e.instructionIndex, e.message);
  // An error LaunchDarkly pinned on no instruction of ours leaves every unpinned one in doubt.
  const someUnmapped = errors.some((e) => !e.mapped);
  const outcomes: InstructionOutcome<I>[] = instructions.map((instruction, index) => {
    const message = failedAt.get(index);
    if (message !== undefined) return { index, instruction, fate: 'failed', message, status: response.status, decidedBy: 'response' };
    if (someUnmapped) {
      return { index, instruction, fate: 'unknown', message: 'LaunchDarkly reported an error for an instruction index outside this request' };
    }
    return { index, instruction, fate: 'applied', decidedBy: 'response' };
  });
  return {
    ok: errors.length === 0,
    items: itemsOf(raw, response.status),
    errors,
    outcomes,
    counts: countsOf(outcomes),
    reconciled: false,
    requestId: response.headers.get('x-request-id') ?? undefined,
    raw,
  };
}

export function countsOf(outcomes: readonly InstructionOutcome<unknown>[]): PatchResult<unknown>['counts'] {
  let succeeded = 0;
  let failed = 0;
  let unknown = 0;
  for (const o of outcomes) {
    if (o.fate === 'applied') succeeded++;
    else if (o.fate === 'failed') failed++;
    else unknown++;
  }
  return { total: outcomes.length, succeeded, failed, unknown };
}
