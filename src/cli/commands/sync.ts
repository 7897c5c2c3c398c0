/** `sync FILE` or `sync --plan PLAN`: make LaunchDarkly match a desired-state file, after showing the plan. */
import { SavedPlanError, type SyncPlan, type SyncResult, applyPlan, parsePlan, savedPlanInputs } from '../../sync/index.js';
import { defineCommand } from '../command.js';
import { confirm } from '../confirm.js';
import { type Connection, MOCK_KEEPS_NO_STATE, withConnection } from '../connection.js';
import {
  DESIRED_STATE_FORMAT,
  FILE_OPTIONS,
  type FileArgs,
  type FileSession,
  desiredOrExit,
  fileArgsOf,
  interruptCode,
  makePlan,
  planCode,
} from '../desired-file.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { optionalString, positiveInteger } from '../parser.js';
import { planJson, printApplied, printPlan, problemsJson } from '../plan-report.js';
import { type ProgressSink, progressBar, retryNotice, silentProgress } from '../progress.js';
import { readSavedPlan } from '../saved-plan-file.js';

export interface SyncArgs extends FileArgs {
  yes: boolean;
  comment: string | undefined;
  batchSize: number | undefined;
  concurrency: number | undefined;
  maxRounds: number | undefined;
  /** `--plan PATH`: apply this saved plan instead of planning FILE. */
  planFile: string | undefined;
}

/** How long, after SIGINT or SIGTERM, the batch in flight and the reads after it may take. */
const GRACE_MS = 5_000;

/** The exit code of a finished sync: 0 when LaunchDarkly matches the file. */
function syncCode(result: SyncResult, signal: AbortSignal): number {
  if (result.ok) return EXIT.ok;
  const interrupted = interruptCode(signal);
  if (interrupted !== undefined) return interrupted;
  if (result.stoppedBy !== undefined || !result.after.ok) return EXIT.api;
  return EXIT.notAllApplied;
}

export const sync = defineCommand<SyncArgs>({
  name: 'sync',
  scope: 'file',
  summary: 'make LaunchDarkly match the file (or apply a saved plan), after showing the plan',
  operand: 'FILE',
  operandOptional: true,
  options: () => [
    'yes',
    ...FILE_OPTIONS,
    'plan',
    'max-rounds',
    'comment',
    'batch-size',
    'concurrency',
    ...CONNECTION_OPTIONS,
    ...OUTPUT_OPTIONS,
  ],
  describe: () => `Plans as 'plan' does, shows the plan, asks for confirmation (or takes --yes) and applies each
resource's changes in batches (an answer lost on the way is settled by reading back). Then it reads
each resource again and, in up to --max-rounds rounds (default 3), sends again what is still pending
and can end differently: what reading back proved was not applied, or a change whose target moved
since planning (planned again). 'sync --plan PLAN' (no FILE) applies a plan saved by 'plan --out'
exactly, refusing if its files changed; a target that moved since is reported, not overwritten.
On SIGINT or SIGTERM no new batch starts; the one in flight finishes and is read back.`,
  details: () => DESIRED_STATE_FORMAT,
  exits: ['ok', 'notAllApplied', 'changesPending', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => {
    const file = fileArgsOf(args);
    const planFile = optionalString(args.values, 'plan');
    if (planFile !== undefined && file.file !== undefined)
      throw new UsageError('sync --plan takes no FILE: the saved plan names its files');
    if (planFile === undefined && file.file === undefined) throw new UsageError('sync takes exactly one FILE (or --plan PLAN), got none');
    if (planFile !== undefined && (file.targets.length > 0 || file.prune))
      throw new UsageError("--target and --prune are the saved plan's: give them to plan");
    return {
      ...file,
      planFile,
      yes: args.values.yes === true,
      comment: optionalString(args.values, 'comment'),
      batchSize: positiveInteger('batch-size', optionalString(args.values, 'batch-size')),
      concurrency: positiveInteger('concurrency', optionalString(args.values, 'concurrency')),
      maxRounds: positiveInteger('max-rounds', optionalString(args.values, 'max-rounds')),
    };
  },
  run: (args, session) => runSync(args, { ...session, now: Date.now() }),
});

/** The plan to apply, as a function of the connection, and the file it is for; or an exit code. */
type PlanSource = { file: string; saved: boolean; plan: (connection: Connection) => Promise<SyncPlan> } | number;

async function savedPlanSource(command: SyncArgs, session: FileSession, planFile: string): Promise<PlanSource> {
  const refuse = (message: string) => {
    if (command.json) session.out.json({ ok: false, exitCode: EXIT.usage, plan: planFile, error: { type: 'validation', message } });
    else session.out.err(`error: ${message}`);
    return EXIT.usage;
  };
  let text: string;
  let inputs: ReturnType<typeof savedPlanInputs>;
  try {
    text = await readSavedPlan(planFile, session.signal);
    inputs = savedPlanInputs(text);
  } catch (error) {
    if (!(error instanceof SavedPlanError) && !(error instanceof Error && error.name === 'DesiredStateError')) throw error;
    return refuse(`${planFile}: ${error.message}`);
  }
  if (inputs.files.length !== 1) return refuse(`${planFile} names ${inputs.files.length} files; this version applies plans of one file`);
  const [input] = inputs.files as [{ path: string; sha256: string }];
  const read = await desiredOrExit(command, session, input.path, inputs.targets);
  if (typeof read === 'number') return read;
  if (read.sha256 !== input.sha256) return refuse(`${input.path} changed since ${planFile} was made; nothing was sent: plan again`);
  try {
    const { plan } = parsePlan(text, read.selected);
    return { file: input.path, saved: true, plan: async () => plan };
  } catch (error) {
    if (!(error instanceof SavedPlanError)) throw error;
    return refuse(`${planFile}: ${error.message}`);
  }
}

async function runSync(command: SyncArgs, session: FileSession): Promise<number> {
  const { out } = session;
  const prompt = session.input();
  // Decided before anything is read, so a CI job without --yes fails the same way every time.
  if (!command.yes && prompt === undefined) {
    throw new UsageError('sync changes LaunchDarkly: outside a terminal it needs --yes (run plan to see the changes first)');
  }
  let source: PlanSource;
  if (command.planFile !== undefined) source = await savedPlanSource(command, session, command.planFile);
  else {
    const read = await desiredOrExit(command, session);
    source =
      typeof read === 'number'
        ? read
        : { file: read.file, saved: false, plan: (connection) => makePlan(connection, read, command, session) };
  }
  if (typeof source === 'number') return source;
  const { file } = source;

  let bar: ProgressSink = silentProgress;
  return withConnection(
    command.connection,
    retryNotice(command.json, () => bar),
    async (connection) => {
      const plan = await source.plan(connection);
      const json = (fields: Record<string, unknown>) => out.json({ file, plan: planJson(plan), applied: null, after: null, ...fields });
      if (!command.json) {
        out.out(`${source.saved ? `Saved plan ${command.planFile} for` : 'Plan for'} ${file}, against ${connection.target}:`);
        out.out();
        printPlan(out, plan, file);
      }
      if (!plan.ok || !plan.hasChanges || session.signal.aborted) {
        const code = planCode(plan, session.signal);
        if (!plan.ok && !command.json) out.err('\nNothing was sent: the plan is incomplete.');
        if (command.json) json({ ok: code === EXIT.ok, exitCode: code });
        return code;
      }
      if (!command.yes && prompt !== undefined) {
        const total = plan.counts.add + plan.counts.update + plan.counts.remove;
        const yes = await confirm(
          prompt,
          (t) => out.errRaw(t),
          `\nApply these ${total} change(s) to ${connection.target}? Only 'yes' is accepted: `,
          session.signal,
        );
        if (!yes) {
          const code = interruptCode(session.signal) ?? EXIT.changesPending;
          if (command.json) json({ ok: false, exitCode: code, declined: true });
          else out.err('Nothing was sent.');
          return code;
        }
      }
      if (session.interactive && !command.json) bar = progressBar((t) => out.errRaw(t), out.stderr, 'sync');
      // A signal stops the apply gently; what is in flight gets GRACE_MS before it is abandoned.
      const hard = new AbortController();
      let grace: NodeJS.Timeout | undefined;
      const onSignal = () => {
        grace = setTimeout(() => hard.abort(session.signal.reason), GRACE_MS);
      };
      session.signal.addEventListener('abort', onSignal, { once: true });
      let result: SyncResult;
      try {
        result = await applyPlan(connection.client, plan, {
          stop: session.signal,
          signal: hard.signal,
          comment: command.comment,
          batchSize: command.batchSize,
          concurrency: command.concurrency,
          readConcurrency: command.readConcurrency,
          allowPast: command.allowPast,
          // A mock keeps no state: reading back cannot tell what applied, so there is one round.
          maxRounds: command.connection.mock ? 1 : command.maxRounds,
          // A saved plan is applied as reviewed: a target that moved is reported, not planned again.
          replanConflicts: !source.saved,
          onProgress: (p) => bar.update(p),
        });
      } finally {
        session.signal.removeEventListener('abort', onSignal);
        clearTimeout(grace);
        bar.finish();
      }
      // The mock saves nothing, so the plan made after applying always shows the same changes again:
      // against it, one round in which every change was accepted is all a sync can do, and a success.
      const mockAccepted = connection.mock && result.stoppedBy === undefined && result.counts.applied === result.counts.total;
      const code = mockAccepted ? EXIT.ok : syncCode(result, session.signal);
      if (command.json) {
        json({
          ok: result.ok || mockAccepted,
          exitCode: code,
          interrupted: result.interrupted,
          ...(connection.mock && { mock: MOCK_KEEPS_NO_STATE }),
          applied: { counts: result.counts, stoppedBy: result.stoppedBy?.message ?? null, problems: problemsJson(result.outcomes) },
          after: planJson(result.after),
        });
        return code;
      }
      printApplied(out, result.outcomes, { ...result.counts });
      if (result.interrupted)
        out.out(`\nInterrupted (${String(session.signal.reason)}): no batch was started after it; what was sent was read back.`);
      else if (result.stoppedBy) out.out(`\nThe run stopped early: ${result.stoppedBy.message}`);
      out.out();
      if (result.ok)
        out.out(`LaunchDarkly now matches ${file}${result.counts.rounds > 1 ? ` (after ${result.counts.rounds} rounds)` : ''}.`);
      else if (mockAccepted) {
        out.out(
          `The mock accepted every change. It keeps no state, so a second plan against it would show the same ${result.counts.total} change(s) again; against LaunchDarkly, this sync would be done.`,
        );
      } else {
        out.out(`LaunchDarkly does not match ${file} yet. What is still pending:`);
        out.out();
        printPlan(out, result.after, file);
      }
      return code;
    },
    session.out,
  );
}
