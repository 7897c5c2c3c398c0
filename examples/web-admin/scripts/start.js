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
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { prepareWebAdmin } from './prepare.js';

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

prepareWebAdmin({ log: (line) => console.log(`example:web: ${line}`) });

const { startWebAdmin } = await import('../server/app-server.js');
const resources = process.env.WEB_ADMIN_RESOURCES ? JSON.parse(readFileSync(process.env.WEB_ADMIN_RESOURCES, 'utf8')) : undefined;
let fake;
let apiKey = process.env.LD_API_KEY;
let baseUrl = process.env.LD_BASE_URL;
if (!live) {
  const { startFakeLaunchDarkly } = await import('../../../test/support/fake-launchdarkly.js');
  const { demoSeed } = await import('../server/config.js');
  apiKey = `fake-${randomBytes(12).toString('hex')}`;
  fake = await startFakeLaunchDarkly({
    token: apiKey,
    failInstruction: (i) =>
      i.contextKey.startsWith('refuse') ? 'the fake LaunchDarkly refuses contexts whose key starts with "refuse"' : undefined,
  });
  for (const { id, resource, targets } of demoSeed()) fake.seed(id, targets, resource);
  baseUrl = fake.url;
}
const app = await startWebAdmin({ apiKey, baseUrl, port, resources });
console.log(
  `example:web: the admin page is at ${app.url}/ (${live ? 'LaunchDarkly' : `a fake LaunchDarkly at ${baseUrl}; no token needed`}). Ctrl-C stops it.`,
);

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
