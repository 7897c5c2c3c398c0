/**
 * The answers the proxy composes itself: small JSON bodies, never cached, never sniffed. A
 * refusal lists at most {@link MAX_LISTED_ISSUES} problems, so no answer of the proxy's own is
 * more than a few KiB whatever the request held.
 */
import type { ValidationIssue } from '../core/errors.js';
import type { PlainAnswer } from '../core/internal/adapted-request.js';
import type { ProxyRefusal } from './types.js';

/** Problems a refusal lists; past them it says how many more there were. */
export const MAX_LISTED_ISSUES = 20;

/** On every answer: a browser must never read one as HTML or script. */
export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): PlainAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...NOSNIFF, ...headers },
    body: JSON.stringify(body),
  };
}

/** Why the proxy refused a request on its own, as the answer and the audit event say it. */
export interface Refusal {
  status: number;
  refusal: ProxyRefusal;
  message: string;
  headers?: Record<string, string> | undefined;
  /** The first problems found (at most {@link MAX_LISTED_ISSUES}). */
  issues?: readonly ValidationIssue[] | undefined;
  /** Problems found past the listed ones. */
  moreIssues?: number | undefined;
}

export function refusalAnswer(refusal: Refusal, cors: Record<string, string>): PlainAnswer {
  const body = {
    code: refusal.refusal.replace(/-/g, '_'),
    message: refusal.message,
    // Stryker disable next-line ConditionalExpression: `issues: undefined` is left out by JSON.stringify, as the missing key is.
    ...(refusal.issues !== undefined && { issues: refusal.issues }),
    ...(refusal.moreIssues !== undefined && refusal.moreIssues > 0 && { moreIssues: refusal.moreIssues }),
  };
  return json(refusal.status, body, { ...cors, ...refusal.headers });
}

export const INTERNAL_ERROR = { code: 'internal_error', message: 'Internal error' } as const;

export function toResponse(answer: Response | PlainAnswer): Response {
  return answer instanceof Response ? answer : new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** A copy of `response` with `extra` headers set (a Response's own headers may be immutable). */
export function withHeaders(response: Response, extra: Record<string, string>): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.cause !== undefined ? ` (${errorMessage(error.cause)})` : ''}`;
  return String(error);
}
