/** What `plan` and `sync` share: their common options, reading FILE, and planning against it. */
import type { CompiledResource } from '../sync/compile-desired.js';
import { type DesiredState, DesiredStateError, type DesiredStateFile, type SyncPlan } from '../sync/index.js';
import { planCompiled } from '../sync/plan.js';
import { readCompiledFile } from '../sync/read-file.js';
import { selectCompiled } from '../sync/targets.js';
import type { ParsedArgs, Session } from './command.js';
import { type Connection, type ConnectionArgs, connectionOf } from './connection.js';
import { EXIT, exitCodeForInterrupt } from './exit-codes.js';
import { positiveInteger } from './parser.js';
import { fileErrorsJson, printFileErrors } from './plan-report.js';

export interface FileArgs {
  /** FILE; undefined only for `sync --plan`, whose plan names its files. */
  file: string | undefined;
  connection: ConnectionArgs;
  json: boolean;
  prune: boolean;
  allowPast: boolean;
  readConcurrency: number | undefined;
  /** `--target`: only these segments and flags (segment:PROJECT/ENVIRONMENT/KEY, flag:…). */
  targets: string[];
  maxFileBytes: number | undefined;
  maxResources: number | undefined;
}

/** The options both take, in help order (after sync's own first ones). */
export const FILE_OPTIONS = ['prune', 'allow-past', 'target', 'read-concurrency', 'max-file-bytes', 'max-resources'] as const;

export function fileArgsOf({ values, positionals, env }: ParsedArgs): FileArgs {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const target = values.target;
  return {
    file: positionals[0],
    connection: connectionOf(values, env),
    json: values.json === true,
    prune: values.prune === true,
    allowPast: values['allow-past'] === true,
    readConcurrency: positiveInteger('read-concurrency', text('read-concurrency')),
    targets: Array.isArray(target) ? target.map(String) : typeof target === 'string' ? [target] : [],
    maxFileBytes: positiveInteger('max-file-bytes', text('max-file-bytes')),
    maxResources: positiveInteger('max-resources', text('max-resources')),
  };
}

/** A session with the moment "past" is measured from, the same for reading the file and planning. */
export type FileSession = Session & { now: number };

/** A desired-state file as read, with the part `--target` selects, as checking compiled it. */
export interface ReadFile extends DesiredStateFile {
  file: string;
  selected: DesiredState;
  /** `selected` compiled: what planning compares (checked once, when read). */
  compiled: CompiledResource[];
}

/**
 * Reads and checks a desired-state file as data only (no links, FIFOs or devices; bounded size;
 * UTF-8); on errors prints every one (with line and column) and returns the exit code.
 */
export async function desiredOrExit(
  args: FileArgs,
  session: FileSession,
  file = args.file as string,
  targets = args.targets,
): Promise<ReadFile | number> {
  try {
    const options = {
      allowPast: args.allowPast,
      now: session.now,
      maxBytes: args.maxFileBytes,
      maxResources: args.maxResources,
      signal: session.signal,
    };
    const { desired, compiled, sha256, bytes } = await readCompiledFile(file, options, true);
    // One selection: the desired resources selected are those of the compiled ones kept.
    const kept = selectCompiled(compiled, targets);
    return { desired, sha256, bytes, file, selected: { resources: kept.map((c) => c.desired) }, compiled: kept };
  } catch (error) {
    if (!(error instanceof DesiredStateError)) throw error;
    if (args.json) session.out.json(fileErrorsJson(error, file, EXIT.usage));
    else printFileErrors(session.out, error, file);
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

/**
 * Plans the part of a file `--target` selects. Its entries were checked when the file was read,
 * with the same clock and options, so they are planned as compiled then (not checked again).
 */
export function makePlan(connection: Connection, read: ReadFile, args: FileArgs, session: FileSession): Promise<SyncPlan> {
  return planCompiled(connection.client, read.selected, read.compiled, {
    prune: args.prune,
    allowPast: args.allowPast,
    now: session.now,
    concurrency: args.readConcurrency,
    maxResources: args.maxResources,
    signal: session.signal,
  });
}

/** FILE's format, for `--help`. */
export const DESIRED_STATE_FORMAT = `FILE is YAML, or JSON when it is named *.json (schema: schemas/expiring-targets.schema.json in the package):
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
Times are ISO-8601 date-times with a zone. A context may appear once per segment or flag.
FILE must be a regular file (not a link, FIFO or device), UTF-8, at most --max-file-bytes
(default 32 MiB), naming at most --max-resources segments and flags (default 1000).`;
