/** The CLI's own errors; exit-codes.ts maps them (and the library's) to exit codes. */

/** Bad arguments or a bad input: the message says what is wrong, in the CLI's terms. */
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
