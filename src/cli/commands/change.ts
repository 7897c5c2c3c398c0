/**
 * What `add`, `update` and `remove` share: the contexts given with `--context`, one target and
 * (but for remove) one time, built with the library's helpers and sent in one `patchAll`.
 */
import { InstructionValidationError } from '../../core/errors.js';
import { type Action, type Change, type ChangeInput, buildChange, inCliTerms, targetField, targetIdentity } from '../changes.js';
import { defineCommand } from '../command.js';
import { type ConnectionArgs, connectionOf, withConnection } from '../connection.js';
import { printDryRun } from '../dry-run.js';
import { UsageError } from '../errors.js';
import { exitCodeForRun } from '../exit-codes.js';
import { CONNECTION_OPTIONS, OUTPUT_OPTIONS } from '../options.js';
import { type Output, SCREEN_ROWS, screenfulTable } from '../output.js';
import { optionalString, required } from '../parser.js';
import { retryNotice, silentProgress } from '../progress.js';
import { changeCells, changeJson, describeWhere, resultText, whereJson } from '../report.js';
import { parseWhen } from '../times.js';
import { type Where, apiOf, kindOr, refOf, targetOption, whereOf, whereOptions } from '../where.js';

export interface ChangeArgs {
  where: Where;
  connection: ConnectionArgs;
  json: boolean;
  inputs: ChangeInput[];
  dryRun: boolean;
  comment: string | undefined;
  allowPast: boolean;
}

/** `kind:key`; the key may itself hold colons. */
export function parseContext(text: string): { contextKind: string; contextKey: string } {
  const at = text.indexOf(':');
  const contextKind = at < 0 ? '' : text.slice(0, at).trim();
  const contextKey = at < 0 ? '' : text.slice(at + 1).trim();
  if (contextKind === '' || contextKey === '') {
    throw new UsageError(`--context must be KIND:KEY, such as user:alice, got ${JSON.stringify(text)}`);
  }
  return { contextKind, contextKey };
}

/** The library's field names, as the options that set them. */
const OPTION_OF_FIELD: Record<string, string> = {
  targetType: '--target-type',
  variationId: '--variation',
  contextKind: '--context',
  contextKey: '--context',
  expiresAt: '--at',
};

/** Builds each change with the library's helpers: a refusal names the option, and a context given twice is refused. */
function buildChanges(where: Where, inputs: readonly ChangeInput[], allowPast: boolean): Change[] {
  const changes: Change[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    let change: Change;
    try {
      change = buildChange(where.resource, input, allowPast);
    } catch (error) {
      if (!(error instanceof InstructionValidationError)) throw error;
      throw new UsageError(error.issues.map((i) => `${OPTION_OF_FIELD[i.field] ?? i.field} ${inCliTerms(i.message)}`).join('; '));
    }
    const identity = targetIdentity(where.resource, change);
    if (seen.has(identity)) throw new UsageError(`--context ${change.contextKind}:${change.contextKey} is given twice`);
    seen.add(identity);
    changes.push(change);
  }
  return changes;
}

/** Declares `add`, `update` or `remove`. */
export function changeCommand(action: Action, summary: string, description: string) {
  return defineCommand<ChangeArgs>({
    name: action,
    scope: 'resource',
    summary,
    options: (resource) => [
      ...whereOptions(resource),
      'context',
      targetOption(resource),
      ...(action === 'remove' ? [] : ['at', 'allow-past']),
      'comment',
      'dry-run',
      ...CONNECTION_OPTIONS,
      ...OUTPUT_OPTIONS,
    ],
    describe: (resource) => description.replace('RESOURCE', kindOr(resource)),
    exits: ['ok', 'notAllApplied', 'usage', 'api', 'interrupted', 'terminated'],
    parse: (args) => {
      const { values, resource, now } = args;
      const where = whereOf(args);
      const connection = connectionOf(values, args.env);
      const contexts = (values.context as string[] | undefined) ?? [];
      if (contexts.length === 0) throw new UsageError('--context is required (KIND:KEY, such as user:alice)');
      const target = required(values, targetOption(resource));
      let expiresAt: number | undefined;
      if (action !== 'remove') {
        const when = parseWhen(required(values, 'at'), now);
        if (!when.ok) throw new UsageError(`--at ${when.reason}`);
        expiresAt = when.ms;
      }
      return {
        where,
        connection,
        json: values.json === true,
        inputs: contexts.map((text) => ({ line: undefined, action, ...parseContext(text), target, expiresAt })),
        dryRun: values['dry-run'] === true,
        comment: optionalString(values, 'comment'),
        allowPast: values['allow-past'] === true,
      };
    },
    run: (command, session) => runChange(command, session.out, session.signal),
  });
}

async function runChange(command: ChangeArgs, out: Output, signal: AbortSignal): Promise<number> {
  const { where, json } = command;
  const changes = buildChanges(where, command.inputs, command.allowPast);
  if (command.dryRun) return printDryRun(out, where, changes, json);
  return withConnection(
    command.connection,
    retryNotice(json, () => silentProgress),
    async (connection) => {
      const options = { signal, comment: command.comment, allowPast: command.allowPast };
      const result = await apiOf(connection.client, where).patchAll(
        refOf(where),
        changes.map((c) => c.instruction),
        options,
      );
      const code = exitCodeForRun(result);
      if (json) {
        out.json({
          ok: result.ok,
          exitCode: code,
          ...whereJson(where),
          results: result.outcomes.map((o) => ({
            ...changeJson(changes[o.index] as Change, where.resource),
            fate: o.fate,
            ...(o.fate !== 'applied' && { message: o.message ?? null }),
          })),
          counts: result.counts,
        });
        return code;
      }
      out.out(`${describeWhere(where)}, via ${connection.target}:`);
      out.out();
      out.out(
        screenfulTable(
          ['operation', 'context', targetField(where.resource), 'time', 'result'],
          result.outcomes.slice(0, SCREEN_ROWS).map((o) => [...changeCells(changes[o.index] as Change), resultText(o)]),
          result.outcomes.length,
          '--json lists them all',
        ),
      );
      if (result.stoppedBy) out.err(`\nstopped: ${result.stoppedBy.message}`);
      return code;
    },
    out,
  );
}
