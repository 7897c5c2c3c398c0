/**
 * Validation: the rules every instruction passes before anything is sent, read from
 * generated/instruction-rules.ts (kinds, fields, required fields, enums, integer bounds), which
 * the pipeline derives from the bundled OpenAPI document: a field or kind added there is known
 * here without editing this file. Validation is one unconditional rule: every entry that sends
 * instructions checks them with it (the internal bulk entry takes only what it has checked).
 */
import { InstructionValidationError, type ValidationIssue } from './errors.js';
import { RESOURCES, RESOURCE_KINDS, type ResourceKind } from './resources.js';
import { checkMs, describeValue, pastIssue } from './time.js';

export interface FieldRule {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly schema?: string;
}
export interface KindRule {
  readonly required: readonly string[];
  readonly additionalProperties: boolean;
  readonly fields: Readonly<Record<string, FieldRule>>;
}

/** The schema that makes an integer field a point in time (checked as one, and refused when past). */
const TIME_SCHEMA = 'UnixMillis';

/** The rules of one resource, with what validation looks up per instruction computed once. */
export interface CompiledRules {
  kinds: ReadonlyMap<string, KindRule>;
  /** For an unknown kind: the fields every kind has, and which kinds have each of the others. */
  common: KindRule;
  kindsWithField: ReadonlyMap<string, readonly string[]>;
  patterns: ReadonlyMap<string, RegExp>;
  /** The field of each kind that holds its expiry time, if it has one. */
  timeFields: ReadonlyMap<string, string>;
}

/** The rules of one resource as the generated module states them. */
export interface ResourceRules {
  readonly kinds: Readonly<Record<string, KindRule>>;
}

/** Compiles one resource's rules for validation (exported so a test can feed other generated rules). */
export function compileRules(resourceRules: ResourceRules): CompiledRules {
  const kinds = new Map(Object.entries(resourceRules.kinds));
  const rules = [...kinds.values()];
  const kindsWithField = new Map<string, string[]>();
  const patterns = new Map<string, RegExp>();
  const timeFields = new Map<string, string>();
  for (const [kind, rule] of kinds) {
    for (const [field, fieldRule] of Object.entries(rule.fields)) {
      kindsWithField.set(field, [...(kindsWithField.get(field) ?? []), kind]);
      if (fieldRule.pattern !== undefined) patterns.set(fieldRule.pattern, new RegExp(fieldRule.pattern, 'u'));
      if (fieldRule.schema === TIME_SCHEMA) timeFields.set(kind, field);
    }
  }
  const inAll = [...kindsWithField].filter(([, owners]) => owners.length === kinds.size).map(([field]) => field);
  const fields: Record<string, FieldRule> = {};
  for (const field of inAll) fields[field] = field === 'kind' ? { type: 'string' } : (rules[0]?.fields[field] ?? {});
  const common: KindRule = {
    required: inAll.filter((field) => rules.every((r) => r.required.includes(field))),
    additionalProperties: false,
    fields,
  };
  return { kinds, common, kindsWithField, patterns, timeFields };
}

const COMPILED = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, compileRules(RESOURCES[kind].rules)])) as Record<
  ResourceKind,
  CompiledRules
>;

/** The instruction kinds a resource accepts, as the bundled document lists them. */
export function instructionKinds(resource: ResourceKind): string[] {
  return [...COMPILED[resource].kinds.keys()];
}

/** The field of an instruction kind that holds its expiry time (`value`), if it has one. */
export function timeFieldOf(resource: ResourceKind, kind: string): string | undefined {
  return COMPILED[resource].timeFields.get(kind);
}

/** What a field must be, in words, from its rule. */
function expectation(rule: FieldRule): string {
  if (rule.const !== undefined) return JSON.stringify(rule.const);
  if (rule.enum !== undefined) {
    const values = rule.enum.map((v) => JSON.stringify(v));
    return values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
  }
  if (rule.schema === TIME_SCHEMA) return 'Unix milliseconds (a whole number)';
  if (rule.type === 'integer' || rule.type === 'number') {
    const noun = rule.type === 'integer' ? 'integer' : 'number';
    if (rule.minimum === 0 && rule.maximum === undefined) return `a non-negative ${noun}`;
    const bounds = [
      rule.minimum !== undefined && `≥ ${rule.minimum}`,
      rule.exclusiveMinimum !== undefined && `> ${rule.exclusiveMinimum}`,
      rule.maximum !== undefined && `≤ ${rule.maximum}`,
      rule.exclusiveMaximum !== undefined && `< ${rule.exclusiveMaximum}`,
    ].filter(Boolean);
    return `${rule.type === 'integer' ? 'an integer' : 'a number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
  }
  if (rule.type === 'string') {
    // `\S` is how the schema says "not blank": for a reader, that is what non-empty means.
    const nonEmpty = rule.pattern === '\\S' || (rule.minLength ?? 0) > 0;
    const lengths = [
      (rule.minLength ?? 0) > 1 && `at least ${rule.minLength}`,
      rule.maxLength !== undefined && `at most ${rule.maxLength}`,
    ].filter(Boolean);
    const length = lengths.length > 0 ? ` of ${lengths.join(' and ')} characters` : '';
    const pattern = rule.pattern === undefined || rule.pattern === '\\S' ? '' : ` matching /${rule.pattern}/`;
    return `${nonEmpty ? 'a non-empty string' : 'a string'}${length}${pattern}`;
  }
  return rule.type === 'boolean' ? 'true or false' : `of type ${rule.type ?? 'any'}`;
}

/** Why `value` breaks `rule`, or undefined when it does not. */
function fieldProblem(value: unknown, rule: FieldRule, patterns: ReadonlyMap<string, RegExp>): string | undefined {
  const wrong = () => `must be ${expectation(rule)}, got ${describeValue(value)}`;
  if (rule.const !== undefined) return value === rule.const ? undefined : wrong();
  if (rule.enum !== undefined) return rule.enum.includes(value) ? undefined : wrong();
  switch (rule.type) {
    case 'string': {
      if (typeof value !== 'string') return wrong();
      if (rule.minLength !== undefined && value.length < rule.minLength) return wrong();
      if (rule.maxLength !== undefined && value.length > rule.maxLength) return wrong();
      const pattern = rule.pattern === undefined ? undefined : patterns.get(rule.pattern);
      return pattern && !pattern.test(value) ? wrong() : undefined;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrong();
      if (rule.type === 'integer' && !Number.isSafeInteger(value)) return wrong();
      if (rule.minimum !== undefined && value < rule.minimum) return wrong();
      if (rule.maximum !== undefined && value > rule.maximum) return wrong();
      if (rule.exclusiveMinimum !== undefined && value <= rule.exclusiveMinimum) return wrong();
      if (rule.exclusiveMaximum !== undefined && value >= rule.exclusiveMaximum) return wrong();
      if (rule.schema === TIME_SCHEMA) {
        const time = checkMs(value);
        return time.ok ? undefined : time.reason;
      }
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrong();
    default:
      return undefined;
  }
}

/** Options of validation. */
export interface ValidationOptions {
  /** Accept expiry times that are already past. Default false. */
  allowPast?: boolean | undefined;
  /** The time "past" is measured from. Default `Date.now()`. */
  now?: number | undefined;
}

/** Problems with one wire instruction (sorted by field name); empty when it is valid. */
export function instructionIssues(
  resource: ResourceKind,
  value: unknown,
  index?: number,
  options: ValidationOptions = {},
): ValidationIssue[] {
  return issuesAgainst(COMPILED[resource], resource, value, index, options);
}

/** Problems with one wire instruction under the given compiled rules. */
export function issuesAgainst(
  compiled: CompiledRules,
  resource: string,
  value: unknown,
  index?: number,
  options: ValidationOptions = {},
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string) => issues.push(index === undefined ? { field, message } : { index, field, message });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    add('instruction', `must be an object, got ${describeValue(value)}`);
    return issues;
  }
  const o = value as Record<string, unknown>;
  const known = compiled.kinds.get(o.kind as string);
  if (known === undefined) add('kind', `must be one of ${[...compiled.kinds.keys()].join(', ')}, got ${describeValue(o.kind)}`);
  const rule = known ?? compiled.common;
  for (const field of rule.required) {
    if (o[field] === undefined && field !== 'kind') add(field, `is required: ${expectation(rule.fields[field] ?? {})}`);
  }
  for (const [field, fieldValue] of Object.entries(o)) {
    if (fieldValue === undefined || (field === 'kind' && known === undefined)) continue;
    // Own properties only: "__proto__" or "constructor" must not find Object.prototype's.
    const fieldRule = Object.hasOwn(rule.fields, field) ? rule.fields[field] : undefined;
    if (fieldRule === undefined) {
      if (rule.additionalProperties) continue;
      const owners = compiled.kindsWithField.get(field);
      add(field, owners ? `is allowed only on ${owners.join(' and ')}` : `is not a field of a ${resource} instruction`);
      continue;
    }
    const problem = fieldProblem(fieldValue, fieldRule, compiled.patterns);
    if (problem !== undefined) add(field, problem);
    else if (fieldRule.schema === TIME_SCHEMA && options.allowPast !== true) {
      const past = pastIssue(fieldValue as number, options.now ?? Date.now());
      if (past !== undefined) add(field, past);
    }
  }
  return issues.sort(byField);
}

export function byField(a: ValidationIssue, b: ValidationIssue): number {
  return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
}

/** Problems with a list of instructions, each by index; an empty list is a problem too. */
function instructionListIssues(resource: ResourceKind, instructions: unknown, options: ValidationOptions): ValidationIssue[] {
  if (!Array.isArray(instructions)) return [{ field: 'instructions', message: `must be an array, got ${describeValue(instructions)}` }];
  if (instructions.length < Math.max(1, RESOURCES[resource].rules.minInstructions)) {
    return [{ field: 'instructions', message: 'must hold at least one instruction' }];
  }
  const now = options.now ?? Date.now();
  const issues: ValidationIssue[] = [];
  // forEach, as flatMap did before: holes are skipped.
  instructions.forEach((instruction: unknown, index) => {
    for (const issue of instructionIssues(resource, instruction, index, { ...options, now })) issues.push(issue);
  });
  return issues;
}

/** Throws one error listing every bad instruction by index; an empty list is an error too. */
export function assertInstructions(resource: ResourceKind, instructions: unknown, options: ValidationOptions = {}): void {
  const issues = instructionListIssues(resource, instructions, options);
  if (issues.length === 0) return;
  if (!Array.isArray(instructions) || issues.every((i) => i.index === undefined)) throw new InstructionValidationError(issues);
  const bad = new Set(issues.map((i) => i.index)).size;
  throw new InstructionValidationError(issues, `${bad} of ${instructions.length} ${resource} instruction(s) are invalid; nothing was sent`);
}

/**
 * Problems with a whole semantic-patch body as it arrives from elsewhere (a proxy's request):
 * an object whose `instructions` pass {@link assertInstructions}'s checks and whose other fields
 * (such as `comment`) are the ones the document lists, each of its type. Empty when valid.
 */
export function patchBodyIssues(resource: ResourceKind, body: unknown, options: ValidationOptions = {}): ValidationIssue[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return [{ field: 'body', message: `must be an object, got ${describeValue(body)}` }];
  const fields: Readonly<Record<string, FieldRule>> = RESOURCES[resource].rules.patchBodyFields;
  const issues: ValidationIssue[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (field === 'instructions' || value === undefined) continue;
    const rule = Object.hasOwn(fields, field) ? fields[field] : undefined;
    const problem = rule === undefined ? `is not a field of a ${resource} semantic patch` : fieldProblem(value, rule, bodyPatterns(fields));
    if (problem !== undefined) issues.push({ field, message: problem });
  }
  return [...issues, ...instructionListIssues(resource, (body as { instructions?: unknown }).instructions, options)];
}

// Compiled on first use: a page that only sends patches through the client never needs them.
const bodyPatternCache = new WeakMap<object, ReadonlyMap<string, RegExp>>();
function bodyPatterns(fields: Readonly<Record<string, FieldRule>>): ReadonlyMap<string, RegExp> {
  let patterns = bodyPatternCache.get(fields);
  if (patterns === undefined) {
    const compiled = Object.values(fields).flatMap((rule) =>
      rule.pattern === undefined ? [] : [[rule.pattern, new RegExp(rule.pattern, 'u')] as const],
    );
    bodyPatternCache.set(fields, (patterns = new Map(compiled)));
  }
  return patterns;
}

/** Keys become path segments: they must be non-empty, and "." or ".." would change the path. */
export function keyIssues(keys: unknown, names: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const record = keys !== null && typeof keys === 'object' ? (keys as Record<string, unknown>) : {};
  for (const name of names) {
    const v = record[name];
    if (typeof v !== 'string' || v.trim() === '')
      issues.push({ field: name, message: `must be a non-empty string, got ${describeValue(v)}` });
    else if (v === '.' || v === '..') issues.push({ field: name, message: `cannot be "${v}"` });
  }
  return issues;
}
