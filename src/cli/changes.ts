/**
 * A change is one row of intent (from the command line or a file) with the wire instruction the
 * library's helpers built for it, so the CLI validates exactly as the library does.
 */
import { InstructionValidationError, type ValidationIssue } from '../errors.js';
import { flagInstructions, segmentInstructions } from '../instructions.js';
import type { SegmentTargetType } from '../instructions.js';
import { type AnyInstruction, type ResourceKind, identityOf, targetField } from '../resources.js';

export type Resource = ResourceKind;
export type Action = 'add' | 'update' | 'remove';
export const ACTIONS: readonly Action[] = ['add', 'update', 'remove'];
export type { AnyInstruction };

export interface Change {
  /** Where the change came from in an input file (1-based), if it did. */
  line: number | undefined;
  action: Action;
  contextKind: string;
  contextKey: string;
  /** `targetType` for segments, `variationId` for flags. */
  target: string;
  /** Unix milliseconds; undefined for remove. */
  expiresAt: number | undefined;
  instruction: AnyInstruction;
}

export type ChangeInput = Omit<Change, 'instruction'>;

/** Which segment or flag, in which project and environment. */
export interface Where {
  resource: Resource;
  project: string;
  env: string;
  /** The segment or flag key. */
  key: string;
}

export { targetField };

/**
 * Builds the instruction with the library's helpers; throws their InstructionValidationError.
 * A time in the past is refused unless `allowPast` (`--allow-past`).
 */
export function buildChange(resource: Resource, input: ChangeInput, allowPast = false): Change {
  const { contextKind, contextKey, target, expiresAt } = input;
  let instruction: AnyInstruction;
  if (resource === 'segment') {
    const ref = { contextKind, contextKey, targetType: target as SegmentTargetType };
    instruction =
      input.action === 'remove'
        ? segmentInstructions.remove(ref)
        : segmentInstructions[input.action]({ ...ref, expiresAt: expiresAt as number, allowPast });
  } else {
    const ref = { contextKind, contextKey, variationId: target };
    instruction =
      input.action === 'remove' ? flagInstructions.remove(ref) : flagInstructions[input.action]({ ...ref, expiresAt: expiresAt as number, allowPast });
  }
  return { ...input, instruction };
}

/** `field message` for each issue, as one line. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.field} ${i.message}`).join('; ');
}

/** Builds a change, or says what is wrong with it, as text (one entry per field at fault). */
export function tryBuildChange(resource: Resource, input: ChangeInput, allowPast = false): { change: Change } | { problems: string[] } {
  try {
    return { change: buildChange(resource, input, allowPast) };
  } catch (error) {
    if (error instanceof InstructionValidationError) return { problems: error.issues.map((i) => `${i.field} ${i.message}`) };
    throw error;
  }
}

/** Identity of a target: one context in one list. Two changes to it in one run cannot be told apart. */
export function targetIdentity(resource: Resource, change: Pick<Change, 'contextKind' | 'contextKey' | 'target'>): string {
  return identityOf(change.contextKind, change.contextKey, change.target);
}
