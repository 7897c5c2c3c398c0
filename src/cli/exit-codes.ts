/**
 * The CLI's exit codes, and which error maps to which.
 *
 *   0  every instruction applied (or: help, list, a dry run)
 *   1  LaunchDarkly answered, but some instructions failed or their fate is unknown
 *   2  usage or validation error: nothing was sent
 *   3  API, authentication or network error: a whole request was refused or LaunchDarkly was unreachable
 *   4  plan, sync: LaunchDarkly differs from the desired-state file and nothing was sent. Not 1:
 *      a crashing Node process exits 1 too, and "changes pending" must never be mistaken for it
 *   130 interrupted (Ctrl-C, SIGINT); what was not sent is in the retry file
 *   143 terminated (SIGTERM); the same
 */
import {
  ApiConnectionError,
  ConfigurationError,
  ExpiringTargetsError,
  InstructionValidationError,
  LaunchDarklyApiError,
  RequestAbortedError,
} from '../errors.js';

export const EXIT = {
  ok: 0,
  notAllApplied: 1,
  usage: 2,
  api: 3,
  changesPending: 4,
  interrupted: 130,
  terminated: 143,
} as const;

/** The exit code of a run a signal stopped, as a shell reports it (128 + the signal's number). */
export function exitCodeForInterrupt(reason: unknown): number {
  return reason === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

/** Bad arguments: the message says what is wrong; `help` is the command whose `--help` to suggest. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One problem in an input file, at a line. */
export interface RowIssue {
  line: number;
  message: string;
}

/** An input file has bad rows: nothing was sent. */
export class RowsError extends Error {
  override name = 'RowsError';
  /** The problems, first lines first; a file with very many bad rows keeps only the first ones. */
  readonly issues: readonly RowIssue[];
  /** Bad rows found beyond those in `issues`. */
  readonly unlisted: number;
  constructor(message: string, issues: readonly RowIssue[], unlisted = 0) {
    super(message);
    this.issues = issues;
    this.unlisted = unlisted;
  }
}

/** `--mock` cannot run here (Prism is not installed, or the bundled document is missing). */
export class MockUnavailableError extends UsageError {
  override name = 'MockUnavailableError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof RowsError) return EXIT.usage;
  if (error instanceof InstructionValidationError || error instanceof ConfigurationError) return EXIT.usage;
  if (error instanceof RequestAbortedError) return exitCodeForInterrupt(error.cause);
  if (error instanceof LaunchDarklyApiError || error instanceof ApiConnectionError) return EXIT.api;
  if (error instanceof ExpiringTargetsError) return EXIT.api;
  return EXIT.api;
}

/** A short kind for `--json` error output. */
export function errorType(error: unknown): string {
  if (error instanceof RowsError || error instanceof InstructionValidationError) return 'validation';
  if (error instanceof MockUnavailableError) return 'mock-unavailable';
  if (error instanceof UsageError || error instanceof ConfigurationError) return 'usage';
  if (error instanceof RequestAbortedError) return 'interrupted';
  if (error instanceof LaunchDarklyApiError) return 'api';
  if (error instanceof ApiConnectionError) return 'network';
  return 'internal';
}
