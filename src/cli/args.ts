/** Turns argv into a command, with `util.parseArgs`; every mistake is a UsageError (exit 2). */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { INSTANCES, type Instance } from '../options.js';
import type { Action, ChangeInput, Resource } from './changes.js';
import { UsageError } from './exit-codes.js';
import { commandHelp, mainHelp, resourceHelp } from './help.js';
import { COMMANDS, type CommandName, OPTIONS, optionsOf } from './options.js';
import { parseWhen } from './times.js';

export interface ConnectionArgs {
  token: string | undefined;
  baseUrl: string | undefined;
  instance: Instance | undefined;
  apiVersion: string | undefined;
  /** Per-attempt timeout (`--timeout`, given in seconds). */
  timeoutMs: number | undefined;
  mock: boolean;
}

/** Which segment or flag, in which project and environment. */
export interface Where {
  resource: Resource;
  project: string;
  env: string;
  /** The segment or flag key. */
  key: string;
}

interface Base {
  where: Where;
  connection: ConnectionArgs;
  json: boolean;
}

export type Command =
  | { kind: 'help'; text: string; toStderr: boolean }
  | { kind: 'version' }
  | ({ kind: 'list' } & Base)
  | ({ kind: 'change'; action: Action; inputs: ChangeInput[]; dryRun: boolean; comment: string | undefined; allowPast: boolean } & Base)
  | ({
      kind: 'apply';
      file: string;
      allowPast: boolean;
      dryRun: boolean;
      comment: string | undefined;
      retryFile: string | undefined;
      unknownFile: string | undefined;
      batchSize: number | undefined;
      concurrency: number | undefined;
    } & Base);

type Values = Record<string, string | boolean | string[] | undefined>;

const isHelp = (a: string) => a === '--help' || a === '-h';

export function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Math.round(Number(value) * 1000);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new UsageError(`--${name} must be a positive number of seconds, such as 10 or 0.5, got ${JSON.stringify(value)}`);
  }
  return ms;
}

function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v.trim();
}

function optionalString(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
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

export function connectionOf(values: Values, env: Readonly<Record<string, string | undefined>>): ConnectionArgs {
  const token = optionalString(values, 'token') ?? env.LD_API_KEY;
  const baseUrl = optionalString(values, 'base-url');
  const instance = optionalString(values, 'instance');
  const mock = values.mock === true;
  if (instance !== undefined && !Object.hasOwn(INSTANCES, instance)) {
    throw new UsageError(`--instance must be one of ${Object.keys(INSTANCES).join(', ')}, got ${JSON.stringify(instance)}`);
  }
  if (baseUrl !== undefined && instance !== undefined) throw new UsageError('give --base-url or --instance, not both');
  if (mock && (baseUrl !== undefined || instance !== undefined)) {
    throw new UsageError('--mock runs its own server: it cannot be combined with --base-url or --instance');
  }
  return {
    token: token === undefined || token === '' ? undefined : token,
    baseUrl,
    instance: instance as Instance | undefined,
    apiVersion: optionalString(values, 'api-version'),
    timeoutMs: seconds('timeout', optionalString(values, 'timeout')),
    mock,
  };
}

/**
 * @param now the time `+30d` counts from
 */
export function parseCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now: number): Command {
  const [first, second, ...rest] = argv;
  if (first === undefined) return { kind: 'help', text: mainHelp(), toStderr: true };
  if (isHelp(first)) return { kind: 'help', text: mainHelp(), toStderr: false };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first !== 'segment' && first !== 'flag') {
    throw new UsageError(`unknown command ${JSON.stringify(first)}: the first argument is segment, flag, plan or sync`);
  }
  const resource: Resource = first;
  if (second === undefined) return { kind: 'help', text: resourceHelp(resource), toStderr: true };
  if (isHelp(second)) return { kind: 'help', text: resourceHelp(resource), toStderr: false };
  if (!COMMANDS.includes(second as CommandName)) {
    throw new UsageError(`unknown ${resource} command ${JSON.stringify(second)}: use ${COMMANDS.join(', ')}`);
  }
  const command = second as CommandName;
  if (rest.some(isHelp)) return { kind: 'help', text: commandHelp(resource, command), toStderr: false };

  const config: ParseArgsConfig['options'] = {};
  for (const name of optionsOf(resource, command)) {
    const doc = OPTIONS[name];
    if (doc) config[name] = { type: doc.type, ...(doc.multiple && { multiple: true }), ...(doc.short && { short: doc.short }) };
  }
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options: config, allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    });
  } catch (error) {
    // Node's messages name the option and what is wrong; drop its generic advice.
    const message = (error as Error).message.split('. To specify')[0]?.replace(/\.$/, '') ?? 'invalid arguments';
    throw new UsageError(message);
  }
  if (command === 'apply' ? positionals.length !== 1 : positionals.length > 0) {
    throw new UsageError(
      command === 'apply'
        ? `apply takes exactly one FILE, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`
        : `unexpected argument ${JSON.stringify(positionals[0])}`,
    );
  }
  const base: Base = {
    where: { resource, project: required(values, 'project'), env: required(values, 'env'), key: required(values, resource) },
    connection: connectionOf(values, env),
    json: values.json === true,
  };
  if (command === 'list') return { kind: 'list', ...base };
  const dryRun = values['dry-run'] === true;
  const allowPast = values['allow-past'] === true;
  const comment = optionalString(values, 'comment');
  if (command === 'apply') {
    return {
      kind: 'apply',
      ...base,
      file: positionals[0] as string,
      allowPast,
      dryRun,
      comment,
      retryFile: optionalString(values, 'retry-file'),
      unknownFile: optionalString(values, 'unknown-file'),
      batchSize: positiveInteger('batch-size', optionalString(values, 'batch-size')),
      concurrency: positiveInteger('concurrency', optionalString(values, 'concurrency')),
    };
  }
  const contexts = (values.context as string[] | undefined) ?? [];
  if (contexts.length === 0) throw new UsageError('--context is required (KIND:KEY, such as user:alice)');
  const targetOption = resource === 'segment' ? 'target-type' : 'variation';
  const target = required(values, targetOption);
  let expiresAt: number | undefined;
  if (command !== 'remove') {
    const when = parseWhen(required(values, 'at'), now);
    if (!when.ok) throw new UsageError(`--at ${when.reason}`);
    expiresAt = when.ms;
  }
  const inputs = contexts.map((text) => ({ line: undefined, action: command, ...parseContext(text), target, expiresAt }));
  return { kind: 'change', action: command, ...base, inputs, dryRun, comment, allowPast };
}
