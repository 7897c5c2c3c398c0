/** How fates, runs and errors are shown: tables for people, plain objects for `--json`. */
import type { InstructionOutcome } from '../core/results.js';
import { ApiConnectionError } from '../core/connection-errors.js';
import {
  AuthenticationError,
  ConfigurationError,
  InstructionValidationError,
  LaunchDarklyApiError,
  NotFoundError,
  PermissionDeniedError,
  RequestAbortedError,
} from '../core/errors.js';
import { type AnyInstruction, type Change, type Where, targetField } from './changes.js';
import { MockUnavailableError, RowsError, UsageError } from './errors.js';
import { EXIT, errorType, exitCodeFor } from './exit-codes.js';
import { BIN } from './help.js';
import type { Output } from './output.js';
import { iso } from './times.js';

export function describeWhere(where: Where): string {
  return `${where.resource} ${where.key} (project ${where.project}, environment ${where.env})`;
}

export function whereJson(where: Where): Record<string, string> {
  return { resource: where.resource, project: where.project, environment: where.env, [where.resource]: where.key };
}

export function resultText(o: InstructionOutcome<AnyInstruction>): string {
  switch (o.fate) {
    case 'applied':
      return o.decidedBy === 'read-back' ? 'applied (confirmed by reading back)' : 'applied';
    case 'failed':
      return `failed: ${o.message ?? 'not applied'}`;
    case 'unknown':
      return `unknown, may have applied: ${o.message ?? 'answer lost'}`;
    case 'notAttempted':
      return o.message?.startsWith('not attempted') ? o.message : `not attempted${o.message ? `: ${o.message}` : ''}`;
  }
}

/** A change as table cells: operation, context, target, time. */
export function changeCells(change: Change): string[] {
  return [
    change.action,
    `${change.contextKind}:${change.contextKey}`,
    change.target,
    change.expiresAt === undefined ? '-' : iso(change.expiresAt),
  ];
}

/** A change as a JSON object with the file's column names. */
export function changeJson(change: Change, resource: Where['resource']): Record<string, unknown> {
  return {
    ...(change.line !== undefined && { line: change.line }),
    action: change.action,
    contextKind: change.contextKind,
    contextKey: change.contextKey,
    [targetField(resource)]: change.target,
    expiresAt: change.expiresAt === undefined ? null : iso(change.expiresAt),
  };
}

/** The name of the variable that makes the CLI print stack traces of unexpected errors. */
export const DEBUG_VARIABLE = 'LD_EXPIRING_TARGETS_DEBUG';

function hintFor(error: unknown): string | undefined {
  if (error instanceof AuthenticationError) return 'check the access token (LD_API_KEY or --token)';
  if (error instanceof PermissionDeniedError) return "the token is valid but its role may not change this resource's targets";
  if (error instanceof NotFoundError) return 'check --project, --env and the segment or flag key (and --instance)';
  if (error instanceof ApiConnectionError) return 'check the network, --base-url or --instance';
  if (error instanceof ConfigurationError && error.message.startsWith('baseUrl')) {
    return 'give --base-url as scheme://host[:port][/path], without user:password@, ?query or #fragment';
  }
  return undefined;
}

/** Bad rows listed on a terminal; `--json` lists every one the error kept. */
const ISSUES_SHOWN = 50;

/** Prints an error the way the output mode asks, and returns its exit code. */
export function reportError(out: Output, error: unknown, json: boolean, helpHint: string | undefined): number {
  const code = exitCodeFor(error);
  const signal = error instanceof RequestAbortedError && typeof error.cause === 'string' ? error.cause : undefined;
  const message = signal !== undefined ? `interrupted (${signal})` : error instanceof Error ? error.message : String(error);
  const issues =
    error instanceof RowsError
      ? error.issues.map((i) => ({ line: i.line, message: i.message }))
      : error instanceof InstructionValidationError
        ? error.issues.map((i) => ({ field: i.field, message: i.message }))
        : undefined;
  if (json) {
    out.json({
      ok: false,
      exitCode: code,
      error: {
        type: errorType(error),
        message: error instanceof InstructionValidationError ? message.split('\n')[0] : message,
        ...(error instanceof LaunchDarklyApiError && { status: error.status, code: error.code, requestId: error.requestId }),
        ...(issues && { issues }),
        ...(error instanceof RowsError && { issuesNotListed: error.unlisted }),
      },
    });
    return code;
  }
  if (error instanceof RowsError) {
    out.err(`error: ${message}`);
    const shown = error.issues.slice(0, ISSUES_SHOWN);
    for (const i of shown) out.err(`  line ${i.line}: ${i.message}`);
    const more = error.issues.length - shown.length + error.unlisted;
    if (more > 0) out.err(`  … and ${more} more bad row(s) (--json lists the first ${error.issues.length})`);
  } else {
    out.err(`error: ${message}`);
  }
  const hint = hintFor(error);
  if (hint) out.err(`hint: ${hint}`);
  if (error instanceof UsageError && !(error instanceof MockUnavailableError) && helpHint !== undefined) {
    out.err(`Run '${[BIN, helpHint, '--help'].filter(Boolean).join(' ')}' for usage.`);
  }
  if (
    code === EXIT.api &&
    !(error instanceof LaunchDarklyApiError || error instanceof ApiConnectionError || error instanceof RequestAbortedError)
  ) {
    if (error instanceof Error && error.stack && process.env[DEBUG_VARIABLE]) out.err(error.stack);
  }
  return code;
}
