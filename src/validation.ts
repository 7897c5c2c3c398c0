import type { components } from '../generated/schema.js';
import { InstructionValidationError, type ValidationIssue } from './errors.js';
import { describe, parseTime } from './time.js';

type Schemas = components['schemas'];
/** A semantic-patch instruction on a segment's expiring targets, exactly as sent. */
export type SegmentInstruction = Schemas['patchSegmentExpiringTargetInstruction'];
/** A semantic-patch instruction on a flag's expiring targets, exactly as sent. */
export type FlagInstruction = Schemas['patchFlagExpiringTargetInstruction'];
export type InstructionKind = SegmentInstruction['kind'];
export type SegmentTargetType = Schemas['SegmentTargetType'];

export type ResourceKind = 'segment' | 'flag';

export const INSTRUCTION_KINDS: readonly InstructionKind[] = ['addExpiringTarget', 'updateExpiringTarget', 'removeExpiringTarget'];
export const SEGMENT_TARGET_TYPES: readonly SegmentTargetType[] = ['included', 'excluded'];

const COMMON_FIELDS = ['kind', 'contextKey', 'contextKind'];
const RESOURCE_FIELD: Record<ResourceKind, 'targetType' | 'variationId'> = { segment: 'targetType', flag: 'variationId' };

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** Problems with one wire instruction; empty when it is valid. */
export function instructionIssues(resource: ResourceKind, value: unknown, index?: number): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string) => issues.push(index === undefined ? { field, message } : { index, field, message });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    add('instruction', `must be an object, got ${describe(value)}`);
    return issues;
  }
  const o = value as Record<string, unknown>;
  const kind = o.kind;
  if (!INSTRUCTION_KINDS.includes(kind as InstructionKind)) {
    add('kind', `must be one of ${INSTRUCTION_KINDS.join(', ')}, got ${describe(kind)}`);
  }
  for (const field of ['contextKey', 'contextKind']) {
    if (!isNonEmptyString(o[field])) add(field, `must be a non-empty string, got ${describe(o[field])}`);
  }
  const targetField = RESOURCE_FIELD[resource];
  if (resource === 'segment') {
    if (!SEGMENT_TARGET_TYPES.includes(o.targetType as SegmentTargetType)) {
      add('targetType', `must be "included" or "excluded", got ${describe(o.targetType)}`);
    }
  } else if (!isNonEmptyString(o.variationId)) {
    add('variationId', `must be a non-empty string, got ${describe(o.variationId)}`);
  }
  const allowed = new Set([...COMMON_FIELDS, targetField]);
  if (kind === 'addExpiringTarget' || kind === 'updateExpiringTarget') {
    allowed.add('value');
    if (typeof o.value !== 'number') add('value', `must be Unix milliseconds (a number), got ${describe(o.value)}`);
    else {
      const time = parseTime(o.value);
      if (!time.ok) add('value', time.reason);
    }
  }
  if (kind === 'updateExpiringTarget') {
    allowed.add('version');
    if (o.version !== undefined && !(Number.isSafeInteger(o.version) && (o.version as number) >= 0)) {
      add('version', `must be a non-negative integer, got ${describe(o.version)}`);
    }
  }
  for (const field of Object.keys(o)) {
    if (allowed.has(field)) continue;
    const why =
      field === 'value'
        ? kind === 'removeExpiringTarget'
          ? 'is not allowed on removeExpiringTarget'
          : 'is allowed only on addExpiringTarget and updateExpiringTarget'
        : field === 'version'
          ? 'is allowed only on updateExpiringTarget'
          : `is not a field of a ${resource} instruction`;
    add(field, why);
  }
  return issues;
}

/** Throws one error listing every bad instruction by index; an empty list is an error too. */
export function assertInstructions(resource: ResourceKind, instructions: unknown): void {
  if (!Array.isArray(instructions)) {
    throw new InstructionValidationError([{ field: 'instructions', message: `must be an array, got ${describe(instructions)}` }]);
  }
  if (instructions.length === 0) {
    throw new InstructionValidationError([{ field: 'instructions', message: 'must hold at least one instruction' }]);
  }
  const issues = instructions.flatMap((instruction, index) => instructionIssues(resource, instruction, index));
  if (issues.length > 0) {
    const bad = new Set(issues.map((i) => i.index)).size;
    throw new InstructionValidationError(issues, `${bad} of ${instructions.length} ${resource} instruction(s) are invalid; nothing was sent`);
  }
}

/** Keys become path segments: they must be non-empty, and "." or ".." would change the path. */
export function keyIssues(keys: Record<string, unknown>, names: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of names) {
    const v = keys?.[name];
    if (!isNonEmptyString(v)) issues.push({ field: name, message: `must be a non-empty string, got ${describe(v)}` });
    else if (v === '.' || v === '..') issues.push({ field: name, message: `cannot be "${v}"` });
  }
  return issues;
}
