/** The arguments of `plan FILE` and `sync FILE`; every mistake is a UsageError (exit 2). */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ConnectionArgs, connectionOf, positiveInteger } from './args.js';
import { UsageError } from './exit-codes.js';
import { OPTIONS, type SyncCommandName, syncOptionsOf } from './options.js';
import { syncHelp } from './sync-help.js';

export interface SyncArgs {
  file: string;
  connection: ConnectionArgs;
  json: boolean;
  prune: boolean;
  allowPast: boolean;
  readConcurrency: number | undefined;
}

export type SyncCommand =
  | ({ kind: 'plan' } & SyncArgs)
  | ({
      kind: 'sync';
      yes: boolean;
      comment: string | undefined;
      batchSize: number | undefined;
      concurrency: number | undefined;
    } & SyncArgs);

export function parseSyncCommand(
  command: SyncCommandName,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SyncCommand | { kind: 'help'; text: string; toStderr: boolean } {
  if (args.some((a) => a === '--help' || a === '-h')) return { kind: 'help', text: syncHelp(command), toStderr: false };
  if (args.length === 0) return { kind: 'help', text: syncHelp(command), toStderr: true };
  const config: ParseArgsConfig['options'] = {};
  for (const name of syncOptionsOf(command)) {
    const doc = OPTIONS[name];
    if (doc) config[name] = { type: doc.type, ...(doc.multiple && { multiple: true }), ...(doc.short && { short: doc.short }) };
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true }) as {
      values: typeof values;
      positionals: string[];
    });
  } catch (error) {
    // Node's messages name the option and what is wrong; drop its generic advice.
    throw new UsageError((error as Error).message.split('. To specify')[0]?.replace(/\.$/, '') ?? 'invalid arguments');
  }
  if (positionals.length !== 1) {
    throw new UsageError(`${command} takes exactly one FILE, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const base: SyncArgs = {
    file: positionals[0] as string,
    connection: connectionOf(values, env),
    json: values.json === true,
    prune: values.prune === true,
    allowPast: values['allow-past'] === true,
    readConcurrency: positiveInteger('read-concurrency', text('read-concurrency')),
  };
  if (command === 'plan') return { kind: 'plan', ...base };
  return {
    kind: 'sync',
    ...base,
    yes: values.yes === true,
    comment: text('comment'),
    batchSize: positiveInteger('batch-size', text('batch-size')),
    concurrency: positiveInteger('concurrency', text('concurrency')),
  };
}
