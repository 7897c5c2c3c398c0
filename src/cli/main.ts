/** The `ld-expiring-targets` executable (dist/cli.js). */
import { run } from './run.js';

const controller = new AbortController();
// First Ctrl-C: stop sending, settle what is in flight, write the retry files. Second: leave now.
process.once('SIGINT', () => {
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.stderr.write('error: unexpected failure\n');
    process.exitCode = 3;
  },
);
