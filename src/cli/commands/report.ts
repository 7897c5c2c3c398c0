/** `report`: every scheduled removal of a project and environment, by day, as CSV or as JSON. */
import { defineCommand } from '../command.js';
import { type ConnectionArgs, connectionOf, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { type InventoryArgs, INVENTORY_OPTIONS, inventoryArgsOf, runReport } from '../inventory.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { retryNotice, silentProgress } from '../progress.js';

export interface ReportArgs {
  inventory: InventoryArgs;
  connection: ConnectionArgs;
  format: 'text' | 'json' | 'csv';
  env: Readonly<Record<string, string | undefined>>;
}

export const report = defineCommand<ReportArgs>({
  name: 'report',
  scope: 'project',
  summary: 'every scheduled removal of a project and environment, by day (or CSV, JSON)',
  options: () => [...INVENTORY_OPTIONS, ...CONNECTION_OPTIONS, 'csv', ...OUTPUT_OPTIONS],
  describe: () => `Lists every segment and flag of the project (in the environment), reads each one's expiring
targets and shows the scheduled removals: how many fall on each day (UTC) as a bar of #, then
each day's removals. --csv prints one row per removal, --json one document. A segment or flag
that cannot be read is named; every other removal is still reported.`,
  exits: ['ok', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => {
    if (args.values.json === true && args.values.csv === true) throw new UsageError('--json and --csv cannot be combined');
    return {
      inventory: inventoryArgsOf(args),
      connection: connectionOf(args.values, args.env),
      format: args.values.json === true ? 'json' : args.values.csv === true ? 'csv' : 'text',
      env: args.env,
    };
  },
  run: ({ inventory, connection: connectionArgs, format, env }, session) =>
    withConnection(
      connectionArgs,
      retryNotice(format !== 'text', () => silentProgress),
      (connection) =>
        runReport(
          connection.client,
          inventory,
          format,
          { out: session.out, stdout: session.out.stdout, env, signal: session.signal },
          { ok: EXIT.ok, unreadable: EXIT.api },
        ),
    ),
});
