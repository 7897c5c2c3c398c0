/** `sync FILE`: make LaunchDarkly match a desired-state file, after showing the plan. */
import { type SyncResult, applyPlan } from '../../sync/index.js';
import { defineCommand } from '../command.js';
import { confirm } from '../confirm.js';
import { withConnection } from '../connection.js';
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

export interface SyncArgs extends FileArgs {
  yes: boolean;
  comment: string | undefined;
  batchSize: number | undefined;
  concurrency: number | undefined;
}

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
  summary: 'make LaunchDarkly match the file, after showing the plan',
  operand: 'FILE',
  options: () => ['yes', ...FILE_OPTIONS, 'comment', 'batch-size', 'concurrency', ...CONNECTION_OPTIONS, ...OUTPUT_OPTIONS],
  describe: () => `Plans as 'plan' does, shows the plan, asks for confirmation (or takes --yes), applies each
resource's changes in batches (an answer lost on the way is settled by reading back), then plans
again and says whether LaunchDarkly now matches FILE. A change refused because its target changed
after planning is planned and sent once more; anything else that did not apply stays pending.`,
  details: () => DESIRED_STATE_FORMAT,
  exits: ['ok', 'notAllApplied', 'changesPending', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => ({
    ...fileArgsOf(args),
    yes: args.values.yes === true,
    comment: optionalString(args.values, 'comment'),
    batchSize: positiveInteger('batch-size', optionalString(args.values, 'batch-size')),
    concurrency: positiveInteger('concurrency', optionalString(args.values, 'concurrency')),
  }),
  run: (args, session) => runSync(args, { ...session, now: Date.now() }),
});

async function runSync(command: SyncArgs, session: FileSession): Promise<number> {
  const { out } = session;
  const prompt = session.input();
  // Decided before anything is read, so a CI job without --yes fails the same way every time.
  if (!command.yes && prompt === undefined) {
    throw new UsageError('sync changes LaunchDarkly: outside a terminal it needs --yes (run plan to see the changes first)');
  }
  const desired = await desiredOrExit(command, session);
  if (typeof desired === 'number') return desired;

  let bar: ProgressSink = silentProgress;
  return withConnection(command.connection, retryNotice(command.json, () => bar), async (connection) => {
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
      const yes = await confirm(prompt, (t) => out.errRaw(t), `\nApply these ${total} change(s) to ${connection.target}? Only 'yes' is accepted: `, session.signal);
      if (!yes) {
        const code = interruptCode(session.signal) ?? EXIT.changesPending;
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
