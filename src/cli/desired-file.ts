/** What `plan` and `sync` share: their common options, reading FILE, and planning against it. */
import { readFile } from 'node:fs/promises';
import { type DesiredState, DesiredStateError, type SyncPlan, parseDesiredState, planSync } from '../sync/index.js';
import type { ParsedArgs, Session } from './command.js';
import { type Connection, type ConnectionArgs, connectionOf } from './connection.js';
import { UsageError } from './errors.js';
import { EXIT, exitCodeForInterrupt } from './exit-codes.js';
import { positiveInteger } from './parser.js';
import { fileErrorsJson, printFileErrors } from './plan-report.js';

export interface FileArgs {
  file: string;
  connection: ConnectionArgs;
  json: boolean;
  prune: boolean;
  allowPast: boolean;
  readConcurrency: number | undefined;
}

/** The options both take, in help order (after sync's own first ones). */
export const FILE_OPTIONS = ['prune', 'allow-past', 'read-concurrency'] as const;

export function fileArgsOf({ values, positionals, env }: ParsedArgs): FileArgs {
  return {
    file: positionals[0] as string,
    connection: connectionOf(values, env),
    json: values.json === true,
    prune: values.prune === true,
    allowPast: values['allow-past'] === true,
    readConcurrency: positiveInteger('read-concurrency', typeof values['read-concurrency'] === 'string' ? values['read-concurrency'] : undefined),
  };
}

/** A session with the moment "past" is measured from, the same for reading the file and planning. */
export type FileSession = Session & { now: number };

async function readDesired(file: string, allowPast: boolean, now: number): Promise<DesiredState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`);
  }
  return parseDesiredState(text.replace(/^\uFEFF/, ''), { fileName: file, allowPast, now });
}

/** Reads and checks FILE; on errors prints every one (with line and column) and returns the exit code. */
export async function desiredOrExit(args: FileArgs, session: FileSession): Promise<DesiredState | number> {
  try {
    return await readDesired(args.file, args.allowPast, session.now);
  } catch (error) {
    if (!(error instanceof DesiredStateError)) throw error;
    if (args.json) session.out.json(fileErrorsJson(error, args.file, EXIT.usage));
    else printFileErrors(session.out, error, args.file);
    return EXIT.usage;
  }
}

/** 130 or 143 when a signal stopped the run, else undefined. */
export function interruptCode(signal: AbortSignal): number | undefined {
  return signal.aborted ? exitCodeForInterrupt(signal.reason) : undefined;
}

export function planCode(plan: SyncPlan, signal: AbortSignal): number {
  const interrupted = interruptCode(signal);
  if (interrupted !== undefined) return interrupted;
  if (!plan.ok) return EXIT.api;
  return plan.hasChanges ? EXIT.changesPending : EXIT.ok;
}

export function makePlan(connection: Connection, desired: DesiredState, args: FileArgs, session: FileSession): Promise<SyncPlan> {
  return planSync(connection.client, desired, {
    prune: args.prune,
    allowPast: args.allowPast,
    // The clock the file was checked against: an entry that passes then passes here.
    now: session.now,
    concurrency: args.readConcurrency,
    signal: session.signal,
  });
}

/** FILE's format, for `--help`. */
export const DESIRED_STATE_FORMAT = `FILE is YAML (schema: schemas/expiring-targets.schema.json in the package):
  projects:
    default:                          # project key
      environments:
        production:                   # environment key
          segments:
            beta-testers:             # segment key
              - contextKind: user
                contextKey: alice
                targetType: included  # or excluded
                expiresAt: 2030-12-31T00:00:00Z
          flags:
            new-checkout:             # flag key
              - { contextKind: user, contextKey: bob, variationId: <variation-id>, expiresAt: 2030-12-31T09:00:00+09:00 }
Times are ISO-8601 date-times with a zone. A context may appear once per segment or flag.`;
