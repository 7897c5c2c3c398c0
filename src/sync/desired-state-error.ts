import { ExpiringTargetsError } from '../core/errors.js';
import type { DesiredStateIssue } from './desired-state.js';

/** How many issues an error message lists; `issues` always holds every one. */
const ISSUES_IN_MESSAGE = 20;

/**
 * A desired state (or its file) is invalid; nothing was read or sent.
 *
 * @example
 * ```ts
 * try {
 *   parseDesiredState(text, { fileName: 'expiring-targets.yaml' });
 * } catch (error) {
 *   if (error instanceof DesiredStateError) for (const i of error.issues) console.error(`line ${i.line}, column ${i.column}: ${i.message}`);
 * }
 * ```
 */
export class DesiredStateError extends ExpiringTargetsError {
  /** Always `'DesiredStateError'`, also after minification. */
  override name = 'DesiredStateError';
  /** Every problem found, in file order. */
  readonly issues: readonly DesiredStateIssue[];
  constructor(issues: readonly DesiredStateIssue[], source = 'the desired state') {
    const lines = issues
      .slice(0, ISSUES_IN_MESSAGE)
      .map((i) => `  - ${i.line === undefined ? '' : `line ${i.line}, column ${i.column}: `}${i.message}`);
    if (issues.length > ISSUES_IN_MESSAGE) lines.push(`  … and ${issues.length - ISSUES_IN_MESSAGE} more`);
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${source}; nothing was sent:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}
