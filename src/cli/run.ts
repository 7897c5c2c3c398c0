/** Runs one CLI invocation: parse, dispatch, print, and choose the exit code. Never throws. */
import { VERSION } from '../version.js';
import { type Command, parseCommand } from './args.js';
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

/** Every value given as a token, however it was spelt, so that none is ever printed. */
function tokensIn(argv: readonly string[], env: RunIO['env']): string[] {
  const found = [env.LD_API_KEY ?? ''];
  argv.forEach((arg, i) => {
    if (arg === '--token') found.push(argv[i + 1] ?? '');
    else if (arg.startsWith('--token=')) found.push(arg.slice('--token='.length));
  });
  return found.filter((t) => t.length > 0);
}

export async function run(argv: readonly string[], io: RunIO): Promise<number> {
  const out = new Output(io.stdout, io.stderr);
  for (const token of tokensIn(argv, io.env)) out.addSecret(token);
  const json = argv.includes('--json');
  const fileCommand = argv[0] === 'plan' || argv[0] === 'sync';
  const helpHint = fileCommand ? argv[0] : argv.slice(0, 2).filter((a) => !a.startsWith('-')).join(' ') || undefined;
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
