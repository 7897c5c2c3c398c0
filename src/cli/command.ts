/**
 * What a command is: its arguments, its help and its run, in one object. Each lives in
 * `commands/<name>.ts` and is listed once in `commands/index.ts`; the parser, the help and the
 * dispatcher read everything else from it.
 */
import type { Resource } from './changes.js';
import type { Input } from './confirm.js';
import type { ExitName } from './exit-codes.js';
import type { Output } from './output.js';

/** Options as the one parser reads them: a value, a flag or a repeated option's values, by name. */
export type Values = Record<string, string | boolean | string[] | undefined>;

/** What `parse` gets: the options read by the one parser, and what the command acts on. */
export interface ParsedArgs {
  values: Values;
  positionals: readonly string[];
  /** `segment` or `flag` for a resource command (`segment add`); undefined for `plan`, `sync`. */
  resource: Resource | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** The moment relative times (`+30d`) count from. */
  now: number;
}

export interface Session {
  out: Output;
  /** Aborted by SIGINT or SIGTERM, with the signal's name as its reason. */
  signal: AbortSignal;
  /** Whether a progress bar may be drawn (stdout and stderr are terminals). */
  interactive: boolean;
  /**
   * Where a confirmation is read from: undefined unless stdin and stderr are terminals. A
   * function, so that only a command that asks opens stdin.
   */
  input(): Input | undefined;
}

export interface CommandSpec<A> {
  /** The word that names it: after the resource (`segment add`), or first (`plan`). */
  name: string;
  /**
   * `resource`: `<segment|flag> NAME [options]`; `file`: `NAME FILE [options]`; `project`:
   * `NAME --project KEY --env KEY [options]` (a whole project and environment).
   */
  scope: 'resource' | 'file' | 'project';
  /** One line for the overview's list of commands. */
  summary: string;
  /** The positional argument's placeholder (`FILE`); a command without one takes none. */
  operand?: string;
  /** The operand may be left out (`sync --plan PLAN` takes no FILE); `parse` then decides. */
  operandOptional?: boolean;
  /** The options it takes, in help order: names from options.ts. */
  options(resource: Resource | undefined): readonly string[];
  /** The help between the usage line and the options: what it does. */
  describe(resource: Resource | undefined): string;
  /** Help after the options (a file's format), if any. */
  details?(resource: Resource | undefined): string;
  /** The exit codes it may end with, in help order; their meanings come from exit-codes.ts. */
  exits: readonly ExitName[];
  /** Turns the parsed options into the command's arguments; throws UsageError (exit 2). */
  parse(args: ParsedArgs): A;
  /** Runs it and returns its exit code; errors it throws are reported by `run`. */
  run(args: A, session: Session): Promise<number>;
}

/** Declares a command; the type parameter ties its `parse` to its `run`. */
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec<A> {
  return spec;
}

/** A command of any arguments, as the registry holds it. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds commands of different argument types; defineCommand checks each.
export type AnyCommand = CommandSpec<any>;
