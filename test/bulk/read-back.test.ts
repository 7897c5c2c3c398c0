// Deciding lost answers from the state read back: decideFromState's rule for each kind, the
// cases it must leave unknown, and settleByReadingBack around it (what it reads with, and what a
// failed read leaves).
import { describe, expect, it } from 'vitest';
import { decideFromState, settleByReadingBack, sharedTargets } from '../../src/core/read-back.js';
import type { CallOptions } from '../../src/core/options.js';
import type { ExpiringTarget, GetResult, InstructionOutcome } from '../../src/core/results.js';
import type { FlagInstruction, ResourceKind, SegmentInstruction } from '../../src/core/resources.js';
import { type TargetFields, targetIdentity } from '../../src/core/target-identity.js';

const T = Date.UTC(2031, 0, 1);

const seg = (kind: SegmentInstruction['kind'], contextKey: string, value?: number, targetType: 'included' | 'excluded' = 'included') =>
  (kind === 'removeExpiringTarget'
    ? { kind, contextKind: 'user', contextKey, targetType }
    : { kind, contextKind: 'user', contextKey, targetType, value: value ?? T }) as SegmentInstruction;

const target = (contextKey: string, expirationDate: number, extra: Record<string, unknown> = {}): ExpiringTarget =>
  ({
    _id: contextKey,
    _version: 1,
    contextKind: 'user',
    contextKey,
    targetType: 'included',
    expirationDate,
    expiresAt: new Date(expirationDate),
    _resourceId: {},
    ...extra,
  }) as ExpiringTarget;

/** An outcome whose answer was lost; `message: null` for one without a message. */
const lost = <I>(instruction: I, index = 0, message: string | null = 'PATCH failed with 502'): InstructionOutcome<I> => ({
  index,
  instruction,
  fate: 'unknown',
  ...(message !== null && { message }),
});

/** decideFromState as a run calls it: undecidable when another of `every` changes the same target. */
function decideAmong<I extends SegmentInstruction | FlagInstruction>(
  resource: ResourceKind,
  unknown: InstructionOutcome<I>[],
  targets: ExpiringTarget[],
  every: I[],
) {
  const shared = sharedTargets(
    resource,
    unknown.map((o) => o.instruction),
    every,
  );
  return decideFromState(resource, unknown, targets, (o) => shared.has(targetIdentity(resource, o.instruction as TargetFields)));
}

function decide(instructions: SegmentInstruction[], targets: ExpiringTarget[], every: SegmentInstruction[] = instructions) {
  return decideAmong(
    'segment',
    instructions.map((i, n) => lost(i, n)),
    targets,
    every,
  );
}

describe('decideFromState', () => {
  it('an add or update applied when the target has exactly its time', () => {
    const [add, update] = decide(
      [seg('addExpiringTarget', 'a'), seg('updateExpiringTarget', 'b', T + 5)],
      [target('a', T), target('b', T + 5)],
    );
    expect(add).toEqual({
      index: 0,
      instruction: seg('addExpiringTarget', 'a'),
      fate: 'applied',
      decidedBy: 'read-back',
      message: 'decided by reading back after: PATCH failed with 502',
    });
    expect(update).toMatchObject({ fate: 'applied', decidedBy: 'read-back' });
  });

  it('an add or update not applied when the target is at another time, or absent', () => {
    const [other, absent] = decide([seg('addExpiringTarget', 'a'), seg('updateExpiringTarget', 'b')], [target('a', T + 1)]);
    expect(other).toMatchObject({
      fate: 'failed',
      decidedBy: 'read-back',
      message: `decided by reading back: not applied (expiring target is at ${new Date(T + 1).toISOString()}) after: PATCH failed with 502`,
    });
    expect(absent).toMatchObject({
      fate: 'failed',
      decidedBy: 'read-back',
      message: 'decided by reading back: not applied (no expiring target for this context) after: PATCH failed with 502',
    });
  });

  it('a remove applied when no target is left, not applied when one is', () => {
    const [gone, still] = decide([seg('removeExpiringTarget', 'a'), seg('removeExpiringTarget', 'b')], [target('b', T)]);
    expect(gone).toMatchObject({ fate: 'applied', decidedBy: 'read-back' });
    expect(still).toMatchObject({
      fate: 'failed',
      decidedBy: 'read-back',
      message: expect.stringContaining(`expiring target is at ${new Date(T).toISOString()}`),
    });
  });

  it('a target is its context and its list: the same key in the other list is another target', () => {
    const [add] = decide([seg('addExpiringTarget', 'a', T, 'excluded')], [target('a', T, { targetType: 'included' })]);
    expect(add).toMatchObject({ fate: 'failed' });
    const [remove] = decide([seg('removeExpiringTarget', 'a', undefined, 'excluded')], [target('a', T, { targetType: 'included' })]);
    expect(remove).toMatchObject({ fate: 'applied' });
    const [otherKind] = decide([seg('addExpiringTarget', 'a')], [target('a', T, { contextKind: 'org' })]);
    expect(otherKind).toMatchObject({ fate: 'failed' });
  });

  it('for flags, the list is the variation', () => {
    const flag = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', variationId: 'v1', value: T } as FlagInstruction;
    const onV1 = target('a', T, { variationId: 'v1', targetType: undefined });
    const onV2 = target('a', T, { variationId: 'v2', targetType: undefined });
    expect(decideAmong('flag', [lost(flag)], [onV1], [flag])[0]).toMatchObject({ fate: 'applied' });
    expect(decideAmong('flag', [lost(flag)], [onV2], [flag])[0]).toMatchObject({ fate: 'failed' });
  });

  it('stays unknown when another instruction of the run changes the same target', () => {
    const add = seg('addExpiringTarget', 'same');
    const update = seg('updateExpiringTarget', 'same', T + 9);
    const elsewhere = seg('addExpiringTarget', 'other');
    // Only the add was lost; the update (answered) still makes the state ambiguous for it.
    const [decided] = decideAmong('segment', [lost(add)], [target('same', T)], [add, update, elsewhere]);
    expect(decided).toEqual({
      ...lost(add),
      message: 'PATCH failed with 502; reading back cannot decide: another instruction in this run changes the same target',
    });
    // One instruction per target: decidable.
    expect(decideAmong('segment', [lost(add)], [target('same', T)], [add, elsewhere])[0]).toMatchObject({ fate: 'applied' });
  });

  it('stays unknown for an add or update without a numeric time', () => {
    const odd = {
      kind: 'addExpiringTarget',
      contextKind: 'user',
      contextKey: 'a',
      targetType: 'included',
      value: String(T),
    } as unknown as SegmentInstruction;
    expect(decide([odd], [target('a', T)])[0]).toEqual({
      ...lost(odd),
      message: 'PATCH failed with 502; reading back cannot decide a addExpiringTarget',
    });
  });

  it('says "answer lost" when the outcome had no message', () => {
    const add = seg('addExpiringTarget', 'a');
    expect(decideAmong('segment', [lost(add, 0, null)], [target('a', T)], [add])[0]?.message).toBe(
      'decided by reading back after: answer lost',
    );
    expect(decideAmong('segment', [lost(add, 0, null)], [], [add])[0]?.message).toBe(
      'decided by reading back: not applied (no expiring target for this context) after: answer lost',
    );
  });

  it('keeps index, instruction and the other fields of each outcome', () => {
    const add = seg('addExpiringTarget', 'a');
    const outcome = { ...lost(add, 7), status: 502 };
    expect(decideAmong('segment', [outcome], [target('a', T)], [add])[0]).toMatchObject({ index: 7, instruction: add, status: 502 });
  });
});

describe('targetIdentity', () => {
  it('is the context and the list, per resource', () => {
    expect(targetIdentity('segment', { contextKind: 'user', contextKey: 'a', targetType: 'included', variationId: 'v' })).toBe(
      '["user","a","included"]',
    );
    expect(targetIdentity('flag', { contextKind: 'user', contextKey: 'a', targetType: 'included', variationId: 'v' })).toBe(
      '["user","a","v"]',
    );
  });
});

describe('settleByReadingBack', () => {
  const add = seg('addExpiringTarget', 'a');
  const remove = seg('removeExpiringTarget', 'b');
  const state: GetResult = { items: [target('a', T)], requestId: 'r-1', raw: { items: [] } };

  it('reads once, with the caller’s signal, timeout and retries but never retryUnsafe, and decides from what it read', async () => {
    const reads: CallOptions[] = [];
    const signal = new AbortController().signal;
    const { outcomes, state: read } = await settleByReadingBack(
      'segment',
      [lost(add, 0), lost(remove, 1)],
      [add, remove],
      async (options) => {
        reads.push(options);
        return state;
      },
      { signal, timeoutMs: 1234, maxRetries: 4, retryUnsafe: true },
    );
    expect(reads).toEqual([{ signal, timeoutMs: 1234, maxRetries: 4, retryUnsafe: undefined }]);
    expect(read).toBe(state);
    expect(outcomes.map((o) => [o.fate, o.decidedBy])).toEqual([
      ['applied', 'read-back'],
      ['applied', 'read-back'],
    ]);
  });

  it('without call options, reads with none', async () => {
    const reads: CallOptions[] = [];
    await settleByReadingBack(
      'segment',
      [lost(add)],
      [add],
      async (options) => {
        reads.push(options);
        return state;
      },
      undefined,
    );
    expect(reads).toEqual([{ signal: undefined, timeoutMs: undefined, maxRetries: undefined, retryUnsafe: undefined }]);
  });

  it('when the read fails, every outcome stays unknown and says why', async () => {
    const { outcomes, state: read } = await settleByReadingBack(
      'segment',
      [lost(add, 0), lost(remove, 1, null)],
      [add, remove],
      async () => {
        throw new Error('GET failed with 503');
      },
      {},
    );
    expect(read).toBeUndefined();
    expect(outcomes).toEqual([
      { ...lost(add, 0), message: 'PATCH failed with 502; reading back failed: GET failed with 503' },
      { index: 1, instruction: remove, fate: 'unknown', message: 'answer lost; reading back failed: GET failed with 503' },
    ]);
  });

  it('a read that throws something other than an Error is reported by its text', async () => {
    const { outcomes } = await settleByReadingBack('segment', [lost(add)], [add], () => Promise.reject('socket gone'), {});
    expect(outcomes[0]?.message).toBe('PATCH failed with 502; reading back failed: socket gone');
  });
});
