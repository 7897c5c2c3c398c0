/**
 * A PATCH body, parsed and validated with the client's rules at a bounded cost: the instruction
 * count is checked before any instruction is, and only the first problems are kept (the rest are
 * counted), so a hostile body costs little before `authorize` is asked and its refusal stays small.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import type { ValidationIssue } from '../core/errors.js';
import type { FlagInstruction, ResourceKind, SegmentInstruction } from '../core/resources.js';
import { describeValue as describe } from '../core/time.js';
import { instructionIssues, patchBodyIssues } from '../core/validation.js';
import { MAX_LISTED_ISSUES, type Refusal } from './answers.js';

export interface PatchBody {
  instructions: readonly (SegmentInstruction | FlagInstruction)[];
  comment?: string;
}

const invalid = (message: string, issues?: readonly ValidationIssue[], moreIssues?: number): Refusal => ({
  status: 400,
  refusal: 'invalid-body',
  message,
  ...(issues !== undefined && { issues }),
  ...(moreIssues !== undefined && { moreIssues }),
});

/** Longest field name or message a listed problem carries (both may quote the request). */
const MAX_ISSUE_TEXT = 200;
const cut = (text: string) => (text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT)}…` : text);

export function parsePatchBody(
  resource: ResourceKind,
  text: string,
  options: { maxInstructions: number; allowPast: boolean },
): { ok: true; body: PatchBody } | { ok: false; refusal: Refusal } {
  // Before parsing: a valid body has one object per instruction and two containers around them,
  // so a text with more cannot be accepted, and is not turned into objects at all.
  if (containersIn(text) > options.maxInstructions + 2) {
    return {
      ok: false,
      refusal: invalid(`The body holds more than ${options.maxInstructions} instructions; at most ${options.maxInstructions} are accepted`),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, refusal: invalid('The body is not JSON') };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {
      ok: false,
      refusal: invalid('Invalid semantic patch, 1 problem; nothing was sent', [
        { field: 'body', message: `must be an object, got ${cut(describe(parsed))}` },
      ]),
    };
  }
  const instructions = (parsed as { instructions?: unknown }).instructions;
  // The count first: a long list is refused before any of it is validated.
  if (Array.isArray(instructions) && instructions.length > options.maxInstructions) {
    return {
      ok: false,
      refusal: invalid(`The body holds ${instructions.length} instructions; at most ${options.maxInstructions} are accepted`),
    };
  }
  const kept: ValidationIssue[] = [];
  let more = 0;
  const collect = (issue: ValidationIssue) => {
    if (kept.length < MAX_LISTED_ISSUES) kept.push({ ...issue, field: cut(issue.field), message: cut(issue.message) });
    else more++;
  };
  // The body's other fields, by the client's rules (its list check is the one done below).
  for (const issue of patchBodyIssues(resource, { ...parsed, instructions: undefined })) if (issue.field !== 'instructions') collect(issue);
  if (!Array.isArray(instructions)) {
    collect({ field: 'instructions', message: `must be an array, got ${describe(instructions)}` });
  } else if (instructions.length < Math.max(1, RESOURCE_RULES[resource].minInstructions)) {
    collect({ field: 'instructions', message: 'must hold at least one instruction' });
  } else {
    const validation = { allowPast: options.allowPast, now: Date.now() };
    for (let index = 0; index < instructions.length; index++) {
      for (const issue of instructionIssues(resource, instructions[index], index, validation)) collect(issue);
    }
  }
  if (kept.length > 0) {
    const count = kept.length + more;
    const message = `Invalid semantic patch, ${count} problem${count === 1 ? '' : 's'}${more > 0 ? ` (the first ${kept.length} listed)` : ''}; nothing was sent`;
    return { ok: false, refusal: invalid(message, kept, more) };
  }
  return { ok: true, body: parsed as PatchBody };
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** How many objects and arrays a JSON text opens, outside its strings. */
function containersIn(text: string): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) count++;
  }
  return count;
}
