/**
 * The CLI's exit codes: one table. The mapping from errors and results, every `--help` and the
 * docs' table (`exitCodesMarkdown`) are all read from it, so they cannot disagree.
 */
import { ApiConnectionError } from '../core/connection-errors.js';
import { ConfigurationError, InstructionValidationError, LaunchDarklyApiError, RequestAbortedError } from '../core/errors.js';
import type { BulkSummary, InstructionOutcome } from '../core/results.js';
import { MockUnavailableError, RowsError, UsageError } from './errors.js';

export interface ExitCodeDoc {
  code: number;
  /** What the code means for every command that ends with it. */
  meaning: string;
  /** A sharper meaning for some commands, by command name. */
  per?: Readonly<Record<string, string>>;
}

/** Every exit code, by name. Commands list the names they may end with (`exits`). */
export const EXIT_CODES = {
  ok: {
    code: 0,
    meaning: 'success: every instruction applied (and: help, list, a dry run)',
    per: {
      plan: 'no changes: LaunchDarkly matches FILE',
      sync: 'LaunchDarkly matches FILE (nothing to do, or everything applied; with --mock, which keeps no state: every change accepted)',
    },
  },
  notAllApplied: {
    code: 1,
    meaning: 'LaunchDarkly answered, but some instructions failed or may not have applied',
    per: { sync: 'some changes did not apply (failed, or unknown after reading back): they are still pending' },
  },
  usage: {
    code: 2,
    meaning: 'usage or validation error: nothing was sent',
    per: {
      plan: 'usage error, or FILE has errors (each with its line and column); nothing was read',
      sync: 'usage error, FILE has errors, or no --yes outside a terminal; nothing was sent',
    },
  },
  api: {
    code: 3,
    meaning: 'API, authentication or network error',
    per: {
      plan: 'API, authentication or network error: some segment or flag could not be read',
      report: 'some segment or flag could not be read (named on stderr); every other removal is still reported',
      export: 'some segment or flag could not be read (named on stderr); no file is written',
    },
  },
  // Not 1: a crashing Node process exits 1 too, and "changes pending" must never be mistaken for it.
  changesPending: {
    code: 4,
    meaning: 'LaunchDarkly differs from the file and nothing was sent',
    per: { plan: 'changes pending (listed above)', sync: 'changes pending and nothing was sent (the confirmation was declined)' },
  },
  interrupted: {
    code: 130,
    meaning: 'interrupted by SIGINT (Ctrl-C)',
    per: {
      apply: 'interrupted by SIGINT (Ctrl-C); the retry and unknown files are still written',
      sync: 'interrupted by SIGINT (Ctrl-C), also while asking; what was not applied is still pending',
    },
  },
  terminated: {
    code: 143,
    meaning: 'terminated by SIGTERM (a service manager, kill, a CI timeout)',
    per: {
      apply: 'terminated by SIGTERM; the retry and unknown files are still written',
      sync: 'terminated by SIGTERM, also while asking; what was not applied is still pending',
    },
  },
} as const satisfies Record<string, ExitCodeDoc>;

export type ExitName = keyof typeof EXIT_CODES;

/** The codes as numbers, by name: `EXIT.usage` is 2. */
export const EXIT = Object.fromEntries(Object.entries(EXIT_CODES).map(([name, doc]) => [name, doc.code])) as {
  readonly [K in ExitName]: (typeof EXIT_CODES)[K]['code'];
};

const ALL = Object.keys(EXIT_CODES) as ExitName[];

const meaningFor = (name: ExitName, command: string | undefined): string => {
  const doc: ExitCodeDoc = EXIT_CODES[name];
  return (command !== undefined && doc.per?.[command]) || doc.meaning;
};

/** The "Exit codes:" section of a command's `--help` (or, without a command, of the overview). */
export function exitCodesHelp(names: readonly ExitName[] = ALL, command?: string): string {
  const lines = names.map((n) => `  ${EXIT_CODES[n].code}  ${meaningFor(n, command)}`);
  return `Exit codes:\n${lines.join('\n')}`;
}

/**
 * The table as Markdown, for the docs: one row per code, with the commands that may end with it
 * (`commands`: each command's name and its `exits`) and the sharper meanings some of them give it.
 */
export function exitCodesMarkdown(commands: readonly { name: string; exits: readonly ExitName[] }[] = []): string {
  const rows = ALL.map((n) => {
    const doc: ExitCodeDoc = EXIT_CODES[n];
    const users = commands.filter((c) => c.exits.includes(n)).map((c) => `\`${c.name}\``);
    const sharper = Object.entries(doc.per ?? {}).map(([c, m]) => `<br>\`${c}\`: ${m}`);
    const cell = (text: string) => text.replace(/\|/g, '\\|');
    return `| ${doc.code} | ${cell(doc.meaning)}${cell(sharper.join(''))} | ${users.join(', ') || 'all'} |`;
  });
  return ['| Code | Meaning | Commands |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The exit code of a run a signal stopped, as a shell reports it (128 + the signal's number). */
export function exitCodeForInterrupt(reason: unknown): number {
  return reason === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof RowsError) return EXIT.usage;
  if (error instanceof InstructionValidationError || error instanceof ConfigurationError) return EXIT.usage;
  if (error instanceof RequestAbortedError) return exitCodeForInterrupt(error.cause);
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

/** Whether an outcome that did not apply was a whole request's failure (an HTTP or network error). */
export function failedAsRequest(o: Pick<InstructionOutcome<unknown>, 'fate' | 'error'>): boolean {
  return o.fate !== 'applied' && (o.error instanceof LaunchDarklyApiError || o.error instanceof ApiConnectionError);
}

/**
 * 0 when everything applied; 3 when a whole request was refused or LaunchDarkly could not be
 * reached (the run stopped on a 401/403/404, or a batch failed with an HTTP or network error:
 * `requestFailed`, which a result with its outcomes tells by itself); 1 when LaunchDarkly answered
 * but rejected some instructions, or left their fate unknown; 130 or 143 when a signal stopped it.
 */
export function exitCodeForRun(
  result: BulkSummary & { outcomes?: readonly InstructionOutcome<unknown>[] },
  requestFailed: boolean = result.outcomes?.some(failedAsRequest) ?? false,
): number {
  if (result.ok) return EXIT.ok;
  if (result.stoppedBy instanceof RequestAbortedError) return exitCodeForInterrupt(result.stoppedBy.cause);
  if (result.stoppedBy) return EXIT.api;
  return requestFailed ? EXIT.api : EXIT.notAllApplied;
}
