#!/usr/bin/env node
// @ts-check
/**
 * npm run bench:inventory [-- --flags N --segments N --window MS]
 *
 * `report` and `export` against a fake LaunchDarkly holding 2,000 flags and 500 segments, 5 % of
 * them with scheduled removals, each route rate-limited on its own in fixed windows (answered with
 * X-Ratelimit-Route-Remaining and X-Ratelimit-Reset, as LaunchDarkly does). Each command runs in
 * a child process (the built CLI), timed from spawn to exit, its peak RSS read at exit by
 * bench/report-rss.js.
 *
 * The lower bound is what the rate limits allow at best: for each route, the reads it needs
 * (list pages at the largest page size, one GET of expiring targets per flag and per segment)
 * divided by the route's configured rate; routes run side by side, so the slowest route sets it.
 * Printed: each command's time as a ratio of that bound, and its peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAX_PAGE, syntheticProject } from '../test/support/fake-catalog.js';
import { startFakeLaunchDarkly } from '../test/support/fake-launchdarkly.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RSS_HOOK = pathToFileURL(path.join(root, 'bench', 'report-rss.js')).href;
const CLI = path.join(root, 'dist', 'cli.js');

const { values } = parseArgs({
  options: {
    flags: { type: 'string', default: '2000' },
    segments: { type: 'string', default: '500' },
    window: { type: 'string', default: '1000' },
  },
});
const flags = Number(values.flags);
const segments = Number(values.segments);
const windowMs = Number(values.window);
// Per window (LaunchDarkly counts each route's requests in fixed windows and says when the window
// resets): the expiring-target routes allow 100 reads, the listings 5 pages.
const routeLimits = {
  'flag-targets': { limit: 100, windowMs },
  'segment-targets': { limit: 100, windowMs },
  'flags-list': { limit: 5, windowMs },
  'segments-list': { limit: 5, windowMs },
};

/** The slowest route's reads divided by its rate, in ms. */
function lowerBoundMs() {
  const reads = {
    'flags-list': Math.max(1, Math.ceil(flags / MAX_PAGE)),
    'segments-list': Math.max(1, Math.ceil(segments / MAX_PAGE)),
    'flag-targets': flags,
    'segment-targets': segments,
  };
  return Math.max(
    ...Object.entries(reads).map(([route, n]) => (n / routeLimits[/** @type {keyof typeof routeLimits} */ (route)].limit) * windowMs),
  );
}

/** Runs the CLI once in a child process; resolves with its wall time, peak RSS and output. */
async function runCli(/** @type {string[]} */ args, /** @type {string} */ tmp, /** @type {string} */ name) {
  const rssFile = path.join(tmp, `${name}.rss`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RSS_HOOK, CLI, ...args], {
    env: { ...process.env, BENCH_RSS_FILE: rssFile, LD_API_KEY: 'bench-token', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = 0;
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk.length));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const ms = performance.now() - started;
  const rss = Number(await readFile(rssFile, 'utf8'));
  if (code !== 0) throw new Error(`${name} exited ${code}: ${stderr.slice(0, 2000)}`);
  return { ms, rss, stdout, stderr };
}

const { catalog, seeds } = syntheticProject({ flags, segments, every: 20, removalsEach: 2 });
const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-inventory-'));
const results = [];
try {
  for (const [name, args, limited] of /** @type {const} */ ([
    // The same report without any rate limit: what this machine needs for the work itself, side by side.
    ['report, no rate limit', ['report', '--project', 'p', '--env', 'e'], false],
    ['report', ['report', '--project', 'p', '--env', 'e'], true],
    ['export', ['export', '--project', 'p', '--env', 'e', '--output', path.join(tmp, 'state.yaml')], true],
  ])) {
    // A fresh fake per command: its windows start with the command.
    const server = await startFakeLaunchDarkly({ catalog, routeLimits: limited ? routeLimits : undefined });
    for (const s of seeds) server.seed(s.id, s.targets, s.resource);
    try {
      const run = await runCli([...args, '--base-url', server.url], tmp, name.replace(/\W+/g, '-'));
      results.push({ name, limited, ...run, requests: server.stats.requests, rateLimited: server.stats.rateLimited });
    } finally {
      await server.close();
    }
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const bound = lowerBoundMs();
const withRemovals = seeds.length;
console.log(
  `inventory bench: ${flags} flags, ${segments} segments, ${withRemovals} with removals (${((withRemovals / (flags + segments)) * 100).toFixed(1)} %)`,
);
console.log(
  `rate limits per route: ${Object.entries(routeLimits)
    .map(([r, l]) => `${r} ${l.limit}/${l.windowMs} ms`)
    .join(', ')}`,
);
console.log(`rate-limit lower bound: ${(bound / 1000).toFixed(2)} s (the slowest route's reads / its rate)`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(21)}  ${(r.ms / 1000).toFixed(2)} s  ratio ${(r.ms / bound).toFixed(3)} of the bound${r.limited ? ' (goal <= 1.15)' : ' (the work alone)'}  peak RSS ${(r.rss / 1e6).toFixed(1)} MB (goal <= 200)  ${r.requests} requests, ${r.rateLimited} answered 429`,
  );
}
console.log(`load average over the last minute: ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPU(s)`);
const failed = results.filter((r) => r.limited && (r.ms / bound > 1.15 || r.rss > 200e6));
if (failed.length > 0) {
  console.error(`over the goal: ${failed.map((r) => r.name).join(', ')}`);
  process.exitCode = 1;
}
