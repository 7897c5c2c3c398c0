/**
 * `npm run example:web` (from the repository root): builds what is missing or stale (the
 * package's dist/, this example's install, the page), then serves the page and its proxy.
 * Without --live it runs against the fake LaunchDarkly the tests use, with a token made up for
 * this run; with --live and LD_API_KEY, against LaunchDarkly.
 *
 *   npm run example:web                         # fake LaunchDarkly, http://127.0.0.1:5180
 *   LD_API_KEY=api-... npm run example:web -- --live [--port 8080]
 *   WEB_ADMIN_RESOURCES=resources.json ...      # the page's list (the format of server/config.js)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = path.resolve(exampleDir, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const args = process.argv.slice(2);
const live = args.includes('--live');
const portArg = args.indexOf('--port');
const port = Number(portArg >= 0 ? args[portArg + 1] : (process.env.PORT ?? 5180));

if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${args[portArg + 1]}`);
if (live && !process.env.LD_API_KEY) fail('--live needs LD_API_KEY (an access token allowed to read and update segments and flags).');

function fail(message) {
  console.error(`example:web: ${message}`);
  process.exit(2);
}

/** The newest modification time under a folder, in ms. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return time;
}

function run(cwd, ...command) {
  console.log(`example:web: ${command.join(' ')} (in ${path.relative(rootDir, cwd) || '.'})`);
  execFileSync(npm, command, { cwd, stdio: 'inherit' });
}

// 1. The package itself, when dist/ is missing or older than its sources.
const builtEntries = ['index.js', 'proxy.js', 'query.js'].map((f) => path.join(rootDir, 'dist', f));
const sourcesTime = Math.max(newest(path.join(rootDir, 'src')), newest(path.join(rootDir, 'generated')));
if (builtEntries.some((f) => !existsSync(f) || statSync(f).mtimeMs < sourcesTime)) run(rootDir, 'run', 'build', '--silent');
// 2. This example's own packages (its own lockfile; the root install does not carry them).
if (!existsSync(path.join(exampleDir, 'node_modules', 'vite'))) run(exampleDir, 'ci', '--no-audit', '--no-fund');
// 3. The page.
run(exampleDir, 'run', 'build', '--silent');

const { startWebAdmin } = await import('../server/app-server.js');
const resources = process.env.WEB_ADMIN_RESOURCES ? JSON.parse(readFileSync(process.env.WEB_ADMIN_RESOURCES, 'utf8')) : undefined;
let fake;
let apiKey = process.env.LD_API_KEY;
let baseUrl = process.env.LD_BASE_URL;
if (!live) {
  const { startFakeLaunchDarkly } = await import('../../../test/support/fake-launchdarkly.js');
  const { demoSeed } = await import('../server/config.js');
  apiKey = `fake-${randomBytes(12).toString('hex')}`;
  fake = await startFakeLaunchDarkly({ token: apiKey, failInstruction: (i) => (i.contextKey.startsWith('refuse') ? 'the fake LaunchDarkly refuses contexts whose key starts with "refuse"' : undefined) });
  for (const { id, resource, targets } of demoSeed()) fake.seed(id, targets, resource);
  baseUrl = fake.url;
}
const app = await startWebAdmin({ apiKey, baseUrl, port, resources });
console.log(`example:web: the admin page is at ${app.url}/ (${live ? 'LaunchDarkly' : `a fake LaunchDarkly at ${baseUrl}; no token needed`}). Ctrl-C stops it.`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await app.close();
  await fake?.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
