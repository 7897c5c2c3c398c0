/**
 * The audit event of one request: built as the request is handled, bounded in size, every string
 * from the request redacted and made safe for a plain-text log line, and handed to `onAudit`
 * once, whose failures never change the answer.
 */
import type { FlagInstruction, SegmentInstruction } from '../core/resources.js';
import type { Redactor } from '../core/redact.js';
import type { AuditedInstruction, ProxyAuditEvent } from './types.js';

/** Instructions an event lists; past them it gives only the count. */
export const MAX_AUDITED_INSTRUCTIONS = 10;
/** Longest string an event carries from the request. */
export const MAX_AUDITED_STRING = 1000;

// C0 controls, DEL, C1 controls, and the bidirectional-text controls (ALM, LRM, RLM, the
// embeddings, overrides and isolates) that reorder how a log line reads.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_ANY = new RegExp(UNSAFE.source);
const visible = (c: string) => {
  const code = c.charCodeAt(0);
  // Stryker disable next-line EqualityOperator: U+00FF is not in UNSAFE, so `<` and `<=` escape the same characters.
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/** A string from the request as an event carries it: redacted, escaped, cut to {@link MAX_AUDITED_STRING}. */
export function auditedString(text: string, redact: Redactor): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: slicing a text no longer than twice the limit returns it whole.
  const redacted = redact(text.length > MAX_AUDITED_STRING * 2 ? text.slice(0, MAX_AUDITED_STRING * 2) : text);
  const safe = UNSAFE_ANY.test(redacted) ? redacted.replace(UNSAFE, visible) : redacted;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: as above, slicing a text no longer than the limit returns it whole.
  return safe.length > MAX_AUDITED_STRING ? safe.slice(0, MAX_AUDITED_STRING) : safe;
}

/** The first instructions' kinds and contexts, and the count. */
export function auditedInstructions(
  instructions: readonly (SegmentInstruction | FlagInstruction)[],
  redact: Redactor,
): { instructions: AuditedInstruction[]; instructionCount: number } {
  return {
    instructions: instructions.slice(0, MAX_AUDITED_INSTRUCTIONS).map((i) => ({
      kind: auditedString(i.kind, redact),
      contextKind: auditedString(i.contextKind, redact),
      contextKey: auditedString(i.contextKey, redact),
    })),
    instructionCount: instructions.length,
  };
}

/** Hands the event to the sink; a sink that throws or rejects does not change the answer. */
export function emit<Actor>(
  onAudit: ((event: ProxyAuditEvent<Actor>) => void | Promise<void>) | undefined,
  event: ProxyAuditEvent<Actor>,
): void {
  // Stryker disable next-line ConditionalExpression: calling an undefined sink throws inside the try below, which swallows it.
  if (onAudit === undefined) return;
  try {
    const pending = onAudit(event);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: calling `then` on a value that has none throws inside this try, which swallows it as the check would.
    if (pending !== undefined && typeof (pending as Promise<void>).then === 'function')
      (pending as Promise<void>).then(undefined, () => undefined);
  } catch {
    // An audit sink that fails must not change the answer the browser gets.
  }
}
