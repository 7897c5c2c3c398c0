/** How fates, runs and errors are shown: tables for people, plain objects for `--json`. */
import type { BulkResult, InstructionOutcome } from '../results.js';
import {
  ApiConnectionError,
  AuthenticationError,
  InstructionValidationError,
  LaunchDarklyApiError,
  NotFoundError,
  PermissionDeniedError,
  RequestAbortedError,
} from '../errors.js';
import type { Where } from './args.js';
import { type AnyInstruction, type Change, targetField } from './changes.js';
import { EXIT, MockUnavailableError, RowsError, UsageError, errorType, exitCodeFor } from './exit-codes.js';
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
  return [change.action, `${change.contextKind}:${change.contextKey}`, change.target, change.expiresAt === undefined ? '-' : iso(change.expiresAt)];
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

/**
 * 0 when everything applied; 3 when a whole request was refused or LaunchDarkly could not be
 * reached (the run stopped on a 401/403/404, or a batch failed with an HTTP or network error);
 * 1 when LaunchDarkly answered but rejected some instructions, or left their fate unknown.
 */
export function exitCodeForRun(result: BulkResult<AnyInstruction>): number {
  if (result.ok) return EXIT.ok;
  if (result.stoppedBy instanceof RequestAbortedError) return EXIT.interrupted;
  if (result.stoppedBy) return EXIT.api;
  const requestLevel = result.outcomes.some(
    (o) => o.fate !== 'applied' && (o.error instanceof LaunchDarklyApiError || o.error instanceof ApiConnectionError),
  );
  return requestLevel ? EXIT.api : EXIT.notAllApplied;
}

function hintFor(error: unknown): string | undefined {
  if (error instanceof AuthenticationError) return 'check the access token (LD_API_KEY or --token)';
  if (error instanceof PermissionDeniedError) return "the token is valid but its role may not change this resource's targets";
  if (error instanceof NotFoundError) return 'check --project, --env and the segment or flag key (and --instance)';
  if (error instanceof ApiConnectionError) return 'check the network, --base-url or --instance';
  return undefined;
}

/** Prints an error the way the output mode asks, and returns its exit code. */
export function reportError(out: Output, error: unknown, json: boolean, helpHint: string | undefined): number {
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
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
      },
    });
    return code;
  }
  if (error instanceof RowsError) {
    out.err(`error: ${message}`);
    for (const i of error.issues) out.err(`  line ${i.line}: ${i.message}`);
  } else {
    out.err(`error: ${message}`);
  }
  const hint = hintFor(error);
  if (hint) out.err(`hint: ${hint}`);
  if (error instanceof UsageError && !(error instanceof MockUnavailableError) && helpHint !== undefined) {
    out.err(`Run '${[BIN, helpHint, '--help'].filter(Boolean).join(' ')}' for usage.`);
  }
  if (code === EXIT.api && !(error instanceof LaunchDarklyApiError || error instanceof ApiConnectionError || error instanceof RequestAbortedError)) {
    if (error instanceof Error && error.stack && process.env.LD_DEBUG) out.err(error.stack);
  }
  return code;
}
