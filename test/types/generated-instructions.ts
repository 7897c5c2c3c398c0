// Compile-time tests of the generated schema (run by `npm run typecheck`, part of `npm test`).
// Each @ts-expect-error fails the build if the line below it ever compiles.
import type { components } from '../../generated/schema.js';

type SegmentInstruction = components['schemas']['patchSegmentExpiringTargetInstruction'];
type FlagInstruction = components['schemas']['patchFlagExpiringTargetInstruction'];

export const segmentAdd: SegmentInstruction = {
  kind: 'addExpiringTarget',
  contextKind: 'user',
  contextKey: 'alice',
  targetType: 'included',
  value: 1_767_139_200_000,
};

export const segmentUpdate: SegmentInstruction = { ...segmentAdd, kind: 'updateExpiringTarget', version: 3 };

export const segmentRemove: SegmentInstruction = {
  kind: 'removeExpiringTarget',
  contextKind: 'user',
  contextKey: 'alice',
  targetType: 'excluded',
};

// @ts-expect-error an add instruction needs `value`
export const addWithoutValue: SegmentInstruction = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'included' };

export const removeWithValue: SegmentInstruction = {
  kind: 'removeExpiringTarget',
  contextKind: 'user',
  contextKey: 'a',
  targetType: 'included',
  // @ts-expect-error a remove instruction has no `value`
  value: 1,
};

export const addWithVersion: SegmentInstruction = {
  kind: 'addExpiringTarget',
  contextKind: 'user',
  contextKey: 'a',
  targetType: 'included',
  value: 1,
  // @ts-expect-error `version` belongs to update only
  version: 1,
};

export const wrongTargetType: SegmentInstruction = {
  kind: 'removeExpiringTarget',
  contextKind: 'user',
  contextKey: 'a',
  // @ts-expect-error targetType is included | excluded
  targetType: 'both',
};

// @ts-expect-error unknown instruction kind (the deprecated user-target kind)
export const deprecatedKind: FlagInstruction = { kind: 'addExpireUserTargetDate', contextKind: 'user', contextKey: 'a', variationId: 'v', value: 1 };

// @ts-expect-error a flag instruction needs `variationId`
export const flagWithoutVariation: FlagInstruction = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', value: 1 };

export const flagWithTargetType: FlagInstruction = {
  kind: 'removeExpiringTarget',
  contextKind: 'user',
  contextKey: 'a',
  variationId: 'v',
  // @ts-expect-error flags have no targetType
  targetType: 'included',
};

export const flagAdd: FlagInstruction = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', variationId: 'v', value: 1 };
