/** Runs one CLI invocation: parse, dispatch, print, and choose the exit code. Never throws. */
import { VERSION } from '../version.js';
import { type Command, parseCommand } from './args.js';
import { COMMANDS } from './options.js';
import { runApply, runChange, runList, type Session } from './commands.js';
import type { Input } from './confirm.js';
import { EXIT } from './exit-codes.js';
import { BIN } from './help.js';
import { Output, type Writable } from './output.js';
import { reportError } from './report.js';
import { type SyncCommand, parseSyncCommand } from './sync-args.js';
import { runPlan, runSync } from './sync-commands.js';

export interface RunIO {
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal | undefined;
  /** Where `sync` reads its confirmation from, when it is a terminal. */
  stdin?: Input | undefined;
}

/** Every value given as a token (or as a password in --base-url), however it was spelt, so that none is ever printed. */
function tokensIn(argv: readonly string[], env: RunIO['env']): string[] {
  const found = [env.LD_API_KEY ?? ''];
  const valueOf = (name: string, arg: string, i: number) => (arg === name ? argv[i + 1] : arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : undefined);
  argv.forEach((arg, i) => {
    found.push(valueOf('--token', arg, i) ?? '');
    const url = valueOf('--base-url', arg, i);
    if (url !== undefined && URL.canParse(url)) found.push(new URL(url).password);
  });
  return found.filter((t) => t.length > 0);
}

/**
 * The words before `--help` in the usage hint after an error: only as many as were recognised,
 * so the suggested command itself works (`bogus list` suggests the overview's help).
 */
export function helpTopic(argv: readonly string[]): string {
  const [resource, command] = argv;
  if (resource === 'plan' || resource === 'sync') return resource;
  if (resource !== 'segment' && resource !== 'flag') return '';
  return COMMANDS.some((c) => c === command) ? `${resource} ${command}` : resource;
}

export async function run(argv: readonly string[], io: RunIO): Promise<number> {
  const out = new Output(io.stdout, io.stderr);
  for (const token of tokensIn(argv, io.env)) out.addSecret(token);
  const json = argv.includes('--json');
  const fileCommand = argv[0] === 'plan' || argv[0] === 'sync';
  const helpHint = helpTopic(argv);
  let command: Command | SyncCommand;
  try {
    command = fileCommand ? parseSyncCommand(argv[0] as 'plan' | 'sync', argv.slice(1), io.env) : parseCommand(argv, io.env, Date.now());
  } catch (error) {
    return reportError(out, error, json, helpHint);
  }
  if (command.kind === 'help') {
    if (command.toStderr) out.err(command.text);
    else out.out(command.text);
    return command.toStderr ? EXIT.usage : EXIT.ok;
  }
  if (command.kind === 'version') {
    out.out(`${BIN} ${VERSION}`);
    return EXIT.ok;
  }
  const session: Session = {
    out,
    signal: io.signal ?? new AbortController().signal,
    interactive: io.stdout.isTTY === true && io.stderr.isTTY === true,
  };
  try {
    switch (command.kind) {
      case 'list':
        return await runList(command, session);
      case 'change':
        return await runChange(command, session);
      case 'apply':
        return await runApply(command, session);
      case 'plan':
        return await runPlan(command, session);
      case 'sync':
        return await runSync(command, session, io.stdin?.isTTY === true && io.stderr.isTTY === true ? { input: io.stdin } : undefined);
    }
  } catch (error) {
    return reportError(out, error, command.json, helpHint);
  }
}
