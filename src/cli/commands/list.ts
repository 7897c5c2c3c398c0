/** `<segment|flag> list`: the contexts scheduled for removal. */
import { targetField } from '../changes.js';
import { type ConnectionArgs, connectionOf, withConnection } from '../connection.js';
import { defineCommand } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { SCREEN_ROWS, screenfulTable } from '../output.js';
import { retryNotice, silentProgress } from '../progress.js';
import { describeWhere, whereJson } from '../report.js';
import { type Where, apiOf, refOf, whereOf, whereOptions } from '../where.js';

export interface ListArgs {
  where: Where;
  connection: ConnectionArgs;
  json: boolean;
}

export const list = defineCommand<ListArgs>({
  name: 'list',
  scope: 'resource',
  summary: 'show the contexts scheduled for removal',
  options: (resource) => [...whereOptions(resource), ...CONNECTION_OPTIONS, ...OUTPUT_OPTIONS],
  describe: (resource) => `Shows the contexts scheduled for removal from the ${resource}.`,
  exits: ['ok', 'usage', 'api', 'interrupted', 'terminated'],
  parse: (args) => ({ where: whereOf(args), connection: connectionOf(args.values, args.env), json: args.values.json === true }),
  run: ({ where, connection: connectionArgs, json }, session) => {
    const { out } = session;
    return withConnection(
      connectionArgs,
      retryNotice(json, () => silentProgress),
      async (connection) => {
        const result = await apiOf(connection.client, where).get(refOf(where), { signal: session.signal });
        const field = targetField(where.resource);
        if (json) {
          out.json({
            ok: true,
            ...whereJson(where),
            items: result.items.map((t) => ({
              contextKind: t.contextKind,
              contextKey: t.contextKey,
              [field]: t[field] ?? null,
              expiresAt: t.expiresAt.toISOString(),
              expirationDate: t.expirationDate,
              version: t._version,
            })),
          });
          return EXIT.ok;
        }
        out.out(`Expiring targets of ${describeWhere(where)}, from ${connection.target}: ${result.items.length}`);
        if (result.items.length > 0) {
          out.out();
          out.out(
            screenfulTable(
              ['context', field, 'expires at', 'version'],
              result.items
                .slice(0, SCREEN_ROWS)
                .map((t) => [`${t.contextKind}:${t.contextKey}`, t[field] ?? '-', t.expiresAt.toISOString(), String(t._version)]),
              result.items.length,
              '--json lists them all',
            ),
          );
        }
        return EXIT.ok;
      },
      session.out,
    );
  },
});
