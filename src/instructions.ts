/**
 * Instructions: their types, the helpers that build them, and the validation every instruction
 * passes before anything is sent. The rules (kinds, fields, required fields, enums, integer
 * bounds) are read from generated/instruction-rules.ts, which the pipeline derives from the
 * bundled OpenAPI document: a field or kind added there is known here without editing this file.
 */
import { RESOURCE_RULES } from '../generated/instruction-rules.js';
import type { components } from '../generated/schema.js';
import { InstructionValidationError, type ValidationIssue } from './errors.js';

type Schemas = components['schemas'];

/** A semantic-patch instruction on a segment's expiring targets, exactly as sent. */
export type SegmentInstruction = Schemas['patchSegmentExpiringTargetInstruction'];
/** A semantic-patch instruction on a flag's expiring targets, exactly as sent. */
export type FlagInstruction = Schemas['patchFlagExpiringTargetInstruction'];
/** The kind of an instruction, such as `addExpiringTarget`. */
export type InstructionKind = SegmentInstruction['kind'] | FlagInstruction['kind'];
/** Which individual-target list of a segment holds a context. */
export type SegmentTargetType = Schemas['SegmentTargetType'];
/** The two resources that have expiring targets. */
export type ResourceKind = keyof typeof RESOURCE_RULES;

/** Who an instruction is about. */
export type ContextRef = Pick<Schemas['SegmentRemoveExpiringTargetInstruction'], 'contextKind' | 'contextKey'>;
/** A context in one of a segment's individual-target lists. */
export type SegmentTargetRef = Omit<Schemas['SegmentRemoveExpiringTargetInstruction'], 'kind'>;
/** A context individually targeted by one variation of a flag. */
export type FlagTargetRef = Omit<Schemas['FlagRemoveExpiringTargetInstruction'], 'kind'>;
/** Optimistic locking for updates: if given, the update fails unless the target is still at this version. */
export type VersionInput = Pick<Schemas['SegmentUpdateExpiringTargetInstruction'], 'version'>;

/** What callers may pass as a time: a Date, an ISO-8601 string, or Unix milliseconds. */
export type TimeInput = Date | string | number;

/** When the context's targeting ends. */
export interface ExpiryInput {
  /** A Date, an ISO-8601 string with a zone (a bare date is UTC midnight), or Unix milliseconds. */
  expiresAt: TimeInput;
  /** Accept an expiry that is already past (LaunchDarkly then removes the context at once). Default false. */
  allowPast?: boolean | undefined;
}

/** A helper's input: the wire instruction without `kind`, with `expiresAt` instead of `value`. */
type HelperInput<W> = Omit<W, 'kind' | 'value'> & (W extends { value: unknown } ? ExpiryInput : unknown);

// ---- Times -----------------------------------------------------------------------------------

/** A parsed time, or why it could not be parsed. */
export type ParsedTime =
  | {
      /** The input is a time. */
      ok: true;
      /** Unix milliseconds. */
      ms: number;
    }
  | {
      /** The input is not a time. */
      ok: false;
      /** Why, for an error message: `must be an ISO-8601 date or date-time with a zone …`. */
      reason: string;
    };

// Date-time strings must carry a zone: "2026-12-31T00:00:00" means a different instant on every
// machine, which is how a cohort's access ends hours early. A bare date is read as UTC midnight.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2})))?$/i;
const MAX_MS = 8.64e15;

function checkMs(ms: number): ParsedTime {
  if (Number.isNaN(ms)) return { ok: false, reason: 'is NaN' };
  if (!Number.isFinite(ms)) return { ok: false, reason: 'must be finite' };
  if (!Number.isInteger(ms)) return { ok: false, reason: `must be whole milliseconds, got ${ms}` };
  if (ms < 0) return { ok: false, reason: `must not be before 1970-01-01, got ${ms}` };
  if (ms > MAX_MS) return { ok: false, reason: `is beyond the largest representable date, got ${ms}` };
  return { ok: true, ms };
}

/** Days in a month (1–12) of the proleptic Gregorian calendar, as Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Sync parses one time per entry of files with 100,000 entries: no Date objects or arrays here.
function parseIso(text: string): ParsedTime {
  const m = ISO_8601.exec(text);
  if (!m) {
    return { ok: false, reason: `must be an ISO-8601 date or date-time with a zone (such as 2030-12-31T00:00:00Z), got ${JSON.stringify(text)}` };
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMins = m[11] === undefined ? 0 : Number(m[11]);
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  const real = mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59 && offsetHours <= 23 && offsetMins <= 59;
  if (!real) return { ok: false, reason: `is not a real date: ${JSON.stringify(text)}` };
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear takes them as written.
  const day = y >= 100 ? Date.UTC(y, mo - 1, d) : new Date(0).setUTCFullYear(y, mo - 1, d);
  return checkMs(day + ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + fraction);
}

/**
 * Converts a time to Unix milliseconds, or says why it cannot. Accepts a valid Date, whole
 * non-negative milliseconds, and ISO-8601 with a zone (`Z`, `+05:30` or `+0530`; seconds and up
 * to nine fraction digits optional; a bare date is UTC midnight).
 */
export function parseTime(input: unknown): ParsedTime {
  if (input instanceof Date) {
    const ms = input.getTime();
    return Number.isNaN(ms) ? { ok: false, reason: 'is an invalid Date' } : checkMs(ms);
  }
  if (typeof input === 'number') return checkMs(input);
  if (typeof input === 'string') return parseIso(input.trim());
  return { ok: false, reason: `must be a Date, an ISO-8601 string or Unix milliseconds, got ${describe(input)}` };
}

/** A value as an error message shows it, without echoing large objects. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : typeof value;
}

function pastIssue(ms: number, now: number): string | undefined {
  return ms < now ? `is in the past (${new Date(ms).toISOString()}); pass allowPast: true to schedule it anyway` : undefined;
}

// ---- Rules, read from the generated module ------------------------------------------------------

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

const COMPILED: Record<ResourceKind, CompiledRules> = { segment: compileRules(RESOURCE_RULES.segment), flag: compileRules(RESOURCE_RULES.flag) };

/** The instruction kinds a resource accepts, as the bundled document lists them. */
export function instructionKinds(resource: ResourceKind): string[] {
  return [...COMPILED[resource].kinds.keys()];
}

/** The field that names the target list of a resource's instructions: `targetType` or `variationId`. */
export function targetField(resource: ResourceKind): 'targetType' | 'variationId' {
  return resource === 'segment' ? 'targetType' : 'variationId';
}

/** The fields that identify a target: a context, and the segment list or flag variation. */
export interface TargetFields {
  contextKind: string;
  contextKey: string;
  targetType?: string | undefined;
  variationId?: string | undefined;
}

/** Identity of a target: the context plus targetType (segments) or variationId (flags). */
export function targetIdentity(resource: ResourceKind, t: TargetFields): string {
  return JSON.stringify([t.contextKind, t.contextKey, t[targetField(resource)]]);
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
  const wrong = () => `must be ${expectation(rule)}, got ${describe(value)}`;
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
export function instructionIssues(resource: ResourceKind, value: unknown, index?: number, options: ValidationOptions = {}): ValidationIssue[] {
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
    add('instruction', `must be an object, got ${describe(value)}`);
    return issues;
  }
  const o = value as Record<string, unknown>;
  const known = compiled.kinds.get(o.kind as string);
  if (known === undefined) add('kind', `must be one of ${[...compiled.kinds.keys()].join(', ')}, got ${describe(o.kind)}`);
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

function byField(a: ValidationIssue, b: ValidationIssue): number {
  return a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
}

// Instructions the sync planner built and checked with these same rules (with allowPast: it
// checks the clock itself) carry this mark, naming the resource they were checked for. The mark
// is a private, non-enumerable symbol (a copy or a JSON round trip loses it) and the instruction
// is frozen as it is marked, so a marked instruction is still exactly what was checked:
// validation with allowPast skips it. A symbol rather than a WeakSet: 100,000 of them cost
// nothing to mark.
const CHECKED = Symbol('checked instruction');

/**
 * Freezes an instruction that has just passed {@link instructionIssues} for `resource` with
 * `allowPast: true`, and marks it as checked. Internal (not exported by the package): only code
 * that ran that check may call it.
 */
export function markChecked<T extends object>(resource: ResourceKind, instruction: T): T {
  Object.defineProperty(instruction, CHECKED, { value: resource });
  return Object.freeze(instruction);
}

function isChecked(resource: ResourceKind, instruction: unknown): boolean {
  return typeof instruction === 'object' && instruction !== null && Object.isFrozen(instruction) && Object.hasOwn(instruction, CHECKED) && (instruction as { [CHECKED]?: unknown })[CHECKED] === resource;
}

/** Problems with a list of instructions, each by index; an empty list is a problem too. */
function instructionListIssues(resource: ResourceKind, instructions: unknown, options: ValidationOptions): ValidationIssue[] {
  if (!Array.isArray(instructions)) return [{ field: 'instructions', message: `must be an array, got ${describe(instructions)}` }];
  if (instructions.length < Math.max(1, RESOURCE_RULES[resource].minInstructions)) {
    return [{ field: 'instructions', message: 'must hold at least one instruction' }];
  }
  const now = options.now ?? Date.now();
  const skipChecked = options.allowPast === true;
  const issues: ValidationIssue[] = [];
  // forEach, as flatMap did before: holes are skipped.
  instructions.forEach((instruction: unknown, index) => {
    if (skipChecked && isChecked(resource, instruction)) return;
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
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [{ field: 'body', message: `must be an object, got ${describe(body)}` }];
  const fields: Readonly<Record<string, FieldRule>> = RESOURCE_RULES[resource].patchBodyFields;
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
    const compiled = Object.values(fields).flatMap((rule) => (rule.pattern === undefined ? [] : [[rule.pattern, new RegExp(rule.pattern, 'u')] as const]));
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
    if (typeof v !== 'string' || v.trim() === '') issues.push({ field: name, message: `must be a non-empty string, got ${describe(v)}` });
    else if (v === '.' || v === '..') issues.push({ field: name, message: `cannot be "${v}"` });
  }
  return issues;
}

// ---- Helpers ----------------------------------------------------------------------------------

/**
 * Builds the wire object from a helper's input (every field as given, `expiresAt` turned into the
 * kind's time field), then checks it with the rules `patch` applies, so helpers and hand-written
 * instructions can never disagree. A field the kind does not take is refused, not dropped: from
 * JavaScript (or a spread variable) a misspelt `verison` would otherwise silently lose the
 * optimistic lock. Issues name the caller's fields (`expiresAt`, not `value`).
 */
function build(resource: ResourceKind, kind: InstructionKind, helper: string, input: unknown): Record<string, unknown> {
  const given = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const { expiresAt, allowPast, value, kind: givenKind, ...fields } = given;
  const timeField = COMPILED[resource].timeFields.get(kind);
  const wire: Record<string, unknown> = { kind };
  // defineProperty, not assignment: a `__proto__` key must stay a field (and be refused), not a prototype.
  for (const [field, v] of Object.entries(fields)) {
    if (v !== undefined) Object.defineProperty(wire, field, { value: v, enumerable: true, writable: true, configurable: true });
  }
  const issues: ValidationIssue[] = [];
  const refuse = (field: string, message: string) => issues.push({ field, message });
  if (givenKind !== undefined) refuse('kind', `is set by ${helper}`);
  if (value !== undefined) refuse('value', timeField === undefined ? `is not taken by ${helper}` : 'is not taken by the helpers; pass expiresAt');
  if (timeField === undefined) {
    if (expiresAt !== undefined) refuse('expiresAt', `is not taken by ${helper}`);
    if (allowPast !== undefined) refuse('allowPast', `is not taken by ${helper}`);
  } else {
    const time = parseTime(expiresAt);
    if (!time.ok) refuse('expiresAt', time.reason);
    else {
      wire[timeField] = time.ms;
      const past = allowPast === true ? undefined : pastIssue(time.ms, Date.now());
      if (past !== undefined) refuse('expiresAt', past);
    }
  }
  // A missing or bad time was reported above, as expiresAt.
  for (const issue of instructionIssues(resource, wire, undefined, { allowPast: true })) if (issue.field !== timeField) issues.push(issue);
  if (issues.length > 0) throw new InstructionValidationError(issues.sort(byField), `Invalid arguments to ${helper}`);
  return wire;
}

// The casts below are sound: build() has just checked every field the wire type requires.
/**
 * Builds segment instructions, exactly as LaunchDarkly expects them on the wire. Each helper
 * throws an {@link InstructionValidationError} naming every bad field; an expiry in the past is
 * refused unless `allowPast: true`.
 *
 * @example
 * ```ts
 * segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' });
 * // { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: 1924905600000 }
 * ```
 */
export const segmentInstructions = {
  /** Schedules when the context leaves the segment's `included` or `excluded` list. */
  add: (input: HelperInput<Schemas['SegmentAddExpiringTargetInstruction']>) =>
    build('segment', 'addExpiringTarget', 'segmentInstructions.add', input) as Schemas['SegmentAddExpiringTargetInstruction'],
  /** Moves an existing scheduled removal to a new time. */
  update: (input: HelperInput<Schemas['SegmentUpdateExpiringTargetInstruction']>) =>
    build('segment', 'updateExpiringTarget', 'segmentInstructions.update', input) as Schemas['SegmentUpdateExpiringTargetInstruction'],
  /** Cancels a scheduled removal; the context stays in the segment's list. */
  remove: (input: HelperInput<Schemas['SegmentRemoveExpiringTargetInstruction']>) =>
    build('segment', 'removeExpiringTarget', 'segmentInstructions.remove', input) as Schemas['SegmentRemoveExpiringTargetInstruction'],
} as const;

/**
 * Builds flag instructions, exactly as LaunchDarkly expects them on the wire. Each helper throws
 * an {@link InstructionValidationError} naming every bad field; an expiry in the past is refused
 * unless `allowPast: true`.
 *
 * @example
 * ```ts
 * flagInstructions.add({ contextKind: 'user', contextKey: 'alice', variationId: 'e4f2…', expiresAt: new Date('2030-12-31T00:00:00Z') });
 * // { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'e4f2…', value: 1924905600000 }
 * ```
 */
export const flagInstructions = {
  /** Schedules when the context stops being individually targeted by this variation. */
  add: (input: HelperInput<Schemas['FlagAddExpiringTargetInstruction']>) =>
    build('flag', 'addExpiringTarget', 'flagInstructions.add', input) as Schemas['FlagAddExpiringTargetInstruction'],
  /** Moves an existing scheduled removal to a new time. */
  update: (input: HelperInput<Schemas['FlagUpdateExpiringTargetInstruction']>) =>
    build('flag', 'updateExpiringTarget', 'flagInstructions.update', input) as Schemas['FlagUpdateExpiringTargetInstruction'],
  /** Cancels a scheduled removal; the context stays individually targeted. */
  remove: (input: HelperInput<Schemas['FlagRemoveExpiringTargetInstruction']>) =>
    build('flag', 'removeExpiringTarget', 'flagInstructions.remove', input) as Schemas['FlagRemoveExpiringTargetInstruction'],
} as const;
