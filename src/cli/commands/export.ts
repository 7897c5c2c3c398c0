/** `export`: the desired-state file of a project and environment, which `plan` reads with no changes. */
import { defineCommand } from '../command.js';
import { type ConnectionArgs, connectionOf, withConnection } from '../connection.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { type ExportTarget, type InventoryArgs, INVENTORY_OPTIONS, checkOutput, inventoryArgsOf, runExport } from '../inventory.js';
import { CONNECTION_OPTIONS } from '../options.js';
import { optionalString } from '../parser.js';
import { retryNotice, silentProgress } from '../progress.js';

export interface ExportArgs {
  inventory: InventoryArgs;
  connection: ConnectionArgs;
  target: ExportTarget;
  env: Readonly<Record<string, string | undefined>>;
}

export const exportCommand = defineCommand<ExportArgs>({
  name: 'export',
  scope: 'project',
  summary: 'write the desired-state file (YAML) of a project and environment, for plan and sync',
  options: () => [...INVENTORY_OPTIONS, ...CONNECTION_OPTIONS, 'output', 'format', 'force', 'help'],
  describe: () => `Reads every scheduled removal of the project and environment (or of the segments and flags
named) and writes them as a desired-state file: YAML, or JSON with --format json or an --output
name ending in .json. Sorted stably, times in UTC, a comment per segment and flag with its name.
'plan' of the file reports no changes. Removals already due are left out (their count goes to
stderr). An existing --output file is kept unless --force is given. When a segment or flag cannot
be read, it is named and nothing is written.`,
  exits: ['ok', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => {
    const format = optionalString(args.values, 'format');
    if (format !== undefined && format !== 'yaml' && format !== 'json')
      throw new UsageError(`--format must be yaml or json, got ${JSON.stringify(format)}`);
    return {
      inventory: inventoryArgsOf(args),
      connection: connectionOf(args.values, args.env),
      target: { output: optionalString(args.values, 'output'), format, force: args.values.force === true },
      env: args.env,
    };
  },
  run: async ({ inventory, connection: connectionArgs, target, env }, session) => {
    // Before connecting: a refusal to overwrite comes before any request.
    await checkOutput(target);
    return withConnection(
      connectionArgs,
      retryNotice(true, () => silentProgress),
      (connection) =>
        runExport(
          connection.client,
          inventory,
          target,
          { out: session.out, stdout: session.out.stdout, env, signal: session.signal },
          { ok: EXIT.ok, unreadable: EXIT.api },
        ),
    );
  },
});
