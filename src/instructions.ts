import type { components } from '../generated/schema.js';
import { InstructionValidationError, type ValidationIssue } from './errors.js';
import { type TimeInput, parseTime } from './time.js';
import { type InstructionKind, type ResourceKind, type SegmentTargetType, instructionIssues } from './validation.js';

type Schemas = components['schemas'];

/** Who an instruction is about. */
export interface ContextRef {
  /** The context kind, such as `user` or `organization`. */
  contextKind: string;
  /** The context key. */
  contextKey: string;
}

/** A context in one of a segment's individual-target lists. */
export interface SegmentTargetRef extends ContextRef {
  /** Which of the segment's individual-target lists holds the context. */
  targetType: SegmentTargetType;
}

/** A context individually targeted by one variation of a flag. */
export interface FlagTargetRef extends ContextRef {
  /** The ID of the flag variation that individually targets the context. */
  variationId: string;
}

/** When the context's targeting ends. */
export interface ExpiryInput {
  /** A Date, an ISO-8601 string with a zone (a bare date is UTC midnight), or Unix milliseconds. */
  expiresAt: TimeInput;
}

/** Optimistic locking for updates. */
export interface VersionInput {
  /** If given, the update fails unless the expiring target is still at this version. */
  version?: number;
}

/**
 * Builds the wire object, then checks it with the same rules `patch` applies, so helpers and
 * hand-written instructions can never disagree. Issues name the caller's fields (`expiresAt`).
 */
function build(
  resource: ResourceKind,
  kind: InstructionKind,
  input: (ContextRef & Partial<ExpiryInput> & VersionInput & Record<string, unknown>) | undefined,
): Record<string, unknown> {
  const issues: ValidationIssue[] = [];
  const targetField = resource === 'segment' ? 'targetType' : 'variationId';
  const wire: Record<string, unknown> = {
    kind,
    contextKind: input?.contextKind,
    contextKey: input?.contextKey,
    [targetField]: input?.[targetField],
  };
  if (kind !== 'removeExpiringTarget') {
    const time = parseTime(input?.expiresAt);
    if (time.ok) wire.value = time.ms;
    else issues.push({ field: 'expiresAt', message: time.reason });
  }
  if (kind === 'updateExpiringTarget' && input?.version !== undefined) wire.version = input.version;
  issues.push(...instructionIssues(resource, wire).filter((i) => i.field !== 'value'));
  const verb = kind.replace('ExpiringTarget', '');
  // Fields the helper does not take are refused, not dropped: from JavaScript (or a spread
  // variable) a misspelt `verison` would otherwise silently lose the optimistic lock.
  const accepted = new Set(['contextKind', 'contextKey', targetField]);
  if (kind !== 'removeExpiringTarget') accepted.add('expiresAt');
  if (kind === 'updateExpiringTarget') accepted.add('version');
  for (const [field, v] of Object.entries(input ?? {})) {
    if (accepted.has(field) || v === undefined) continue;
    const why =
      field === 'version'
        ? 'is allowed only on update'
        : field === 'expiresAt'
          ? 'is not allowed on remove'
          : field === 'value'
            ? kind === 'removeExpiringTarget'
              ? 'is not allowed on remove'
              : 'is not taken by the helpers; pass expiresAt'
            : `is not a field of ${resource}Instructions.${verb}`;
    issues.push({ field, message: why });
  }
  if (issues.length > 0) {
    throw new InstructionValidationError(issues, `Invalid arguments to ${resource}Instructions.${verb}`);
  }
  return wire;
}

// The casts below are sound: build() has just checked every field the wire type requires.
/**
 * Builds segment instructions, exactly as LaunchDarkly expects them on the wire. Each helper
 * throws an {@link InstructionValidationError} naming every bad field.
 *
 * @example
 * ```ts
 * segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2026-12-31T00:00:00Z' });
 * // { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: 1798675200000 }
 * ```
 */
export const segmentInstructions = {
  /** Schedules when the context leaves the segment's `included` or `excluded` list. */
  add: (input: SegmentTargetRef & ExpiryInput) =>
    build('segment', 'addExpiringTarget', { ...input }) as Schemas['SegmentAddExpiringTargetInstruction'],
  /** Moves an existing scheduled removal to a new time. */
  update: (input: SegmentTargetRef & ExpiryInput & VersionInput) =>
    build('segment', 'updateExpiringTarget', { ...input }) as Schemas['SegmentUpdateExpiringTargetInstruction'],
  /** Cancels a scheduled removal; the context stays in the segment's list. */
  remove: (input: SegmentTargetRef) =>
    build('segment', 'removeExpiringTarget', { ...input }) as Schemas['SegmentRemoveExpiringTargetInstruction'],
} as const;

/**
 * Builds flag instructions, exactly as LaunchDarkly expects them on the wire. Each helper throws
 * an {@link InstructionValidationError} naming every bad field.
 *
 * @example
 * ```ts
 * flagInstructions.add({ contextKind: 'user', contextKey: 'alice', variationId: 'e4f2…', expiresAt: new Date('2026-12-31T00:00:00Z') });
 * // { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'e4f2…', value: 1798675200000 }
 * ```
 */
export const flagInstructions = {
  /** Schedules when the context stops being individually targeted by this variation. */
  add: (input: FlagTargetRef & ExpiryInput) =>
    build('flag', 'addExpiringTarget', { ...input }) as Schemas['FlagAddExpiringTargetInstruction'],
  /** Moves an existing scheduled removal to a new time. */
  update: (input: FlagTargetRef & ExpiryInput & VersionInput) =>
    build('flag', 'updateExpiringTarget', { ...input }) as Schemas['FlagUpdateExpiringTargetInstruction'],
  /** Cancels a scheduled removal; the context stays individually targeted. */
  remove: (input: FlagTargetRef) =>
    build('flag', 'removeExpiringTarget', { ...input }) as Schemas['FlagRemoveExpiringTargetInstruction'],
} as const;
