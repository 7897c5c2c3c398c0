/** `plan FILE`: what it takes to make LaunchDarkly match a desired-state file; sends nothing. */
import { defineCommand } from '../command.js';
import { withConnection } from '../connection.js';
import { DESIRED_STATE_FORMAT, FILE_OPTIONS, type FileArgs, type FileSession, desiredOrExit, fileArgsOf, makePlan, planCode } from '../desired-file.js';
import { EXIT } from '../exit-codes.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { planJson, printPlan } from '../plan-report.js';
import { retryNotice, silentProgress } from '../progress.js';


export const plan = defineCommand<FileArgs>({
  name: 'plan',
  scope: 'file',
  summary: 'compare LaunchDarkly with a desired-state file (YAML); send nothing',
  operand: 'FILE',
  options: () => [...FILE_OPTIONS, ...CONNECTION_OPTIONS, ...OUTPUT_OPTIONS],
  describe: () => `Reads the expiring targets of every segment and flag FILE names (one request each) and shows
what it takes to make LaunchDarkly match FILE: + add, ~ update (from → to), - remove (only with
--prune). Sends no change.`,
  details: () => DESIRED_STATE_FORMAT,
  exits: ['ok', 'changesPending', 'usage', 'api', 'interrupted', 'terminated'],
  parse: fileArgsOf,
  run: async (command, cliSession) => {
    const session: FileSession = { ...cliSession, now: Date.now() };
    const { out } = session;
    const desired = await desiredOrExit(command, session);
    if (typeof desired === 'number') return desired;
    return withConnection(command.connection, retryNotice(command.json, () => silentProgress), async (connection) => {
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
  },
});
