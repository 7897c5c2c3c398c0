/** `plan FILE` and `sync FILE`: compare LaunchDarkly with a desired-state file, and make it match. */
import { readFile } from 'node:fs/promises';
import type { ExpiringTargetsError } from '../errors.js';
import { type DesiredState, DesiredStateError, type SyncPlan, type SyncResult, applyPlan, parseDesiredState, planSync } from '../sync/index.js';
import { type Session, retryNotice } from './commands.js';
import { type Input, confirm } from './confirm.js';
import { type Connection, withConnection } from './connection.js';
import { EXIT, UsageError } from './exit-codes.js';
import { type ProgressSink, progressBar, silentProgress } from './progress.js';
import type { SyncCommand } from './sync-args.js';
import { fileErrorsJson, planJson, printApplied, printFileErrors, printPlan, problemsJson } from './sync-report.js';

type Extract<K extends SyncCommand['kind']> = SyncCommand & { kind: K };

/** A session with the moment "past" is measured from, the same for reading the file and planning. */
type FileSession = Session & { now: number };

/** What sync needs to ask before applying: where answers come from, when there is a terminal. */
export interface Prompt {
  input: Input;
}

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
async function desiredOrExit(command: SyncCommand, session: FileSession): Promise<DesiredState | number> {
  try {
    return await readDesired(command.file, command.allowPast, session.now);
  } catch (error) {
    if (!(error instanceof DesiredStateError)) throw error;
    if (command.json) session.out.json(fileErrorsJson(error, command.file, EXIT.usage));
    else printFileErrors(session.out, error, command.file);
    return EXIT.usage;
  }
}

function stoppedCode(error: ExpiringTargetsError | undefined, signal: AbortSignal): number {
  if (signal.aborted) return EXIT.interrupted;
  return error === undefined ? EXIT.ok : EXIT.api;
}

function planCode(plan: SyncPlan, signal: AbortSignal): number {
  if (signal.aborted) return EXIT.interrupted;
  if (!plan.ok) return EXIT.api;
  return plan.hasChanges ? EXIT.changesPending : EXIT.ok;
}

function makePlan(connection: Connection, desired: DesiredState, command: SyncCommand, session: FileSession): Promise<SyncPlan> {
  return planSync(connection.client, desired, {
    prune: command.prune,
    allowPast: command.allowPast,
    // The clock the file was checked against: an entry that passes then passes here.
    now: session.now,
    concurrency: command.readConcurrency,
    signal: session.signal,
  });
}

export async function runPlan(command: Extract<'plan'>, cliSession: Session): Promise<number> {
  const session: FileSession = { ...cliSession, now: Date.now() };
  const { out } = session;
  const desired = await desiredOrExit(command, session);
  if (typeof desired === 'number') return desired;
  return withConnection(command.connection, retryNotice(session, command.json, () => silentProgress), async (connection) => {
    const plan = await makePlan(connection, desired, command, session);
    const code = planCode(plan, session.signal);
    if (command.json) {
      out.json({ ok: code === EXIT.ok, exitCode: code, file: command.file, plan: planJson(plan) });
      return code;
    }
    out.out(`Plan for ${command.file}, against ${connection.target}:`);
    out.out();
    printPlan(out, plan, command.file);
    return code;
  });
}

/** The exit code of a finished sync: 0 when LaunchDarkly matches the file. */
function syncCode(result: SyncResult, signal: AbortSignal): number {
  if (result.ok) return EXIT.ok;
  const stopped = stoppedCode(result.stoppedBy, signal);
  if (stopped !== EXIT.ok) return stopped;
  if (!result.after.ok) return EXIT.api;
  return EXIT.notAllApplied;
}

export async function runSync(command: Extract<'sync'>, cliSession: Session, prompt: Prompt | undefined): Promise<number> {
  const session: FileSession = { ...cliSession, now: Date.now() };
  const { out } = session;
  // Decided before anything is read, so a CI job without --yes fails the same way every time.
  if (!command.yes && prompt === undefined) {
    throw new UsageError('sync changes LaunchDarkly: outside a terminal it needs --yes (run plan to see the changes first)');
  }
  const desired = await desiredOrExit(command, session);
  if (typeof desired === 'number') return desired;

  let bar: ProgressSink = silentProgress;
  return withConnection(command.connection, retryNotice(session, command.json, () => bar), async (connection) => {
    const plan = await makePlan(connection, desired, command, session);
    const json = (fields: Record<string, unknown>) => out.json({ file: command.file, plan: planJson(plan), applied: null, after: null, ...fields });
    if (!command.json) {
      out.out(`Plan for ${command.file}, against ${connection.target}:`);
      out.out();
      printPlan(out, plan, command.file);
    }
    if (!plan.ok || !plan.hasChanges || session.signal.aborted) {
      const code = planCode(plan, session.signal);
      if (!plan.ok && !command.json) out.err('\nNothing was sent: the plan is incomplete.');
      if (command.json) json({ ok: code === EXIT.ok, exitCode: code });
      return code;
    }
    if (!command.yes && prompt !== undefined) {
      const total = plan.counts.add + plan.counts.update + plan.counts.remove;
      const yes = await confirm(prompt.input, (t) => out.errRaw(t), `\nApply these ${total} change(s) to ${connection.target}? Only 'yes' is accepted: `, session.signal);
      if (!yes) {
        const code = session.signal.aborted ? EXIT.interrupted : EXIT.changesPending;
        if (command.json) json({ ok: false, exitCode: code, declined: true });
        else out.err('Nothing was sent.');
        return code;
      }
    }
    if (session.interactive && !command.json) bar = progressBar((t) => out.errRaw(t), out.stderr, 'sync');
    let result: SyncResult;
    try {
      result = await applyPlan(connection.client, plan, {
        signal: session.signal,
        comment: command.comment,
        batchSize: command.batchSize,
        concurrency: command.concurrency,
        readConcurrency: command.readConcurrency,
        allowPast: command.allowPast,
        onProgress: (p) => bar.update(p),
      });
    } finally {
      bar.finish();
    }
    const code = syncCode(result, session.signal);
    if (command.json) {
      json({
        ok: result.ok,
        exitCode: code,
        applied: { counts: result.counts, stoppedBy: result.stoppedBy?.message ?? null, problems: problemsJson(result.outcomes) },
        after: planJson(result.after),
      });
      return code;
    }
    printApplied(out, result.outcomes, { ...result.counts });
    if (result.stoppedBy) out.out(`\nThe run stopped early: ${result.stoppedBy.message}`);
    out.out();
    if (result.ok) out.out(`LaunchDarkly now matches ${command.file}.`);
    else {
      out.out(`LaunchDarkly does not match ${command.file} yet. What is still pending:`);
      out.out();
      printPlan(out, result.after, command.file);
    }
    return code;
  });
}
