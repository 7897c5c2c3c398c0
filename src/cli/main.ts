/** The `ld-expiring-targets` executable (dist/cli.js). */
import { run } from './run.js';

const controller = new AbortController();
// First Ctrl-C: stop sending, settle what is in flight, write the retry files. Second: leave now.
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});

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
    process.exitCode = 3;
  },
);
