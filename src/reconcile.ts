/**
 * Settles `unknown` fates by reading the resource's expiring targets back: the state says whether
 * an instruction whose answer was lost took effect.
 *
 *   add / update  applied if a target for that context (and targetType or variationId) exists
 *                 with exactly the instruction's expirationDate; otherwise not applied.
 *   remove        applied if no such target exists; otherwise not applied.
 *
 * When another instruction of the same run touches the same target, the state cannot say which
 * of them it reflects, so those stay `unknown`.
 */
import type { InstructionOutcome } from './outcomes.js';
import type { CallOptions } from './options.js';
import type { ExpiringTarget, GetResult } from './results.js';
import type { FlagInstruction, ResourceKind, SegmentInstruction } from './validation.js';

type AnyInstruction = SegmentInstruction | FlagInstruction;
interface TargetFields {
  contextKind: string;
  contextKey: string;
  targetType?: string | undefined;
  variationId?: string | undefined;
}

/** Identity of a target: the context plus targetType (segments) or variationId (flags). */
export function targetIdentity(resource: ResourceKind, t: TargetFields): string {
  return JSON.stringify([t.contextKind, t.contextKey, resource === 'segment' ? t.targetType : t.variationId]);
}

/** Decides each unknown outcome from `targets`, in place. Returns how many it settled. */
export function decideFromState<I extends AnyInstruction>(
  resource: ResourceKind,
  unknown: InstructionOutcome<I>[],
  targets: readonly ExpiringTarget[],
  everyInstruction: readonly I[],
): number {
  const uses = new Map<string, number>();
  for (const i of everyInstruction) {
    const key = targetIdentity(resource, i as TargetFields);
    uses.set(key, (uses.get(key) ?? 0) + 1);
  }
  const state = new Map<string, ExpiringTarget>();
  for (const t of targets) {
    state.set(targetIdentity(resource, t), t);
  }
  let settled = 0;
  for (const outcome of unknown) {
    const key = targetIdentity(resource, outcome.instruction as TargetFields);
    if ((uses.get(key) ?? 0) > 1) {
      outcome.message = `${outcome.message ?? 'answer lost'}; reading back cannot decide: another instruction in this run changes the same target`;
      continue;
    }
    const current = state.get(key);
    const { instruction } = outcome;
    const applied =
      instruction.kind === 'removeExpiringTarget' ? current === undefined : current?.expirationDate === instruction.value;
    const was = outcome.message ?? 'answer lost';
    outcome.decidedBy = 'read-back';
    settled++;
    if (applied) {
      outcome.fate = 'applied';
      outcome.message = `decided by reading back after: ${was}`;
    } else {
      outcome.fate = 'failed';
      outcome.message = `decided by reading back: not applied (${
        current === undefined ? 'no expiring target for this context' : `expiring target is at ${current.expiresAt.toISOString()}`
      }) after: ${was}`;
    }
  }
  return settled;
}

/**
 * Reads the resource once and settles what it can of `unknown`. When the read itself fails, each
 * outcome keeps its fate and says why it could not be settled. Returns the read, if it succeeded.
 */
export async function settleByReadingBack<I extends AnyInstruction>(
  resource: ResourceKind,
  unknown: InstructionOutcome<I>[],
  everyInstruction: readonly I[],
  read: (options: CallOptions) => Promise<GetResult>,
  options: CallOptions | undefined,
): Promise<{ settled: number; state: GetResult | undefined }> {
  try {
    const state = await read({ signal: options?.signal, timeoutMs: options?.timeoutMs, maxRetries: options?.maxRetries });
    return { settled: decideFromState(resource, unknown, state.items, everyInstruction), state };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    for (const o of unknown) o.message = `${o.message ?? 'answer lost'}; reading back failed: ${why}`;
    return { settled: 0, state: undefined };
  }
}
