/**
 * A change is one row of intent (from the command line or a file) with the wire instruction the
 * library's helpers built for it, so the CLI validates exactly as the library does.
 */
import { InstructionValidationError, type ValidationIssue } from '../core/errors.js';
import { instructionHelpers } from '../core/instructions.js';
import { type AnyInstruction, type ResourceKind, targetField } from '../core/resources.js';
import { identityOf } from '../core/target-identity.js';

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
  // The resource table names the target field; the library's helpers for the resource build it.
  const ref = { contextKind, contextKey, [targetField(resource)]: target };
  const helper = instructionHelpers(resource)[input.action] as (input: Record<string, unknown>) => AnyInstruction;
  const instruction = input.action === 'remove' ? helper(ref) : helper({ ...ref, expiresAt: expiresAt as number, allowPast });
  return { ...input, instruction };
}

/** `field message` for each issue, as one line. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.field} ${i.message}`).join('; ');
}

/** A library message in the CLI's terms: its `--allow-past` flag, not the library's `allowPast` option. */
export function inCliTerms(message: string): string {
  return message.replace(/\ballowPast: true\b/g, '--allow-past').replace(/\ballowPast\b/g, '--allow-past');
}

/** Builds a change, or says what is wrong with it, as text (one entry per field at fault), in the CLI's terms. */
export function tryBuildChange(resource: Resource, input: ChangeInput, allowPast = false): { change: Change } | { problems: string[] } {
  try {
    return { change: buildChange(resource, input, allowPast) };
  } catch (error) {
    if (error instanceof InstructionValidationError) return { problems: error.issues.map((i) => `${i.field} ${inCliTerms(i.message)}`) };
    throw error;
  }
}

/** Identity of a target: one context in one list. Two changes to it in one run cannot be told apart. */
export function targetIdentity(resource: Resource, change: Pick<Change, 'contextKind' | 'contextKey' | 'target'>): string {
  return identityOf(change.contextKind, change.contextKey, change.target);
}
