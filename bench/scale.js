#!/usr/bin/env node
// @ts-check
/**
 * npm run bench:scale: how the bulk path scales with the size of a cohort.
 *
 * 1. `segments.patchAll` over an array of 10k, 100k, 200k and 1M instructions, with and without
 *    `onProgress`: time per instruction, wall and CPU (goal: flat as the input grows; with
 *    onProgress within 1.5× of without).
 * 2. `ld-expiring-targets segment apply` of generated CSV files of 100k and 1M rows: rows per
 *    second and the whole process's peak RSS (goals: ≤ 200 MB at 1M rows, within 1.3× of the
 *    100k figure; throughput at 1M within 1.3× of that at 100k), then `--dry-run` of the 1M file.
 *
 * Every run is its own `node` process, measured from outside (peak RSS is the process's
 * `maxRSS`, written at exit by bench/report-rss.js), against a local server that accepts every
 * semantic patch and has no rate limit (test/support/accept-all-server.js), running here.
 * Correctness is checked too: the server must have received every instruction exactly as often
 * as there are rows. Figures go to the console and .bench/scale.json.
 *
 *   node bench/scale.js [--quick] [--rounds 3] [--rows 100000,1000000] [--instructions 10000,100000,200000,1000000]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startAcceptAllServer } from '../test/support/accept-all-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(root, 'dist', 'cli.js');
const RSS_HOOK = pathToFileURL(path.join(root, 'bench', 'report-rss.js')).href;
const EXPIRES = 1_924_905_600_000;

const { values, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rows: { type: 'string' },
    instructions: { type: 'string' },
    rounds: { type: 'string' },
    child: { type: 'string' },
  },
  allowPositionals: true,
  strict: false,
});

/** The child side of part 1 (`--child patchAll N PROGRESS URL`): builds the array (not timed), then times patchAll. */
async function patchAllChild() {
  const [n, withProgress, url] = positionals;
  const { createExpiringTargetsClient, segmentInstructions } = await import('../dist/index.js');
  const ld = createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: url });
  const count = Number(n);
  const list = Array.from({ length: count }, (_, i) =>
    segmentInstructions.add({ contextKind: 'user', contextKey: `user-${i}`, targetType: 'included', expiresAt: EXPIRES + i }),
  );
  let reports = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await ld.segments.patchAll(
    { projectKey: 'p', environmentKey: 'e', segmentKey: 's' },
    list,
    withProgress === 'true' ? { onProgress: () => reports++ } : {},
  );
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, applied: result.counts.applied, reports }));
}

if (values.child !== undefined) {
  await patchAllChild();
  process.exit(0);
}

const sizes = (text, fallback) => (text === undefined ? fallback : String(text).split(',').map(Number));
const instructionSizes = sizes(values.instructions, values.quick ? [10_000, 50_000] : [10_000, 100_000, 200_000, 1_000_000]);
const rowSizes = sizes(values.rows, values.quick ? [10_000, 50_000] : [100_000, 1_000_000]);

/**
 * Runs `node …args`; resolves with its stdout, exit code, wall time and peak RSS (bytes).
 * @param {string[]} args
 */
function run(args) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(os.tmpdir(), `ld-et-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', RSS_HOOK, ...args], {
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', async (code) => {
      const wallMs = performance.now() - started;
      const rss = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
      await rm(rssFile, { force: true });
      resolve({ stdout, code, wallMs, rss });
    });
  });
}

/** @param {string} file @param {number} rows */
async function writeCsv(file, rows) {
  const out = createWriteStream(file);
  out.write('action,contextKind,contextKey,targetType,expiresAt\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += `add,user,user-${String(i).padStart(7, '0')},included,2030-12-31T00:00:00Z\n`;
    if (buffer.length >= 1 << 16) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  await new Promise((resolve) => out.end(buffer, () => resolve(undefined)));
}

const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const server = await startAcceptAllServer();
const dir = await mkdtemp(path.join(os.tmpdir(), 'ld-et-bench-scale-'));
let failures = 0;
try {
  // On a shared machine wall time swings with the load: each size runs `rounds` times, with and
  // without onProgress alternating, and the medians are compared, in CPU time (the client's own
  // work; the server runs in this process) as well as wall time.
  const rounds = Number(values.rounds ?? 3);
  console.log(
    `patchAll over an array, ${instructionSizes.join(', ')} instructions (each run its own process; median of ${rounds} below 1M, 1 at 1M)`,
  );
  /** @type {{ instructions: number, progress: boolean, ms: number, cpuMs: number, usPerInstruction: number, cpuUsPerInstruction: number, peakRssMb: number }[]} */
  const patchAll = [];
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  for (const n of instructionSizes) {
    /** @type {Record<string, { ms: number[], cpuMs: number[], rss: number[] }>} */
    const runs = { false: { ms: [], cpuMs: [], rss: [] }, true: { ms: [], cpuMs: [], rss: [] } };
    for (let round = 0; round < (n >= 1_000_000 ? 1 : rounds); round++) {
      for (const progress of [false, true]) {
        const before = server.stats.instructions;
        const r = /** @type {any} */ (
          await run([fileURLToPath(import.meta.url), '--child', 'patchAll', String(n), String(progress), server.url])
        );
        const out = JSON.parse(r.stdout);
        if (r.code !== 0 || out.applied !== n || server.stats.instructions - before !== n) {
          failures++;
          console.error(
            `patchAll ${n} (progress ${progress}): exit ${r.code}, applied ${out.applied}, server got ${server.stats.instructions - before}`,
          );
        }
        runs[String(progress)].ms.push(out.ms);
        runs[String(progress)].cpuMs.push(out.cpuMs);
        runs[String(progress)].rss.push(r.rss);
      }
    }
    for (const progress of [false, true]) {
      const m = runs[String(progress)];
      const ms = median(m.ms);
      const cpuMs = median(m.cpuMs);
      const row = {
        instructions: n,
        progress,
        ms: Math.round(ms),
        cpuMs: Math.round(cpuMs),
        usPerInstruction: Number(((ms * 1000) / n).toFixed(1)),
        cpuUsPerInstruction: Number(((cpuMs * 1000) / n).toFixed(1)),
        peakRssMb: mb(Math.max(...m.rss)),
      };
      patchAll.push(row);
      console.log(
        `  ${String(n).padStart(9)}  onProgress ${progress ? 'yes' : 'no '}  ${String(row.ms).padStart(7)} ms  ${String(row.usPerInstruction).padStart(6)} µs/instruction (CPU ${row.cpuUsPerInstruction})  peak RSS ${row.peakRssMb} MB`,
      );
    }
  }

  console.log(`\napply of generated CSV files, ${rowSizes.join(', ')} rows`);
  /** @type {{ rows: number, fileMb: number, seconds: number, rowsPerSecond: number, peakRssMb: number }[]} */
  const apply = [];
  let largest = '';
  for (const rows of rowSizes) {
    const file = path.join(dir, `cohort-${rows}.csv`);
    await writeCsv(file, rows);
    largest = file;
    const before = server.stats.instructions;
    const r = /** @type {any} */ (
      await run([
        CLI,
        'segment',
        'apply',
        file,
        '--project',
        'p',
        '--env',
        'e',
        '--segment',
        's',
        '--base-url',
        server.url,
        '--token',
        'bench-token',
      ])
    );
    const received = server.stats.instructions - before;
    if (r.code !== 0 || !r.stdout.includes(`All ${rows} row(s) applied.`) || received !== rows) {
      failures++;
      console.error(`apply ${rows}: exit ${r.code}, server got ${received} instructions\n${r.stdout.slice(-500)}`);
    }
    const { size } = statSync(file);
    const row = {
      rows,
      fileMb: mb(size),
      seconds: Number((r.wallMs / 1000).toFixed(1)),
      rowsPerSecond: Math.round(rows / (r.wallMs / 1000)),
      peakRssMb: mb(r.rss),
    };
    apply.push(row);
    console.log(
      `  ${String(rows).padStart(9)} rows (${row.fileMb} MB)  ${String(row.seconds).padStart(6)} s  ${String(row.rowsPerSecond).padStart(6)} rows/s  peak RSS ${row.peakRssMb} MB`,
    );
  }

  const dry = /** @type {any} */ (
    await run([CLI, 'segment', 'apply', largest, '--project', 'p', '--env', 'e', '--segment', 's', '--dry-run'])
  );
  const dryRun = {
    rows: rowSizes.at(-1),
    lines: dry.stdout.split('\n').length - 1,
    seconds: Number((dry.wallMs / 1000).toFixed(1)),
    peakRssMb: mb(dry.rss),
  };
  if (dry.code !== 0) failures++;
  console.log(`  --dry-run of ${dryRun.rows} rows: ${dryRun.lines} lines printed, ${dryRun.seconds} s, peak RSS ${dryRun.peakRssMb} MB`);

  const per = (n, progress) => patchAll.find((r) => r.instructions === n && r.progress === progress)?.cpuUsPerInstruction ?? Number.NaN;
  const smallest = instructionSizes[0];
  const biggest = instructionSizes.at(-1);
  const progressAt = instructionSizes.includes(200_000) ? 200_000 : biggest;
  const [small, big] = [apply[0], apply.at(-1)];
  const goals = {
    [`patchAll CPU µs/instruction, ${biggest} over ${smallest}, without onProgress`]: [per(biggest, false) / per(smallest, false), 1.3],
    [`patchAll CPU µs/instruction, ${biggest} over ${smallest}, with onProgress`]: [per(biggest, true) / per(smallest, true), 1.3],
    [`patchAll ${progressAt}: CPU time with onProgress over without`]: [per(progressAt, true) / per(progressAt, false), 1.5],
    [`apply peak RSS at ${big.rows} rows, MB`]: [big.peakRssMb, 200],
    [`apply peak RSS, ${big.rows} over ${small.rows} rows`]: [big.peakRssMb / small.peakRssMb, 1.3],
    [`apply rows/s, ${small.rows} over ${big.rows} rows`]: [small.rowsPerSecond / big.rowsPerSecond, 1.3],
  };
  console.log('\ngoals');
  for (const [name, [value, limit]] of Object.entries(goals)) {
    console.log(`  ${name}: ${Number(value.toFixed(2))} (goal ≤ ${limit}) ${value <= limit ? 'met' : 'MISSED'}`);
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    patchAll,
    apply,
    dryRun,
    goals,
  };
  await mkdir(path.join(root, '.bench'), { recursive: true });
  await writeFile(path.join(root, '.bench', 'scale.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (failures > 0) {
    console.error(`\n${failures} run(s) did not apply every instruction exactly once`);
    process.exitCode = 1;
  }
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
