/** The `ld-expiring-targets` executable (dist/cli.js). */
import { EXIT, exitCodeForInterrupt } from './exit-codes.js';
import { removeTemporaryFiles } from './retry-file.js';
import { run } from './run.js';

const controller = new AbortController();
// First SIGINT (Ctrl-C) or SIGTERM (a service manager, `kill`): stop sending, settle what is in
// flight, print the summary and write the retry and unknown files, then exit 130 or 143.
// A second signal of either kind: leave now, without writing.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!controller.signal.aborted) return controller.abort(signal);
    removeTemporaryFiles();
    process.exit(exitCodeForInterrupt(signal));
  });
}

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  // Only sync's confirmation reads it; opening it for every command is not needed.
  get stdin() {
    return process.stdin;
  },
};
run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.stderr.write('error: unexpected failure\n');
    process.exitCode = EXIT.api;
  },
);
