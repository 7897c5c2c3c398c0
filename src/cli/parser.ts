/**
 * The one argument parser: argv to a command of the registry and its arguments, or to help or the
 * version. Options are read with `util.parseArgs` from the table in options.ts, limited to those
 * the command declares; every mistake is a UsageError (exit 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { RESOURCE_KINDS } from '../core/resources.js';
import type { Resource } from './changes.js';
import type { AnyCommand, Values } from './command.js';
import { UsageError } from './errors.js';
import { BUILTIN_WORDS, SHELLS, type Shell, completionScript } from './completion.js';
import { commandHelp, mainHelp, resourceHelp } from './help.js';
import { OPTIONS } from './options.js';
import { didYouMean } from './suggest.js';

export type Invocation =
  | { kind: 'help'; text: string; toStderr: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'version' }
  | { kind: 'command'; command: AnyCommand; args: unknown; json: boolean };

const RESOURCES: readonly Resource[] = RESOURCE_KINDS;
const isHelp = (a: string) => a === '--help' || a === '-h';
const quoted = (list: readonly string[]) => list.map((p) => JSON.stringify(p)).join(' ');

/**
 * The words before `--help` in the usage hint after an error: only as many as were recognised,
 * so the suggested command itself works (`bogus list` suggests the overview's help).
 */
export function helpTopic(argv: readonly string[], commands: readonly AnyCommand[]): string {
  const [first, second] = argv;
  if (commands.some((c) => c.scope !== 'resource' && c.name === first)) return first as string;
  if (!RESOURCES.includes(first as Resource)) return '';
  return commands.some((c) => c.scope === 'resource' && c.name === second) ? `${first} ${second}` : (first as string);
}

/** Reads `args` with the options `names` (from options.ts). */
export function readOptions(names: readonly string[], args: readonly string[]): { values: Values; positionals: string[] } {
  const config: ParseArgsConfig['options'] = {};
  for (const name of names) {
    const doc = OPTIONS[name];
    if (doc) config[name] = { type: doc.type, ...(doc.multiple && { multiple: true }), ...(doc.short && { short: doc.short }) };
  }
  try {
    return parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const typed = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? '';
      const name = typed.split('=')[0] ?? '';
      throw new UsageError(
        `unknown option ${name}${didYouMean(
          name,
          names.map((n) => `--${n}`),
        )}`,
      );
    }
    // Node's messages name the option and what is wrong; drop its generic advice.
    throw new UsageError((error as Error).message.split('. To specify')[0]?.replace(/\.$/, '') ?? 'invalid arguments');
  }
}

function checkOperands(command: AnyCommand, positionals: readonly string[]): void {
  if (command.operand === undefined) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  } else if (positionals.length !== 1 && !(command.operandOptional === true && positionals.length === 0)) {
    throw new UsageError(
      `${command.name} takes exactly one ${command.operand}, got ${positionals.length === 0 ? 'none' : quoted(positionals)}`,
    );
  }
}

function invoke(
  command: AnyCommand,
  resource: Resource | undefined,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): Invocation {
  const { values, positionals } = readOptions(command.options(resource), args);
  checkOperands(command, positionals);
  return { kind: 'command', command, args: command.parse({ values, positionals, resource, env, now }), json: values.json === true };
}

const VERSION_WORDS = ['--version', '-v', '-V', 'version'];

/** `help`, `help plan`, `help segment`, `help segment add`: the help `--help` would print there. */
function helpFor(words: readonly string[], commands: readonly AnyCommand[]): Invocation {
  const [first, second, third] = words;
  const shown = (text: string): Invocation => ({ kind: 'help', text, toStderr: false });
  if (first === undefined) return shown(mainHelp(commands));
  const fileCommand = commands.find((c) => c.scope !== 'resource' && c.name === first);
  const resourceCommands = commands.filter((c) => c.scope === 'resource');
  const known = [...RESOURCES, ...commands.filter((c) => c.scope !== 'resource').map((c) => c.name)];
  if (fileCommand && second === undefined) return shown(commandHelp(fileCommand, undefined));
  if (RESOURCES.includes(first as Resource) && third === undefined) {
    if (second === undefined) return shown(resourceHelp(first as Resource, resourceCommands));
    const command = resourceCommands.find((c) => c.name === second);
    if (command) return shown(commandHelp(command, first as Resource));
    const names = resourceCommands.map((c) => c.name);
    throw new UsageError(`help: unknown ${first} command ${JSON.stringify(second)}${didYouMean(second, names)}: use ${names.join(', ')}`);
  }
  if (fileCommand || RESOURCES.includes(first as Resource))
    throw new UsageError(`help: unexpected argument ${JSON.stringify(words.at(-1))}`);
  throw new UsageError(`help: unknown command ${JSON.stringify(first)}${didYouMean(first, known)}: use ${known.join(', ')}`);
}

/** `completion bash|zsh|fish`: the script, on stdout. */
function completion(words: readonly string[], commands: readonly AnyCommand[]): Invocation {
  const [shell, extra] = words;
  if (shell === undefined || isHelp(shell)) {
    return {
      kind: 'help',
      text: `Usage: completion <${SHELLS.join('|')}>

Prints a completion script for the shell; each script's first line says how to load it.`,
      toStderr: shell === undefined,
    };
  }
  if (!SHELLS.includes(shell as Shell))
    throw new UsageError(`completion: unknown shell ${JSON.stringify(shell)}${didYouMean(shell, SHELLS)}: use ${SHELLS.join(', ')}`);
  if (extra !== undefined) throw new UsageError(`completion: unexpected argument ${JSON.stringify(extra)}`);
  return { kind: 'text', text: completionScript(shell as Shell, commands) };
}

/**
 * @param now the time `+30d` counts from
 */
export function parseInvocation(
  argv: readonly string[],
  commands: readonly AnyCommand[],
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): Invocation {
  const [first, second, ...rest] = argv;
  if (first === undefined) return { kind: 'help', text: mainHelp(commands), toStderr: true };
  if (isHelp(first)) return { kind: 'help', text: mainHelp(commands), toStderr: false };
  if (VERSION_WORDS.includes(first)) return { kind: 'version' };
  if (first === 'help') return helpFor(argv.slice(1), commands);
  if (first === 'completion') return completion(argv.slice(1), commands);
  const fileCommand = commands.find((c) => c.scope !== 'resource' && c.name === first);
  if (fileCommand) {
    const args = argv.slice(1);
    if (args.some(isHelp)) return { kind: 'help', text: commandHelp(fileCommand, undefined), toStderr: false };
    if (args.length === 0) return { kind: 'help', text: commandHelp(fileCommand, undefined), toStderr: true };
    return invoke(fileCommand, undefined, args, env, now);
  }
  if (!RESOURCES.includes(first as Resource)) {
    const names = [...RESOURCES, ...commands.filter((c) => c.scope !== 'resource').map((c) => c.name), ...BUILTIN_WORDS];
    const known = first.startsWith('-') ? ['--help', '--version'] : names;
    const what = first.startsWith('-') ? 'option' : 'command';
    throw new UsageError(
      `unknown ${what} ${JSON.stringify(first)}${didYouMean(first, known)}: the first argument is ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`,
    );
  }
  const resource = first as Resource;
  const resourceCommands = commands.filter((c) => c.scope === 'resource');
  if (second === undefined) return { kind: 'help', text: resourceHelp(resource, resourceCommands), toStderr: true };
  if (isHelp(second)) return { kind: 'help', text: resourceHelp(resource, resourceCommands), toStderr: false };
  const command = resourceCommands.find((c) => c.name === second);
  if (!command) {
    const names = resourceCommands.map((c) => c.name);
    throw new UsageError(`unknown ${resource} command ${JSON.stringify(second)}${didYouMean(second, names)}: use ${names.join(', ')}`);
  }
  if (rest.some(isHelp)) return { kind: 'help', text: commandHelp(command, resource), toStderr: false };
  return invoke(command, resource, rest, env, now);
}

// Values of options, read the same way by every command.

export function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** The longest `--timeout`: an hour is already far beyond any answer worth waiting for (and Node's timers stop at 24.8 days). */
export const MAX_SECONDS = 3600;

export function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Math.round(Number(value) * 1000);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new UsageError(`--${name} must be a positive number of seconds, such as 10 or 0.5, got ${JSON.stringify(value)}`);
  }
  if (ms > MAX_SECONDS * 1000) throw new UsageError(`--${name} must be at most ${MAX_SECONDS} seconds, got ${JSON.stringify(value)}`);
  return ms;
}

export function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v.trim();
}

export function optionalString(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
