/**
 * Reading back: settles instructions whose answer was lost from the targets read afterwards (for
 * `patchAll`, and for `patch` with `reconcile: true`), each kind as READ_BACK_DECISION says.
 */
import type { ExpiringTargetsError } from './errors.js';
import { type ResourceCalls, callInfo } from './internal/resource-calls.js';
import { observed } from './internal/telemetry.js';
import { pickCallOptions } from './call-options.js';
import type { CallOptions } from './options.js';
import type { AnyInstruction, ResourceKind, ResourceRef } from './resources.js';
import { type ExpiringTarget, type GetResult, type InstructionOutcome, type PatchResult, patchResult } from './results.js';
import { targetIdentity } from './target-identity.js';
import { timeFieldOf } from './validation.js';

// Here, beside its one reader, rather than in the resource table: a page that sends one patch
// loads the table but reads nothing back.
/**
 * What only code can say about an instruction kind: how reading the targets back decides
 * whether it was applied. `absent`: applied when no target is left for its context; `at-time`:
 * applied when the target is there at exactly the instruction's time. A kind not listed is
 * decided as `at-time` when it carries a time, and not decided otherwise.
 */
export const READ_BACK_DECISION: Readonly<Record<string, 'absent' | 'at-time'>> = {
  addExpiringTarget: 'at-time',
  updateExpiringTarget: 'at-time',
  removeExpiringTarget: 'absent',
};

/**
 * The targets of `wanted` that more than one instruction of `instructions` changes: for those,
 * the state read back cannot say which instruction it reflects.
 */
export function sharedTargets<I extends AnyInstruction>(
  resource: ResourceKind,
  wanted: readonly I[],
  instructions: Iterable<I>,
): Set<string> {
  const keys = new Set(wanted.map((i) => targetIdentity(resource, i)));
  const uses = new Map<string, number>();
  for (const i of instructions) {
    const key = targetIdentity(resource, i);
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
    const key = targetIdentity(resource, outcome.instruction);
    const was = outcome.message ?? 'answer lost';
    if (undecidable(outcome, position)) {
      return { ...outcome, message: `${was}; reading back cannot decide: another instruction in this run changes the same target` };
    }
    const current = state.get(key);
    const instruction = outcome.instruction as { kind: string } & Record<string, unknown>;
    const timeField = timeFieldOf(resource, instruction.kind);
    const time = timeField === undefined ? undefined : instruction[timeField];
    const decision = READ_BACK_DECISION[instruction.kind] ?? (timeField === undefined ? undefined : 'at-time');
    if (decision === undefined || (decision === 'at-time' && typeof time !== 'number')) {
      return { ...outcome, message: `${was}; reading back cannot decide a ${instruction.kind}` };
    }
    const applied = decision === 'absent' ? current === undefined : current?.expirationDate === time;
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
  const unknown: InstructionOutcome<I>[] = instructions.map((instruction, index) => ({
    index,
    instruction,
    fate: 'unknown',
    message: cause.message,
    error: cause,
  }));
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

/**
 * `patch` with `reconcile: true` after its answer was lost: one observed call that reads the
 * resource back (loaded on demand, so one-off calls do not carry it).
 */
export function reconciledPatch<Ref extends ResourceRef, I extends AnyInstruction>(
  calls: ResourceCalls<Ref, I>,
  ref: Ref,
  instructions: readonly I[],
  cause: ExpiringTargetsError,
  options: CallOptions | undefined,
): Promise<PatchResult<I>> {
  const { logging, redact } = calls.options;
  return observed(
    logging,
    redact,
    callInfo(calls.resource, ref, 'reconcile', instructions.length),
    undefined,
    async (scope) => {
      const read = (c: CallOptions) => calls.read(ref, c, scope, 'read-back');
      const settled = await patchResultByReadingBack(calls.resource, instructions, cause, read, options);
      scope?.readBack(settled.counts);
      return settled;
    },
    (settled) => ({ counts: settled.counts }),
  );
}

/**
 * Reads the resource once and decides what it can of `unknown`; `undecidable` names the outcomes
 * another instruction of the run makes undecidable. When the read itself fails, each outcome
 * keeps its fate and says why it could not be settled. Returns the new outcomes, in the order
 * given, and the read, if it succeeded.
 */
export async function readAndDecide<I extends AnyInstruction>(
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
    return {
      outcomes: unknown.map((o) => ({ ...o, message: `${o.message ?? 'answer lost'}; reading back failed: ${why}` })),
      state: undefined,
    };
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
  const shared = sharedTargets(
    resource,
    unknown.map((o) => o.instruction),
    everyInstruction,
  );
  const key = (o: InstructionOutcome<I>) => targetIdentity(resource, o.instruction);
  return readAndDecide(resource, unknown, (o) => shared.has(key(o)), read, options);
}
