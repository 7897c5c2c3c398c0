/**
 * Instructions: the public types of what is sent, and the helpers that build it. The helpers are
 * made from the generated rules, one per instruction kind of each resource (`addExpiringTarget`
 * becomes `add`): a kind added to the bundled document is a helper here without editing this
 * file. Every helper checks what it built with the rules `patch` applies (./validation.ts).
 */
import type { components } from '../../generated/schema.js';
import { InstructionValidationError, type ValidationIssue } from './errors.js';
import {
  type AnyInstruction,
  type FlagInstruction,
  RESOURCES,
  RESOURCE_KINDS,
  type ResourceKind,
  type SegmentInstruction,
} from './resources.js';
import { type TimeInput, parseTime, pastIssue } from './time.js';
import { byField, instructionIssues, instructionKinds, timeFieldOf } from './validation.js';

export type { AnyInstruction, FlagInstruction, ResourceKind, SegmentInstruction } from './resources.js';
export { parseTime } from './time.js';
export type { ParsedTime, TimeInput } from './time.js';

type Schemas = components['schemas'];

/** The kind of an instruction, such as `addExpiringTarget`. */
export type InstructionKind = AnyInstruction['kind'];
/** Which individual-target list of a segment holds a context. */
export type SegmentTargetType = Schemas['SegmentTargetType'];

/** Who an instruction is about. */
export type ContextRef = Pick<Schemas['SegmentRemoveExpiringTargetInstruction'], 'contextKind' | 'contextKey'>;
/** A context in one of a segment's individual-target lists. */
export type SegmentTargetRef = Omit<Schemas['SegmentRemoveExpiringTargetInstruction'], 'kind'>;
/** A context individually targeted by one variation of a flag. */
export type FlagTargetRef = Omit<Schemas['FlagRemoveExpiringTargetInstruction'], 'kind'>;
/** Optimistic locking for updates: if given, the update fails unless the target is still at this version. */
export type VersionInput = Pick<Schemas['SegmentUpdateExpiringTargetInstruction'], 'version'>;

/** When the context's targeting ends. */
export interface ExpiryInput {
  /** A Date, an ISO-8601 string with a zone (a bare date is UTC midnight), or Unix milliseconds. */
  expiresAt: TimeInput;
  /** Accept an expiry that is already past (LaunchDarkly then removes the context at once). Default false. */
  allowPast?: boolean | undefined;
}

/** A helper's input: the wire instruction without `kind`, with `expiresAt` instead of `value`. */
type HelperInput<W> = Omit<W, 'kind' | 'value'> & (W extends { value: unknown } ? ExpiryInput : unknown);

/** The helper name of an instruction kind: `addExpiringTarget` → `add`. */
type ActionOf<K extends string> = K extends `${infer A}ExpiringTarget` ? A : K;
/** One helper per instruction kind of a resource, each returning the wire instruction. */
export type InstructionHelpers<U extends { kind: string }> = { readonly [W in U as ActionOf<W['kind']>]: (input: HelperInput<W>) => W };

const SUFFIX = 'ExpiringTarget';
/** The helper name of an instruction kind at run time: `addExpiringTarget` → `add`. */
export function actionOf(kind: string): string {
  return kind.endsWith(SUFFIX) && kind.length > SUFFIX.length ? kind.slice(0, -SUFFIX.length) : kind;
}

/**
 * Builds the wire object from a helper's input (every field as given, `expiresAt` turned into the
 * kind's time field), then checks it with the rules `patch` applies, so helpers and hand-written
 * instructions can never disagree. A field the kind does not take is refused, not dropped: from
 * JavaScript (or a spread variable) a misspelt `verison` would otherwise silently lose the
 * optimistic lock. Issues name the caller's fields (`expiresAt`, not `value`).
 */
function build(resource: ResourceKind, kind: string, helper: string, input: unknown): Record<string, unknown> {
  const given = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const { expiresAt, allowPast, value, kind: givenKind, ...fields } = given;
  const timeField = timeFieldOf(resource, kind);
  // fromEntries defines each field, where assignment would not: a `__proto__` key must stay a
  // field (and be refused), not become a prototype.
  const wire: Record<string, unknown> = Object.fromEntries([['kind', kind], ...Object.entries(fields).filter(([, v]) => v !== undefined)]);
  const issues: ValidationIssue[] = [];
  const refuse = (field: string, message: string) => issues.push({ field, message });
  if (givenKind !== undefined) refuse('kind', `is set by ${helper}`);
  if (value !== undefined)
    refuse('value', timeField === undefined ? `is not taken by ${helper}` : 'is not taken by the helpers; pass expiresAt');
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

type AnyHelper = (input: Record<string, unknown>) => AnyInstruction;

function helpersOf(resource: ResourceKind): Readonly<Record<string, AnyHelper>> {
  const name = `${RESOURCES[resource].label}Instructions`;
  const helpers: Record<string, AnyHelper> = {};
  for (const kind of instructionKinds(resource)) {
    const action = actionOf(kind);
    helpers[action] = (input) => build(resource, kind, `${name}.${action}`, input) as AnyInstruction;
  }
  return Object.freeze(helpers);
}

const HELPERS = Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, helpersOf(kind)])) as Record<
  ResourceKind,
  Readonly<Record<string, AnyHelper>>
>;

/** The helpers of a resource by action name (`add`, `update`, `remove`, and any kind the document adds). */
export function instructionHelpers(resource: ResourceKind): Readonly<Record<string, AnyHelper>> {
  return HELPERS[resource];
}

// The casts below are sound: build() has just checked every field the wire type requires.
/**
 * Builds segment instructions, exactly as LaunchDarkly expects them on the wire: `add` schedules
 * when the context leaves the segment's `included` or `excluded` list, `update` moves a scheduled
 * removal to a new time, `remove` cancels it (the context stays in the list). Each helper throws
 * an {@link InstructionValidationError} naming every bad field; an expiry in the past is refused
 * unless `allowPast: true`.
 *
 * @example
 * ```ts
 * segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' });
 * // { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: 1924905600000 }
 * ```
 */
export const segmentInstructions = HELPERS.segment as unknown as InstructionHelpers<SegmentInstruction>;

/**
 * Builds flag instructions, exactly as LaunchDarkly expects them on the wire: `add` schedules
 * when the context stops being individually targeted by this variation, `update` moves a
 * scheduled removal to a new time, `remove` cancels it. Each helper throws an
 * {@link InstructionValidationError} naming every bad field; an expiry in the past is refused
 * unless `allowPast: true`.
 *
 * @example
 * ```ts
 * flagInstructions.add({ contextKind: 'user', contextKey: 'alice', variationId: 'e4f2…', expiresAt: new Date('2030-12-31T00:00:00Z') });
 * // { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'e4f2…', value: 1924905600000 }
 * ```
 */
export const flagInstructions = HELPERS.flag as unknown as InstructionHelpers<FlagInstruction>;
