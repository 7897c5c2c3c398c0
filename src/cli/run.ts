/** Runs one CLI invocation: parse, dispatch, print, and choose the exit code. Never throws. */
import { setMaxListeners } from 'node:events';
import { VERSION } from '../core/version.js';
import type { Session } from './command.js';
import { COMMANDS } from './commands/index.js';
import type { Input } from './confirm.js';
import { EXIT, exitCodeForInterrupt } from './exit-codes.js';
import { BIN } from './help.js';
import { Output, type Writable } from './output.js';
import { type Invocation, helpTopic, parseInvocation } from './parser.js';
import { reportError } from './report.js';

export interface RunIO {
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted by SIGINT or SIGTERM, with the signal's name ('SIGINT', 'SIGTERM') as its reason. */
  signal?: AbortSignal | undefined;
  /** Where `sync` reads its confirmation from, when it is a terminal. */
  stdin?: Input | undefined;
}

/** Every value given as a token (or as a password in --base-url), however it was spelt, so that none is ever printed. */
function tokensIn(argv: readonly string[], env: RunIO['env']): string[] {
  const found = [env.LD_API_KEY ?? ''];
  const optionValue = (name: string, arg: string, i: number) =>
    arg === name ? argv[i + 1] : arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : undefined;
  argv.forEach((arg, i) => {
    found.push(optionValue('--token', arg, i) ?? '');
    const url = optionValue('--base-url', arg, i);
    if (url !== undefined && URL.canParse(url)) found.push(new URL(url).password);
  });
  return found.filter((t) => t.length > 0);
}

export async function run(argv: readonly string[], io: RunIO): Promise<number> {
  const out = new Output(io.stdout, io.stderr);
  for (const token of tokensIn(argv, io.env)) out.addSecret(token);
  const helpHint = helpTopic(argv, COMMANDS);
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, COMMANDS, io.env, Date.now());
  } catch (error) {
    return reportError(out, error, argv.includes('--json'), helpHint);
  }
  if (invocation.kind === 'help') {
    if (invocation.toStderr) out.err(invocation.text);
    else out.out(invocation.text);
    return invocation.toStderr ? EXIT.usage : EXIT.ok;
  }
  if (invocation.kind === 'text') {
    // Our own generated text (a completion script): written as it is.
    io.stdout.write(invocation.text);
    return EXIT.ok;
  }
  if (invocation.kind === 'version') {
    out.out(`${BIN} ${VERSION}`);
    return EXIT.ok;
  }
  // A token read from --token-file is as secret as one given with --token.
  out.addSecret((invocation.args as { connection?: { token?: string } } | undefined)?.connection?.token);
  const signal = io.signal ?? new AbortController().signal;
  // Every request in flight listens to it: --concurrency and --read-concurrency bound their
  // number, so Node's default warning at 11 listeners would only be noise.
  setMaxListeners(0, signal);
  const session: Session = {
    out,
    signal,
    interactive: io.stdout.isTTY === true && io.stderr.isTTY === true,
    input: () => (io.stdin?.isTTY === true && io.stderr.isTTY === true ? io.stdin : undefined),
  };
  let code: number;
  try {
    code = await invocation.command.run(invocation.args, session);
  } catch (error) {
    code = reportError(out, error, invocation.json, helpHint);
  }
  // Whatever the command made of it, a run a signal stopped ends as the shell expects: 130 or 143.
  return signal.aborted ? exitCodeForInterrupt(signal.reason) : code;
}
