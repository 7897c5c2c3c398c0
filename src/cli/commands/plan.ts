/** `plan FILE`: what it takes to make LaunchDarkly match a desired-state file; sends nothing. */
import { planMarkdown, serializePlan } from '../../sync/index.js';
import { defineCommand } from '../command.js';
import { withConnection } from '../connection.js';
import {
  DESIRED_STATE_FORMAT,
  FILE_OPTIONS,
  type FileArgs,
  type FileSession,
  desiredOrExit,
  fileArgsOf,
  makePlan,
  planCode,
} from '../desired-file.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { optionalString } from '../parser.js';
import { planJson, printPlan } from '../plan-report.js';
import { retryNotice, silentProgress } from '../progress.js';
import { clearSavedPlan, writeSavedPlan } from '../saved-plan-file.js';

export interface PlanArgs extends FileArgs {
  /** `--out PATH`: where to save the plan for `sync --plan`. */
  out: string | undefined;
  /** `--format`: text (default) or markdown. */
  format: 'text' | 'markdown';
}

function formatOf(value: string | undefined): PlanArgs['format'] {
  if (value === undefined || value === 'text' || value === 'markdown') return value ?? 'text';
  throw new UsageError(`--format must be text or markdown, got ${JSON.stringify(value.slice(0, 40))}`);
}

export const plan = defineCommand<PlanArgs>({
  name: 'plan',
  scope: 'file',
  summary: 'compare LaunchDarkly with a desired-state file (YAML or JSON); send nothing',
  operand: 'FILE',
  options: () => [...FILE_OPTIONS, 'out', 'format', ...CONNECTION_OPTIONS, ...OUTPUT_OPTIONS],
  describe: () => `Reads the expiring targets of every segment and flag FILE names (one request each) and shows
what it takes to make LaunchDarkly match FILE: + add, ~ update (from → to), - remove (only with
--prune). Sends no change. --out saves the plan for 'sync --plan'; --format markdown prints it for a
pull-request comment.`,
  details: () => DESIRED_STATE_FORMAT,
  exits: ['ok', 'changesPending', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => {
    const file = fileArgsOf(args);
    const format = formatOf(optionalString(args.values, 'format'));
    if (format === 'markdown' && file.json) throw new UsageError('--format markdown and --json are two outputs: give one');
    return { ...file, out: optionalString(args.values, 'out'), format };
  },
  run: async (command, cliSession) => {
    const session: FileSession = { ...cliSession, now: Date.now() };
    const { out } = session;
    const file = command.file as string;
    // --out PATH names this run's plan or nothing: an older plan there is removed first.
    const removed = command.out === undefined ? false : await clearSavedPlan(command.out, file);
    const notWritten = (why: string) => {
      if (command.out === undefined) return;
      const older = removed ? `; the older ${command.out} was removed, so 'sync --plan' cannot apply it` : '';
      out.err(`${command.out} was not written: ${why}${older}.`);
    };
    const read = await desiredOrExit(command, session);
    if (typeof read === 'number') {
      notWritten(`${file} has errors`);
      return read;
    }
    return withConnection(
      command.connection,
      retryNotice(command.json, () => silentProgress),
      async (connection) => {
        const plan = await makePlan(connection, read, command, session);
        const code = planCode(plan, session.signal);
        const saved = command.out !== undefined && plan.ok && !session.signal.aborted;
        if (saved)
          await writeSavedPlan(
            command.out as string,
            serializePlan(plan, { files: [{ path: file, sha256: read.sha256 }], targets: command.targets }),
          );
        else notWritten(plan.ok ? 'the run was interrupted' : 'the plan is incomplete');
        if (command.json) {
          out.json({ ok: code === EXIT.ok, exitCode: code, file, plan: planJson(plan), savedTo: saved ? command.out : null });
          return code;
        }
        if (command.format === 'markdown') {
          out.out(planMarkdown(plan, { file }).trimEnd());
          return code;
        }
        out.out(`Plan for ${file}, against ${connection.target}:`);
        out.out();
        printPlan(out, plan, file);
        if (saved) out.out(`\nSaved to ${command.out}: apply exactly this plan with 'sync --plan ${command.out}'.`);
        return code;
      },
      session.out,
    );
  },
});
