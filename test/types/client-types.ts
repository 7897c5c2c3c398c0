// Compile-time tests of the public API (run by `npm run typecheck`, part of `npm test`).
// Each @ts-expect-error fails the build if the line below it ever compiles. Nothing here runs.
import {
  type ExpiringTarget,
  type ExpiringTargetsClient,
  type FlagInstruction,
  type GetResult,
  type InstructionFailure,
  type PatchResult,
  type SegmentInstruction,
  flagInstructions,
  NotFoundError,
  PartialFailureError,
  segmentInstructions,
} from '../../src/index.js';

/** True only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

const segRef = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const flagRef = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };

// ---- helpers: what does not compile ----

// @ts-expect-error wrong field name: contextkey is not contextKey
export const wrongName = () => segmentInstructions.add({ contextKind: 'user', contextkey: 'a', targetType: 'included', expiresAt: 1 });

// @ts-expect-error targetType is 'included' | 'excluded'
export const wrongTargetType = () => segmentInstructions.remove({ contextKind: 'user', contextKey: 'a', targetType: 'both' });

// @ts-expect-error add needs expiresAt
export const addWithoutExpiry = () => segmentInstructions.add({ contextKind: 'user', contextKey: 'a', targetType: 'included' });

// @ts-expect-error flags have no targetType
export const flagWithTargetType = () => flagInstructions.add({ contextKind: 'user', contextKey: 'a', variationId: 'v', targetType: 'included', expiresAt: 1 });

// @ts-expect-error a flag instruction needs variationId
export const flagWithoutVariation = () => flagInstructions.remove({ contextKind: 'user', contextKey: 'a' });

// @ts-expect-error remove takes no expiresAt
export const removeWithExpiry = () => segmentInstructions.remove({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: 1 });

// @ts-expect-error version belongs to update only
export const addWithVersion = () => flagInstructions.add({ contextKind: 'user', contextKey: 'a', variationId: 'v', expiresAt: 1, version: 1 });

// @ts-expect-error version is a number
export const stringVersion = () => segmentInstructions.update({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: 1, version: '2' });

// @ts-expect-error expiresAt is a Date, a string or a number
export const booleanExpiry = () => segmentInstructions.add({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: true });

// ---- helpers: what compiles, and the types they give ----

export const segAdd = segmentInstructions.add({ contextKind: 'user', contextKey: 'a', targetType: 'included', expiresAt: new Date() });
export const segUpdate = segmentInstructions.update({ contextKind: 'user', contextKey: 'a', targetType: 'excluded', expiresAt: '2030-12-31', version: 2 });
export const segRemove = segmentInstructions.remove({ contextKind: 'user', contextKey: 'a', targetType: 'excluded' });
export const flagAdd = flagInstructions.add({ contextKind: 'user', contextKey: 'a', variationId: 'v', expiresAt: 1_924_905_600_000 });
export const flagRemove = flagInstructions.remove({ contextKind: 'user', contextKey: 'a', variationId: 'v' });

export const helperTypes = [
  assertType<Equal<(typeof segAdd)['kind'], 'addExpiringTarget'>>(),
  assertType<Equal<(typeof segUpdate)['kind'], 'updateExpiringTarget'>>(),
  assertType<Equal<(typeof segRemove)['kind'], 'removeExpiringTarget'>>(),
  assertType<Equal<(typeof segAdd)['value'], number>>(),
  assertType<Equal<(typeof flagAdd)['variationId'], string>>(),
];
// A helper's result is a SegmentInstruction / FlagInstruction.
export const asSegment: SegmentInstruction[] = [segAdd, segUpdate, segRemove];
export const asFlag: FlagInstruction[] = [flagAdd, flagRemove];
// @ts-expect-error a segment helper's result is not a flag instruction
export const segAsFlag: FlagInstruction = segAdd;
// @ts-expect-error a remove has no value to read
export const removeValue: number = segRemove.value;

// ---- the client ----

export async function clientTypes(ld: ExpiringTargetsClient): Promise<void> {
  // @ts-expect-error segments.patch takes segment instructions, not a flag instruction literal
  await ld.segments.patch(segRef, [{ kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', variationId: 'v', value: 1 }]);

  // @ts-expect-error flags.patch takes flag instructions, not a segment helper's result
  await ld.flags.patch(flagRef, [segAdd]);

  // @ts-expect-error flags.get takes a flagKey, not a segmentKey
  await ld.flags.get({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' });

  // @ts-expect-error segments.get needs a segmentKey
  await ld.segments.get({ projectKey: 'p', environmentKey: 'e' });

  // @ts-expect-error a hand-written instruction with a deprecated kind
  await ld.flags.patch(flagRef, [{ kind: 'addExpireUserTargetDate', contextKind: 'user', contextKey: 'a', variationId: 'v', value: 1 }]);

  // @ts-expect-error patch options are checked too
  await ld.segments.patch(segRef, [segAdd], { throwOnPartialFailure: 'yes' });

  // A hand-written segment instruction literal compiles.
  await ld.segments.patch(segRef, [{ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'included' }]);

  const r = await ld.segments.patch(segRef, [segAdd, segRemove], { comment: 'beta ends' });
  const failed = r.errors[0]?.instruction;
  const f = await ld.flags.patch(flagRef, [flagAdd]);
  const flagFailed = f.errors[0]?.instruction;
  const g = await ld.flags.get(flagRef);
  const first = g.items[0];

  void [
    assertType<Equal<typeof r, PatchResult<SegmentInstruction>>>(),
    assertType<Equal<typeof failed, SegmentInstruction | undefined>>(),
    assertType<Equal<typeof flagFailed, FlagInstruction | undefined>>(),
    assertType<Equal<(typeof r.errors)[number], InstructionFailure<SegmentInstruction>>>(),
    assertType<Equal<typeof r.ok, boolean>>(),
    assertType<Equal<typeof g, GetResult>>(),
    assertType<Equal<typeof first, ExpiringTarget | undefined>>(),
  ];
  const d: Date | undefined = first?.expiresAt;
  const ms: number | undefined = first?.expirationDate;

  // Narrowing on `mapped` gives the instruction for sure.
  const e = r.errors[0];
  if (e?.mapped) {
    const i: SegmentInstruction = e.instruction;
    void i;
  } else if (e) {
    const none: undefined = e.instruction;
    void none;
  }

  // @ts-expect-error an instruction of a segment result is not a flag instruction
  const wrong: FlagInstruction | undefined = failed;

  try {
    await ld.segments.get(segRef);
  } catch (error) {
    if (error instanceof NotFoundError) {
      const status: number = error.status;
      const code: string | undefined = error.code;
      void [status, code];
    }
    if (error instanceof PartialFailureError) {
      const result: unknown = error.result;
      void result;
    }
  }
  void [d, ms, wrong];
}
